/**
 * Which API serves a source's host, as Renovate's host rules do: git hosts (github.com, GitHub
 * Enterprise) and module registries can be mapped to other base URLs (mirrors, proxies, GHE) with
 * `PROMOTER_SOURCE_HOSTS`, e.g.
 * `github.com=https://ghe.example.com/api/v3,registry.terraform.io=https://mirror.example.com`.
 */

/** The public GitHub REST API. */
export const GITHUB_API_URL = "https://api.github.com";

/** Base URLs of the registries that `updates.registry` names by keyword. */
export const REGISTRY_URLS: Readonly<Record<string, string>> = {
  terraform: "https://registry.terraform.io",
  opentofu: "https://registry.opentofu.org",
};

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
 * Reads `PROMOTER_SOURCE_HOSTS`: comma-separated `host=baseUrl` pairs. Hosts are lower-cased, URLs
 * lose their trailing `/`; blank entries are ignored. Throws an Error naming the entry when one is
 * malformed (no `=`, an empty or invalid host, a URL that is not http(s)) or a host is mapped twice.
 */
export function parseSourceHosts(value: string | undefined): Map<string, string> {
  const hosts = new Map<string, string>();
  if (value === undefined) return hosts;
  for (const rawEntry of value.split(",")) {
    const entry = rawEntry.trim();
    if (entry === "") continue;
    const bad = (problem: string): Error =>
      new Error(
        `PROMOTER_SOURCE_HOSTS: invalid entry "${entry}": ${problem} (expected host=baseUrl, e.g. github.com=https://ghe.example.com/api/v3)`,
      );
    const equals = entry.indexOf("=");
    if (equals < 0) throw bad('missing "="');
    const host = normalizeHost(entry.slice(0, equals));
    const url = stripTrailingSlashes(entry.slice(equals + 1).trim());
    if (!/^[a-z0-9.-]+(?::\d+)?$/.test(host))
      throw bad("the host must be a host name, e.g. github.com");
    if (!isHttpUrl(url)) throw bad("the base URL must be an http(s) URL");
    if (hosts.has(host)) throw bad(`${host} is mapped more than once`);
    hosts.set(host, url);
  }
  return hosts;
}

/**
 * The GitHub REST API base URL that serves a git source host: the mapped URL when the host is mapped;
 * `https://api.github.com` for `github.com`; `appBaseUrl` for the host of the app's own GitHub
 * Enterprise (`https://ghe.example.com/api/v3`); otherwise `https://<host>/api/v3` (the GitHub
 * Enterprise convention). Without trailing `/`.
 */
export function gitApiBaseUrl(
  host: string,
  hosts: Map<string, string>,
  appBaseUrl: string,
): string {
  const key = normalizeHost(host);
  const mapped = hosts.get(key);
  if (mapped !== undefined) return mapped;
  if (key === "github.com") return GITHUB_API_URL;
  const app = stripTrailingSlashes(appBaseUrl);
  if (key === hostOf(app)) return app;
  return `https://${key}/api/v3`;
}

/** The web address of a git host, for links (compare, releases): `https://<host>`. */
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
 * - no host in the source: the default registry of the config (`updates.registry`: `terraform`,
 *   `opentofu` or a URL, used as given);
 * - a host in the source (`app.terraform.io/org/name/provider`): `https://<host>`;
 * then, for a host (from the source or the keyword's registry), its `PROMOTER_SOURCE_HOSTS` mapping.
 */
export function registryBaseUrl(
  host: string | undefined,
  configRegistry: string,
  hosts: Map<string, string>,
): string {
  let key: string;
  if (host === undefined || host.trim() === "") {
    const keyword = REGISTRY_URLS[configRegistry];
    if (keyword === undefined) {
      if (!isHttpUrl(configRegistry)) {
        throw new Error(
          `updates.registry must be "terraform", "opentofu" or an http(s) URL (got ${JSON.stringify(configRegistry)})`,
        );
      }
      return stripTrailingSlashes(configRegistry);
    }
    key = hostOf(keyword);
  } else {
    key = normalizeHost(host);
  }
  return hosts.get(key) ?? `https://${key}`;
}
