import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { scan } from "../../src/iac/scanner.js";
import { existingPromotions } from "../../src/promotion/existing-promotions.js";
import type { PullRequestInfo } from "../../src/promotion/github-facts.js";
import {
  groupedProposals,
  groupOf,
  heldBackMembers,
  isGroupProposal,
  type GroupProposal,
} from "../../src/promotion/groups.js";
import { obsoletePullRequests } from "../../src/promotion/obsolete-pull-requests.js";
import { plan } from "../../src/promotion/plan.js";
import { openPullRequestOf, openPullRequestOutcome } from "../../src/promotion/proposal-writing.js";
import {
  groupPullRequestBody,
  groupPullRequestTitle,
  MAX_PULL_REQUEST_BODY,
  metadataComment,
  metadataOf,
  parseMetadata,
} from "../../src/promotion/pull-request-content.js";
import { configFrom, sourceFiles } from "../iac/helpers.js";

const APP = "promoter[bot]";
const VPC = "acme/terraform-aws-vpc";
const SUBNETS = "acme/terraform-aws-vpc/subnets";
const SQS = "acme/terraform-aws-sqs";
const OTHER = "other/terraform-x";

const unit = (repo: string, version: string, subpath = "") =>
  `terraform {\n  source = "git::https://github.com/${repo}.git${subpath}?ref=${version}"\n}\n`;

const CONFIG = `
environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
  - name: prod
    paths: ["prod/**"]
    promotion: manual
groups:
  - name: acme
    dependencies: ["acme/**"]
  - name: everything
    dependencies: ["**"]
`;

const FILES = {
  "dev/vpc/terragrunt.hcl": unit("acme/terraform-aws-vpc", "v1.1.0"),
  "dev/subnets/terragrunt.hcl": unit("acme/terraform-aws-vpc", "v1.1.0", "//subnets"),
  "dev/sqs/terragrunt.hcl": unit("acme/terraform-aws-sqs", "v0.9.0"),
  "dev/x/terragrunt.hcl": unit("other/terraform-x", "v2.0.0"),
  "stage/vpc/terragrunt.hcl": unit("acme/terraform-aws-vpc", "v1.0.0"),
  "stage/subnets/terragrunt.hcl": unit("acme/terraform-aws-vpc", "v1.0.0", "//subnets"),
  "stage/sqs/terragrunt.hcl": unit("acme/terraform-aws-sqs", "v0.8.0"),
  "stage/x/terragrunt.hcl": unit("other/terraform-x", "v1.0.0"),
};

function planned(config = configFrom(CONFIG), files: Record<string, string> = FILES) {
  const { inventory } = scan(sourceFiles(files), config);
  const decided = plan(inventory, new Map(), config, []);
  return { config, inventory, decided, grouped: groupedProposals(decided.proposals, config) };
}

const group = (proposals: ReturnType<typeof groupedProposals>, name: string) =>
  proposals.find((p): p is GroupProposal => isGroupProposal(p) && p.group === name);

describe("groupOf", () => {
  it("is the first group whose globs match the id; none for an id no group lists", () => {
    const of = groupOf(configFrom(CONFIG));
    expect(of(SUBNETS)).toBe("acme");
    expect(of(OTHER)).toBe("everything");
    expect(groupOf({ groups: [] })(VPC)).toBeUndefined();
  });
});

describe("groupedProposals", () => {
  it("puts a group's members of one environment in one proposal, each at its own version", () => {
    const { grouped } = planned();
    expect(grouped.map((p) => p.key)).toEqual([
      "promoter/stage/group-acme",
      "promoter/stage/group-everything",
    ]);
    const acme = group(grouped, "acme");
    expect(acme?.members.map((m) => `${m.dependency} ${m.from.join()}→${m.to}`)).toEqual([
      `${SQS} v0.8.0→v0.9.0`,
      `${VPC} v1.0.0→v1.1.0`,
      `${SUBNETS} v1.0.0→v1.1.0`,
    ]);
    expect(acme?.reason).toBe("promotion");
    expect(acme?.files).toEqual([
      "stage/sqs/terragrunt.hcl",
      "stage/subnets/terragrunt.hcl",
      "stage/vpc/terragrunt.hcl",
    ]);
    expect(acme?.edits).toHaveLength(3);
  });

  it("leaves the proposals as they are without groups", () => {
    const config = configFrom(CONFIG.replace(/groups:[\s\S]*$/, ""));
    const { decided, grouped } = planned(config);
    expect(grouped).toEqual(decided.proposals);
    expect(grouped).toHaveLength(4);
  });

  it("names in the group's PR the members that cannot move, with why", () => {
    const { config, inventory } = planned();
    const decided = plan(inventory, new Map(), config, [
      { environment: "stage", dependency: SQS, to: "v0.9.0", state: "closed", number: 4 },
    ]);
    const acme = group(groupedProposals(decided.proposals, config), "acme");
    expect(acme?.members.map((m) => m.dependency)).toEqual([VPC, SUBNETS]);
    const held = heldBackMembers(acme as GroupProposal, decided.deferred, config);
    expect(held.map((d) => `${d.dependency}: ${d.reason}`)).toEqual([
      `${SQS}: v0.9.0 was declined: #4 was closed without merging`,
    ]);
  });
});

