/**
 * A snapshot of a branch through the git database API: one ref read, one recursive tree read, then
 * only the blobs the cache does not hold yet.
 */
import pLimit from "p-limit";
import { sourceFile } from "../iac/source-file.js";
import type { SourceFile } from "../iac/types.js";
import type { BlobStore } from "./blob-cache.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

/** One file of a tree: a git blob (a regular or executable file, or a symbolic link). */
export interface TreeEntry {
  /** Repository-relative POSIX path. */
  path: string;
  /** Git blob SHA of the content. */
  sha: string;
  /** Git file mode: `100644`, `100755` or `120000` (symbolic link: the content is the target path). */
  mode: string;
  /** Size in bytes, when known. */
  size?: number;
}

/** A branch's head commit and every file of its tree. */
export interface RepositoryTree {
  headSha: string;
  treeSha: string;
  /** The tree's blobs (directories and submodules left out). */
  entries: TreeEntry[];
  /** Whether GitHub cut the listing short (over 100,000 entries or 7 MB): read the tarball instead. */
  truncated: boolean;
}

/** Default number of blob downloads in flight at once. */
const DEFAULT_BLOB_CONCURRENCY = 8;

/**
 * The head commit of `branch` and its whole tree: `GET /repos/{owner}/{repo}/git/ref/heads/{branch}`,
 * then `GET /repos/{owner}/{repo}/git/trees/{commit}?recursive=1` (a commit SHA is accepted as a tree
 * SHA; the answer names the real tree). Exactly 2 requests. A missing branch throws Octokit's 404.
 */
export async function readTree(
  octokit: Octokit,
  repo: RepoRef,
  branch: string,
): Promise<RepositoryTree> {
  const { data: ref } = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
    owner: repo.owner,
    repo: repo.repo,
    ref: `heads/${branch}`,
  });
  return readTreeAt(octokit, repo, ref.object.sha);
}

/** The whole tree of a commit: `GET /repos/{owner}/{repo}/git/trees/{commit}?recursive=1`. 1 request. */
export async function readTreeAt(
  octokit: Octokit,
  repo: RepoRef,
  commitSha: string,
): Promise<RepositoryTree> {
  const { data: tree } = await octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
    owner: repo.owner,
    repo: repo.repo,
    tree_sha: commitSha,
    recursive: "1",
  });
  const entries: TreeEntry[] = [];
  for (const item of tree.tree) {
    if (item.type !== "blob" || item.path === undefined || item.sha === undefined) continue;
    entries.push({
      path: item.path,
      sha: item.sha,
      mode: item.mode ?? "100644",
      ...(item.size === undefined ? {} : { size: item.size }),
    });
  }
  return { headSha: commitSha, treeSha: tree.sha, entries, truncated: tree.truncated };
}

/** The parents of a commit: `GET /repos/{owner}/{repo}/git/commits/{commit}`. 1 request. */
export async function commitParents(
  octokit: Octokit,
  repo: RepoRef,
  commitSha: string,
): Promise<string[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
    owner: repo.owner,
    repo: repo.repo,
    commit_sha: commitSha,
  });
  return data.parents.map((p) => p.sha);
}

/** What {@link readBlobs} read. */
export interface BlobsRead {
  /** One file per requested entry, in the order asked, with its bytes, `hash` being the blob SHA. */
  files: SourceFile[];
  /** Blobs downloaded (cache misses, each distinct SHA once). */
  downloaded: number;
}

/**
 * The files of `entries`: cached blobs are served from `cache`, every other distinct SHA is
 * downloaded once with `GET /repos/{owner}/{repo}/git/blobs/{sha}` in the raw media type (the body is
 * the file's bytes, kept as they are), at most `concurrency` at a time, and cached. Costs one request
 * per distinct uncached SHA; none when everything is cached. The first failed download throws.
 */
export async function readBlobs(
  octokit: Octokit,
  repo: RepoRef,
  entries: readonly { path: string; sha: string }[],
  cache: BlobStore,
  options: { concurrency?: number } = {},
): Promise<BlobsRead> {
  const shas = [...new Set(entries.map((e) => e.sha))];
  const contents = await cache.getMany(shas);
  const missing = shas.filter((sha) => !contents.has(sha));
  const downloaded = new Map<string, Buffer>();
  const limit = pLimit(options.concurrency ?? DEFAULT_BLOB_CONCURRENCY);
  try {
    await Promise.all(
      missing.map((sha) =>
        limit(async () => {
          const bytes = await readBlob(octokit, repo, sha);
          downloaded.set(sha, bytes);
          contents.set(sha, bytes);
        }),
      ),
    );
  } catch (error) {
    // The read has failed: do not start the downloads still queued.
    limit.clearQueue();
    throw error;
  } finally {
    await cache.setMany(downloaded);
  }
  // One decoding per distinct blob: identical files share their text.
  const decoded = new Map<string, SourceFile>();
  const files = entries.map(({ path, sha }): SourceFile => {
    const bytes = contents.get(sha);
    if (bytes === undefined) throw new Error(`blob ${sha} of ${path} was not read`);
    let file = decoded.get(sha);
    if (file === undefined) {
      file = sourceFile(path, bytes, sha);
      decoded.set(sha, file);
    }
    return file.path === path ? file : { ...file, path };
  });
  return { files, downloaded: missing.length };
}

async function readBlob(octokit: Octokit, repo: RepoRef, sha: string): Promise<Buffer> {
  const response = await octokit.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
    owner: repo.owner,
    repo: repo.repo,
    file_sha: sha,
    mediaType: { format: "raw" },
    request: { fetch: fetchBytes },
  });
  return bodyBytes(response.data);
}

/**
 * `fetch`, with a successful answer's body read whole and handed on as bytes: Octokit then gives an
 * ArrayBuffer, never text (decoding would drop a byte order mark), and no body is left as a stream,
 * which Node cancels when the response is garbage-collected before it is read.
 */
async function fetchBytes(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (!response.ok) return response;
  const headers = new Headers(response.headers);
  headers.set("content-type", "application/octet-stream");
  const { status, statusText } = response;
  return new Response(await response.arrayBuffer(), { status, statusText, headers });
}

/**
 * The bytes of an Octokit answer's `data`: a web stream (`parseSuccessResponseBody: false`), an
 * ArrayBuffer, a typed array or a string.
 */
async function bodyBytes(data: unknown): Promise<Buffer> {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ReadableStream) return Buffer.from(await new Response(data).arrayBuffer());
  if (data === null || data === undefined) return Buffer.alloc(0);
  throw new Error("unexpected answer body: not bytes");
}
