/**
 * Parsing of module source addresses (`module { source = ... }`, Terragrunt `terraform { source = ... }`,
 * stack `unit` / `stack` sources) into the parts Promoter needs: the dependency id, a display form
 * without the version, and the exact position of the version inside the address so it can be edited.
 */

/** The version-ish value inside the address string: [start, end) are UTF-16 string offsets into `address`. */
export interface RefSpan {
  value: string;
  start: number;
  end: number;
}

/** A parsed module source address. */
export type SourceAddress =
  | {
      type: "git";
      /** Lower-cased host name; keeps the port for http(s) URLs, drops it for ssh. */
      host: string;
      /** Everything before the repository name (several segments for nested groups). */
      owner: string;
      /** Repository name without `.git`. */
      repo: string;
      /** Directory inside the repository (after `//`), without leading or trailing slashes; may be "". */
      subpath: string;
      /**
       * Dependency id: `owner/repo/<subpath without a leading "modules/">` (Patcher's) on github.com,
       * prefixed with the host on any other (`gitlab.example.com/owner/repo/<subpath>`).
       */
      id: string;
      /** The address without its `ref` query parameter. */
      source: string;
      /** The `ref` query parameter's value; absent when there is none (or it is empty). */
      ref?: RefSpan;
    }
  | {
      type: "registry";
      /** Registry host; absent for the default registry. */
      host?: string;
      namespace: string;
      name: string;
      provider: string;
      /** Directory inside the module package (after `//`); may be "". */
      subpath: string;
      /**
       * `namespace/name/provider` (one version for the whole module package, whichever submodule is
       * used) on the public registries, prefixed with the host on any other (`app.terraform.io/ns/name/provider`).
       */
      id: string;
      /** The address without its `version` query parameter (only `tfr://` addresses have one). */
      source: string;
      /** The `version` query parameter of a Terragrunt `tfr://` address. */
      version?: RefSpan;
    }
  | { type: "local" }
  | { type: "unsupported"; reason: string };

/** What a git ref looks like: a version tag, a commit SHA, or anything else (a branch). */
export type RefKind = "version" | "commit" | "branch";

const VERSION_TAG =
  /^(?:.*[-_/])?v?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** The longest ref read as a version tag: {@link VERSION_TAG} takes time quadratic in the length. */
const MAX_VERSION_TAG_LENGTH = 255;

/**
 * Classifies a git ref. "version": an optional prefix ending in `-`, `_` or `/` (monorepo tags such as
 * `vpc-v1.2.3`), an optional `v`, 1–3 numeric parts and an optional semver pre-release/build, in at
 * most 255 characters. "commit": 40 hex digits, or 7–39 hex digits that are not all decimal digits.
 * Otherwise "branch".
 */
export function classifyRef(ref: string): RefKind {
  if (/^[0-9a-f]{40}$/i.test(ref)) return "commit";
  if (/^[0-9a-f]{7,39}$/i.test(ref) && !/^\d+$/.test(ref)) return "commit";
  if (ref.length <= MAX_VERSION_TAG_LENGTH && VERSION_TAG.test(ref)) return "version";
  return "branch";
}

/**
 * Parses a module source address. Pure; never throws: anything it cannot use is returned as
 * `{ type: "unsupported", reason }`. The address must already be free of interpolation.
 */
export function parseSourceAddress(address: string): SourceAddress {
  if (address === "") return unsupported("empty source address");
  if (/^\.{1,2}(\/|\\|$)|^\//.test(address)) return { type: "local" };
  if (address.startsWith("tfr://")) return parseTfr(address);

  const forced = /^([A-Za-z0-9]+)::/.exec(address);
  if (forced) {
    const getter = forced[1] ?? "";
    if (getter === "git") return parseGit(address, forced[0].length);
    return unsupported(`"${getter}::" sources are not supported`);
  }
  if (SCP_URL.test(address) || SHORTHAND_HOSTS.some((h) => address.startsWith(`${h}/`))) {
    return parseGit(address, 0);
  }

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(address)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") {
    return unsupported('HTTP archive URLs are not supported (use "git::" for git repositories)');
  }
  if (scheme !== undefined) return unsupported(`"${scheme}://" sources are not supported`);
  return parseRegistry(address);
}

const AZURE_SSH_HOST = /^(ssh\.dev\.azure\.com|vs-ssh\.visualstudio\.com)$/;

/** Hosts whose bare `host/org/repo/sub` addresses Terraform reads as git repositories. */
const SHORTHAND_HOSTS = ["github.com", "bitbucket.org"];

/** `user@host:path`, the scp-like ssh syntax. */
const SCP_URL = /^[^@/:]+@([^@/:]+):(.*)$/;
const SCHEME_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)(.*)$/;

/**
 * `name.with.dots[:port]/path` (a dot inside the name, no `@`): the host and the path from its `/`.
 * Written out because the regular expression for it backtracks quadratically on a long dotted name.
 */
