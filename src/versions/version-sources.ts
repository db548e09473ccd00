/**
 * The available versions of every dependency of an inventory: git tags for git sources (through a
 * GitHub API, or git's smart HTTP protocol for other git hosts), registry versions for registry
 * modules. Each module repository (or registry module) is listed once however many dependencies use
 * it; a listing that fails is a warning on its dependencies, never an error.
 * A host the operator did not allow (see `source-hosts.ts`) is never asked: its dependencies get a
 * warning that says how to allow it.
 */
import type { DependencyOrigin } from "../iac/types.js";
import { errorMessage, errorStatus, isNetworkError, isRateLimited } from "../github/errors.js";
import { listTags } from "../github/tags.js";
import type { EtagCache, ListingStats } from "../github/tags.js";
import { countCacheLookup } from "../metrics.js";
import type { ListingCache } from "./listing-cache.js";
import type { GitHubClient } from "../github/clients.js";
import {
  RegistryError,
  RegistryModuleNotFoundError,
  listRegistryVersions,
} from "./registry-versions.js";
import { OutboundRefusal } from "./outbound-fetch.js";
import { GitHostError, listGitTags } from "./git-http-tags.js";
import {
  GIT_CREDENTIALS_VARIABLE,
  gitTagSource,
  registryBaseUrl,
  registryHost,
  registryTokenVariable,
  type HostCredentials,
  type SourceHosts,
} from "./source-hosts.js";

/** A problem reading the versions of one dependency. */
export interface VersionWarning {
  dependency: string;
  message: string;
}

export interface ResolveVersionsOptions {
  /**
   * The client for a GitHub API base URL (no trailing `/`) of an allowed host. When it is the app's
   * own (`isAppApi`), return the installation client (or the CLI's token); for others, one without
   * credentials.
   */
  clientFor(apiBaseUrl: string): GitHubClient;
  /** `PROMOTER_SOURCE_HOSTS`, parsed with `parseSourceHosts`. */
  hosts: SourceHosts;
  /** `PROMOTER_ALLOW_HTTP_HOSTS`, parsed with `parseAllowHttpHosts` (default: none). */
  httpHosts?: ReadonlySet<string>;
  /** The operator's credentials for git hosts and registries (`readHostCredentials`; default: none). */
  credentials?: HostCredentials;
  /** The app's own GitHub API base URL, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  appBaseUrl: string;
  /** `updates.registry`: `terraform`, `opentofu` or a registry base URL. */
  registry: string;
  etags: EtagCache;
  /**
   * Listings shared by the repositories of installation `installationId`: one read within the
   * cache's window is reused without a request. Absent: every listing is read.
   */
  shared?: { cache: ListingCache; installationId: number };
  fetch?: typeof fetch;
  /** Listings run at the same time (default 4). */
  concurrency?: number;
  log?: { warn(obj: object, msg: string): void };
}

export interface ResolvedVersions {
  /** Available versions (tags or registry versions, unfiltered) by dependency id; absent when the listing failed. */
  versions: Map<string, string[]>;
  /** The commit SHA (lower case) of each tag by dependency id, for git dependencies whose listing succeeded. */
  commits: Map<string, ReadonlyMap<string, string>>;
  warnings: VersionWarning[];
  /** HTTP requests sent (GitHub and registries). */
  requests: number;
  /** Of these, GitHub and registry requests answered 304 from the ETag cache (free of GitHub's rate limit). */
  notModified: number;
}

/** One listing: a module repository or registry module, with the dependencies that use it. */
interface Listing {
  key: string;
  describe: string;
  dependencies: string[];
  /** Lists the versions; a git listing also fills `commits` with each tag's commit SHA. */
  run(stats: ListingStats, commits: Map<string, string>): Promise<string[]>;
  /** Whether the listing gives commits (a git repository's tags). */
  commits?: boolean;
  /** The host named in warnings. */
  host: string;
  /** How a failure reads. */
  warning(error: unknown, listing: Listing): string;
  /** Whether credentials go with the requests. */
  authenticated?: boolean;
}

const DEFAULT_CONCURRENCY = 4;

const stripSlashes = (url: string) => url.replace(/\/+$/, "");

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The warning for a failed GitHub tag listing. */
function gitWarning(error: unknown, listing: Listing): string {
  const refusal =
    error instanceof OutboundRefusal ? error : (error as { cause?: unknown } | null)?.cause;
  if (refusal instanceof OutboundRefusal) {
    return `could not list the tags of ${listing.describe} on ${listing.host}: ${refusal.message}`;
  }
  const status = errorStatus(error);
  if (isRateLimited(error)) return `rate limited by ${listing.host}; retried next check`;
  if (status === 404 || status === 403 || status === 401) {
    return `module repository ${listing.describe} not found or not accessible to the app`;
  }
  if (isNetworkError(error)) return `${listing.host} unreachable: ${errorMessage(error)}`;
  const code = status === undefined ? "" : `HTTP ${status} `;
  return `could not list the tags of ${listing.describe} on ${listing.host}: ${code}${errorMessage(error)}`;
}

