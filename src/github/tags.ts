/**
 * The tags of a git-sourced module's repository on github.com or a GitHub Enterprise host, read with
 * conditional requests: each page is sent with the ETag of its last answer, and an unchanged page is
 * answered `304 Not Modified` (not counted against GitHub's rate limit) and served from the cache.
 */
import { countCacheLookup } from "../metrics.js";
import type { GitHubClient } from "./clients.js";
import { errorStatus } from "./errors.js";

/** What the cache keeps of one page: its ETag and the tag names it listed. */
export interface CachedPage {
  etag: string;
  data: string[];
  /** For a page of tags: the commit SHA of each tag of `data`, in the same order ("" when none was given). */
  commits?: string[];
  /** Whether the answer said that another page follows. */
  next: boolean;
}

/**
 * A bounded cache of listed pages by ETag, keyed by API base URL + path: this process's memory
 * ({@link createEtagCache}) or Redis shared by replicas (`RedisEtagCache`). A cache that fails is a miss.
 */
export interface EtagCache {
  get(key: string): Promise<CachedPage | undefined>;
  set(key: string, value: CachedPage): Promise<void>;
}

/** An {@link EtagCache} in this process's memory, least recently used pages dropped first. */
export interface MemoryEtagCache extends EtagCache {
  readonly size: number;
}

/** Default number of pages kept: 1,000 pages of at most 100 tag names each. */
const DEFAULT_ETAG_CACHE_SIZE = 1000;

/** Creates an {@link EtagCache} that keeps the `max` most recently used pages. */
export function createEtagCache(max = DEFAULT_ETAG_CACHE_SIZE): MemoryEtagCache {
  if (!Number.isInteger(max) || max < 1)
    throw new Error(`ETag cache size must be a positive integer (got ${max})`);
  const entries = new Map<string, CachedPage>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        // Map keeps insertion order: re-inserting marks the entry most recently used.
        entries.delete(key);
        entries.set(key, value);
      }
      return Promise.resolve(value);
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > max) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      return Promise.resolve();
    },
    get size() {
      return entries.size;
    },
  };
}

/** A repository on a GitHub API (github.com's or a GitHub Enterprise server's). */
export interface GitHubRepository {
  /** The API base URL the client talks to, e.g. `https://api.github.com`; part of the cache key. */
  apiBaseUrl: string;
  owner: string;
  repo: string;
}

/** What one listing cost. */
export interface ListingStats {
  /** HTTP requests sent. */
  requests: number;
  /** Of these, how many were answered 304 from the cache (free of rate limit). */
  notModified: number;
}

const TAGS_PER_PAGE = 100;

/** Upper bound on pages read (10,000 tags), so that a runaway `link` header cannot loop forever. */
const MAX_PAGES = 100;

function header(
  headers: Record<string, string | number | undefined>,
  name: string,
): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return value === undefined ? undefined : String(value);
}

/** The tag names of a page, and the commit each points to (GitHub gives it peeled: an annotated tag's commit). */
function tagNames(data: unknown): { names: string[]; commits: string[] } {
  if (!Array.isArray(data)) throw new Error("unexpected answer to a tag listing: not an array");
  const names: string[] = [];
  const commits: string[] = [];
  for (const item of data) {
    if (
      typeof item === "object" &&
      item !== null &&
      typeof (item as { name?: unknown }).name === "string"
    ) {
      names.push((item as { name: string }).name);
      const sha = (item as { commit?: { sha?: unknown } }).commit?.sha;
      commits.push(
        typeof sha === "string" && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i.test(sha) ? sha : "",
      );
    }
  }
  return { names, commits };
}

/**
 * Whether another page follows: by the `link` header's `rel="next"` when there is one (GitHub sends
 * it whenever there are several pages), else by a full page.
 */
function hasNextPage(link: string | undefined, count: number): boolean {
  if (link !== undefined && link !== "") return /<[^>]*>;\s*rel="next"/.test(link);
  return count >= TAGS_PER_PAGE;
}

/**
 * All tag names of a repository, in GitHub's order: `GET /repos/{owner}/{repo}/tags`, 100 per page,
 * every page. Each page is requested with `If-None-Match: <cached ETag>` and a `304` reuses the cached
 * page. A listing of N tags costs ceil(N / 100) requests (one for none); unchanged pages cost no rate
 * limit. Errors (404, 403, network) are thrown as Octokit throws them. `commits`, when given, gets
 * the commit SHA of each tag (from the same pages: no request more).
 */
export async function listTags(
  client: GitHubClient,
  repository: GitHubRepository,
  cache: EtagCache,
  stats: ListingStats = { requests: 0, notModified: 0 },
  commits?: Map<string, string>,
): Promise<string[]> {
  const { owner, repo } = repository;
  const base = repository.apiBaseUrl.replace(/\/+$/, "");
  const tags: string[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const key = `${base}/repos/${owner}/${repo}/tags?per_page=${TAGS_PER_PAGE}&page=${page}`;
    const found = await cache.get(key);
    // A page cached before commits were kept cannot answer for them: it is read again.
    const cached = commits && found?.commits === undefined ? undefined : found;
    let result: CachedPage | undefined;
    stats.requests++;
    try {
      const response = await client.request("GET /repos/{owner}/{repo}/tags", {
        owner,
        repo,
        per_page: TAGS_PER_PAGE,
        page,
        ...(cached ? { headers: { "if-none-match": cached.etag } } : {}),
      });
      const listed = tagNames(response.data);
      const next = hasNextPage(header(response.headers, "link"), listed.names.length);
      const etag = header(response.headers, "etag");
      result = { etag: etag ?? "", data: listed.names, commits: listed.commits, next };
      if (etag !== undefined && etag !== "") await cache.set(key, result);
      countCacheLookup("tags", false);
    } catch (error) {
      if (errorStatus(error) !== 304 || cached === undefined) throw error;
      stats.notModified++;
      countCacheLookup("tags", true);
      result = cached;
    }
    tags.push(...result.data);
    for (const [i, name] of result.data.entries()) {
      const sha = result.commits?.[i];
      if (commits && sha) commits.set(name, sha.toLowerCase());
    }
    if (!result.next) break;
  }
  return tags;
}
