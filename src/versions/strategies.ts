/**
 * Update strategies: which newer version a dependency should move to, chosen among the versions its
 * source offers (git tags or registry versions). Pure: no I/O.
 *
 * A "series" is a run of versions without breaking changes between them: one major version
 * (`2.x.y`), or for 0.x versions one minor version (`0.8.y`), following semver's rule that anything
 * may change before 1.0.0.
 */
import semver from "semver";
import type { SemVer } from "semver";

/** Which newer version is proposed for a dependency (same values as `updates.strategy`). */
export type UpdateStrategy = "next-safe" | "next-breaking" | "latest";

/** How {@link selectTarget} chooses. */
export interface StrategyOptions {
  strategy: UpdateStrategy;
  /** Allow pre-release targets even when the current version is not a pre-release. */
  prerelease: boolean;
  /** Monorepo tag prefix for this dependency, e.g. "vpc-" so that "vpc-v1.2.3" is version 1.2.3 and other prefixes are ignored. */
  tagPrefix?: string;
}

/** A tag read as a version: the semver plus how it is spelled. */
export interface VersionTag {
  /** The tag exactly as given, e.g. `vpc-v1.2.3`. */
  tag: string;
  /** The version it names, e.g. 1.2.3. */
  version: SemVer;
  /** The monorepo prefix it starts with (`vpc-`), or `""`. */
  prefix: string;
  /** Whether the version is written with a leading `v` (after the prefix). */
  v: boolean;
}

/**
 * What may follow the prefix and the optional `v`: a digit first (semver's own parser would also
 * accept a second `v` or surrounding spaces, which are not how tags are written).
 */
const VERSION_TEXT = /^\d\S*$/;

/**
 * Reads a tag (or registry version) as a version, or `undefined` when it does not name one.
 *
 * Accepted: `1.2.3`, `v1.2.3`, pre-releases (`v1.2.3-rc.1`) and build metadata (`1.2.3+build`),
 * strictly as semver defines them; only a lower-case `v`. With `tagPrefix` (e.g. `vpc-`) the tag
 * must start with it (`vpc-v1.2.3`, `vpc-1.2.3`); without, a tag with any prefix is not a version.
 * Tags with fewer than three numbers (`v1.2`) are deliberately not read as versions: they are
 * usually moving aliases of the latest `1.2.x` release, not releases of their own, and pinning one
 * would not pin anything.
 */
export function parseVersionTag(tag: string, tagPrefix?: string): VersionTag | undefined {
  const prefix = tagPrefix ?? "";
  if (!tag.startsWith(prefix)) return undefined;
  const rest = tag.slice(prefix.length);
  const v = rest.startsWith("v");
  const text = v ? rest.slice(1) : rest;
  if (!VERSION_TEXT.test(text)) return undefined;
  const version = semver.parse(text);
  return version ? { tag, version, prefix, v } : undefined;
}

/** The series a version belongs to: "2" for 2.x.y, "0.8" for 0.8.y (0.x: each minor is its own series). */
export function seriesOf(version: SemVer): string {
  return version.major === 0 ? `0.${version.minor}` : `${version.major}`;
}

/**
 * The version to move to from `current`, chosen among `available` (tags or registry versions, any order, with
 * junk) by the strategy; undefined when there is nothing newer. Returns the exact string from `available`.
 *
 * - Only versions strictly greater than `current` are candidates (never a downgrade), whether or not
 *   `current` is still among `available`.
 * - Pre-releases are candidates only when `options.prerelease` is set or `current` is a pre-release
 *   itself (then its own release and any newer pre-release are candidates).
 * - `next-safe`: the highest candidate in the series of `current`.
 * - `next-breaking`: the highest candidate in the lowest series above the series of `current` (with
 *   gaps, 1.x → 3.x when there is no 2.x); when there is none, the same as `next-safe`.
 * - `latest`: the highest candidate.
 *
 * - A tag of a fork's release line (`v0.107.5-gwrc`, see {@link releaseLine}) moves only along that line.
 *
 * When several strings name the chosen version (`v1.3.0` and `1.3.0`), the one spelled like `current`
 * (with or without `v`) is returned; the result does not depend on the order of `available`.
 * `current` is read with the same rules as the tags (see {@link parseVersionTag}); when it does not
 * name a version, the result is undefined.
 */
export function selectTarget(
  current: string,
  available: readonly string[],
  options: StrategyOptions,
): string | undefined {
  const from = parseVersionTag(current, options.tagPrefix);
  if (!from) return undefined;
  const line = releaseLine(from, available, options.tagPrefix);
  const candidates = candidatesAbove(from.version, available, options).filter(
    (candidate) => line === undefined || suffixOf(candidate.version) === line,
  );
  const target = chooseVersion(from.version, candidates, options.strategy);
  return target && spellingOf(target, candidates, from);
}

/** Pre-release words of upstream's own release process: a tag with one of them is not a fork's line. */
const PRERELEASE_WORD =
  /^(alpha|beta|rc|pre|preview|dev|snapshot|canary|nightly|next|m\d*|milestone)/i;

