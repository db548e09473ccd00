/** What a pull request changes, and a file as one of its commits holds it. */
import { errorStatus } from "./errors.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

/** GitHub lists at most 3,000 files of a pull request, 100 a page. */
const FILES_PER_PAGE = 100;
const MAX_FILE_PAGES = 30;

/** How a pull request changes one path: `added` when its merge base has no such file. */
export type PathChange = "added" | "modified" | "removed";

/**
 * How pull request `pullNumber` changes `path`, or `undefined` when it does not: `GET
 * /repos/{owner}/{repo}/pulls/{pull_number}/files`, 100 files a page, stopping at the page that lists
 * `path`. 1 request per 100 of `changedFiles` (the payload's count) at most, 30 at most; 1 for most.
 */
export async function pathChange(
  octokit: Octokit,
  repo: RepoRef,
  pullNumber: number,
  path: string,
  changedFiles: number,
): Promise<PathChange | undefined> {
  const pages = Math.min(MAX_FILE_PAGES, Math.max(1, Math.ceil(changedFiles / FILES_PER_PAGE)));
  for (let page = 1; page <= pages; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
      owner: repo.owner,
      repo: repo.repo,
      pull_number: pullNumber,
      per_page: FILES_PER_PAGE,
      page,
    });
    const entry = data.find((f) => f.filename === path);
    if (entry) {
      if (entry.status === "removed") return "removed";
      return entry.status === "added" ? "added" : "modified";
    }
    if (data.some((f) => f.previous_filename === path)) return "removed";
    if (data.length < FILES_PER_PAGE) return undefined;
  }
  return undefined;
}

/** A file read at a commit by {@link readFileAt}. */
export type FileAt =
  | { kind: "file"; text: string }
  | { kind: "missing" }
  | { kind: "too-large"; bytes: number }
  | { kind: "not-a-file"; type: string };

/**
 * The file at `path` in commit `ref`: `GET /repos/{owner}/{repo}/contents/{path}?ref=`. 1 request. A
 * fork's commit is read through the base repository (GitHub keeps a pull request's head there). The
 * answer carries at most 1 MB of content; over `maxBytes`, its content is not decoded.
 */
export async function readFileAt(
  octokit: Octokit,
  repo: RepoRef,
  path: string,
  ref: string,
  maxBytes: number,
): Promise<FileAt> {
  let data: unknown;
  try {
    ({ data } = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: repo.owner,
      repo: repo.repo,
      path,
      ref,
    }));
  } catch (error) {
    if (errorStatus(error) === 404) return { kind: "missing" };
    throw error;
  }
  if (Array.isArray(data)) return { kind: "not-a-file", type: "dir" };
  const file = data as { type?: string; size?: number; encoding?: string; content?: string };
  if (file.type !== "file") return { kind: "not-a-file", type: String(file.type) };
  const bytes = file.size ?? 0;
  if (bytes > maxBytes || file.encoding !== "base64" || file.content === undefined) {
    return { kind: "too-large", bytes };
  }
  return { kind: "file", text: Buffer.from(file.content, "base64").toString("utf8") };
}