function bareHostUrl(url: string): { host: string; path: string } | undefined {
  const slash = url.indexOf("/");
  if (slash === -1 || /[\n\r\u2028\u2029]/.test(url.slice(slash))) return undefined;
  const host = url.slice(0, slash);
  const colon = host.indexOf(":");
  if (colon !== -1 && !/^\d+$/.test(host.slice(colon + 1))) return undefined;
  const name = colon === -1 ? host : host.slice(0, colon);
  const dot = name.indexOf(".", 1);
  if (name.includes("@") || dot === -1 || dot === name.length - 1) return undefined;
  return { host, path: url.slice(slash) };
}

function parseGit(address: string, urlStart: number): SourceAddress {
  const queryStart = address.indexOf("?", urlStart);
  const urlEnd = queryStart === -1 ? address.length : queryStart;
  const location = splitGitUrl(address.slice(urlStart, urlEnd));
  if (typeof location === "string") return unsupported(location);
  const { host, path } = location;

  const subdirAt = path.indexOf("//", 1);
  const repoPath = segments(subdirAt === -1 ? path : path.slice(0, subdirAt));
  const subdir = subdirAt === -1 ? [] : segments(path.slice(subdirAt + 2));

  // GitHub shorthand: `github.com/org/repo/sub` means the repository `org/repo` and the directory `sub`.
  const repoSegments = location.shorthand ? repoPath.slice(0, 2) : repoPath;
  const subpathSegments = location.shorthand ? [...repoPath.slice(2), ...subdir] : subdir;

  const owner = repoSegments.slice(0, -1);
  // Azure DevOps ssh paths start with the protocol version: `git@ssh.dev.azure.com:v3/org/project/repo`.
  if (AZURE_SSH_HOST.test(host) && owner[0] === "v3") owner.shift();
  const repo = (repoSegments.at(-1) ?? "").replace(/\.git$/, "");
  if (owner.length === 0 || repo === "") {
    return unsupported(`cannot find the owner and repository in "${address}"`);
  }
  if (owner.some((s) => s.endsWith(".git"))) {
    return unsupported(`a subdirectory must follow "//" in "${address}"`);
  }

  const query = queryStart === -1 ? undefined : takeParam(address, queryStart, "ref");
  if (query?.duplicate) return unsupported(`more than one "ref" parameter in "${address}"`);
  if (query?.span?.value.includes("//")) {
    return unsupported('the "//" of a subdirectory must come before the "?" of the query');
  }
  if (query?.span) query.span = withoutTagsPrefix(query.span);
  const subpath = subpathSegments.join("/");
  return {
    type: "git",
    host,
    owner: owner.join("/"),
    repo,
    subpath,
    id: dependencyId(host, `${owner.join("/")}/${repo}`, subpath),
    source: query?.rest ?? address,
    ...(query?.span && { ref: query.span }),
  };
}

/** `tags/0.18.0` and `refs/tags/0.18.0` name the tag `0.18.0`: the span covers the tag, the prefix stays as written. */
function withoutTagsPrefix(span: RefSpan): RefSpan {
  const prefix = /^(?:refs\/)?tags\//.exec(span.value)?.[0];
  if (prefix === undefined) return span;
  const tag = span.value.slice(prefix.length);
  if (classifyRef(tag) !== "version" || tag.includes("/")) return span;
  return { value: tag, start: span.start + prefix.length, end: span.end };
}

interface GitLocation {
  host: string;
  /** The part after the host, possibly with `//subdir`. */
  path: string;
  shorthand: boolean;
}

function splitGitUrl(url: string): GitLocation | string {
  const withScheme = SCHEME_URL.exec(url);
  if (withScheme) {
    const scheme = (withScheme[1] ?? "").toLowerCase();
    if (!["https", "http", "ssh", "git"].includes(scheme)) {
      return `"git::${scheme}://" sources are not supported`;
    }
    let host = (withScheme[2] ?? "").replace(/^.*@/, "").toLowerCase();
    // An ssh port is not the port of the web/API host, which is what `host` is used for.
    if (scheme === "ssh" || scheme === "git") host = host.replace(/:\d+$/, "");
    if (host === "") return `missing host in "${url}"`;
    return { host, path: withScheme[3] ?? "", shorthand: false };
  }
  const scp = SCP_URL.exec(url);
  if (scp) return { host: (scp[1] ?? "").toLowerCase(), path: scp[2] ?? "", shorthand: false };
  const bare = bareHostUrl(url);
  if (bare) {
    const host = bare.host.toLowerCase();
    return { host, path: bare.path, shorthand: SHORTHAND_HOSTS.includes(host) };
  }
  return `not a git URL: "${url}"`;
}

const REGISTRY_NAME = /^[0-9A-Za-z](?:[0-9A-Za-z_-]{0,62}[0-9A-Za-z])?$/;
const REGISTRY_PROVIDER = /^[0-9a-z]{1,64}$/;
const REGISTRY_HOST = /^(?:[0-9A-Za-z-]+\.)+[0-9A-Za-z-]+(?::\d+)?$/;

