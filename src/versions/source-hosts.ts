/**
 * Which hosts Promoter may ask for versions, how, and with which credentials, as Renovate's host
 * rules do. Hosts come from repositories (module sources, `updates.registry`), so only hosts the
 * operator allowed are asked: github.com, registry.terraform.io and registry.opentofu.org, the app's
 * own GitHub, and every host listed in `PROMOTER_SOURCE_HOSTS`, e.g.
 * `ghe.example.com=https://ghe.example.com/api/v3,gitlab.example.com,app.terraform.io`.
 * A git host listed as `host=baseUrl` is read through the GitHub API at that address (GitHub
 * Enterprise, a mirror); a bare git host through git's own smart HTTP protocol, which every git host
 * serves (GitLab, Bitbucket, Gitea, Azure DevOps). A registry host is read at its mapping, else at
 * `https://<host>`. Credentials come only from the operator's environment and go only to their host:
 * `PROMOTER_GIT_CREDENTIALS` (git-credential-store lines, `https://user:token@host`) for git hosts,
 * `TF_TOKEN_<host>` (Terraform's own convention) for registries.
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

/**
 * The operator's list of the hosts that may be read over plain `http://`: a repository's
 * `updates.registry` URL, and git hosts listed bare in `PROMOTER_SOURCE_HOSTS`.
 */
export const ALLOW_HTTP_HOSTS_VARIABLE = "PROMOTER_ALLOW_HTTP_HOSTS";

/** The operator's credentials for git hosts read over HTTP(S), as git-credential-store writes them. */
export const GIT_CREDENTIALS_VARIABLE = "PROMOTER_GIT_CREDENTIALS";

/** Terraform's prefix of the variables that hold a registry host's token (`TF_TOKEN_app_terraform_io`). */
const REGISTRY_TOKEN_PREFIX = "TF_TOKEN_";

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

/** A user name and password (a token) for a git host, sent as HTTP basic authentication. */
export interface GitCredential {
  username: string;
  password: string;
}

/** The operator's credentials: for git hosts by origin (`https://gitlab.example.com`), for registries by host. */
export interface HostCredentials {
  git: ReadonlyMap<string, GitCredential>;
  registry: ReadonlyMap<string, string>;
}

/** No credentials at all. */
export const NO_CREDENTIALS: HostCredentials = { git: new Map(), registry: new Map() };

/**
 * Reads `PROMOTER_GIT_CREDENTIALS`: URLs separated by white space or new lines, each
 * `https://<user>:<token>@<host>[:port]` as git-credential-store writes them (user and token
 * percent-encoded; a path is ignored, as git does). Keyed by origin: a credential for
 * `https://host` is sent to nothing else, not even `http://host`. Throws an Error naming the entry
 * by its number, never its text (it holds a secret), when one is malformed or an origin is repeated.
 */
export function parseGitCredentials(value: string | undefined): Map<string, GitCredential> {
  const credentials = new Map<string, GitCredential>();
  const entries = (value ?? "").split(/\s+/).filter((entry) => entry !== "");
  entries.forEach((entry, index) => {
    const bad = (problem: string): Error =>
      new Error(
        `${GIT_CREDENTIALS_VARIABLE}: entry ${index + 1} ${problem} (expected https://<user>:<token>@<host>)`,
      );
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw bad("is not a URL");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw bad("is not an http(s) URL");
    if (url.username === "" || url.password === "") throw bad("has no user name and token");
    const origin = url.origin.toLowerCase();
    if (credentials.has(origin)) throw bad(`repeats ${origin}`);
    try {
      credentials.set(origin, {
        username: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      });
    } catch {
      throw bad("has a user name or token that is not percent-encoded right");
    }
  });
  return credentials;
}

/**
 * The registry tokens of the environment, by host, named as Terraform names them: `TF_TOKEN_` and the
 * host with each `.` written `_` and each `-` written `__` (`TF_TOKEN_app_terraform_io`,
 * `TF_TOKEN_tfe__1_example_com` for tfe-1.example.com). Empty values are ignored.
 */
export function parseRegistryTokens(
  env: Readonly<Record<string, string | undefined>>,
): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(REGISTRY_TOKEN_PREFIX) || value === undefined || value.trim() === "") {
      continue;
    }
    const encoded = name.slice(REGISTRY_TOKEN_PREFIX.length);
    const host = encoded.replaceAll("__", "-").replaceAll("_", ".").toLowerCase();
    if (HOST_PATTERN.test(host)) tokens.set(host, value.trim());
  }
  return tokens;
}

/** The operator's credentials for git hosts and registries, read from the environment. */
export function readHostCredentials(
  env: Readonly<Record<string, string | undefined>>,
): HostCredentials {
  return {
    git: parseGitCredentials(env[GIT_CREDENTIALS_VARIABLE]),
    registry: parseRegistryTokens(env),
  };
}

/**
 * The GitHub REST API base URL that serves a git source host: the mapped URL when the host is mapped;
 * `https://api.github.com` for `github.com`; `appBaseUrl` for the host of the app's own GitHub
 * Enterprise (`https://ghe.example.com/api/v3`); otherwise `https://<host>/api/v3` (the GitHub
 * Enterprise convention). Without trailing `/`. Whether the host may be asked, and whether through
 * a GitHub API at all, is {@link gitTagSource}'s question.
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

/** Where the tags of a git source are listed: a GitHub API, or the repository's git smart HTTP URL. */
export type GitTagSource =
  | { type: "github-api"; apiBaseUrl: string }
  | {
      type: "git-http";
      /** The repository's URL, e.g. `https://gitlab.example.com/acme/mods.git`: `/info/refs` follows it. */
      url: string;
      /** The `host[:port]` the requests go to (for Azure DevOps ssh sources, dev.azure.com). */
      host: string;
    };

