import { BlobCache, type BlobStore } from "../github/blob-cache.js";
import { createGitHubClient } from "../github/clients.js";
import { MemoryKnownLabels, type KnownLabels } from "../github/known-labels.js";
import type { Octokit } from "../github/repo-ref.js";
import { createScanCache, type ScanCache } from "../iac/scanner.js";
import type { RepositoryMemory } from "../queue/repository-memory.js";
import { createEtagCache, type EtagCache } from "../github/tags.js";
import type { GitHubClient } from "../github/clients.js";
import type { DependencyOrigin } from "../iac/types.js";
import {
  createListingCache,
  DEFAULT_LISTING_TTL_SECONDS,
  type ListingCache,
} from "../versions/listing-cache.js";
import {
  githubListingKey,
  resolveVersions,
  type ResolvedVersions,
} from "../versions/version-sources.js";
import { outboundFetch } from "../versions/outbound-fetch.js";
import {
  GITHUB_API_URL,
  NO_CREDENTIALS,
  isAllowedGitApi,
  isAppApi,
  parseAllowHttpHosts,
  parseSourceHosts,
  refusingClient,
  type HostCredentials,
  type SourceHosts,
} from "../versions/source-hosts.js";
import type { DashboardFacts } from "../promotion/dashboard.js";

/** How many repositories keep their scan cache; a repository checked again after that is scanned cold. */
const SCAN_CACHES = 64;

/**
 * Process-wide state shared by every check: caches keyed by content (blobs by SHA, tag listings by
 * ETag, scans by blob SHA) and what the app learnt of each repository. All of it can be lost: a restart
 * only makes the next checks cost more.
 */
export class Services {
  /** Blobs by SHA: this process's memory, or Redis shared by replicas (see {@link shareBlobs}). */
  blobs: BlobStore = new BlobCache();
  /** Tag listings' and registry answers' ETags: this process's memory, or Redis (see {@link shareEtags}). */
  etags: EtagCache = createEtagCache();
  /** Labels known per repository: this process's memory, or Redis shared by replicas (see {@link shareLabels}). */
  knownLabels: KnownLabels = new MemoryKnownLabels();
  readonly repositories = new Map<string, RepositoryMemory>();
  /** Each repository's dashboard issue number as last written, or `off` once closed (lower-case `owner/repo`). */
  readonly dashboards = new Map<string, number | "off">();
  /**
   * What each repository's dashboard last showed (lower-case `owner/repo`), so that a merge's follow-up
   * or a command renders it again with what it changed; this process's memory only (another replica's
   * check leaves none here, and the next check renders it). The last {@link SCAN_CACHES} repositories'.
   */
  readonly dashboardFacts = new Map<string, DashboardFacts>();
  /** Versions' release dates read (they do not change), by installation and dependency version; bounded. */
  readonly releaseDates = new Map<string, string>();
  readonly sourceHosts: SourceHosts;
  /** The hosts a repository's `updates.registry` may name in a plain `http://` URL. */
  readonly httpHosts: ReadonlySet<string>;
  /** The app's bot login (`<slug>[bot]`), the author of its commits; read with the app's own credentials. */
  appLogin: () => Promise<string> = () => Promise.reject(new Error("the app's login is not known"));
  /** The time, in ms since the epoch: when a PR is built, and how old its base is. Tests set it. */
  now: () => number = () => Date.now();
  /** Listings shared by an installation's repositories within the window: memory, or Redis (see {@link shareListings}). */
  listings: ListingCache;
  private readonly scanCaches = new Map<string, ScanCache>();
  private readonly sourceClients = new Map<string, GitHubClient>();

  /**
   * @param appBaseUrl the GitHub API the app runs against (api.github.com or a GHE `/api/v3` URL)
   * @param sourceHosts `PROMOTER_SOURCE_HOSTS`
   * @param allowHttpHosts `PROMOTER_ALLOW_HTTP_HOSTS`
   * @param credentials the operator's credentials for git hosts and registries (`readHostCredentials`)
   * @param listingTtlSeconds `PROMOTER_LISTING_TTL_SECONDS` (`parseListingTtl`): how long a listing is shared
   */
  constructor(
    readonly appBaseUrl: string = GITHUB_API_URL,
    sourceHosts: string | undefined = undefined,
    allowHttpHosts: string | undefined = undefined,
    private readonly credentials: HostCredentials = NO_CREDENTIALS,
    readonly listingTtlSeconds: number = DEFAULT_LISTING_TTL_SECONDS,
  ) {
    this.sourceHosts = parseSourceHosts(sourceHosts);
    this.httpHosts = parseAllowHttpHosts(allowHttpHosts);
    this.listings = createListingCache(listingTtlSeconds, () => this.now());
  }