function parseRegistry(address: string): SourceAddress {
  const subdirAt = address.indexOf("//");
  const parts = (subdirAt === -1 ? address : address.slice(0, subdirAt)).split("/");
  const host = parts.length === 4 ? parts.shift() : undefined;
  if (host !== undefined && !REGISTRY_HOST.test(host)) {
    return unsupported(`unrecognized source address "${address}"`);
  }
  const module = registryModule(host, parts, subdirAt === -1 ? "" : address.slice(subdirAt + 2));
  if (!module) return unsupported(`unrecognized source address "${address}"`);
  return { type: "registry", ...(host !== undefined && { host }), ...module, source: address };
}

/** Terragrunt's `tfr://host/namespace/name/provider//subdir?version=x` (empty host: the default registry). */
function parseTfr(address: string): SourceAddress {
  const hostStart = "tfr://".length;
  const slash = address.indexOf("/", hostStart);
  const queryStart = address.indexOf("?", hostStart);
  const pathEnd = queryStart === -1 ? address.length : queryStart;
  if (slash === -1 || slash > pathEnd) return unsupported(`unrecognized tfr address "${address}"`);

  const host = address.slice(hostStart, slash);
  const path = address.slice(slash + 1, pathEnd);
  const subdirAt = path.indexOf("//");
  const parts = (subdirAt === -1 ? path : path.slice(0, subdirAt)).split("/");
  const module = registryModule(host, parts, subdirAt === -1 ? "" : path.slice(subdirAt + 2));
  if (!module || (host !== "" && !REGISTRY_HOST.test(host))) {
    return unsupported(`unrecognized tfr address "${address}"`);
  }

  const query = queryStart === -1 ? undefined : takeParam(address, queryStart, "version");
  if (query?.duplicate) return unsupported(`more than one "version" parameter in "${address}"`);
  if (query && !query.span && takeParam(address, queryStart, "ref").span) {
    return unsupported('Terragrunt\'s registry getter (tfr://) reads "version=", not "ref="');
  }
  return {
    type: "registry",
    ...(host !== "" && { host }),
    ...module,
    source: query?.rest ?? address,
    ...(query?.span && { version: query.span }),
  };
}

function registryModule(host: string | undefined, parts: string[], subdir: string) {
  const [namespace, name, provider] = parts;
  if (
    parts.length !== 3 ||
    namespace === undefined ||
    name === undefined ||
    provider === undefined
  ) {
    return undefined;
  }
  if (!REGISTRY_NAME.test(namespace) || !REGISTRY_NAME.test(name)) return undefined;
  if (!REGISTRY_PROVIDER.test(provider)) return undefined;
  const subpath = segments(subdir).join("/");
  const id = `${hostPrefix(host, PUBLIC_REGISTRY_HOSTS)}${namespace}/${name}/${provider}`;
  return { namespace, name, provider, subpath, id };
}

/**
 * Finds the query parameter `key` in the query that starts at `address[queryStart] === "?"`.
 * `rest` is the address without that parameter (and without a `?` left with nothing after it).
 */
function takeParam(address: string, queryStart: number, key: string) {
  let span: RefSpan | undefined;
  let found = 0;
  const kept: string[] = [];
  let start = queryStart + 1;
  for (const raw of address.slice(start).split("&")) {
    const eq = raw.indexOf("=");
    if ((eq === -1 ? raw : raw.slice(0, eq)) === key) {
      found += 1;
      if (eq !== -1 && eq + 1 < raw.length) {
        span = { value: raw.slice(eq + 1), start: start + eq + 1, end: start + raw.length };
      }
    } else if (raw !== "") {
      kept.push(raw);
    }
    start += raw.length + 1;
  }
  const rest = address.slice(0, queryStart) + (kept.length > 0 ? `?${kept.join("&")}` : "");
  return { span, rest, duplicate: found > 1 };
}

/** Hosts whose dependencies keep Patcher's id, without the host: a git host, the public registries. */
const GITHUB_HOSTS = new Set(["github.com"]);
const PUBLIC_REGISTRY_HOSTS = new Set(["", "registry.terraform.io", "registry.opentofu.org"]);

/** `host/` for a host of its own, so that `acme/mods` on two hosts are two dependencies; "" for `unprefixed` ones. */
function hostPrefix(host: string | undefined, unprefixed: ReadonlySet<string>): string {
  const key = (host ?? "").toLowerCase();
  return unprefixed.has(key) ? "" : `${key}/`;
}

function dependencyId(host: string, base: string, subpath: string): string {
  const inner = subpath.replace(/^modules\//, "");
  const id = `${hostPrefix(host, GITHUB_HOSTS)}${base}`;
  return inner === "" ? id : `${id}/${inner}`;
}

/** The directories of a path; `.` (`//.`, the root of the repository) names none. */
function segments(path: string): string[] {
  return path.split("/").filter((s) => s !== "" && s !== ".");
}

function unsupported(reason: string): SourceAddress {
  return { type: "unsupported", reason };
}