/** The https host of Azure DevOps, which its ssh hosts' repositories are listed from. */
const AZURE_HOST = "dev.azure.com";
const AZURE_SSH_HOSTS = new Set(["ssh.dev.azure.com", "vs-ssh.visualstudio.com"]);

/**
 * The URL git clones a repository from over HTTP(S): `<scheme>://<host>/<owner>/<repo>.git` (ssh
 * sources are listed at their host's https address); Azure DevOps repositories keep their own form,
 * `https://dev.azure.com/<org>/<project>/_git/<repo>`, without `.git`. Each segment is
 * percent-encoded; `..` is refused.
 */
function gitHttpUrl(
  origin: { host: string; owner: string; repo: string },
  httpHosts: ReadonlySet<string>,
): { url: string; host: string } {
  let host = normalizeHost(origin.host);
  let segments = [...origin.owner.split("/"), origin.repo];
  const azure =
    AZURE_SSH_HOSTS.has(host) || host === AZURE_HOST || host.endsWith(".visualstudio.com");
  if (AZURE_SSH_HOSTS.has(host)) {
    host = AZURE_HOST;
    segments = [...segments.slice(0, -1), "_git", origin.repo];
  }
  if (segments.some((segment) => segment === ".." || segment === "")) {
    throw new HostNotAllowedError(
      `the repository path ${origin.owner}/${origin.repo} is not a git path`,
    );
  }
  const path = segments.map(encodeURIComponent).join("/");
  const scheme = httpHosts.has(host) ? "http" : "https";
  return { url: `${scheme}://${host}/${path}${azure ? "" : ".git"}`, host };
}

/**
 * Where the tags of a git source are listed, if the operator allowed its host:
 * - through a GitHub API ({@link gitApiBaseUrl}) for github.com, the app's own GitHub's host, and a
 *   host mapped to a base URL in `PROMOTER_SOURCE_HOSTS` (a GitHub Enterprise server, a mirror);
 * - through git's smart HTTP protocol at {@link gitHttpUrl} for a host listed bare there (GitLab,
 *   Bitbucket, Gitea, Azure DevOps, any self-hosted git); over plain http only for a host also in
 *   `PROMOTER_ALLOW_HTTP_HOSTS`.
 * Throws {@link HostNotAllowedError}, saying how to allow it, for any other host.
 */
export function gitTagSource(
  origin: { host: string; owner: string; repo: string },
  hosts: SourceHosts,
  appBaseUrl: string,
  httpHosts: ReadonlySet<string> = new Set(),
): GitTagSource {
  const key = normalizeHost(origin.host);
  if (!HOST_PATTERN.test(key)) {
    throw new HostNotAllowedError(`source host ${key} is not allowed: it is not a host name`);
  }
  if (
    DEFAULT_GIT_HOSTS.has(key) ||
    hosts.get(key)?.baseUrl !== undefined ||
    key === hostOf(appBaseUrl)
  ) {
    return { type: "github-api", apiBaseUrl: gitApiBaseUrl(key, hosts, appBaseUrl) };
  }
  const http = gitHttpUrl(origin, httpHosts);
  if (!hosts.has(http.host)) {
    const via = http.host === key ? "" : ` (its repositories are listed at ${http.host})`;
    throw new HostNotAllowedError(
      `source host ${key} is not allowed${via}; the operator can allow it in ${SOURCE_HOSTS_VARIABLE} (${http.host} to list its tags with git over HTTPS, or ${key}=<GitHub API base URL> for a GitHub Enterprise server)`,
    );
  }
  return { type: "git-http", ...http };
}

/**
 * Whether a GitHub API base URL is one that an allowed git source host is read from (see
 * {@link gitTagSource}): api.github.com, the app's own API, or a mapped URL of `PROMOTER_SOURCE_HOSTS`.
 * A host listed there bare is read through git, never through a GitHub API.
 */
export function isAllowedGitApi(
  apiBaseUrl: string,
  hosts: SourceHosts,
  appBaseUrl: string,
): boolean {
  const allowed = [GITHUB_API_URL, appBaseUrl];
  for (const host of hosts.values()) if (host.baseUrl !== undefined) allowed.push(host.baseUrl);
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

function invalidRegistry(configRegistry: string): Error {
  return new Error(
    `updates.registry must be "terraform", "opentofu" or an https URL (got ${JSON.stringify(configRegistry)})`,
  );
}

/**
 * The registry host a registry source is read from, lower-case: the source's own host, else that of
 * the config's registry (`updates.registry`: a keyword's registry, or the URL's host). Its token is
 * `TF_TOKEN_<host>`, whichever base URL the host is read at. Throws an Error for a configured
 * registry that is neither a keyword nor a URL.
 */
export function registryHost(host: string | undefined, configRegistry: string): string {
  if (host !== undefined && host.trim() !== "") return normalizeHost(host);
  const keyword = REGISTRY_URLS[configRegistry];
  if (keyword !== undefined) return hostOf(keyword);
  if (!isHttpUrl(configRegistry)) throw invalidRegistry(configRegistry);
  return hostOf(configRegistry);
}

/** The name of the variable that holds a registry host's token, as Terraform names it. */
export function registryTokenVariable(host: string): string {
  return `${REGISTRY_TOKEN_PREFIX}${host.replaceAll("-", "__").replaceAll(".", "_")}`;
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
  if (!isHttpUrl(configRegistry)) throw invalidRegistry(configRegistry);
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
