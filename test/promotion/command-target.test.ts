import { describe, expect, it } from "vitest";
import type { PullRequestInfo } from "../../src/promotion/github-facts.js";
import {
  commandDecision,
  noConfigReply,
  permissionRefusal,
  trustedMetadata,
  type CommandDecision,
  type CommandFacts,
} from "../../src/promotion/command-target.js";
import { parseCommand, type Command } from "../../src/promotion/commands.js";
import {
  metadataComment,
  type PromotionMetadata,
} from "../../src/promotion/pull-request-content.js";
import { configFrom } from "../iac/helpers.js";
import { inventoryOf } from "./inventories.js";

const APP = "promoter[bot]";
const VPC = "acme/terraform-aws-vpc/vpc";
const config = configFrom(`
environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
  - name: prod
    paths: ["prod/**"]
    promoters: ["acme/releasers", "Alice", "acme/sre"]
`);
const skipping = configFrom(`
allowSkipping: true
environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
`);
const inventory = inventoryOf({
  dev: { [VPC]: ["v1.3.0"] },
  stage: { [VPC]: ["v1.2.0"] },
  prod: { [VPC]: ["v1.1.0"] },
});
const metadata: PromotionMetadata = {
  v: 1,
  env: "dev",
  dependency: VPC,
  from: ["v1.2.0"],
  to: "v1.3.0",
};

function commandOf(text: string): Command {
  const command = parseCommand(text);
  if (!command) throw new Error(`no command in ${text}`);
  return command;
}

/** The decision, in short: `reply: <text>`, `promote env dep@version`, or the read asked for. */
function decide(text: string, facts: CommandFacts = {}, author = "bob", c = config): string {
  const decision: CommandDecision = commandDecision(
    { command: commandOf(text), config: c, inventory, author },
    facts,
  );
  switch (decision.kind) {
    case "reply":
      return `reply: ${decision.text}`;
    case "promote": {
      const { environment, dependency, version } = decision.request;
      return `promote ${environment} ${dependency}@${version}`;
    }
    case "read-metadata":
      return "read metadata";
    case "read-team":
      return `read team ${decision.org}/${decision.team}`;
    case "read-listed":
      return `read versions of ${decision.dependency.id}`;
  }
}

describe("permissionRefusal", () => {
  it.each([
    ["admin", undefined],
    ["maintain", undefined],
    ["write", undefined],
    [
      "triage",
      "`/promote` needs write, maintain or admin permission on this repository; you have triage.",
    ],
    [
      "read",
      "`/promote` needs write, maintain or admin permission on this repository; you have read.",
    ],
    [
      "none",
      "`/promote` needs write, maintain or admin permission on this repository; you have none.",
    ],
  ] as const)("%s", (permission, expected) => {
    expect(permissionRefusal(permission)).toBe(expected);
  });
});

describe("noConfigReply", () => {
  it("names the default branch as code", () => {
    expect(noConfigReply("main")).toBe(
      "Promoter has no usable `.github/promoter.yml` on `main`: see its `promoter` check run.",
    );
  });
});

describe("trustedMetadata", () => {
  const pull = (fields: Partial<PullRequestInfo>) => ({
    author: APP,
    fromFork: false,
    headRef: `promoter/dev/${VPC}`,
    body: metadataComment(metadata),
    ...fields,
  });
  it.each([
    ["the app's own PR", {}, metadata],
    ["a person's PR", { author: "mallory" }, undefined],
    ["a fork's PR", { fromFork: true }, undefined],
    ["metadata naming another branch", { headRef: "promoter/dev/acme/other" }, undefined],
    [
      "metadata whose dependency is no id",
      {
        headRef: "promoter/dev/vpc",
        body: metadataComment({ ...metadata, dependency: "vpc" }),
      },
      undefined,
    ],
  ] as const)("%s", (_what, fields, expected) => {
    expect(trustedMetadata(pull(fields), APP)).toEqual(expected);
  });
});

