/**
 * Release notes between two versions of a git-sourced module: the GitHub releases of its repository
 * in the range (from, to], newest first, trimmed to fit a pull request body, with a compare link.
 */
import { errorMessage, errorStatus } from "../github/errors.js";
import { listReleases, type RawRelease } from "../github/releases.js";
import type { GitHubClient } from "../github/clients.js";
import { parseVersionTag } from "./strategies.js";
import type { VersionTag } from "./strategies.js";

/** A module repository and the web address its links point to. */
export interface ReleaseRepository {
  owner: string;
  repo: string;
  /** Web base URL of the git host, e.g. `https://github.com` or `https://ghe.example.com`. */
  htmlBaseUrl: string;
}

export interface ReleaseNotesOptions {
  /** Longest text returned, in characters (default {@link DEFAULT_RELEASE_NOTES_LENGTH}). */
  maxLength?: number;
  /** Monorepo tag prefix (`vpc-`): only releases whose tag has it count. */
  tagPrefix?: string;
  /** Pages of 100 releases read at most (default 10). */
  maxPages?: number;
  log?: { warn(obj: object, msg: string): void };
}

/**
 * GitHub rejects PR bodies over 65,536 characters; the release notes get at most this much, leaving
 * room for the rest of the body (title, changed files, promotion chain, metadata).
 */
const DEFAULT_RELEASE_NOTES_LENGTH = 40_000;

const DEFAULT_MAX_PAGES = 10;
const TRUNCATED = "\n\n… (truncated)";

interface Release {
  tag: string;
  title: string;
  body: string;
}

/**
 * The first `length` characters of `text`, never half a surrogate pair and not ending inside an HTML
 * comment (which would hide the rest of the PR body).
 */
