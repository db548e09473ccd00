import { describe, expect, it } from "vitest";
import type { PullRequestInfo } from "../../src/promotion/github-facts.js";
import {
  appPullRequestMetadata,
  existingPromotions,
  heldForMergesSinceRead,
  isAppPullRequest,
} from "../../src/promotion/existing-promotions.js";
import type { Proposal } from "../../src/promotion/plan.js";
import { metadataComment } from "../../src/promotion/pull-request-content.js";

const APP = "promoter[bot]";
const SQS = "acme/terraform-aws-sqs";

const pull = (fields: Partial<PullRequestInfo> = {}): PullRequestInfo => ({
  number: 3,
  state: "closed",
  merged: false,
  headRef: `promoter/dev/${SQS}`,
  headSha: "h",
  fromFork: false,
  baseRef: "main",
  title: "t",
  body: metadataComment({ v: 1, env: "dev", dependency: SQS, from: ["v0.8.0"], to: "v0.9.0" }),
  labels: ["promoter:dev"],
  author: APP,
  ...fields,
});

describe("existingPromotions", () => {
  it("reads the app's own PRs: declined, merged with a hold, open", () => {
    const promotions = existingPromotions(
      [
        pull(),
        pull({ number: 4, merged: true, labels: ["promoter:dev", "promoter:hold"] }),
        pull({ number: 5, state: "open" }),
      ],
      APP,
    );
    expect(promotions).toEqual([
      {
        environment: "dev",
        dependency: SQS,
        to: "v0.9.0",
        state: "closed",
        number: 3,
        hold: false,
      },
      { environment: "dev", dependency: SQS, to: "v0.9.0", state: "merged", number: 4, hold: true },
      { environment: "dev", dependency: SQS, to: "v0.9.0", state: "open", number: 5, hold: false },
    ]);
  });

  it("reads no metadata from a person's PR, a fork's, or one whose metadata does not name its branch", () => {
    const promotions = existingPromotions(
      [
        pull({ author: "mallory" }),
        pull({ author: "mallory", merged: true, labels: ["promoter:dev", "promoter:hold"] }),
        pull({ fromFork: true }),
        pull({ headRef: "promoter/dev/acme/other" }),
      ],
      APP,
    );
    expect(promotions).toEqual([]);
  });
});

describe("isAppPullRequest", () => {
  it.each([
    ["the app's, from the repository itself", {}, true],
    ["a person's", { author: "mallory" }, false],
    ["the app's login on a fork's branch", { fromFork: true }, false],
  ] as const)("%s: %s", (_what, fields, expected) => {
    expect(isAppPullRequest(pull(fields), APP)).toBe(expected);
  });
});

describe("appPullRequestMetadata", () => {
  const metadata = { v: 1, env: "dev", dependency: SQS, from: ["v0.8.0"], to: "v0.9.0" };
  it.each([
    ["the app's PR whose metadata names its branch", {}, metadata],
    ["a person's PR with the same metadata", { author: "mallory" }, undefined],
    ["a fork's PR", { fromFork: true }, undefined],
    ["metadata naming another branch", { headRef: "promoter/stage/" + SQS }, undefined],
    ["no metadata", { body: "hand-written" }, undefined],
  ] as const)("%s", (_what, fields, expected) => {
    expect(appPullRequestMetadata(pull(fields), APP)).toEqual(expected);
  });
});

describe("heldForMergesSinceRead", () => {
  const READ_AT = Date.parse("2026-06-01T12:00:00Z");
  const proposal = (to: string): Proposal => ({
    key: "promoter/dev/acme+terraform-aws-sqs",
    environment: "dev",
    dependency: SQS,
    from: ["v0.8.0"],
    to,
    reason: "update",
    edits: [],
    files: [],
    untouched: [],
  });
  const merged = (at: string, fields: Partial<PullRequestInfo> = {}) =>
    pull({ merged: true, mergedAt: at, headRef: "promoter/dev/acme+terraform-aws-sqs", ...fields });
  const held = (pr: PullRequestInfo, to = "v0.9.0") =>
    heldForMergesSinceRead({ proposals: [proposal(to)], deferred: [] }, [pr], APP, READ_AT);

  it("holds back what the app's PR from the branch carried, merged as the check read the repository", () => {
    const result = held(merged("2026-06-01T12:00:05Z"));
    expect(result.proposals).toEqual([]);
    expect(result.deferred.map((d) => d.reason)).toEqual([
      "v0.9.0 waits: #3 from its branch was merged as this check read the repository; the next check sees that merge",
    ]);
  });

  it.each([
    ["merged long before the read", merged("2026-06-01T11:00:00Z"), "v0.9.0"],
    ["a newer version than the merged one", merged("2026-06-01T12:00:05Z"), "v1.0.0"],
    ["a person's merged PR", merged("2026-06-01T12:00:05Z", { author: "mallory" }), "v0.9.0"],
    ["a PR closed without merging", merged("2026-06-01T12:00:05Z", { merged: false }), "v0.9.0"],
  ])("keeps the proposal: %s", (_what, pr, to) => {
    expect(held(pr, to).proposals).toHaveLength(1);
  });
});
