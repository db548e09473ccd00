import { describe, expect, it } from "vitest";
import {
  broughtByMerge,
  changedVersions,
  mergeFollowUps,
  type MergeFollowUp,
} from "../../src/promotion/merge-promotion.js";
import type { MergeSource } from "../../src/promotion/merged-pull-request.js";
import { inventoryOf } from "./inventories.js";

const VPC = "acme/terraform-aws-vpc/vpc";
const SQS = "acme/terraform-aws-sqs/sqs";

describe("changedVersions", () => {
  const before = inventoryOf({ dev: { [VPC]: ["v1.0.0"], [SQS]: ["v2.0.0"] } });
  it.each([
    ["nothing changed", { [VPC]: ["v1.0.0"], [SQS]: ["v2.0.0"] }, []],
    [
      "one version moved",
      { [VPC]: ["v1.1.0"], [SQS]: ["v2.0.0"] },
      [{ dependency: VPC, version: "v1.1.0" }],
    ],
    [
      "several versions now: the newest",
      { [VPC]: ["v1.0.0", "v1.2.0"], [SQS]: ["v2.0.0"] },
      [{ dependency: VPC, version: "v1.2.0" }],
    ],
    [
      "a dependency added",
      { [VPC]: ["v1.0.0"], [SQS]: ["v2.0.0"], "acme/new/x": ["v0.1.0"] },
      [{ dependency: "acme/new/x", version: "v0.1.0" }],
    ],
    ["a dependency removed", { [VPC]: ["v1.0.0"] }, []],
  ])("%s", (_what, after, expected) => {
    expect(changedVersions(before, inventoryOf({ dev: after }), "dev")).toEqual(expected);
  });

  it("reads only the merge's environment", () => {
    const after = inventoryOf({
      dev: { [VPC]: ["v1.0.0"], [SQS]: ["v2.0.0"] },
      stage: { [VPC]: ["v9.0.0"] },
    });
    expect(changedVersions(before, after, "dev")).toEqual([]);
    expect(changedVersions(before, after, "stage")).toEqual([
      { dependency: VPC, version: "v9.0.0" },
    ]);
  });
});

describe("broughtByMerge", () => {
  const after = inventoryOf({ dev: { [VPC]: ["v1.0.0", "v1.3.0"], [SQS]: ["v2.1.0"] } });
  const before = inventoryOf({ dev: { [VPC]: ["v1.0.0", "v1.3.0"], [SQS]: ["v2.0.0"] } });
  const app: MergeSource = { kind: "app", environment: "dev", dependency: VPC };
  const labelled: MergeSource = { kind: "labelled", environment: "dev" };
  it.each([
    [
      "the app's PR: its dependency's newest version after the merge",
      app,
      before,
      [{ dependency: VPC, version: "v1.3.0" }],
    ],
    [
      "the app's PR whose dependency left the environment",
      { ...app, dependency: "acme/gone/x" },
      undefined,
      [],
    ],
    [
      "a labelled PR: what the merge changed",
      labelled,
      before,
      [{ dependency: SQS, version: "v2.1.0" }],
    ],
    ["a labelled PR without a parent commit", labelled, undefined, []],
  ] as const)("%s", (_what, source, parent, expected) => {
    expect(broughtByMerge(source, after, parent, { groups: [] })).toEqual(expected);
  });

  it("a group's PR: what the merge changed among the group's members, by the config", () => {
    const groupAfter = inventoryOf({
      dev: { [VPC]: ["v1.4.0"], [SQS]: ["v2.1.0"], "other/x/y": ["v3.0.0"] },
    });
    const groupBefore = inventoryOf({
      dev: { [VPC]: ["v1.3.0"], [SQS]: ["v2.0.0"], "other/x/y": ["v2.0.0"] },
    });
    const group: MergeSource = { kind: "group", environment: "dev", group: "acme" };
    const config = { groups: [{ name: "acme", dependencies: ["acme/**"] }] };
    expect(broughtByMerge(group, groupAfter, groupBefore, config)).toEqual([
      { dependency: VPC, version: "v1.4.0" },
      { dependency: SQS, version: "v2.1.0" },
    ]);
    expect(broughtByMerge(group, groupAfter, undefined, config)).toEqual([]);
  });
});

describe("mergeFollowUps", () => {
  const environments = [
    { name: "dev", promotion: "auto" },
    { name: "stage", promotion: "manual" },
    { name: "prod", promotion: "auto" },
  ] as const;
  const brought = [{ dependency: VPC, version: "v1.3.0" }];
  const summary = (followUps: MergeFollowUp[]) =>
    followUps.map((f) =>
      f.kind === "promote"
        ? `promote ${f.request.environment} ${f.request.dependency}@${f.request.version}`
        : f.line,
    );
  it.each([
    [
      "to the next environment",
      [
        { name: "dev", promotion: "auto" },
        { name: "stage", promotion: "auto" },
      ],
      "dev",
      [],
      [`promote stage ${VPC}@v1.3.0`],
    ],
    [
      "at the end of the chain",
      environments,
      "prod",
      [],
      [`\`${VPC}\` \`v1.3.0\` has reached prod, the end of the chain.`],
    ],
    [
      "on hold",
      [
        { name: "dev", promotion: "auto" },
        { name: "stage", promotion: "auto" },
      ],
      "dev",
      ["promoter:hold"],
      [
        `\`${VPC}\` \`v1.3.0\` is on hold (\`promoter:hold\`): comment \`/promote stage ${VPC}@v1.3.0\` to promote it to stage.`,
      ],
    ],
    [
      "to a manual environment",
      environments,
      "dev",
      [],
      [
        `stage is promoted by hand: comment \`/promote stage ${VPC}@v1.3.0\` to open its pull request.`,
      ],
    ],
    [
      "the end of the chain before a hold",
      environments,
      "prod",
      ["promoter:hold"],
      [`\`${VPC}\` \`v1.3.0\` has reached prod, the end of the chain.`],
    ],
  ] as const)("%s", (_what, chain, environment, labels, expected) => {
    expect(summary(mergeFollowUps(chain, environment, brought, labels, 5))).toEqual(expected);
  });

  it("names what the next environment waits for after a hold or a manual gate, as a check says it", () => {
    const auto = [
      { name: "dev", promotion: "auto" },
      { name: "stage", promotion: "auto" },
    ] as const;
    const [held] = mergeFollowUps(auto, "dev", brought, ["promoter:hold"], 5);
    expect(held).toMatchObject({
      wait: {
        environment: "stage",
        dependency: VPC,
        reason: "v1.3.0 is on hold (#5 has promoter:hold)",
        pullRequest: 5,
      },
    });
    const [manual] = mergeFollowUps(environments, "dev", brought, [], 5);
    expect(manual).toMatchObject({
      wait: {
        environment: "stage",
        dependency: VPC,
        reason: "v1.3.0 waits for `/promote stage` (promotion: manual)",
      },
    });
    const [end] = mergeFollowUps(environments, "prod", brought, [], 5);
    expect(end).not.toHaveProperty("wait");
  });

  it("has one follow-up per version brought, in order, and none for none", () => {
    const two = [...brought, { dependency: SQS, version: "v2.1.0" }];
    const chain = [
      { name: "dev", promotion: "auto" },
      { name: "stage", promotion: "auto" },
    ] as const;
    expect(summary(mergeFollowUps(chain, "dev", two, [], 5))).toEqual([
      `promote stage ${VPC}@v1.3.0`,
      `promote stage ${SQS}@v2.1.0`,
    ]);
    expect(mergeFollowUps(chain, "dev", [], [], 5)).toEqual([]);
  });
});
