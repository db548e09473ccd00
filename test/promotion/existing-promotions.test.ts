import { describe, expect, it } from "vitest";
import type { PullRequestInfo } from "../../src/promotion/github-facts.js";
import {
  appPullRequestMetadata,
  existingPromotions,
  isAppPullRequest,
} from "../../src/promotion/existing-promotions.js";
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