function suffixOf(version: SemVer): string {
  return version.prerelease.join(".");
}

/**
 * The release line a tag follows when its pre-release part is a fork's suffix (`v0.107.5-gwrc`): a
 * suffix without numbers or pre-release words that tags of other versions carry too. Such a tag
 * moves only to a newer tag of the same line (`v0.107.6-gwrc`), never to upstream's `v0.107.6`.
 */
export function releaseLine(
  current: VersionTag,
  available: readonly string[],
  tagPrefix?: string,
): string | undefined {
  const { version } = current;
  const suffix = suffixOf(version);
  if (suffix === "" || PRERELEASE_WORD.test(suffix)) return undefined;
  if (version.prerelease.some((part) => typeof part === "number")) return undefined;
  const release = `${version.major}.${version.minor}.${version.patch}`;
  const recurs = available.some((tag) => {
    const other = parseVersionTag(tag, tagPrefix)?.version;
    return (
      other !== undefined &&
      suffixOf(other) === suffix &&
      `${other.major}.${other.minor}.${other.patch}` !== release
    );
  });
  return recurs ? suffix : undefined;
}

/** How a plan and a report say that a dependency follows a fork's line of tags. */
export function releaseLineNote(line: string): string {
  return `follows the "-${line}" line of tags (a fork's own releases)`;
}

/**
 * The fork's release line (see {@link releaseLine}) that the versions a dependency pins follow, as
 * far as `pinned` and `available` (its tags, when known) show: the suffix of the first pinned
 * version that has one, undefined when none does.
 */
export function pinnedReleaseLine(
  pinned: readonly string[],
  available: readonly string[],
  tagPrefix?: string,
): string | undefined {
  const evidence = [...pinned, ...available];
  for (const version of pinned) {
    const tag = parseVersionTag(version, tagPrefix);
    const line = tag && releaseLine(tag, evidence, tagPrefix);
    if (line !== undefined) return line;
  }
  return undefined;
}

/** The tags of `available` naming a version above `current` that may be proposed. */
function candidatesAbove(
  current: SemVer,
  available: readonly string[],
  options: StrategyOptions,
): VersionTag[] {
  const allowPrerelease = options.prerelease || current.prerelease.length > 0;
  const candidates: VersionTag[] = [];
  for (const tag of available) {
    const parsed = parseVersionTag(tag, options.tagPrefix);
    if (!parsed || semver.compare(parsed.version, current) <= 0) continue;
    if (parsed.version.prerelease.length > 0 && !allowPrerelease) continue;
    candidates.push(parsed);
  }
  return candidates;
}

/** The version the strategy picks among `candidates` (all above `current`), if any. */
function chooseVersion(
  current: SemVer,
  candidates: readonly VersionTag[],
  strategy: UpdateStrategy,
): SemVer | undefined {
  const versions = candidates.map((candidate) => candidate.version);
  switch (strategy) {
    case "latest":
      return highest(versions);
    case "next-safe":
      return highestInSeries(versions, seriesOf(current));
    case "next-breaking": {
      // Candidates are all above `current` and a series is a contiguous range of versions, so the
      // lowest candidate outside the current series is in the next series that exists.
      const outside = versions.filter((version) => seriesOf(version) !== seriesOf(current));
      const next = lowest(outside);
      return next
        ? highestInSeries(outside, seriesOf(next))
        : highestInSeries(versions, seriesOf(current));
    }
  }
}

/** The highest of `versions` that belongs to `series`. */
function highestInSeries(versions: readonly SemVer[], series: string): SemVer | undefined {
  return highest(versions.filter((version) => seriesOf(version) === series));
}

/** The highest of `versions` in semver order. */
function highest(versions: readonly SemVer[]): SemVer | undefined {
  return versions.reduce<SemVer | undefined>(
    (best, version) => (best && semver.compare(best, version) >= 0 ? best : version),
    undefined,
  );
}

/** The lowest of `versions` in semver order. */
function lowest(versions: readonly SemVer[]): SemVer | undefined {
  return versions.reduce<SemVer | undefined>(
    (best, version) => (best && semver.compare(best, version) <= 0 ? best : version),
    undefined,
  );
}

/**
 * The tag to write for `version`, among the candidates naming it (equal in semver order, so build
 * metadata aside): preferably spelled like `current` (with or without `v`), then without build
 * metadata, then the first in code-unit order, so that the order of the tags does not matter.
 */
function spellingOf(
  version: SemVer,
  candidates: readonly VersionTag[],
  current: VersionTag,
): string | undefined {
  const spellings = candidates.filter(
    (candidate) => semver.compare(candidate.version, version) === 0,
  );
  const rank = (candidate: VersionTag): number =>
    (candidate.v === current.v ? 0 : 2) + (candidate.version.build.length === 0 ? 0 : 1);
  spellings.sort((a, b) => rank(a) - rank(b) || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  return spellings[0]?.tag;
}