const pull = (
  headRef: string,
  body: string,
  fields: Partial<PullRequestInfo> = {},
): PullRequestInfo => ({
  number: 12,
  state: "open",
  merged: false,
  headRef,
  headSha: "h",
  fromFork: false,
  baseRef: "main",
  title: "t",
  body,
  labels: [],
  author: APP,
  ...fields,
});

describe("a group's PR", () => {
  const { config, inventory, grouped } = planned();
  const acme = group(grouped, "acme") as GroupProposal;
  const body = (notes: { dependency: string; notes: string }[] = []) =>
    groupPullRequestBody(acme, { config, inventory, releaseNotes: notes, heldBack: [] });

  it("remembers each member's versions in its metadata, read back only from its own branch", () => {
    const metadata = parseMetadata(body());
    expect(metadata).toEqual(metadataOf(acme));
    expect(metadata).toMatchObject({
      env: "stage",
      group: "acme",
      members: [
        { dependency: SQS, from: ["v0.8.0"], to: "v0.9.0" },
        { dependency: VPC, from: ["v1.0.0"], to: "v1.1.0" },
        { dependency: SUBNETS, from: ["v1.0.0"], to: "v1.1.0" },
      ],
    });
    const own = pull(acme.key, body());
    expect(existingPromotions([own], APP).map((p) => `${p.dependency} ${p.to} ${p.group}`)).toEqual(
      [`${SQS} v0.9.0 acme`, `${VPC} v1.1.0 acme`, `${SUBNETS} v1.1.0 acme`],
    );
    expect(existingPromotions([pull("promoter/stage/group-other", body())], APP)).toEqual([]);
    expect(existingPromotions([{ ...own, author: "mallory" }], APP)).toEqual([]);
  });

  it("is unchanged when its metadata proposes exactly the members' versions, rewritten otherwise", () => {
    const open = pull(acme.key, body());
    expect(openPullRequestOf(acme, [open])).toBe(open);
    expect(openPullRequestOutcome(acme, open, APP)).toEqual({
      action: "unchanged",
      pullRequest: 12,
    });
    const fewer = { ...acme, members: acme.members.slice(1) };
    expect(openPullRequestOutcome(fewer, open, APP)).toBeUndefined();
    const newer = { ...acme, members: acme.members.map((m) => ({ ...m, to: "v9.0.0" })) };
    expect(openPullRequestOutcome(newer, open, APP)).toBeUndefined();
  });

  it("has a title naming every member's version, and a body where copied text stays text", () => {
    expect(groupPullRequestTitle(acme)).toBe(
      `[promoter] stage: acme (${SQS} v0.9.0, ${VPC} v1.1.0, ${SUBNETS} v1.1.0)`,
    );
    const hostile = body([
      { dependency: VPC, notes: "@mallory see #1 <!-- promoter: {} --> <img src=x>" },
    ]);
    expect(hostile).not.toContain("@mallory");
    expect(hostile).not.toContain("<img");
    expect(hostile.match(/<!-- promoter:/g)).toHaveLength(1);
    expect(parseMetadata(hostile)).toEqual(metadataOf(acme));
    expect(hostile).toContain("Release notes: `acme/terraform-aws-vpc`");
  });

  it("fits every member's release notes within GitHub's limit", () => {
    const long = acme.members.map((m) => ({
      dependency: m.dependency,
      notes: "x ".repeat(40_000),
    }));
    const text = body(long);
    expect(text.length).toBeLessThanOrEqual(MAX_PULL_REQUEST_BODY);
    expect(text.match(/<summary>Release notes/g)).toHaveLength(3);
    expect(parseMetadata(text)).toEqual(metadataOf(acme));
  });

  it("is not read as a group's metadata when a member is malformed", () => {
    const bad = metadataComment({ ...metadataOf(acme), members: [{ dependency: 1 }] } as never);
    expect(parseMetadata(bad)).toBeUndefined();
  });
});