/** The warning for a failed listing through git's smart HTTP protocol. */
function gitHttpWarning(error: unknown, listing: Listing): string {
  if (!(error instanceof GitHostError)) {
    return `could not list the tags of ${listing.describe} on ${listing.host}: ${errorMessage(error)}`;
  }
  if (error.status === 429) return `rate limited by ${listing.host}; retried next check`;
  if (error.status === 401 || error.status === 403 || error.status === 404) {
    const credentials = listing.authenticated
      ? "with the credentials configured for it"
      : `without credentials (none in ${GIT_CREDENTIALS_VARIABLE} for it)`;
    return `module repository ${listing.describe} not found on ${listing.host} or not readable ${credentials} (HTTP ${error.status})`;
  }
  if (error.status === undefined) return `${listing.host} unreachable: ${error.message}`;
  return `could not list the tags of ${listing.describe} on ${listing.host}: ${error.message}`;
}

/** The warning for a failed registry listing; `tokenHost` names the token it was read with. */
function registryWarning(error: unknown, listing: Listing, tokenHost: string): string {
  if (error instanceof RegistryModuleNotFoundError) {
    return `module ${listing.describe} not found in the registry ${listing.host}`;
  }
  if (error instanceof RegistryError) {
    if (error.status === 429) return `rate limited by ${listing.host}; retried next check`;
    if (error.status === 401 || error.status === 403) {
      const token = listing.authenticated
        ? `with the token in ${registryTokenVariable(tokenHost)}`
        : `without a token (none in ${registryTokenVariable(tokenHost)})`;
      return `module ${listing.describe} is not readable on ${listing.host} ${token} (HTTP ${error.status})`;
    }
    if (error.status === undefined) return `${listing.host} unreachable: ${error.message}`;
    return `could not list the versions of ${listing.describe} on ${listing.host}: ${error.message}`;
  }
  return `could not list the versions of ${listing.describe} on ${listing.host}: ${errorMessage(error)}`;
}

/** Runs `tasks` with at most `limit` at a time. */
async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
}

/** The key under which a git listing's commits are shared: its tag and commit pairs, flat. */
const commitsKey = (key: string) => `${key}\ncommits`;

/**
 * A listing's versions (and its tags' commits): as another repository of the installation read them
 * within the window, else read.
 */
async function sharedListing(
  listing: Listing,
  stats: ListingStats,
  shared: ResolveVersionsOptions["shared"],
): Promise<{ versions: string[]; commits: Map<string, string> }> {
  const commits = new Map<string, string>();
  if (shared === undefined) return { versions: await listing.run(stats, commits), commits };
  const { cache, installationId } = shared;
  const fresh = await cache.get(installationId, listing.key);
  // A listing shared before commits were kept is read again.
  const pairs =
    listing.commits && fresh !== undefined
      ? await cache.get(installationId, commitsKey(listing.key))
      : [];
  countCacheLookup("listing", fresh !== undefined && pairs !== undefined);
  if (fresh !== undefined && pairs !== undefined) {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      commits.set(pairs[i] as string, pairs[i + 1] as string);
    }
    return { versions: fresh, commits };
  }
  const found = await listing.run(stats, commits);
  if (listing.commits) {
    await cache.set(installationId, commitsKey(listing.key), [...commits].flat());
  }
  await cache.set(installationId, listing.key, found);
  return { versions: found, commits };
}

/** The key of a GitHub repository's tag listing (`Listing.key`): what a release of it invalidates. */
export function githubListingKey(apiBaseUrl: string, owner: string, repo: string): string {
  // GitHub owner and repository names are case-insensitive.
  return `git ${apiBaseUrl} ${owner.toLowerCase()}/${repo.toLowerCase()}`;
}

/**
 * Lists the versions of `dependencies` (by id; repeated ids are listed once). Git dependencies are
 * grouped by API base URL + owner + repo (or by repository URL, for git's smart HTTP protocol),
 * registry dependencies by registry base URL + module address: each group costs one listing.
 * Failures become warnings on each dependency of the group.
 */
