import { describe, expect, it } from "vitest";
import { addSource, type UsageSink } from "../../src/iac/source-usage.js";
import type { Value } from "../../src/iac/terragrunt-evaluator.js";
import { TextIndex } from "../../src/iac/text-index.js";
import { traced, untraced } from "../../src/iac/traced-string.js";

const FILE = "dev/main.tf";
const GIT = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc";

/** A string value written verbatim at the start of line 2 of `FILE`. */
function written(text: string): Value {
  return { type: "string", value: traced(text, FILE, 1) };
}

/** The usages and skips `addSource` records for a source (and version) value declared on line 7. */
function record(value: Value, versionValue?: Value) {
  const sink: UsageSink = {
    file: FILE,
    usages: [],
    skipped: [],
    indexOf: () => new TextIndex("\nwritten here"),
  };
  addSource(sink, 7, value, versionValue);
  return { usages: sink.usages, skipped: sink.skipped };
}

describe("addSource: what is skipped, with why", () => {
  it.each<[string, Value, Value | undefined, string]>([
    [
      "a source not known statically",
      { type: "unknown", reason: "get_env() is only known when Terragrunt runs" },
      undefined,
      "the source cannot be resolved statically: get_env() is only known when Terragrunt runs",
    ],
    [
      "a source that is not a string",
      { type: "number", value: 1 },
      undefined,
      "the source is not a string",
    ],
    [
      "a git source without a ref",
      written(GIT),
      undefined,
      "no ?ref= pin: the module's default branch is used",
    ],
    [
      "a git source pinned to a commit",
      written(`${GIT}?ref=0123456789abcdef0123456789abcdef01234567`),
      undefined,
      'ref 0123456789abcdef0123456789abcdef01234567 is a commit SHA, not a version tag, and no version comment follows it (such as "# v1.2.0")',
    ],
    [
      "a git source pinned to a branch",
      written(`${GIT}?ref=main`),
      undefined,
      "ref main is not a version tag",
    ],
    [
      "a registry source without a version",
      written("acme/vpc/aws"),
      undefined,
      "no version pinned: the newest version is used on every run",
    ],
    [
      "a registry version not known statically",
      written("acme/vpc/aws"),
      { type: "unknown", reason: "`var.*` is only known when Terragrunt runs" },
      "the version cannot be resolved statically: `var.*` is only known when Terragrunt runs",
    ],
    [
      "a registry version that is not a string",
      written("acme/vpc/aws"),
      { type: "bool", value: true },
      "the version cannot be resolved statically: it is not a string",
    ],
  ])("%s", (_, value, versionValue, reason) => {
    const { usages, skipped } = record(value, versionValue);
    expect(usages).toEqual([]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.reason).toBe(reason);
    expect(skipped[0]).toMatchObject({ file: FILE, line: 7 });
  });

  it("records nothing for a local source", () => {
    expect(record(written("../modules/vpc"))).toEqual({ usages: [], skipped: [] });
  });

  it("skips an unsupported source, quoting it", () => {
    const { skipped } = record(written("s3::https://bucket/vpc.zip"));
    expect(skipped[0]?.reason).toMatch(/^unsupported source "s3::https:\/\/bucket\/vpc\.zip": /);
  });
});

describe("addSource: the usages it records", () => {
  it.each<[string, Value, Value | undefined, object]>([
    [
      "a git tag",
      written(`${GIT}?ref=v1.2.0`),
      undefined,
      {
        kind: "git",
        version: "v1.2.0",
        usageKind: "git-tag",
        origin: { type: "git", host: "github.com", owner: "acme", repo: "terraform-aws-vpc" },
      },
    ],
    [
      "a version in a registry address",
      written("tfr:///acme/vpc/aws?version=1.2.0"),
      undefined,
      { kind: "registry", version: "1.2.0", usageKind: "registry-version" },
    ],
    [
      "an exact version attribute",
      written("acme/vpc/aws"),
      written("= 1.2.0"),
      {
        kind: "registry",
        id: "acme/vpc/aws",
        version: "1.2.0",
        usageKind: "registry-version",
        origin: { type: "registry", namespace: "acme", name: "vpc", provider: "aws" },
      },
    ],
    [
      "a version constraint, not promotable",
      written("acme/vpc/aws"),
      written("~> 1.2"),
      {
        version: "~> 1.2",
        usageKind: "registry-constraint",
        notPromotable: 'version constraint "~> 1.2" is not an exact pin',
      },
    ],
  ])("%s", (_, value, versionValue, usage) => {
    const { usages, skipped } = record(value, versionValue);
    expect(skipped).toEqual([]);
    expect(usages).toHaveLength(1);
    expect(usages[0]).toMatchObject({ file: FILE, line: 7, ...usage });
  });

  it("locates the version literal in the file it is written in, after an `=`", () => {
    const [usage] = record(written("acme/vpc/aws"), written("= 1.2.0")).usages;
    expect(usage?.token).toEqual({ file: FILE, start: 3, end: 8, line: 2, column: 3 });
    expect(usage?.notPromotable).toBeUndefined();
  });

  it("says a computed version has no single place", () => {
    const [usage] = record(written("acme/vpc/aws"), {
      type: "string",
      value: untraced("1.2.0"),
    }).usages;
    expect(usage?.token).toBeUndefined();
    expect(usage?.notPromotable).toBe(
      "the version 1.2.0 is computed by an expression, not written in one place",
    );
  });
});