describe("obsolete group PRs", () => {
  const { config, inventory, grouped } = planned();
  const acme = group(grouped, "acme") as GroupProposal;
  const open = pull(
    acme.key,
    groupPullRequestBody(acme, { config, inventory, releaseNotes: [], heldBack: [] }),
  );
  const reasons = (proposals: typeof grouped, cfg = config, inv = inventory) =>
    obsoletePullRequests([open], APP, proposals, inv, cfg).map((o) => o.reason);

  it("stays while its group is proposed", () => {
    expect(reasons(grouped)).toEqual([]);
  });

  it("goes when every member is there already (a person bumped them), or the group left the config", () => {
    const bumped = planned(config, {
      ...FILES,
      "stage/vpc/terragrunt.hcl": unit("acme/terraform-aws-vpc", "v1.1.0"),
      "stage/subnets/terragrunt.hcl": unit("acme/terraform-aws-vpc", "v1.1.0", "//subnets"),
      "stage/sqs/terragrunt.hcl": unit("acme/terraform-aws-sqs", "v0.9.0"),
    });
    expect(reasons([], config, bumped.inventory)).toEqual([
      "stage already runs `acme/terraform-aws-sqs` `v0.9.0`; stage already runs `acme/terraform-aws-vpc` `v1.1.0`; stage already runs `acme/terraform-aws-vpc/subnets` `v1.1.0`",
    ]);
    const without = configFrom(
      CONFIG.replace('  - name: acme\n    dependencies: ["acme/**"]\n', ""),
    );
    expect(reasons([], without)).toEqual([
      "the group `acme` is no longer in `.github/promoter.yml`",
    ]);
  });

  it("stays when nothing proposes it but its members still have to move (held back)", () => {
    expect(reasons([])).toEqual([]);
  });

  it("closes a dependency's own PR once the dependency is in a group", () => {
    const single = pull(
      "promoter/stage/acme+terraform-aws-sqs",
      `x\n\n${metadataComment({ v: 1, env: "stage", dependency: SQS, from: ["v0.8.0"], to: "v0.9.0" })}`,
      { number: 3 },
    );
    expect(
      obsoletePullRequests([single], APP, grouped, inventory, config).map((o) => o.reason),
    ).toEqual([
      "`acme/terraform-aws-sqs` is now in the group `acme` (`groups` in `.github/promoter.yml`), whose pull request carries it",
    ]);
  });
});

describe("groups in the config", () => {
  const parse = (groups: string) =>
    parseConfig(
      `environments:\n  - name: dev\n    paths: ["dev/**"]\ngroups:\n${groups}`,
      ".github/promoter.yml",
    );

  it.each([
    ['  - name: "a b"\n    dependencies: ["x/**"]', "may only contain letters"],
    ['  - name: a..b\n    dependencies: ["x/**"]', '".."'],
    ['  - name: x.lock\n    dependencies: ["x/**"]', ".lock"],
    ["  - name: aws\n    dependencies: []", "at least one"],
    [
      '  - name: aws\n    dependencies: ["x/**"]\n  - name: AWS\n    dependencies: ["y/**"]',
      "already used by groups[0]",
    ],
    ['  - name: aws\n    deps: ["x/**"]', "deps"],
  ])("refuses %j", (groups, message) => {
    const parsed = parse(groups);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.errors.map((e) => `${e.path}: ${e.message}`).join("\n")).toContain(message);
  });

  it("accepts a group by module repository and defaults to none", () => {
    const parsed = parse(
      '  - name: vpc\n    dependencies: ["acme/terraform-aws-vpc", "acme/terraform-aws-vpc/**"]',
    );
    expect(parsed.ok && parsed.config.groups).toEqual([
      { name: "vpc", dependencies: ["acme/terraform-aws-vpc", "acme/terraform-aws-vpc/**"] },
    ]);
    expect(configFrom('environments:\n  - name: dev\n    paths: ["dev/**"]\n').groups).toEqual([]);
  });
});
