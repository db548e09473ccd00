import { describe, expect, it } from "vitest";
import { parseConfig, type Config } from "../../src/config/index.js";
import type { PullRequestInfo } from "../../src/promotion/github-facts.js";
import {
  closingComment,
  obsoleteNotice,
  obsoletePullRequests,
} from "../../src/promotion/obsolete-pull-requests.js";
import { metadataComment, parseMetadata } from "../../src/promotion/pull-request-content.js";
import { inventoryOf } from "./inventories.js";

const APP = "promoter[bot]";
const SQS = "acme/terraform-aws-sqs/sqs";

function config(extra = ""): Config {
  const parsed = parseConfig(
    `environments:\n  - name: dev\n    paths: ["dev/**"]\n  - name: stage\n    paths: ["stage/**"]\n${extra}`,
    ".github/promoter.yml",
  );
  if (!parsed.ok) throw new Error("bad config");
  return parsed.config;
}

const pull = (env: string, to: string, fields: Partial<PullRequestInfo> = {}): PullRequestInfo => ({
  number: 7,
  state: "open",
  merged: false,
  headRef: `promoter/${env}/acme+terraform-aws-sqs+sqs`,
  headSha: "h",
  fromFork: false,
  baseRef: "main",
  title: "t",
  body: `Text\n\n${metadataComment({ v: 1, env, dependency: SQS, from: ["v0.8.0"], to })}`,
  labels: [],
  author: APP,
  ...fields,
});

const reasons = (
  pulls: PullRequestInfo[],
  environments: Record<string, Record<string, string[]>>,
  proposals: { environment: string; dependency: string }[] = [],
  cfg = config(),
) =>
  obsoletePullRequests(pulls, APP, proposals, inventoryOf(environments), cfg).map((o) => o.reason);

describe("obsoletePullRequests", () => {
  it.each([
    [
      "the environment runs that version already (a person changed it)",
      { dev: { [SQS]: ["v0.9.0"] } },
      "dev already runs `acme/terraform-aws-sqs/sqs` `v0.9.0`",
    ],
    [
      "the environment runs a newer one",
      { dev: { [SQS]: ["v1.0.0"] } },
      "dev already runs `acme/terraform-aws-sqs/sqs` `v1.0.0`",
    ],
    [
      "the environment no longer uses the dependency",
      { dev: {} },
      "dev no longer uses `acme/terraform-aws-sqs/sqs` (it was removed, or `.github/promoter.yml` no longer puts its files in dev)",
    ],
  ])("closes the app's PR when %s", (_what, environments, reason) => {
    expect(reasons([pull("dev", "v0.9.0")], environments)).toEqual([reason]);
  });

  it("closes the PR of an environment the config no longer has", () => {
    expect(reasons([pull("qa", "v0.9.0")], { dev: { [SQS]: ["v0.8.0"] } })).toEqual([
      "qa is no longer an environment of `.github/promoter.yml`",
    ]);
  });

  it("closes the PR of a dependency now ignored", () => {
    const cfg = config(`updates:\n  ignore: ["acme/**"]\n`);
    expect(reasons([pull("dev", "v0.9.0")], { dev: { [SQS]: ["v0.8.0"] } }, [], cfg)).toEqual([
      "`acme/terraform-aws-sqs/sqs` is ignored (`updates.ignore`)",
    ]);
  });

  it("keeps a PR the plan still proposes, or holds back for another reason, and everyone else's", () => {
    const older = { dev: { [SQS]: ["v0.8.0"] } };
    const proposed = [{ environment: "dev", dependency: SQS }];
    expect(reasons([pull("dev", "v0.9.0")], { dev: { [SQS]: ["v0.9.0"] } }, proposed)).toEqual([]);
    expect(reasons([pull("dev", "v0.9.0")], older)).toEqual([]);
    expect(reasons([pull("dev", "v0.9.0", { author: "alice" })], { dev: {} })).toEqual([]);
    expect(reasons([pull("dev", "v0.9.0", { fromFork: true })], { dev: {} })).toEqual([]);
    expect(reasons([pull("dev", "v0.9.0", { state: "closed" })], { dev: {} })).toEqual([]);
    expect(reasons([pull("dev", "v0.9.0", { headRef: "promoter/dev/x+y" })], { dev: {} })).toEqual(
      [],
    );
  });

  it("escapes what it quotes: an id or version cannot mention anyone", () => {
    const odd = "@carol/x";
    const body = metadataComment({ v: 1, env: "dev", dependency: odd, from: ["v1"], to: "v2" });
    const pr = pull("dev", "v2", { headRef: "promoter/dev/%40carol+x", body });
    const [found] = obsoletePullRequests([pr], APP, [], inventoryOf({ dev: {} }), config());
    expect(closingComment(found!)).toBe(
      "Promoter closed this pull request and deleted its branch: dev no longer uses `@carol/x` (it was removed, or `.github/promoter.yml` no longer puts its files in dev).",
    );
  });
});

describe("obsoleteNotice", () => {
  it("says once that a person's branch is left open", () => {
    const [found] = obsoletePullRequests(
      [pull("dev", "v0.9.0")],
      APP,
      [],
      inventoryOf({ dev: {} }),
      config(),
    );
    const notice = obsoleteNotice(found!);
    expect(notice?.comment).toContain("it is left open for you to close or merge");
    expect(parseMetadata(notice?.body)?.obsolete).toBe(true);
    const again = { ...found!, metadata: parseMetadata(notice?.body)! };
    expect(obsoleteNotice(again)).toBeUndefined();
  });
});
