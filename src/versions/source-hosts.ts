/**
 * Which hosts Promoter may ask for versions, and at which address, as Renovate's host rules do.
 * Hosts come from repositories (module sources, `updates.registry`), so only hosts the operator
 * allowed are asked: github.com, registry.terraform.io and registry.opentofu.org, the app's own
 * GitHub, and every host listed in `PROMOTER_SOURCE_HOSTS`, e.g.
 * `github.com=https://ghe.example.com/api/v3,registry.terraform.io=https://mirror.example.com,app.terraform.io`
 * (`host=baseUrl` reads the host at another address, a bare `host` at its usual one).
 */
import type { GitHubClient } from "../github/clients.js";

/** The public GitHub REST API. */
export const GITHUB_API_URL = "https://api.github.com";

/** Base URLs of the registries that `updates.registry` names by keyword. */
const REGISTRY_URLS: Readonly<Record<string, string>> = {
  terraform: "https://registry.terraform.io",
  opentofu: "https://registry.opentofu.org",
};

/** The operator's list of the hosts that may be asked; see the module comment. */
export const SOURCE_HOSTS_VARIABLE = "PROMOTER_SOURCE_HOSTS";

/** The operator's list of the hosts a repository's `updates.registry` may name in a plain `http://` URL. */
export const ALLOW_HTTP_HOSTS_VARIABLE = "PROMOTER_ALLOW_HTTP_HOSTS";

/** What the operator set for one host in `PROMOTER_SOURCE_HOSTS`; the place for its credentials later. */
export interface SourceHost {
  /** Where the host is read (a GitHub API or a registry base URL, without trailing `/`); absent: its usual address. */
  baseUrl?: string;
}

/** `PROMOTER_SOURCE_HOSTS`, parsed: the allowed hosts (`host[:port]`, lower-case) and their settings. */
export type SourceHosts = ReadonlyMap<string, SourceHost>;

/** A host named by a repository that the operator did not allow: no request is sent to it. */
export class HostNotAllowedError extends Error {
  override name = "HostNotAllowedError";
}

/** Hosts that git sources are read from without being listed: github.com (and the app's own GitHub). */
const DEFAULT_GIT_HOSTS = new Set(["github.com"]);

/** Hosts that registry modules are read from without being listed. */
const DEFAULT_REGISTRY_HOSTS = new Set(Object.values(REGISTRY_URLS).map((url) => hostOf(url)));

const HOST_PATTERN = /^[a-z0-9.-]+(?::\d+)?$/;

/** `https://example.com/api/v3/` → `https://example.com/api/v3`. */
function stripTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

/** A host as written in a source or a mapping (`GitHub.com`, `ghe.example.com:8443`), compared lower-case. */
function normalizeHost(host: string): string {
  return host.trim().toLowerCase();
}

/** The `host[:port]` of a URL, lower-case. */
function hostOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.host !== "";
  } catch {
    return false;
  }
}

/**
 * Reads `PROMOTER_SOURCE_HOSTS`: comma-separated entries, each `host=baseUrl` (read the host at that
 * address) or a bare `host` (allow it at its usual address). Hosts are lower-cased, URLs lose their
 * trailing `/`; blank entries are ignored. Throws an Error naming the entry when one is malformed (an
 * empty or invalid host, a URL that is not http(s)) or a host is listed twice.
 */
export function parseSourceHosts(value: string | undefined): Map<string, SourceHost> {
  const hosts = new Map<string, SourceHost>();
  if (value === undefined) return hosts;
  for (const rawEntry of value.split(",")) {
    const entry = rawEntry.trim();
    if (entry === "") continue;
    const bad = (problem: string): Error =>
      new Error(
        `${SOURCE_HOSTS_VARIABLE}: invalid entry "${entry}": ${problem} (expected host or host=baseUrl, e.g. app.terraform.io or github.com=https://ghe.example.com/api/v3)`,
      );
    const equals = entry.indexOf("=");
    const host = normalizeHost(equals < 0 ? entry : entry.slice(0, equals));
    if (!HOST_PATTERN.test(host)) throw bad("the host must be a host name, e.g. github.com");
    if (hosts.has(host)) throw bad(`${host} is listed more than once`);
    if (equals < 0) {
      hosts.set(host, {});
      continue;
    }
    const url = stripTrailingSlashes(entry.slice(equals + 1).trim());
    if (!isHttpUrl(url)) throw bad("the base URL must be an http(s) URL");
    hosts.set(host, { baseUrl: url });
  }
  return hosts;
}

