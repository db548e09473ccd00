import fc from "fast-check";
import semver from "semver";
import type { SemVer } from "semver";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import {
  parseVersionTag,
  pinnedReleaseLine,
  selectTarget,
  seriesOf,
  type StrategyOptions,
  type UpdateStrategy,
} from "../../src/versions/strategies.js";

const STRATEGIES: readonly UpdateStrategy[] = ["next-safe", "next-breaking", "latest"];

/** The version a tag names; fails the test when it names none. */
function versionOf(tag: string, tagPrefix?: string): SemVer {
  const parsed = parseVersionTag(tag, tagPrefix);
  if (!parsed) throw new Error(`not a version tag: ${tag}`);
  return parsed.version;
}

describe("UpdateStrategy", () => {
  it("has the same values as updates.strategy in the config", () => {
    expectTypeOf<UpdateStrategy>().toEqualTypeOf<Config["updates"]["strategy"]>();
  });
});

describe("parseVersionTag", () => {
  it.each([
    // tag, tagPrefix, version, prefix, v
    ["v1.2.3", undefined, "1.2.3", "", true],
    ["1.2.3", undefined, "1.2.3", "", false],
    ["v1.2.3-rc.1", undefined, "1.2.3-rc.1", "", true],
    ["1.2.3+build.7", undefined, "1.2.3", "", false],
    ["v0.0.1-alpha+001", undefined, "0.0.1-alpha", "", true],
    ["vpc-v1.2.3", "vpc-", "1.2.3", "vpc-", true],
    ["vpc-1.2.3", "vpc-", "1.2.3", "vpc-", false],
    ["modules/vpc/v1.2.3", "modules/vpc/", "1.2.3", "modules/vpc/", true],
    ["v1.2.3", "", "1.2.3", "", true],
  ] as const)("reads %j (prefix %j) as %s", (tag, tagPrefix, version, prefix, v) => {
    const parsed = parseVersionTag(tag, tagPrefix);
    expect(parsed).toBeDefined();
    expect(parsed?.tag).toBe(tag);
    expect(parsed?.version.version).toBe(version);
    expect(parsed?.prefix).toBe(prefix);
    expect(parsed?.v).toBe(v);
  });

  it.each([
    ["latest", undefined],
    ["main", undefined],
    ["release-2024", undefined],
    ["v1.2", undefined], // two numbers: a moving alias, not a release
    ["1.2", undefined],
    ["v1", undefined],
    ["v1.2.3.4", undefined],
    ["vv1.2.3", undefined],
    ["V1.2.3", undefined],
    [" 1.2.3", undefined],
    ["1.2.3 ", undefined],
    ["v01.2.3", undefined],
    ["v1.2.3-", undefined],
    ["", undefined],
    ["vpc-v1.2.3", undefined], // a prefix that is not configured
    ["rds-v9.0.0", "vpc-"], // another module's prefix
    ["v1.2.3", "vpc-"], // no prefix when one is configured
    ["vpc-v1.2", "vpc-"],
    ["vpc-", "vpc-"],
  ] as const)("ignores %j (prefix %j)", (tag, tagPrefix) => {
    expect(parseVersionTag(tag, tagPrefix)).toBeUndefined();
  });
});

describe("seriesOf", () => {
  it.each([
    ["2.3.4", "2"],
    ["1.0.0", "1"],
    ["1.0.0-rc.1", "1"],
    ["10.20.30", "10"],
    ["0.8.1", "0.8"],
    ["0.10.0", "0.10"],
    ["0.0.3", "0.0"],
  ])("%s is in series %s", (version, series) => {
    expect(seriesOf(versionOf(version))).toBe(series);
  });
});

interface Case {
  name: string;
  current: string;
  available: readonly string[];
  strategy: UpdateStrategy;
  prerelease?: boolean;
  tagPrefix?: string;
  expected: string | undefined;
}

