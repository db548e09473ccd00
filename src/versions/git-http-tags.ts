/**
 * The tags of a repository on any git host (GitLab, Bitbucket, Gitea, Azure DevOps, a self-hosted
 * server), read as `git ls-remote --tags` reads them: through git's smart HTTP protocol,
 * `GET <repository>/info/refs?service=git-upload-pack`, whose answer lists every ref in pkt-lines.
 * Credentials (HTTP basic) go with it only when the operator configured them for that origin; the
 * request follows no redirect to another origin, has a deadline and a cap on the answer's size
 * (see `outboundFetch`).
 */
import { HostAnswerError, OutboundRefusal, outboundFetch } from "./outbound-fetch.js";
import type { GitCredential } from "./source-hosts.js";

/** The largest ref advertisement read: 8 MiB (about 100,000 refs). */
const MAX_ADVERTISEMENT_BYTES = 8 * 1024 * 1024;

/** The largest pkt-line git sends: 65,520 bytes, its 4-byte length included. */
const MAX_PKT_LINE = 65520;

const ADVERTISEMENT_TYPE = "application/x-git-upload-pack-advertisement";
const SERVICE_LINE = "# service=git-upload-pack";
const TAG_PREFIX = "refs/tags/";
const PEELED_SUFFIX = "^{}";

/** A git host's answer could not be used: `status` is its HTTP status, absent when none came. */
export class GitHostError extends HostAnswerError {
  override name = "GitHostError";
}

/** What one listing cost. */
export interface GitListingStats {
  requests: number;
}

/**
 * The pkt-lines of `body`, a flush packet (`0000`) as `undefined`. Throws an Error saying where and
 * what is wrong when a length is not 4 hex digits, is one git never sends (1–3, over 65,520), or
 * runs past the end.
 */