/**
 * Reads `PROMOTER_ALLOW_HTTP_HOSTS`: comma-separated `host[:port]`, lower-cased; blank entries are
 * ignored. Throws an Error naming an entry that is not a host.
 */
export function parseAllowHttpHosts(value: string | undefined): Set<string> {
  const hosts = new Set<string>();
  for (const rawEntry of (value ?? "").split(",")) {
    const host = normalizeHost(rawEntry);
    if (host === "") continue;
    if (!HOST_PATTERN.test(host)) {
      throw new Error(
        `${ALLOW_HTTP_HOSTS_VARIABLE}: invalid entry "${rawEntry.trim()}": must be a host[:port], e.g. 127.0.0.1:8080`,
      );
    }
    hosts.add(host);
  }
  return hosts;
}

/**
 * The GitHub REST API base URL that serves a git source host: the mapped URL when the host is mapped;
 * `https://api.github.com` for `github.com`; `appBaseUrl` for the host of the app's own GitHub
 * Enterprise (`https://ghe.example.com/api/v3`); otherwise `https://<host>/api/v3` (the GitHub
 * Enterprise convention). Without trailing `/`. Whether the host may be asked is
 * {@link allowedGitApiBaseUrl}'s question.
 */
export function gitApiBaseUrl(host: string, hosts: SourceHosts, appBaseUrl: string): string {
  const key = normalizeHost(host);
  const mapped = hosts.get(key)?.baseUrl;
  if (mapped !== undefined) return mapped;
  if (key === "github.com") return GITHUB_API_URL;
  const app = stripTrailingSlashes(appBaseUrl);
  if (key === hostOf(app)) return app;
  return `https://${key}/api/v3`;
}

/**
 * {@link gitApiBaseUrl} of a git source host the operator allowed: github.com, the app's own GitHub's
 * host, or a host in `PROMOTER_SOURCE_HOSTS`. Throws {@link HostNotAllowedError}, saying how to allow
 * it, for any other host.
 */
export function allowedGitApiBaseUrl(host: string, hosts: SourceHosts, appBaseUrl: string): string {
  const key = normalizeHost(host);
  const allowed =
    HOST_PATTERN.test(key) &&
    (DEFAULT_GIT_HOSTS.has(key) || hosts.has(key) || key === hostOf(appBaseUrl));
  if (!allowed) {
    throw new HostNotAllowedError(
      `source host ${key} is not allowed; the operator can allow it in ${SOURCE_HOSTS_VARIABLE} (${key} to read its GitHub API at https://${key}/api/v3, or ${key}=<API base URL>)`,
    );
  }
  return gitApiBaseUrl(key, hosts, appBaseUrl);
}

/**
 * Whether a GitHub API base URL is one that an allowed git source host is read from (see
 * {@link allowedGitApiBaseUrl}): api.github.com, the app's own API, a mapped URL of
 * `PROMOTER_SOURCE_HOSTS`, or `https://<host>/api/v3` of a host listed there without one.
 */
export function isAllowedGitApi(
  apiBaseUrl: string,
  hosts: SourceHosts,
  appBaseUrl: string,
): boolean {
  const allowed = [GITHUB_API_URL, appBaseUrl];
  for (const host of hosts.keys()) allowed.push(gitApiBaseUrl(host, hosts, appBaseUrl));
  return allowed.some((url) => isAppApi(apiBaseUrl, url));
}

/**
 * The client for a GitHub API that no allowed host is read from: it sends nothing, and rejects every
 * request with a {@link HostNotAllowedError} that says how to allow the host.
 */
