import { describe, expect, it } from "vitest";
import type { PullRequestInfo } from "../../src/promotion/github-facts.js";
import {
  branchLeftAlone,
  foreignCommits,
  foreignStrayBranchWarning,
  humanCommitsNotice,
  neededBranches,
  openPullRequestLeftAlone,
  openPullRequestOf,
  openPullRequestOutcome,
  proposalLabels,
  releaseNotesRange,
  strayBranchStatus,
  rebuildDecision,
  conflictRebuild,
} from "../../src/promotion/proposal-writing.js";
import { metadataComment, parseMetadata } from "../../src/promotion/pull-request-content.js";
import { inventoryOf } from "./inventories.js";

const APP = "promoter[bot]";
const SQS = "acme/terraform-aws-sqs/sqs";
const KEY = "promoter/stage/acme+terraform-aws-sqs+sqs";
const proposal = {
  key: KEY,
  environment: "stage",
  from: ["v0.8.0"],
  to: "v0.9.0",
  dependency: SQS,
};
const metadata = { v: 1 as const, env: "stage", dependency: SQS, from: ["v0.8.0"], to: "v0.9.0" };

const pull = (fields: Partial<PullRequestInfo> = {}): PullRequestInfo => ({
  number: 3,
  state: "open",
  merged: false,
  headRef: KEY,
  headSha: "h",
  fromFork: false,
  baseRef: "main",
  title: "t",
  body: `Text\n\n${metadataComment(metadata)}`,
  labels: ["promoter:stage"],
  author: APP,
  ...fields,
});
const appCommit = { sha: "a".repeat(40), authorLogin: APP, committerLogin: APP, verified: true };
const personCommit = {
  sha: "b".repeat(40),
  authorLogin: "alice",
  committerLogin: "alice",
  verified: false,
};

describe("openPullRequestOf", () => {
  it.each([
    ["the open PR of the branch", [pull({ number: 1, state: "closed" }), pull({ number: 2 })], 2],
    ["none when only closed", [pull({ state: "closed" })], undefined],
    ["not a fork's of the same name", [pull({ fromFork: true })], undefined],
    ["not another branch's", [pull({ headRef: "promoter/dev/x/y" })], undefined],
    ["else the open PR of the legacy branch", [pull({ headRef: `promoter/stage/${SQS}` })], 3],
    [
      "the current branch's before the legacy one's",
      [pull({ number: 4, headRef: `promoter/stage/${SQS}` }), pull({ number: 5 })],
      5,
    ],
  ])("%s", (_what, pulls, expected) => {
    expect(openPullRequestOf(proposal, pulls)?.number).toBe(expected);
  });
});

describe("rebuildDecision", () => {
  const HEAD = "h".repeat(40);
  const NOW = Date.parse("2026-06-01T00:00:00Z");
  const daysAgo = (days: number) => new Date(NOW - days * 86_400_000).toISOString();
  const conflicted = { rebaseWhen: "conflicted" as const };
  it.each([
    [
      "built on the head: stays",
      { base: HEAD, builtAt: daysAgo(90) },
      conflicted,
      { rebuild: false },
    ],
    [
      "the head moved: asks GitHub",
      { base: "o", builtAt: daysAgo(1) },
      conflicted,
      { rebuild: "if-conflicted" },
    ],
    ["no base remembered (an older PR): asks GitHub", {}, conflicted, { rebuild: "if-conflicted" }],
    [
      "the head moved, rebaseWhen never: stays",
      { base: "o" },
      { rebaseWhen: "never" as const },
      { rebuild: false },
    ],
    [
      "built longer ago than rebaseAfterDays on an older base: rebuilt",
      { base: "o", builtAt: daysAgo(3) },
      { rebaseWhen: "never" as const, rebaseAfterDays: 2 },
      { rebuild: true, why: "it was built more than 2 days ago (updates.rebaseAfterDays)" },
    ],
    [
      "within rebaseAfterDays: asks GitHub",
      { base: "o", builtAt: daysAgo(1) },
      { ...conflicted, rebaseAfterDays: 2 },
      { rebuild: "if-conflicted" },
    ],
    [
      "an unreadable builtAt counts for nothing",
      { base: "o", builtAt: "yesterday" },
      { rebaseWhen: "never" as const, rebaseAfterDays: 1 },
      { rebuild: false },
    ],
  ])("%s", (_what, metadata, updates, expected) => {
    expect(rebuildDecision(metadata, HEAD, updates, NOW)).toEqual(expected);
  });

  it("rebuilds on a conflict only when GitHub says so", () => {
    expect(conflictRebuild(false)).toBe("it no longer merges cleanly");
    expect(conflictRebuild(true)).toBeUndefined();
    expect(conflictRebuild(null)).toBeUndefined();
  });
});

describe("openPullRequestOutcome", () => {
  it.each([
    ["no open PR: write", undefined, undefined],
    [
      "a person's PR: left alone",
      pull({ author: "alice" }),
      {
        action: "left-alone",
        pullRequest: 3,
        reason:
          "the open pull request from its branch is alice's, not Promoter's; Promoter leaves it alone",
      },
    ],
    [
      "the app's PR proposing exactly this: unchanged",
      pull(),
      { action: "unchanged", pullRequest: 3 },
    ],
    [
      "the app's PR to another version: write",
      pull({ body: metadataComment({ ...metadata, to: "v0.9.1" }) }),
      undefined,
    ],
    [
      "the app's PR from other versions: write",
      pull({ body: metadataComment({ ...metadata, from: ["v0.7.0"] }) }),
      undefined,
    ],
    ["the app's PR without metadata: write", pull({ body: "" }), undefined],
  ])("%s", (_what, open, expected) => {
    expect(openPullRequestOutcome(proposal, open, APP)).toEqual(expected);
  });
});

