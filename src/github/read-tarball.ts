/**
 * A whole snapshot from one tarball download, streamed through gunzip and a tar reader: only the
 * wanted files are held in memory, every other file is hashed as it streams by.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { sourceFile } from "../iac/source-file.js";
import type { SourceFile } from "../iac/types.js";
import type { TreeEntry } from "./read-repository.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

/** The most bytes (uncompressed) of an archive read: a larger repository is refused, not streamed for ever. */
const MAX_TARBALL_BYTES = 4 * 1024 ** 3;

/** The most bytes of wanted files held in memory from one archive. */
const MAX_TARBALL_WANTED_BYTES = 512 * 1024 ** 2;

/** An archive over one of the bounds above: the message says which. */
export class TarballTooLargeError extends Error {
  override name = "TarballTooLargeError";
}

/** What {@link readFromTarball} read. */
export interface TarballRead {
  /** Every file of the snapshot, as the tree API would list it. */
  entries: TreeEntry[];
  /** The wanted files with their bytes, `hash` being the blob SHA. */
  files: SourceFile[];
}

/**
 * Every file of `ref` (a commit SHA, preferably, so that the snapshot is the one the caller read):
 * `GET /repos/{owner}/{repo}/tarball/{ref}`, which redirects to a download that fetch follows: 1 API
 * request (plus the redirected download). The archive's top folder (`<owner>-<repo>-<sha>/`) is
 * stripped. Each regular file becomes a {@link TreeEntry} with the git blob SHA of its bytes and mode
 * `100755` when executable, else `100644`; a symbolic link becomes mode `120000` whose content is its
 * target, as git stores it. Files for which `wanted(path)` is true are also returned with their content.
 * An archive of more than {@link MAX_TARBALL_BYTES}, or whose wanted files sum to more than
 * {@link MAX_TARBALL_WANTED_BYTES}, throws a {@link TarballTooLargeError}.
 */
export async function readFromTarball(
  octokit: Octokit,
  repo: RepoRef,
  ref: string,
  wanted: (path: string) => boolean,
  limits: { maxBytes?: number; maxWantedBytes?: number } = {},
): Promise<TarballRead> {
  const response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
    owner: repo.owner,
    repo: repo.repo,
    ref,
    // Stream the archive rather than hold it all in memory.
    request: { parseSuccessResponseBody: false },
  });
  return readTarGz(bodyStream(response.data), wanted, {
    maxBytes: limits.maxBytes ?? MAX_TARBALL_BYTES,
    maxWantedBytes: limits.maxWantedBytes ?? MAX_TARBALL_WANTED_BYTES,
  });
}

/** Reads a gzipped tar stream as {@link readFromTarball} describes. */
async function readTarGz(
  source: Readable,
  wanted: (path: string) => boolean,
  limits: { maxBytes: number; maxWantedBytes: number },
): Promise<TarballRead> {
  const extract = tar.extract();
  const piping = pipeline(source, createGunzip(), extract);
  // A failure also ends the iteration below with the error; this keeps it from being unhandled.
  piping.catch(() => undefined);
  const entries: TreeEntry[] = [];
  const files: SourceFile[] = [];
  let total = 0;
  let wantedTotal = 0;
  for await (const entry of extract) {
    const { header } = entry;
    const path = stripTopFolder(header.name);
    if (path === undefined || (header.type !== "file" && header.type !== "symlink")) {
      entry.resume();
      continue;
    }
    const keep = wanted(path);
    let bytes: Buffer | undefined;
    let mode: string;
    let size: number;
    // The git blob SHA-1, hashed as the bytes stream by: a large file that is not wanted is never held.
    const hash = createHash("sha1");
    if (header.type === "symlink") {
      entry.resume();
      bytes = Buffer.from(header.linkname ?? "", "utf8");
      size = bytes.length;
      hash.update(`blob ${size}\0`).update(bytes);
      mode = "120000";
    } else {
      size = header.size ?? 0;
      total += size;
      if (total > limits.maxBytes) {
        source.destroy();
        throw new TarballTooLargeError(
          `the repository's archive is larger than ${limits.maxBytes} bytes; Promoter reads no more`,
        );
      }
      if (keep) {
        wantedTotal += size;
        if (wantedTotal > limits.maxWantedBytes) {
          source.destroy();
          throw new TarballTooLargeError(
            `the repository's Terraform, OpenTofu and Terragrunt files are larger than ${limits.maxWantedBytes} bytes together; Promoter reads no more`,
          );
        }
      }
      hash.update(`blob ${size}\0`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) {
        hash.update(chunk as Buffer);
        if (keep) chunks.push(chunk as Buffer);
      }
      if (keep) bytes = Buffer.concat(chunks);
      mode = ((header.mode ?? 0o644) & 0o100) !== 0 ? "100755" : "100644";
    }
    const sha = hash.digest("hex");
    entries.push({ path, sha, mode, size });
    if (bytes !== undefined && keep) files.push(sourceFile(path, bytes, sha));
  }
  await piping;
  return { entries, files };
}

/** `owner-repo-sha/dir/file.tf` → `dir/file.tf`; undefined for the top folder itself. */
function stripTopFolder(name: string): string | undefined {
  const slash = name.indexOf("/");
  if (slash < 0) return undefined;
  const path = name.slice(slash + 1).replace(/\/+$/, "");
  return path === "" ? undefined : path;
}

function bodyStream(data: unknown): Readable {
  if (data instanceof ReadableStream) return Readable.fromWeb(data);
  if (data instanceof ArrayBuffer) return Readable.from([Buffer.from(data)]);
  if (ArrayBuffer.isView(data))
    return Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
  throw new Error("unexpected tarball answer: not bytes");
}
