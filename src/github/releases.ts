/** The GitHub releases of a module repository, read page by page. */
import type { GitHubClient } from "./clients.js";

/** A release as GitHub's API answers it; every field unchecked (the answer is outside input). */
export interface RawRelease {
  tag_name?: unknown;
  name?: unknown;
  body?: unknown;
  draft?: unknown;
}

const RELEASES_PER_PAGE = 100;

/**
 * The releases of `owner/repo`, newest first: `GET /repos/{owner}/{repo}/releases`, 100 per page, at most
 * `maxPages` pages, stopping after the first page for which `enough(page)` holds or that is not full.
 * Errors (404, 403, network) are thrown as Octokit throws them.
 */
export async function listReleases(
  client: GitHubClient,
  repository: { owner: string; repo: string },
  maxPages: number,
  enough: (page: readonly RawRelease[]) => boolean,
): Promise<RawRelease[]> {
  const releases: RawRelease[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const response = await client.request("GET /repos/{owner}/{repo}/releases", {
      owner: repository.owner,
      repo: repository.repo,
      per_page: RELEASES_PER_PAGE,
      page,
    });
    const listed = Array.isArray(response.data) ? (response.data as RawRelease[]) : [];
    releases.push(...listed);
    if (enough(listed) || listed.length < RELEASES_PER_PAGE) break;
  }
  return releases;
}

/**
 * When version `tag` of `owner/repo` came out: its release's `published_at`, or, without a release
 * (404), the date its tag's commit was committed: `GET /repos/{owner}/{repo}/releases/tags/{tag}`, then
 * `GET /repos/{owner}/{repo}/commits/{tag}`. 1 or 2 requests; undefined when neither says.
 */
export async function versionDate(
  client: GitHubClient,
  repository: { owner: string; repo: string },
  tag: string,
): Promise<string | undefined> {
  const { owner, repo } = repository;
  try {
    const { data } = await client.request("GET /repos/{owner}/{repo}/releases/tags/{tag}", {
      owner,
      repo,
      tag,
    });
    const published = (data as { published_at?: unknown }).published_at;
    if (typeof published === "string" && !Number.isNaN(Date.parse(published))) return published;
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  const { data } = await client.request("GET /repos/{owner}/{repo}/commits/{ref}", {
    owner,
    repo,
    ref: `tags/${tag}`,
  });
  const date = (data as { commit?: { committer?: { date?: unknown } } }).commit?.committer?.date;
  return typeof date === "string" && !Number.isNaN(Date.parse(date)) ? date : undefined;
}