describe("foreignCommits", () => {
  it.each([
    [[], []],
    [[appCommit], []],
    [[appCommit, personCommit], [personCommit]],
  ])("%j", (commits, expected) => {
    expect(foreignCommits(commits, APP)).toEqual(expected);
  });
});

describe("leaving a branch alone", () => {
  it("names the branch and the person's commits, short", () => {
    expect(
      branchLeftAlone(proposal, [personCommit, { ...personCommit, sha: "c".repeat(40) }]),
    ).toEqual({
      action: "left-alone",
      reason: `the branch \`${KEY}\` exists with commits that are not Promoter's (bbbbbbb, ccccccc); Promoter does not overwrite it`,
    });
    expect(openPullRequestLeftAlone(pull())).toEqual({
      action: "left-alone",
      pullRequest: 3,
      reason: "a person pushed to the branch",
    });
  });

  it.each([
    ["the first time: a comment, and the body remembers it", pull(), true],
    [
      "once said already: nothing",
      pull({ body: metadataComment({ ...metadata, humanCommits: true }) }),
      false,
    ],
    ["a PR without metadata: nothing", pull({ body: "hand-written" }), false],
  ])("%s", (_what, open, notices) => {
    const notice = humanCommitsNotice(proposal, open, [personCommit]);
    expect(notice !== undefined).toBe(notices);
    if (!notice) return;
    expect(notice.comment).toBe(
      "Promoter did not update this branch to `v0.9.0`: it has commits that are not Promoter's (bbbbbbb). Close this pull request, or delete the branch, for Promoter to open it again.",
    );
    expect(notice.body.startsWith("Text\n\n")).toBe(true);
    expect(parseMetadata(notice.body)).toEqual({ ...metadata, humanCommits: true });
  });
});

describe("proposalLabels", () => {
  it.each([
    [
      [],
      [{ name: "promoter:stage", color: "5319e7", description: "Promoter: promotions to stage" }],
    ],
    [
      ["dependencies", "promoter:extra"],
      [
        { name: "promoter:stage", color: "5319e7", description: "Promoter: promotions to stage" },
        { name: "dependencies", color: "5319e7", description: "" },
        { name: "promoter:extra", color: "5319e7", description: "Promoter: promotions to stage" },
      ],
    ],
  ])("with config labels %j", (labels, expected) => {
    expect(proposalLabels("stage", { labels })).toEqual(expected);
  });
});

describe("releaseNotesRange", () => {
  const inventory = inventoryOf({ dev: { [SQS]: ["v0.9.0"] }, stage: { [SQS]: ["v0.8.0"] } });
  it.each([
    [
      "a git dependency",
      proposal,
      {
        origin: { type: "git", host: "github.com", owner: "acme", repo: "terraform-aws-sqs" },
        from: "v0.8.0",
      },
    ],
    ["from no version", { ...proposal, from: [] }, undefined],
    [
      "a dependency the inventory does not have",
      { ...proposal, dependency: "acme/other/x" },
      undefined,
    ],
  ])("%s", (_what, p, expected) => {
    expect(releaseNotesRange(inventory, p)).toEqual(expected);
  });

  it("gives none for a registry module", () => {
    const registry = inventoryOf({ dev: { "hashicorp/consul/aws": ["0.1.0"] } });
    const dependency = registry.environments[0]?.dependencies[0];
    if (dependency)
      dependency.origin = {
        type: "registry",
        namespace: "hashicorp",
        name: "consul",
        provider: "aws",
      };
    expect(
      releaseNotesRange(registry, { dependency: "hashicorp/consul/aws", from: ["0.1.0"] }),
    ).toBeUndefined();
  });
});

describe("stray branches", () => {
  const needed = neededBranches(
    [{ key: KEY }],
    [
      pull({ headRef: "promoter/dev/acme/open" }),
      pull({ headRef: "promoter/dev/acme/closed", state: "closed" }),
      pull({ headRef: "promoter/dev/acme/fork", fromFork: true }),
    ],
  );

  it("needs the proposals' branches and those of open PRs of the repository itself", () => {
    expect([...needed].sort()).toEqual(["promoter/dev/acme/open", KEY].sort());
  });

  it.each([
    [KEY, { status: "needed" }],
    ["promoter/dev/acme/open", { status: "needed" }],
    ["promoter/dev/acme/closed", { status: "candidate" }],
    ["promoter/dev/acme/fork", { status: "candidate" }],
    [
      "promoter/qa/acme/x",
      {
        status: "left-alone",
        warning:
          "this branch is not one Promoter creates (`promoter/<environment>/<dependency>`): Promoter leaves it alone",
      },
    ],
    [
      "promoter/dev/onlyone",
      {
        status: "left-alone",
        warning:
          "this branch is not one Promoter creates (`promoter/<environment>/<dependency>`): Promoter leaves it alone",
      },
    ],
  ])("%s", (branch, expected) => {
    expect(strayBranchStatus(branch, needed, ["dev", "stage"])).toEqual(expected);
  });

  it("takes an artifact's branch, one component, for the app's form", () => {
    const artifacts = new Set(["onlyone"]);
    expect(strayBranchStatus("promoter/dev/onlyone", needed, ["dev"], artifacts)).toEqual({
      status: "candidate",
    });
  });

  it("warns of a stray branch with a person's commits", () => {
    expect(foreignStrayBranchWarning([personCommit])).toBe(
      "this branch has commits that are not Promoter's (bbbbbbb): Promoter leaves it alone",
    );
  });
});