export async function resolveVersions(
  dependencies: readonly { id: string; origin: DependencyOrigin }[],
  options: ResolveVersionsOptions,
): Promise<ResolvedVersions> {
  const fetchImpl = options.fetch ?? fetch;
  const listings = new Map<string, Listing>();
  const warnings: VersionWarning[] = [];
  const seen = new Set<string>();

  for (const dependency of dependencies) {
    if (seen.has(dependency.id)) continue;
    seen.add(dependency.id);
    const origin = dependency.origin;
    // An artifact without a releases repository has its versions set by people: nothing to list.
    const releases = origin.type === "artifact" ? origin.releases : undefined;
    if (origin.type === "artifact" && !releases) continue;
    let listing: Omit<Listing, "dependencies"> | undefined;
    try {
      listing = releases
        ? githubTagListing(stripSlashes(options.appBaseUrl), releases, options)
        : origin.type === "git"
          ? gitListing(origin, options, fetchImpl)
          : origin.type === "registry"
            ? registryListing(origin, options, fetchImpl)
            : undefined;
      if (!listing) continue;
    } catch (error) {
      warnings.push({ dependency: dependency.id, message: errorMessage(error) });
      continue;
    }
    const existing = listings.get(listing.key);
    if (existing) existing.dependencies.push(dependency.id);
    else listings.set(listing.key, { ...listing, dependencies: [dependency.id] });
  }

  const versions = new Map<string, string[]>();
  const commits = new Map<string, ReadonlyMap<string, string>>();
  const stats: ListingStats = { requests: 0, notModified: 0 };
  const failed: { listing: Listing; message: string }[] = [];
  const tasks = [...listings.values()].map((listing) => async () => {
    try {
      const found = await sharedListing(listing, stats, options.shared);
      for (const id of listing.dependencies) {
        versions.set(id, found.versions);
        if (listing.commits) commits.set(id, found.commits);
      }
    } catch (error) {
      const message = listing.warning(error, listing);
      options.log?.warn(
        { err: error, listing: listing.describe, dependencies: listing.dependencies },
        message,
      );
      failed.push({ listing, message });
    }
  });
  await runLimited(tasks, options.concurrency ?? DEFAULT_CONCURRENCY);

  // Warnings in the order of the dependencies, whatever order the listings finished in.
  const failures = new Map<string, string>();
  for (const { listing, message } of failed) {
    for (const id of listing.dependencies) failures.set(id, message);
  }
  for (const id of seen) {
    const message = failures.get(id);
    if (message !== undefined) warnings.push({ dependency: id, message });
  }
  return { versions, commits, warnings, requests: stats.requests, notModified: stats.notModified };
}

function gitListing(
  origin: Extract<DependencyOrigin, { type: "git" }>,
  options: ResolveVersionsOptions,
  fetchImpl: typeof fetch,
): Omit<Listing, "dependencies"> {
  const source = gitTagSource(origin, options.hosts, options.appBaseUrl, options.httpHosts);
  const { owner, repo } = origin;
  if (source.type === "git-http") {
    const credential = options.credentials?.git.get(new URL(source.url).origin);
    return {
      key: `git-http ${source.url.toLowerCase()}`,
      describe: `${owner}/${repo}`,
      host: source.host,
      warning: gitHttpWarning,
      authenticated: credential !== undefined,
      commits: true,
      run: (stats, commits) =>
        listGitTags(source.url, {
          fetch: fetchImpl,
          stats,
          commits,
          ...(credential && { credential }),
        }),
    };
  }
  return githubTagListing(source.apiBaseUrl, origin, options);
}

/** The tags of a repository on a GitHub API. */
function githubTagListing(
  apiBaseUrl: string,
  { owner, repo }: { owner: string; repo: string },
  options: ResolveVersionsOptions,
): Omit<Listing, "dependencies"> {
  return {
    key: githubListingKey(apiBaseUrl, owner, repo),
    describe: `${owner}/${repo}`,
    host: hostOf(apiBaseUrl),
    warning: gitWarning,
    commits: true,
    run: (stats, commits) =>
      listTags(
        options.clientFor(apiBaseUrl),
        { apiBaseUrl, owner, repo },
        options.etags,
        stats,
        commits,
      ),
  };
}

function registryListing(
  origin: Extract<DependencyOrigin, { type: "registry" }>,
  options: ResolveVersionsOptions,
  fetchImpl: typeof fetch,
): Omit<Listing, "dependencies"> {
  const baseUrl = registryBaseUrl(origin.host, options.registry, options.hosts, options.httpHosts);
  const tokenHost = registryHost(origin.host, options.registry);
  const token = options.credentials?.registry.get(tokenHost);
  const module = { namespace: origin.namespace, name: origin.name, provider: origin.provider };
  const address = `${module.namespace}/${module.name}/${module.provider}`;
  return {
    // Registry addresses are case-insensitive; a token may see modules that others do not.
    key: `registry ${baseUrl} ${address.toLowerCase()}${token === undefined ? "" : " token"}`,
    describe: address,
    host: hostOf(baseUrl),
    warning: (error, listing) => registryWarning(error, listing, tokenHost),
    authenticated: token !== undefined,
    run: (stats) => listRegistryVersions(baseUrl, module, fetchImpl, stats, token, options.etags),
  };
}