describe("commandDecision", () => {
  it.each([
    ["/help", {}, "reply: **Promoter's commands**"],
    [
      "/promote qa " + VPC,
      {},
      "reply: there is no environment `qa`; the environments are `dev`, `stage`, `prod`.",
    ],
    ["/promote", {}, "read metadata"],
    ["/promote stage", {}, "read metadata"],
    [
      "/promote",
      { metadata: null },
      "reply: name the environment: `/promote <environment> <dependency-id>`.",
    ],
    ["/promote", { metadata }, `promote stage ${VPC}@v1.3.0`],
    [
      "/promote",
      { metadata: { ...metadata, env: "qa" } },
      "reply: this pull request promotes to `qa`, which is not an environment of .github/promoter.yml: nothing was promoted.",
    ],
    [
      "/promote",
      { metadata: { ...metadata, env: "prod" } },
      "reply: prod is the last environment: there is nowhere to promote to.",
    ],
    [
      "/promote stage",
      { metadata: null },
      "reply: name the dependency: `/promote stage <dependency-id>`.",
    ],
    ["/promote stage", { metadata }, `promote stage ${VPC}@v1.3.0`],
    [`/promote stage ${VPC}`, {}, `promote stage ${VPC}@v1.3.0`],
    [
      `/promote stage ${VPC}@v1.2.5`,
      {},
      "reply: `" +
        VPC +
        "` `v1.2.5` has not run in dev (it runs `v1.3.0`), so it cannot go to stage. Promote it to dev first, or set `allowSkipping: true` in .github/promoter.yml.",
    ],
    [
      `/promote stage acme/other/x`,
      {},
      "reply: stage does not use `acme/other/x`: nothing to promote.",
    ],
    [`/promote dev ${VPC}`, {}, "reply: name the version: `/promote dev " + VPC + "@<version>`."],
    [`/promote dev ${VPC}@v1.4.0`, {}, `read versions of ${VPC}`],
    [`/promote dev ${VPC}@v1.4.0`, { listed: ["v1.3.0", "v1.4.0"] }, `promote dev ${VPC}@v1.4.0`],
    [
      `/promote dev ${VPC}@v1.4.0`,
      { listed: ["v1.3.0"] },
      "reply: `" + VPC + "` has no version `v1.4.0`.",
    ],
    [`/promote dev ${VPC}@v1.4.0`, { listed: null }, `promote dev ${VPC}@v1.4.0`],
  ] as [string, CommandFacts, string][])("%s with %j", (text, facts, expected) => {
    const decided = decide(text, facts);
    if (expected.startsWith("reply: **")) expect(decided.startsWith(expected)).toBe(true);
    else expect(decided).toBe(expected);
  });

  it("on a group's PR: the next environment, and names the members to choose from", () => {
    const group = {
      v: 1 as const,
      env: "dev",
      group: "acme",
      members: [{ dependency: VPC, from: ["v1.2.0"], to: "v1.3.0" }],
    };
    expect(decide("/promote", { metadata: group })).toBe(
      "reply: name the dependency: `/promote stage <dependency-id>` (this pull request moves `" +
        VPC +
        "`).",
    );
    expect(decide(`/promote stage ${VPC}`, { metadata: group })).toBe(
      `promote stage ${VPC}@v1.3.0`,
    );
    const pull = {
      author: APP,
      fromFork: false,
      headRef: "promoter/dev/group-acme",
      body: metadataComment(group),
    };
    expect(trustedMetadata(pull, APP)).toEqual(group);
    expect(trustedMetadata({ ...pull, headRef: "promoter/dev/group-other" }, APP)).toBeUndefined();
    const notAnId = { ...group, members: [{ dependency: "vpc", from: [], to: "v1" }] };
    expect(trustedMetadata({ ...pull, body: metadataComment(notAnId) }, APP)).toBeUndefined();
  });

  it("takes the version from the metadata only for the metadata's own dependency", () => {
    const other = { ...metadata, dependency: "acme/other/x" };
    expect(decide(`/promote stage`, { metadata: other })).toBe(
      "reply: stage does not use `acme/other/x`: nothing to promote.",
    );
    expect(decide(`/promote stage ${VPC}`, { metadata: other })).toBe(
      `promote stage ${VPC}@v1.3.0`,
    );
  });

  it("asks the environment before it when several versions run there", () => {
    const several = inventoryOf({
      dev: { [VPC]: ["v1.3.0", "v1.4.0"] },
      stage: { [VPC]: ["v1.2.0"] },
    });
    const decision = commandDecision(
      { command: commandOf(`/promote stage ${VPC}`), config, inventory: several, author: "bob" },
      {},
    );
    expect(decision).toEqual({
      kind: "reply",
      text:
        "dev runs `v1.3.0`, `v1.4.0` of `" +
        VPC +
        "`: name the version, `/promote stage " +
        VPC +
        "@<version>`.",
    });
  });

  it("skips an environment with allowSkipping", () => {
    expect(decide(`/promote stage ${VPC}@v1.2.5`, {}, "bob", skipping)).toBe(
      `promote stage ${VPC}@v1.2.5`,
    );
  });

  describe("promoters", () => {
    const prod = `/promote prod ${VPC}`;
    const refusal = "reply: promotions to prod are for `acme/releasers`, `Alice`, `acme/sre` only.";
    it.each([
      [
        "a login listed, after a team asked",
        "alice",
        { teams: new Map([["acme/releasers", false]]) },
        `promote prod ${VPC}@v1.2.0`,
      ],
      [
        "a login listed: the team before it is asked first",
        "alice",
        {},
        "read team acme/releasers",
      ],
      [
        "a member of the first team",
        "bob",
        { teams: new Map([["acme/releasers", true]]) },
        `promote prod ${VPC}@v1.2.0`,
      ],
      [
        "not in the first team: the next is asked",
        "bob",
        { teams: new Map([["acme/releasers", false]]) },
        "read team acme/sre",
      ],
      [
        "a member of the last team",
        "bob",
        {
          teams: new Map([
            ["acme/releasers", false],
            ["acme/sre", true],
          ]),
        },
        `promote prod ${VPC}@v1.2.0`,
      ],
      [
        "in no team",
        "bob",
        {
          teams: new Map([
            ["acme/releasers", false],
            ["acme/sre", false],
          ]),
        },
        refusal,
      ],
    ] as [string, string, CommandFacts, string][])("%s", (_what, author, facts, expected) => {
      expect(decide(prod, facts, author)).toBe(expected);
    });

    it("lets anyone promote to an environment without promoters", () => {
      expect(decide(`/promote stage ${VPC}`, {}, "anyone")).toBe(`promote stage ${VPC}@v1.3.0`);
    });
  });
});