function head(text: string, length: number): string {
  let end = Math.max(0, length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  const start = text.slice(0, end);
  const open = start.lastIndexOf("<!--");
  return open >= 0 && open > start.lastIndexOf("-->") ? start.slice(0, open) : start;
}

const CLOSE_FENCE = "\n```";

function endsInsideCodeBlock(text: string): boolean {
  return (text.match(/^ {0,3}```/gm)?.length ?? 0) % 2 === 1;
}

/** At most `length` characters of `text`; a code block left open by the cut is closed. */
function cut(text: string, length: number): string {
  const start = head(text, length);
  if (!endsInsideCodeBlock(start)) return start;
  const shorter = head(text, length - CLOSE_FENCE.length);
  return endsInsideCodeBlock(shorter) ? `${shorter.trimEnd()}${CLOSE_FENCE}` : shorter;
}

/** The body of one section trimmed to at most `length` characters, marked when shortened. */
function trimBody(body: string, length: number): string {
  if (body.length <= length) return body;
  if (length <= TRUNCATED.length) return "";
  return `${cut(body, length - TRUNCATED.length).trimEnd()}${TRUNCATED}`;
}

/**
 * The largest per-body cap such that the bodies, each cut to the cap, fit in `budget` (water-filling:
 * short bodies keep all their text and leave the rest to the long ones).
 */
function bodyCap(lengths: number[], budget: number): number {
  const sorted = [...lengths].sort((a, b) => a - b);
  let remaining = budget;
  for (let i = 0; i < sorted.length; i++) {
    const share = Math.floor(remaining / (sorted.length - i));
    const length = sorted[i] ?? 0;
    if (length > share) return share;
    remaining -= length;
  }
  return Number.POSITIVE_INFINITY;
}

async function releasesInRange(
  client: GitHubClient,
  repository: ReleaseRepository,
  from: VersionTag,
  to: VersionTag,
  options: ReleaseNotesOptions,
): Promise<Release[]> {
  const versionOf = (raw: RawRelease) =>
    typeof raw.tag_name === "string" ? parseVersionTag(raw.tag_name, options.tagPrefix) : undefined;
  // Releases come newest first (by date); once `from` or an older version shows up, the range is covered.
  const listed = await listReleases(
    client,
    repository,
    options.maxPages ?? DEFAULT_MAX_PAGES,
    (page) => page.some((raw) => (versionOf(raw)?.version.compare(from.version) ?? 1) <= 0),
  );
  const inRange: { release: Release; version: VersionTag["version"] }[] = [];
  for (const raw of listed) {
    const parsed = versionOf(raw);
    if (!parsed || typeof raw.tag_name !== "string" || raw.draft === true) continue;
    if (parsed.version.compare(from.version) <= 0 || parsed.version.compare(to.version) > 0)
      continue;
    const title =
      typeof raw.name === "string" && raw.name.trim() !== "" ? raw.name.trim() : raw.tag_name;
    const body = typeof raw.body === "string" ? raw.body.replace(/\r\n/g, "\n").trim() : "";
    inRange.push({ release: { tag: raw.tag_name, title, body }, version: parsed.version });
  }
  inRange.sort((a, b) => b.version.compare(a.version));
  // One release per version (`v1.2.0` and `1.2.0` both released): the first seen.
  const versions = new Set<string>();
  return inRange
    .filter(({ version }) => !versions.has(version.version) && versions.add(version.version))
    .map(({ release }) => release);
}

/**
 * Markdown release notes for the update `fromTag` → `toTag` of a module repository: each GitHub
 * release in (from, to] by semver, newest first, as `### <name or tag>` and its body; drafts are
 * skipped, pre-releases included when in range. Bodies are trimmed (marked "… (truncated)") so that
 * the whole text fits `maxLength`; it always ends with the compare link
 * `<htmlBaseUrl>/<owner>/<repo>/compare/<from>...<to>`. The text is the releases' markdown as their
 * authors wrote it, mentions, references and HTML included: whoever embeds it must defuse it, as
 * `pullRequestBody` does. Reads `GET /repos/{owner}/{repo}/releases`
 * page by page (100 each) only until it is past `from`. Never throws: when the releases cannot be read
 * (missing or private repo, network), the text says so and still links the comparison.
 */
export async function releaseNotes(
  client: GitHubClient,
  repository: ReleaseRepository,
  fromTag: string,
  toTag: string,
  options: ReleaseNotesOptions = {},
): Promise<string> {
  const maxLength = options.maxLength ?? DEFAULT_RELEASE_NOTES_LENGTH;
  const base = repository.htmlBaseUrl.replace(/\/+$/, "");
  const compareUrl = `${base}/${repository.owner}/${repository.repo}/compare/${encodeURI(fromTag)}...${encodeURI(toTag)}`;
  const footer = `**Full changelog**: ${compareUrl}`;

  const from = parseVersionTag(fromTag, options.tagPrefix);
  const to = parseVersionTag(toTag, options.tagPrefix);
  let releases: Release[] = [];
  let note: string | undefined;
  if (!from || !to) {
    note = `Release notes are listed only between versions (${fromTag} → ${toTag}).`;
  } else {
    try {
      releases = await releasesInRange(client, repository, from, to, options);
      if (releases.length === 0) note = `No GitHub releases between ${fromTag} and ${toTag}.`;
    } catch (error) {
      const status = errorStatus(error);
      const reason =
        status === 404 || status === 403
          ? `${repository.owner}/${repository.repo} is not found or not accessible to the app`
          : errorMessage(error);
      options.log?.warn(
        { err: error, owner: repository.owner, repo: repository.repo },
        "could not read release notes",
      );
      note = `Release notes could not be read: ${reason}.`;
    }
  }
  if (note !== undefined) return fitText(`${note}\n\n${footer}`, footer, maxLength);

  // Markdown as the module's authors wrote it: the PR body that embeds it defuses it (defuseMarkdown).
  const sections = releases.map((release) => ({
    // A heading is one line: a release name with line breaks would end it and start a block.
    header: `### ${release.title.replace(/\s+/g, " ")}`,
    body: release.body,
  }));
  // Separators: "\n\n" between header and body, between sections and before the footer.
  const overhead = (kept: typeof sections): number =>
    kept.reduce((sum, s) => sum + s.header.length + (s.body === "" ? 0 : 2) + 2, 0) + footer.length;

  // When even the headers do not fit, the oldest releases give way to a line that says so.
  let kept = sections;
  let omitted = "";
  while (kept.length > 0 && overhead(kept) + omitted.length > maxLength) {
    kept = kept.slice(0, -1);
    omitted = `… and ${sections.length - kept.length} older release(s), see the comparison.\n\n`;
  }
  const cap = bodyCap(
    kept.map((s) => s.body.length),
    maxLength - overhead(kept) - omitted.length,
  );
  const parts = kept.map((s) => {
    const body = trimBody(s.body, cap);
    return body === "" ? `${s.header}\n\n` : `${s.header}\n\n${body}\n\n`;
  });
  return fitText(`${parts.join("")}${omitted}${footer}`, footer, maxLength);
}

/** Guarantees the length limit whatever happened above, keeping the footer. */
function fitText(text: string, footer: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  if (footer.length >= maxLength) return footer;
  return `${cut(text, maxLength - footer.length - 2).trimEnd()}\n\n${footer}`;
}