function pktLines(body: Buffer): (string | undefined)[] {
  const lines: (string | undefined)[] = [];
  for (let at = 0; at < body.length;) {
    const where = `at byte ${at}`;
    if (at + 4 > body.length) throw new Error(`a pkt-line length is cut off ${where}`);
    const hex = body.toString("latin1", at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Error(`no pkt-line length ${where}`);
    const length = Number.parseInt(hex, 16);
    if (length === 0) {
      lines.push(undefined);
      at += 4;
      continue;
    }
    if (length < 4 || length > MAX_PKT_LINE) {
      throw new Error(`a pkt-line of length ${length} ${where}, which git does not send`);
    }
    if (at + length > body.length) throw new Error(`a pkt-line runs past the end ${where}`);
    lines.push(body.toString("utf8", at + 4, at + length).replace(/\n$/, ""));
    at += length;
  }
  return lines;
}

/** A tag name git would accept as a ref (no control character, space or `^`, `~`, `:`, `?`, `*`, `[`, `\`). */
function isTagName(name: string): boolean {
  if (name === "" || /[~^:?*[\\]/.test(name)) return false;
  return [...name].every((c) => c.charCodeAt(0) > 0x20 && c.charCodeAt(0) !== 0x7f);
}

/**
 * The tag names of a smart HTTP ref advertisement (protocol v0/v1): the `# service=git-upload-pack`
 * line and a flush, then `<object id> <ref>` lines (the first with `\0` and the capabilities) up to a
 * flush. An annotated tag comes twice, as `refs/tags/<name>` and peeled as `refs/tags/<name>^{}`:
 * listed once, under its name without `^{}`. Branches and other refs are left out; names git would
 * not accept are skipped. Throws an Error saying what is wrong with a malformed answer. `commits`, when
 * given, gets each tag's commit: the peeled object of an annotated tag, the object of a lightweight one.
 */
export function parseTagAdvertisement(body: Buffer, commits?: Map<string, string>): string[] {
  const lines = pktLines(body);
  if (lines[0] !== SERVICE_LINE || lines[1] !== undefined) {
    throw new Error(`it does not start with "${SERVICE_LINE}" and a flush packet`);
  }
  if (lines[2]?.startsWith("version ")) {
    throw new Error("it is git protocol v2, which was not asked for");
  }
  const tags = new Set<string>();
  let ended = false;
  for (const [index, line] of lines.slice(2).entries()) {
    if (line === undefined) {
      ended = true;
      break;
    }
    const parts = /^([0-9a-f]{40}|[0-9a-f]{64}) ([^\0]+)(?:\0.*)?$/s.exec(line);
    const ref = parts?.[2];
    if (ref === undefined) throw new Error(`ref line ${index + 1} is not "<object id> <ref>"`);
    if (!ref.startsWith(TAG_PREFIX)) continue;
    const tag = ref.slice(TAG_PREFIX.length);
    const peeled = tag.endsWith(PEELED_SUFFIX);
    const name = peeled ? tag.slice(0, -PEELED_SUFFIX.length) : tag;
    if (!isTagName(name)) continue;
    tags.add(name);
    // The peeled line follows its tag's: the commit an annotated tag points to wins over the tag object.
    if (commits && (peeled || !commits.has(name))) commits.set(name, parts?.[1] ?? "");
  }
  if (!ended) throw new Error("the ref list does not end with a flush packet");
  return [...tags];
}

/** The `Authorization` header of HTTP basic authentication. */
function basicAuthorization(credential: GitCredential): string {
  const pair = `${credential.username}:${credential.password}`;
  return `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
}

/**
 * The tag names of the repository at `repositoryUrl` (as git clones it, e.g.
 * `https://gitlab.example.com/acme/mods.git`), in the host's order, from one request:
 * `GET <repositoryUrl>/info/refs?service=git-upload-pack`, with `credential` as HTTP basic
 * authentication when given. Throws {@link GitHostError}: with the status for an answer other than
 * 200, for one that is not a ref advertisement or is malformed; without for no answer.
 */
export async function listGitTags(
  repositoryUrl: string,
  options: {
    fetch?: typeof fetch;
    credential?: GitCredential;
    stats?: GitListingStats;
    /** Gets each tag's commit SHA (see {@link parseTagAdvertisement}). */
    commits?: Map<string, string>;
  } = {},
): Promise<string[]> {
  const url = `${repositoryUrl.replace(/\/+$/, "")}/info/refs?service=git-upload-pack`;
  const headers: Record<string, string> = { "user-agent": "git/promoter" };
  if (options.credential) headers.authorization = basicAuthorization(options.credential);
  if (options.stats) options.stats.requests++;
  let response: Response;
  try {
    response = await outboundFetch(options.fetch ?? fetch, {
      maxBytes: MAX_ADVERTISEMENT_BYTES,
    })(url, { headers });
  } catch (error) {
    if (error instanceof OutboundRefusal) {
      throw new GitHostError(error.message, url, error.httpStatus, { cause: error });
    }
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    throw new GitHostError(cause instanceof Error ? cause.message : String(cause), url, undefined, {
      cause: error,
    });
  }
  if (response.status !== 200) {
    await response.arrayBuffer().catch(() => undefined);
    throw new GitHostError(`GET ${url}: HTTP ${response.status}`, url, response.status);
  }
  const type = response.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith(ADVERTISEMENT_TYPE)) {
    await response.arrayBuffer().catch(() => undefined);
    throw new GitHostError(
      `GET ${url}: the answer is not git's smart HTTP ref list (Content-Type ${JSON.stringify(type.slice(0, 80))})`,
      url,
      200,
    );
  }
  const body = Buffer.from(await response.arrayBuffer());
  try {
    return parseTagAdvertisement(body, options.commits);
  } catch (error) {
    throw new GitHostError(
      `GET ${url}: a malformed ref list: ${(error as Error).message}`,
      url,
      200,
      { cause: error },
    );
  }
}