export function refusingClient(apiBaseUrl: string): GitHubClient {
  let host = apiBaseUrl;
  try {
    host = new URL(apiBaseUrl).host;
  } catch {
    // Not a URL: named as given.
  }
  const refusal = (): Promise<never> =>
    Promise.reject(
      new HostNotAllowedError(
        `${host} is not allowed; the operator can allow it in ${SOURCE_HOSTS_VARIABLE}`,
      ),
    );
  return { request: refusal };
}

/** The web address of a git host, for links (compare, releases): `https://<host>`. Never fetched. */
export function gitHtmlBaseUrl(host: string): string {
  return `https://${normalizeHost(host)}`;
}

/**
 * Whether an API base URL is the app's own (then it is read with the installation token): the same
 * URL, ignoring case of the host and trailing `/`.
 */
export function isAppApi(apiBaseUrl: string, appBaseUrl: string): boolean {
  const a = stripTrailingSlashes(apiBaseUrl);
  const b = stripTrailingSlashes(appBaseUrl);
  if (a === b) return true;
  try {
    const x = new URL(a);
    const y = new URL(b);
    return (
      x.origin === y.origin && stripTrailingSlashes(x.pathname) === stripTrailingSlashes(y.pathname)
    );
  } catch {
    return false;
  }
}

/**
 * The base URL of the module registry that serves a registry source, without trailing `/`:
 * - a host in the source (`app.terraform.io/org/name/provider`): that host, which must be
 *   registry.terraform.io, registry.opentofu.org or listed in `PROMOTER_SOURCE_HOSTS`; read at its
 *   mapping there, else at `https://<host>`;
 * - no host in the source: the default registry of the config (`updates.registry`): a keyword's
 *   registry (through its host's mapping), or a URL, read as written, whose host the operator allowed:
 *   a default registry host or one listed in `PROMOTER_SOURCE_HOSTS` or `PROMOTER_ALLOW_HTTP_HOSTS`;
 *   plain `http://` only on a host listed in `PROMOTER_ALLOW_HTTP_HOSTS`.
 * Throws {@link HostNotAllowedError} for a host that was not allowed, an Error for a configured
 * registry that is neither a keyword nor an http(s) URL.
 */
export function registryBaseUrl(
  host: string | undefined,
  configRegistry: string,
  hosts: SourceHosts,
  httpHosts: ReadonlySet<string> = new Set(),
): string {
  if (host !== undefined && host.trim() !== "") {
    const key = normalizeHost(host);
    if (!HOST_PATTERN.test(key) || !(DEFAULT_REGISTRY_HOSTS.has(key) || hosts.has(key))) {
      throw new HostNotAllowedError(
        `registry host ${key} is not allowed; the operator can allow it in ${SOURCE_HOSTS_VARIABLE} (${key}, or ${key}=<registry base URL>)`,
      );
    }
    return hosts.get(key)?.baseUrl ?? `https://${key}`;
  }
  const keyword = REGISTRY_URLS[configRegistry];
  if (keyword !== undefined) return hosts.get(hostOf(keyword))?.baseUrl ?? keyword;
  if (!isHttpUrl(configRegistry)) {
    throw new Error(
      `updates.registry must be "terraform", "opentofu" or an https URL (got ${JSON.stringify(configRegistry)})`,
    );
  }
  const url = stripTrailingSlashes(configRegistry);
  const key = hostOf(url);
  if (new URL(url).protocol === "http:" && !httpHosts.has(key)) {
    throw new HostNotAllowedError(
      `updates.registry ${url}: plain http is allowed only for the hosts the operator lists in ${ALLOW_HTTP_HOSTS_VARIABLE}`,
    );
  }
  if (!DEFAULT_REGISTRY_HOSTS.has(key) && !hosts.has(key) && !httpHosts.has(key)) {
    throw new HostNotAllowedError(
      `updates.registry ${url}: the host ${key} is not allowed; the operator can allow it in ${SOURCE_HOSTS_VARIABLE} (${key})`,
    );
  }
  return url;
}