/** Expands one situation into a case per strategy. */
function forEachStrategy(
  name: string,
  situation: Omit<Case, "name" | "strategy" | "expected">,
  expected: Record<UpdateStrategy, string | undefined>,
): Case[] {
  return STRATEGIES.map((strategy) => ({
    name: `${name} (${strategy})`,
    ...situation,
    strategy,
    expected: expected[strategy],
  }));
}

const ZERO_X = ["v0.7.0", "v0.8.0", "v0.8.1", "v0.8.3", "v0.9.0", "v0.9.2", "v0.10.0", "v1.4.0"];
const ONE_X = ["v1.0.0", "v1.2.0", "v1.2.5", "v1.10.0", "v2.0.0", "v2.3.1", "v3.0.0"];
const GAPS = ["1.0.0", "1.1.0", "3.0.0", "3.2.0", "5.0.0"];
const PRE = ["v1.2.0", "v1.3.0-rc.1", "v1.3.0-rc.2", "v2.0.0-beta.1"];
const JUNK = ["latest", "main", "v1.2", "release-2024", "1.3", "v1.3.0.1", "vv1.3.0", "V1.3.0"];
const MONOREPO = ["rds-v9.0.0", "vpc-v1.2.3", "vpc-v1.4.0", "v5.0.0", "vpc-v2.0.0", "3.0.0"];

