import { describe, expect, it } from "vitest";
import { scan } from "../../src/iac/scanner.js";
import type { WriteOutcome } from "../../src/promotion/check-report.js";
import type { Proposal } from "../../src/promotion/plan.js";
import {
  describePromotion,
  promotionFor,
  versionsIn,
  type PromotionResult,
} from "../../src/promotion/requested-promotion.js";
import { sourceFiles, threeEnvConfig } from "../iac/helpers.js";
import { inventoryOf } from "./inventories.js";

const VPC = "acme/terraform-aws-vpc/vpc-app";
const unit = (version: string) =>
  `terraform {\n  source = "git::git@github.com:acme/terraform-aws-vpc.git//modules/vpc-app?ref=${version}"\n}\n`;

describe("versionsIn", () => {
  const inventory = inventoryOf({ dev: { [VPC]: ["v1.0.0", "v1.1.0"] }, stage: {} });
  it.each([
    ["dev", VPC, ["v1.0.0", "v1.1.0"]],
    ["stage", VPC, []],
    ["prod", VPC, []],
    ["dev", "acme/other", []],
  ])("%s %s: %j", (environment, dependency, expected) => {
    expect(versionsIn(inventory, environment, dependency)).toEqual(expected);
  });
});

describe("promotionFor", () => {
  const { inventory } = scan(
    sourceFiles({
      "dev-a/vpc/terragrunt.hcl": unit("v1.2.0"),
      "stage-a/vpc/terragrunt.hcl": unit("v1.1.0"),
      "stage-b/vpc/terragrunt.hcl": unit("v1.3.0"),
    }),
    threeEnvConfig,
  );
  const decide = (environment: string, dependency: string, version: string) =>
    promotionFor(inventory, threeEnvConfig, { environment, dependency, version });

  it.each([
    [
      "an environment without the dependency",
      "prod",
      VPC,
      "v1.2.0",
      "refused: prod does not use " + VPC,
    ],
    ["the version it runs", "dev", VPC, "v1.2.0", "already: v1.2.0"],
    ["an older version", "dev", VPC, "v1.0.0", "already: v1.2.0"],
    ["a version some usages are past", "stage", VPC, "v1.2.0", "propose: v1.1.0,v1.3.0→v1.2.0"],
    ["a newer version", "dev", VPC, "v1.4.0", "propose: v1.2.0→v1.4.0"],
    ["a version that is no version", "dev", VPC, "main", 'refused: "main" is not a version'],
  ])("%s", (_what, environment, dependency, version, expected) => {
    const decided = decide(environment, dependency, version);
    const summary =
      decided.status === "refused"
        ? `refused: ${decided.reason}`
        : decided.status === "already"
          ? `already: ${decided.versions.join(",")}`
          : `propose: ${decided.proposal.from.join(",")}→${decided.proposal.to}`;
    expect(summary).toBe(expected);
  });

  it("proposes the promotion under the environment's branch, for every usage", () => {
    const decided = decide("stage", VPC, "v1.3.0");
    expect(decided.status).toBe("propose");
    if (decided.status !== "propose") return;
    expect(decided.proposal).toMatchObject({
      key: "promoter/stage/acme+terraform-aws-vpc+vpc-app",
      reason: "promotion",
      files: ["stage-a/vpc/terragrunt.hcl"],
    });
  });
});

describe("describePromotion", () => {
  const request = { environment: "stage", dependency: VPC, version: "v1.4.0" };
  const written = (outcome: Partial<WriteOutcome>): PromotionResult => ({
    status: "written",
    outcome: {
      key: "k",
      environment: "stage",
      dependency: VPC,
      to: "v1.4.0",
      action: "created",
      ...outcome,
    },
    proposal: {} as Proposal,
  });
  it.each([
    [
      "already there",
      { status: "already", versions: ["v1.4.0", "v1.5.0"] },
      `stage already runs \`${VPC}\` \`v1.4.0\`, \`v1.5.0\`: nothing to promote.`,
    ],
    [
      "refused",
      { status: "refused", reason: "stage does not use it" },
      `\`${VPC}\` \`v1.4.0\` cannot be promoted to stage: stage does not use it.`,
    ],
    [
      "created",
      written({ action: "created", pullRequest: 7 }),
      `Opened #7 to promote \`${VPC}\` \`v1.4.0\` to stage.`,
    ],
    [
      "updated",
      written({ action: "updated", pullRequest: 7 }),
      `Updated #7 to promote \`${VPC}\` \`v1.4.0\` to stage.`,
    ],
    [
      "unchanged",
      written({ action: "unchanged", pullRequest: 7 }),
      `Already open: #7 to promote \`${VPC}\` \`v1.4.0\` to stage.`,
    ],
    [
      "failed",
      written({ action: "failed", reason: "boom" }),
      `\`${VPC}\` \`v1.4.0\` was not promoted to stage: boom.`,
    ],
    [
      "left alone, without a reason",
      written({ action: "left-alone", reason: "" }),
      `\`${VPC}\` \`v1.4.0\` was not promoted to stage: left-alone.`,
    ],
  ] as [string, PromotionResult, string][])("%s", (_what, result, expected) => {
    expect(describePromotion(result, request)).toBe(expected);
  });
});