  /** Keeps blobs in `store` (Redis, with several replicas) instead of this process's memory. */
  shareBlobs(store: BlobStore): void {
    this.blobs = store;
  }

  /** Keeps ETags and listed pages in `cache` (Redis, with several replicas) instead of this process's memory. */
  shareEtags(cache: EtagCache): void {
    this.etags = cache;
  }

  /** Shares listings through `cache` (Redis, with several replicas) instead of this process's memory. */
  shareListings(cache: ListingCache): void {
    this.listings = cache;
  }

  /** Drops the shared listing of module repository `module` (`owner/repo`): it was just released. */
  forgetListing(installationId: number, module: string): Promise<void> {
    const [owner = "", repo = ""] = module.split("/");
    return this.listings.delete(installationId, githubListingKey(this.appBaseUrl, owner, repo));
  }

  /** Keeps the labels known per repository in `store` (Redis, with several replicas) instead of this process's memory. */
  shareLabels(store: KnownLabels): void {
    this.knownLabels = store;
  }

  /** Remembers what a repository's dashboard shows; the least recently written beyond {@link SCAN_CACHES} are dropped. */
  rememberDashboardFacts(key: string, facts: DashboardFacts): void {
    this.dashboardFacts.delete(key);
    this.dashboardFacts.set(key, facts);
    if (this.dashboardFacts.size > SCAN_CACHES) {
      const [oldest] = this.dashboardFacts.keys();
      if (oldest !== undefined) this.dashboardFacts.delete(oldest);
    }
  }

  /** The scan cache of a repository (least recently used ones are dropped). */
  scanCache(fullName: string): ScanCache {
    let cache = this.scanCaches.get(fullName);
    if (cache) this.scanCaches.delete(fullName);
    else cache = createScanCache();
    this.scanCaches.set(fullName, cache);
    if (this.scanCaches.size > SCAN_CACHES) {
      const [oldest] = this.scanCaches.keys();
      if (oldest !== undefined) this.scanCaches.delete(oldest);
    }
    return cache;
  }

  /**
   * The client that reads a module source's GitHub API: the installation's own for the app's GitHub
   * (also when the operator mapped a source host to it), one without credentials (with the public
   * rate limit, capped answers and no redirect to another host) for another API the operator allowed,
   * and for any other URL one that sends nothing and rejects every request with a HostNotAllowedError.
   */
  clientFor(installation: Octokit): (apiBaseUrl: string) => GitHubClient {
    return (apiBaseUrl) => {
      if (isAppApi(apiBaseUrl, this.appBaseUrl)) return installation;
      if (!isAllowedGitApi(apiBaseUrl, this.sourceHosts, this.appBaseUrl)) {
        return refusingClient(apiBaseUrl);
      }
      let client = this.sourceClients.get(apiBaseUrl);
      if (!client) {
        client = createGitHubClient(apiBaseUrl, outboundFetch());
        this.sourceClients.set(apiBaseUrl, client);
      }
      return client;
    };
  }

  /**
   * The available versions of dependencies, through this app's caches and source host rules. With
   * `installationId`, listings are shared with the installation's other repositories (a check); without,
   * every listing is read (a command, which must see a release of a minute ago).
   */
  listVersions(
    installation: Octokit,
    installationId: number | undefined,
    dependencies: readonly { id: string; origin: DependencyOrigin }[],
    registry: string,
    log?: { warn(obj: object, msg: string): void },
  ): Promise<ResolvedVersions> {
    return resolveVersions(dependencies, {
      clientFor: this.clientFor(installation),
      hosts: this.sourceHosts,
      httpHosts: this.httpHosts,
      credentials: this.credentials,
      appBaseUrl: this.appBaseUrl,
      registry,
      etags: this.etags,
      ...(installationId === undefined ? {} : { shared: { cache: this.listings, installationId } }),
      ...(log ? { log } : {}),
    });
  }
}