const CASES: Case[] = [
  // 0.x: every minor is its own series.
  ...forEachStrategy(
    "0.x",
    { current: "v0.8.0", available: ZERO_X },
    { "next-safe": "v0.8.3", "next-breaking": "v0.9.2", latest: "v1.4.0" },
  ),
  ...forEachStrategy(
    "0.x at the top of its series",
    { current: "v0.8.3", available: ZERO_X },
    { "next-safe": undefined, "next-breaking": "v0.9.2", latest: "v1.4.0" },
  ),
  ...forEachStrategy(
    "0.x to 1.x is one boundary",
    { current: "v0.10.0", available: ZERO_X },
    { "next-safe": undefined, "next-breaking": "v1.4.0", latest: "v1.4.0" },
  ),
  ...forEachStrategy(
    "0.0.x",
    { current: "0.0.1", available: ["0.0.2", "0.1.0", "0.1.1", "0.2.0"] },
    { "next-safe": "0.0.2", "next-breaking": "0.1.1", latest: "0.2.0" },
  ),
  // 1.x: one series per major, compared numerically.
  ...forEachStrategy(
    "1.x",
    { current: "v1.2.0", available: ONE_X },
    { "next-safe": "v1.10.0", "next-breaking": "v2.3.1", latest: "v3.0.0" },
  ),
  ...forEachStrategy(
    "1.x with only a newer major",
    { current: "v2.3.1", available: ONE_X },
    { "next-safe": undefined, "next-breaking": "v3.0.0", latest: "v3.0.0" },
  ),
  ...forEachStrategy(
    "no newer series",
    { current: "v1.0.0", available: ["v0.9.0", "v1.0.0", "v1.1.0"] },
    { "next-safe": "v1.1.0", "next-breaking": "v1.1.0", latest: "v1.1.0" },
  ),
  // Gaps: the next series is the next one that exists.
  ...forEachStrategy(
    "gap between majors",
    { current: "1.0.0", available: GAPS },
    { "next-safe": "1.1.0", "next-breaking": "3.2.0", latest: "5.0.0" },
  ),
  ...forEachStrategy(
    "gap between majors, top of the series",
    { current: "1.1.0", available: GAPS },
    { "next-safe": undefined, "next-breaking": "3.2.0", latest: "5.0.0" },
  ),
  ...forEachStrategy(
    "gap between 0.x minors",
    { current: "0.3.1", available: ["0.3.0", "0.5.0", "0.5.4", "0.7.0"] },
    { "next-safe": undefined, "next-breaking": "0.5.4", latest: "0.7.0" },
  ),
  // Pre-releases.
  ...forEachStrategy(
    "pre-releases excluded by default",
    { current: "v1.2.0", available: PRE },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  ...forEachStrategy(
    "pre-releases allowed by config",
    { current: "v1.2.0", available: PRE, prerelease: true },
    { "next-safe": "v1.3.0-rc.2", "next-breaking": "v2.0.0-beta.1", latest: "v2.0.0-beta.1" },
  ),
  ...forEachStrategy(
    "a newer pre-release does not hide an older release",
    { current: "v1.0.0", available: ["v1.0.0", "v1.1.0", "v1.2.0-rc.1", "v2.0.0-rc.1"] },
    { "next-safe": "v1.1.0", "next-breaking": "v1.1.0", latest: "v1.1.0" },
  ),
  ...forEachStrategy(
    "current is a pre-release",
    {
      current: "v1.3.0-rc.1",
      available: ["v1.2.9", "v1.3.0-rc.1", "v1.3.0-rc.2", "v1.3.0", "v1.3.1-beta.1", "v2.0.0-rc.1"],
    },
    { "next-safe": "v1.3.1-beta.1", "next-breaking": "v2.0.0-rc.1", latest: "v2.0.0-rc.1" },
  ),
  ...forEachStrategy(
    "current pre-release to its own release",
    { current: "v1.3.0-rc.1", available: ["v1.3.0-rc.1", "v1.3.0-rc.2", "v1.3.0"] },
    { "next-safe": "v1.3.0", "next-breaking": "v1.3.0", latest: "v1.3.0" },
  ),
  ...forEachStrategy(
    "current pre-release, only older pre-releases",
    { current: "v1.3.0-rc.2", available: ["v1.3.0-rc.1", "v1.3.0-beta.5", "v1.2.0"] },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  ...forEachStrategy(
    "a fork's suffixed release line stays on that line",
    {
      current: "v0.107.5-gwrc",
      available: ["v0.107.4-gwrc", "v0.107.5-gwrc", "v0.107.5", "v0.107.6", "v0.107.6-gwrc"],
    },
    { "next-safe": "v0.107.6-gwrc", "next-breaking": "v0.107.6-gwrc", latest: "v0.107.6-gwrc" },
  ),
  ...forEachStrategy(
    "a fork's line across series",
    {
      current: "v0.107.5-gwrc",
      available: ["v0.107.5-gwrc", "v0.107.7", "v0.108.0-gwrc", "v0.109.0", "v0.110.1-gwrc"],
    },
    { "next-safe": undefined, "next-breaking": "v0.108.0-gwrc", latest: "v0.110.1-gwrc" },
  ),
  ...forEachStrategy(
    "a suffix no other version carries is an ordinary pre-release",
    { current: "v1.3.0-hotfix", available: ["v1.3.0-hotfix", "v1.3.0", "v1.3.1"] },
    { "next-safe": "v1.3.1", "next-breaking": "v1.3.1", latest: "v1.3.1" },
  ),
  ...forEachStrategy(
    "pre-release of the next major from 0.x",
    { current: "0.9.0", available: ["0.9.1", "1.0.0-rc.1"], prerelease: true },
    { "next-safe": "0.9.1", "next-breaking": "1.0.0-rc.1", latest: "1.0.0-rc.1" },
  ),
  // The current tag was deleted: computed from its version all the same.
  ...forEachStrategy(
    "current tag deleted",
    { current: "v1.2.4", available: ["v1.2.3", "v1.2.5", "v1.3.0", "v2.0.0"] },
    { "next-safe": "v1.3.0", "next-breaking": "v2.0.0", latest: "v2.0.0" },
  ),
  ...forEachStrategy(
    "current tag deleted, 0.x",
    { current: "0.8.7", available: ["0.8.5", "0.9.0"] },
    { "next-safe": undefined, "next-breaking": "0.9.0", latest: "0.9.0" },
  ),
  // Nothing newer, and never a downgrade.
  ...forEachStrategy(
    "already the newest",
    { current: "v3.0.0", available: ONE_X },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  ...forEachStrategy(
    "no tags at all",
    { current: "v1.0.0", available: [] },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  ...forEachStrategy(
    "downgrade: current deleted, only older tags",
    { current: "v1.9.0", available: ["v1.2.3", "v1.5.0", "v0.9.0"] },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  ...forEachStrategy(
    "downgrade: older tags of newer-looking spelling",
    { current: "v2.0.0", available: ["v1.10.0", "1.99.99", "v2.0.0-rc.9"], prerelease: true },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  ...forEachStrategy(
    "build metadata is not a newer version",
    { current: "2.0.0", available: ["2.0.0+build.5", "2.0.0"] },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  // Junk tags are ignored; a current pin that is not a version gives nothing.
  ...forEachStrategy(
    "non-semver tags",
    { current: "v1.2.3", available: [...JUNK, "v1.2.4"] },
    { "next-safe": "v1.2.4", "next-breaking": "v1.2.4", latest: "v1.2.4" },
  ),
  ...forEachStrategy(
    "only non-semver tags",
    { current: "v1.2.3", available: JUNK },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  ...forEachStrategy(
    "current is a branch",
    { current: "main", available: ONE_X },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  ...forEachStrategy(
    "current is a two-part tag",
    { current: "v1.2", available: ONE_X },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  // Style: keep the spelling of the current pin when the tag exists in both spellings.
  ...forEachStrategy(
    "v style kept",
    { current: "v1.2.3", available: ["1.3.0", "v1.3.0", "2.0.0", "v2.0.0"] },
    { "next-safe": "v1.3.0", "next-breaking": "v2.0.0", latest: "v2.0.0" },
  ),
  ...forEachStrategy(
    "no-v style kept",
    { current: "1.2.3", available: ["v1.3.0", "1.3.0", "v2.0.0", "2.0.0"] },
    { "next-safe": "1.3.0", "next-breaking": "2.0.0", latest: "2.0.0" },
  ),
  ...forEachStrategy(
    "only the other spelling exists",
    { current: "v1.2.3", available: ["1.3.0", "v1.2.3", "2.0.0"] },
    { "next-safe": "1.3.0", "next-breaking": "2.0.0", latest: "2.0.0" },
  ),
  ...forEachStrategy(
    "plain spelling preferred to build metadata",
    { current: "1.2.3", available: ["1.3.0+build.2", "1.3.0", "1.3.0+build.1"] },
    { "next-safe": "1.3.0", "next-breaking": "1.3.0", latest: "1.3.0" },
  ),
  ...forEachStrategy(
    "only with build metadata",
    { current: "1.2.3", available: ["1.3.0+build.2"] },
    { "next-safe": "1.3.0+build.2", "next-breaking": "1.3.0+build.2", latest: "1.3.0+build.2" },
  ),
  // Monorepo tags.
  ...forEachStrategy(
    "monorepo prefix",
    { current: "vpc-v1.2.3", available: MONOREPO, tagPrefix: "vpc-" },
    { "next-safe": "vpc-v1.4.0", "next-breaking": "vpc-v2.0.0", latest: "vpc-v2.0.0" },
  ),
  ...forEachStrategy(
    "monorepo prefix without v",
    {
      current: "vpc-1.2.3",
      available: ["vpc-v1.3.0", "vpc-1.3.0", "rds-1.4.0"],
      tagPrefix: "vpc-",
    },
    { "next-safe": "vpc-1.3.0", "next-breaking": "vpc-1.3.0", latest: "vpc-1.3.0" },
  ),
  ...forEachStrategy(
    "monorepo prefix configured, current pin unprefixed",
    { current: "v1.2.3", available: MONOREPO, tagPrefix: "vpc-" },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  ...forEachStrategy(
    "prefixed tags ignored without a prefix configured",
    { current: "v1.2.3", available: [...MONOREPO, "v1.3.0"] },
    { "next-safe": "v1.3.0", "next-breaking": "3.0.0", latest: "v5.0.0" },
  ),
  ...forEachStrategy(
    "prefixed current pin without a prefix configured",
    { current: "vpc-v1.2.3", available: MONOREPO },
    { "next-safe": undefined, "next-breaking": undefined, latest: undefined },
  ),
  // Duplicates and order.
  ...forEachStrategy(
    "duplicates",
    { current: "v1.2.0", available: ["v1.3.0", "v1.3.0", "v1.2.0", "v2.1.0", "v1.3.0", "v2.1.0"] },
    { "next-safe": "v1.3.0", "next-breaking": "v2.1.0", latest: "v2.1.0" },
  ),
  ...forEachStrategy(
    "descending order",
    { current: "v1.2.0", available: [...ONE_X].reverse() },
    { "next-safe": "v1.10.0", "next-breaking": "v2.3.1", latest: "v3.0.0" },
  ),
  ...forEachStrategy(
    "lexical order",
    { current: "v1.2.0", available: [...ONE_X].sort() },
    { "next-safe": "v1.10.0", "next-breaking": "v2.3.1", latest: "v3.0.0" },
  ),
];

describe("selectTarget", () => {
  it.each(CASES)("$name", ({ current, available, strategy, prerelease, tagPrefix, expected }) => {
    const options: StrategyOptions = { strategy, prerelease: prerelease ?? false, tagPrefix };
    expect(selectTarget(current, available, options)).toBe(expected);
  });

  it.each(CASES)("$name: same result in any order", (testCase) => {
    const { current, available, strategy, prerelease, tagPrefix, expected } = testCase;
    const options: StrategyOptions = { strategy, prerelease: prerelease ?? false, tagPrefix };
    expect(selectTarget(current, [...available].reverse(), options)).toBe(expected);
    expect(selectTarget(current, [...available, ...available].sort(), options)).toBe(expected);
  });
});

describe("selectTarget properties", () => {
  const PRERELEASES = ["alpha", "beta.1", "rc.1", "rc.2"] as const;
  const versionTag = fc
    .record({
      major: fc.integer({ min: 0, max: 3 }),
      minor: fc.integer({ min: 0, max: 3 }),
      patch: fc.integer({ min: 0, max: 3 }),
      pre: fc.option(fc.constantFrom(...PRERELEASES), { nil: undefined, freq: 3 }),
      v: fc.boolean(),
    })
    .map(({ major, minor, patch, pre, v }) =>
      [v ? "v" : "", `${major}.${minor}.${patch}`, pre ? `-${pre}` : ""].join(""),
    );
  const junk = fc.constantFrom("latest", "main", "v1.2", "release-2024", "vpc-v1.0.0", "");
  const tag = fc.oneof({ arbitrary: versionTag, weight: 6 }, { arbitrary: junk, weight: 1 });
  /** A tag list and the same list shuffled, with some of its tags repeated. */
  const tagLists = fc.array(tag, { maxLength: 24 }).chain((tags) =>
    fc.tuple(
      fc.constant(tags),
      fc.shuffledSubarray(tags).chain((extra) =>
        fc.shuffledSubarray([...tags, ...extra], {
          minLength: tags.length + extra.length,
        }),
      ),
    ),
  );

  /** The series as a comparable pair: 0.8 → [0, 8], 2 → [2, 0]. */
  const seriesKey = (version: SemVer): [number, number] =>
    version.major === 0 ? [0, version.minor] : [version.major, 0];
  const compareSeries = (a: SemVer, b: SemVer): number => {
    const [a0, a1] = seriesKey(a);
    const [b0, b1] = seriesKey(b);
    return a0 - b0 || a1 - b1;
  };

  it("picks a newer existing tag as each strategy defines, whatever the order", () => {
    fc.assert(
      fc.property(
        versionTag,
        tagLists,
        fc.boolean(),
        (current, [available, shuffled], prerelease) => {
          const pick = (strategy: UpdateStrategy, tags: readonly string[]) =>
            selectTarget(current, tags, { strategy, prerelease });
          const from = versionOf(current);
          const allowPrerelease = prerelease || from.prerelease.length > 0;
          const eligible = available
            .map((tag) => parseVersionTag(tag)?.version)
            .filter((version): version is SemVer => version !== undefined)
            .filter((version) => semver.gt(version, from))
            .filter((version) => allowPrerelease || version.prerelease.length === 0);
          const [safe, breaking, latest] = STRATEGIES.map((strategy) => {
            const result = pick(strategy, available);
            expect(pick(strategy, shuffled)).toBe(result);
            if (result === undefined) return undefined;
            expect(available).toContain(result);
            const version = versionOf(result);
            expect(semver.gt(version, from)).toBe(true);
            if (!allowPrerelease) expect(version.prerelease).toEqual([]);
            return version;
          });

          // latest: the highest eligible version, if any.
          expect(latest === undefined).toBe(eligible.length === 0);
          if (latest) expect(eligible.every((version) => semver.lte(version, latest))).toBe(true);

          // next-safe: the highest eligible version in the current series.
          const sameSeries = eligible.filter((version) => seriesOf(version) === seriesOf(from));
          expect(safe === undefined).toBe(sameSeries.length === 0);
          if (safe) {
            expect(seriesOf(safe)).toBe(seriesOf(from));
            expect(sameSeries.every((version) => semver.lte(version, safe))).toBe(true);
          }

          // next-breaking: at most one boundary, to the highest of the next series that exists.
          expect(breaking === undefined).toBe(eligible.length === 0);
          if (breaking) {
            const skipped = eligible.filter(
              (version) => compareSeries(version, from) > 0 && compareSeries(version, breaking) < 0,
            );
            expect(skipped).toEqual([]);
            const inSeries = eligible.filter((version) => seriesOf(version) === seriesOf(breaking));
            expect(inSeries.every((version) => semver.lte(version, breaking))).toBe(true);
            const higherSeriesExists = eligible.some((version) => compareSeries(version, from) > 0);
            expect(compareSeries(breaking, from) > 0).toBe(higherSeriesExists);
          }

          // latest >= next-breaking >= next-safe.
          if (safe) expect(breaking && semver.gte(breaking, safe)).toBe(true);
          if (breaking) expect(latest && semver.gte(latest, breaking)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("keeps the v style of the current pin when both spellings exist", () => {
    fc.assert(
      fc.property(versionTag, fc.array(versionTag, { maxLength: 12 }), (current, tags) => {
        const both = tags.flatMap((tag) => [tag.replace(/^v/, ""), `v${tag.replace(/^v/, "")}`]);
        for (const strategy of STRATEGIES) {
          const result = selectTarget(current, both, { strategy, prerelease: true });
          if (result !== undefined) expect(result.startsWith("v")).toBe(current.startsWith("v"));
        }
      }),
    );
  });
});

describe("pinnedReleaseLine", () => {
  it.each([
    [
      "a fork's suffix its other tags carry",
      ["v0.107.5-gwrc"],
      ["v0.107.6", "v0.107.6-gwrc"],
      undefined,
      "gwrc",
    ],
    [
      "the repository's own pins as evidence",
      ["v0.107.5-gwrc", "v0.107.4-gwrc"],
      [],
      undefined,
      "gwrc",
    ],
    ["a suffix no other version carries", ["v0.107.5-gwrc"], ["v0.107.6"], undefined, undefined],
    ["no tags known", ["v0.107.5-gwrc"], [], undefined, undefined],
    ["an upstream pre-release", ["v1.0.0-rc"], ["v1.1.0-rc"], undefined, undefined],
    ["a numbered suffix", ["v1.2.3-acme.1"], ["v1.2.4-acme.1"], undefined, undefined],
    ["no suffix", ["v1.2.3"], ["v1.2.4"], undefined, undefined],
    ["a monorepo prefix", ["vpc-v1.0.0-gwrc"], ["vpc-v1.0.1-gwrc"], "vpc-", "gwrc"],
    [
      "the first pinned version with a line",
      ["v1.0.0", "v2.0.0-acme"],
      ["v2.1.0-acme"],
      undefined,
      "acme",
    ],
  ])("%s", (_name, pinned, available, prefix, line) => {
    expect(pinnedReleaseLine(pinned, available, prefix)).toBe(line);
  });
});
