/**
 * The fallback for a tree too large for one listing: the whole snapshot from one tarball download,
 * streamed through gunzip and a tar reader, one file in memory at a time.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { blobSha } from "../iac/blob-sha.js";
import { sourceFile } from "../iac/source-file.js";
import type { SourceFile } from "../iac/types.js";
import type { TreeEntry } from "./read-repository.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

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
 */
export async function readFromTarball(
  octokit: Octokit,
  repo: RepoRef,
  ref: string,
  wanted: (path: string) => boolean,
): Promise<TarballRead> {
  const response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
    owner: repo.owner,
    repo: repo.repo,
    ref,
    // Stream the archive rather than hold it all in memory.
    request: { parseSuccessResponseBody: false },
  });
  return readTarGz(bodyStream(response.data), wanted);
}

/** Reads a gzipped tar stream as {@link readFromTarball} describes. */
async function readTarGz(
  source: Readable,
  wanted: (path: string) => boolean,
): Promise<TarballRead> {
  const extract = tar.extract();
  const piping = pipeline(source, createGunzip(), extract);
  // A failure also ends the iteration below with the error; this keeps it from being unhandled.
  piping.catch(() => undefined);
  const entries: TreeEntry[] = [];
  const files: SourceFile[] = [];
  for await (const entry of extract) {
    const { header } = entry;
    const path = stripTopFolder(header.name);
    if (path === undefined || (header.type !== "file" && header.type !== "symlink")) {
      entry.resume();
      continue;
    }
    let bytes: Buffer;
    let mode: string;
    if (header.type === "symlink") {
      entry.resume();
      bytes = Buffer.from(header.linkname ?? "", "utf8");
      mode = "120000";
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      bytes = Buffer.concat(chunks);
      mode = ((header.mode ?? 0o644) & 0o100) !== 0 ? "100755" : "100644";
    }
    const sha = blobSha(bytes);
    entries.push({ path, sha, mode, size: bytes.length });
    if (wanted(path)) files.push(sourceFile(path, bytes, sha));
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
