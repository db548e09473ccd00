import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/index.js";
import { scan } from "../../src/iac/scanner.js";
import {
  dependenciesToList,
  plan,
  tagPrefixFor,
  type PromotionPullRequest,
} from "../../src/promotion/plan.js";
import { configFrom, sourceFiles } from "../iac/helpers.js";

const VPC = "acme/terraform-aws-vpc/vpc-app";
const unit = (
  version: string,
  source = "git::git@github.com:acme/terraform-aws-vpc.git//modules/vpc-app",
) => `terraform {\n  source = "${source}?ref=${version}"\n}\n`;

const baseConfig = `
environments:
  - name: dev
    paths: ["dev-*/**"]
  - name: stage
    paths: ["stage-*/**"]
  - name: prod
    paths: ["prod-*/**"]
`;

function planFor(
  files: Record<string, string>,
  versions: Record<string, string[]>,
  options: { config?: Config; existing?: PromotionPullRequest[] } = {},
) {
  const config = options.config ?? configFrom(baseConfig);
  const { inventory } = scan(sourceFiles(files), config);
  return plan(inventory, new Map(Object.entries(versions)), config, options.existing ?? []);
}

const summary = (p: ReturnType<typeof planFor>) =>
  p.proposals.map(
    (x) => `${x.environment} ${x.dependency} ${x.from.join(",")}→${x.to} ${x.reason}`,
  );

describe("plan: the first environment", () => {
  it("proposes the strategy's version, bringing every usage to it, with its edits and key", () => {
    const result = planFor(
      {
        "dev-a/vpc/terragrunt.hcl": unit("v1.2.0"),
        "dev-b/vpc/terragrunt.hcl": unit("v1.1.0"),
      },
      { [VPC]: ["v1.1.0", "v1.2.0", "v1.4.0", "v2.0.0"] },
    );
    expect(summary(result)).toEqual([`dev ${VPC} v1.1.0,v1.2.0→v1.4.0 update`]);
    const [proposal] = result.proposals;
    expect(proposal?.key).toBe("promoter/dev/acme+terraform-aws-vpc+vpc-app");
    expect(proposal?.files).toEqual(["dev-a/vpc/terragrunt.hcl", "dev-b/vpc/terragrunt.hcl"]);
    expect(proposal?.edits.map((e) => `${e.before}→${e.after}`)).toEqual([
      "v1.2.0→v1.4.0",
      "v1.1.0→v1.4.0",
    ]);
  });

  it("follows updates.strategy", () => {
    const files = { "dev-a/vpc/terragrunt.hcl": unit("v1.2.0") };
    const versions = { [VPC]: ["v1.2.0", "v1.3.0", "v2.1.0", "v3.0.0"] };
    const withStrategy = (strategy: string) =>
      configFrom(`${baseConfig}updates:\n  strategy: ${strategy}\n`);
    expect(summary(planFor(files, versions, { config: withStrategy("next-breaking") }))).toEqual([
      `dev ${VPC} v1.2.0→v2.1.0 update`,
    ]);
    expect(summary(planFor(files, versions, { config: withStrategy("latest") }))).toEqual([
      `dev ${VPC} v1.2.0→v3.0.0 update`,
    ]);
  });

  it("proposes nothing when the dependency is current, and aligns usages at different versions", () => {
    const current = planFor(
      { "dev-a/vpc/terragrunt.hcl": unit("v1.2.0") },
      { [VPC]: ["v1.1.0", "v1.2.0"] },
    );
    expect(current.proposals).toEqual([]);
    const mixed = planFor(
      { "dev-a/vpc/terragrunt.hcl": unit("v1.2.0"), "dev-b/vpc/terragrunt.hcl": unit("v1.1.0") },
      { [VPC]: ["v1.1.0", "v1.2.0"] },
    );
    expect(summary(mixed)).toEqual([`dev ${VPC} v1.1.0,v1.2.0→v1.2.0 update`]);
    expect(mixed.proposals[0]?.files).toEqual(["dev-b/vpc/terragrunt.hcl"]);
  });

  it("proposes nothing for a dependency whose versions are unknown (its listing failed)", () => {
    expect(planFor({ "dev-a/vpc/terragrunt.hcl": unit("v1.2.0") }, {}).proposals).toEqual([]);
  });

  it("skips ignored dependencies and usages that cannot be edited per environment", () => {
    const ignoring = configFrom(`${baseConfig}updates:\n  ignore: ["acme/terraform-aws-vpc/*"]\n`);
    const files = {
      "dev-a/vpc/terragrunt.hcl": unit("v1.2.0"),
      "dev-a/app/main.tf":
        'module "l" {\n  source  = "terraform-aws-modules/lambda/aws"\n  version = "~> 5.0"\n}\n',
    };
    const versions = { [VPC]: ["v1.3.0"], "terraform-aws-modules/lambda/aws": ["5.0.0", "6.0.0"] };
    expect(planFor(files, versions, { config: ignoring }).proposals).toEqual([]);
    expect(summary(planFor(files, versions))).toEqual([`dev ${VPC} v1.2.0→v1.3.0 update`]);
  });

  it("proposes a dependency whose id has characters git refuses, on a branch that encodes them", () => {
    const odd = "git::https://github.com/acme/terraform-aws-vpc.git//modules/a~b";
    const files = { "dev-a/vpc/terragrunt.hcl": unit("v1.2.0", odd), "dev-a/ok/main.tf": "" };
    const result = planFor(files, { "acme/terraform-aws-vpc/a~b": ["v1.2.0", "v1.3.0"] });
    expect(result.proposals.map((p) => p.key)).toEqual([
      "promoter/dev/acme+terraform-aws-vpc+a%7Eb",
    ]);
    expect(result.deferred).toEqual([]);
  });

  it(
    "matches ignore and tagPrefix globs against a hostile dependency id in bounded time",
    {
      timeout: 20_000,
    },
    () => {
      // picomatch backtracked on these for minutes, freezing every repository's checks.
      const hostile = `acme/terraform-aws-vpc/${"*a".repeat(12)}*b`;
      const config = configFrom(
        `${baseConfig}updates:\n  ignore: ["${hostile}"]\n  tagPrefix: { "${hostile}": "x-", "acme/**": "vpc-" }\n`,
      );
      const long = "a".repeat(40);
      const files = {
        "dev-a/vpc/terragrunt.hcl": unit(
          "v1.2.0",
          `git::git@github.com:acme/terraform-aws-vpc.git//modules/${long}`,
        ),
      };
      const { inventory } = scan(sourceFiles(files), config);
      expect(dependenciesToList(inventory, config).map((d) => d.id)).toEqual([
        `acme/terraform-aws-vpc/${long}`,
      ]);
      expect(tagPrefixFor(config)(`acme/terraform-aws-vpc/${long}`)).toBe("vpc-");
    },
  );

  it("does not propose a declined version again, but a newer one", () => {
    const files = { "dev-a/vpc/terragrunt.hcl": unit("v1.2.0") };
    const declined: PromotionPullRequest = {
      environment: "dev",
      dependency: VPC,
      to: "v1.3.0",
      state: "closed",
      number: 12,
    };
    const result = planFor(files, { [VPC]: ["v1.2.0", "v1.3.0"] }, { existing: [declined] });
    expect(result.proposals).toEqual([]);
    expect(result.deferred).toEqual([
      {
        environment: "dev",
        dependency: VPC,
        reason: "v1.3.0 was declined: #12 was closed without merging",
        pullRequest: 12,
      },
    ]);
    const newer = planFor(
      files,
      { [VPC]: ["v1.2.0", "v1.3.0", "v1.3.1"] },
      { existing: [declined] },
    );
    expect(summary(newer)).toEqual([`dev ${VPC} v1.2.0→v1.3.1 update`]);
  });

  it("reads monorepo tags with the configured prefix", () => {
    const source = "git::https://github.com/acme/terraform-modules.git//modules/vpc";
    const config = configFrom(
      `${baseConfig}updates:\n  tagPrefix:\n    "acme/terraform-modules/*": "vpc-"\n`,
    );
    const result = planFor(
      { "dev-a/vpc/terragrunt.hcl": unit("vpc-v1.0.0", source) },
      { "acme/terraform-modules/vpc": ["vpc-v1.0.0", "vpc-v1.1.0", "rds-v9.0.0"] },
      { config },
    );
    expect(summary(result)).toEqual([
      "dev acme/terraform-modules/vpc vpc-v1.0.0→vpc-v1.1.0 update",
    ]);
  });

  it("writes registry versions without a v and keeps a tag's spelling", () => {
    const files = {
      "dev-a/app/main.tf":
        'module "b" {\n  source  = "terraform-aws-modules/s3-bucket/aws"\n  version = "3.15.1"\n}\n',
    };
    const result = planFor(files, { "terraform-aws-modules/s3-bucket/aws": ["3.15.1", "3.16.0"] });
    expect(result.proposals[0]?.edits[0]).toMatchObject({ before: "3.15.1", after: "3.16.0" });
  });
});

describe("plan: later environments", () => {
  const chain = {
    "dev-a/vpc/terragrunt.hcl": unit("v1.3.0"),
    "stage-a/vpc/terragrunt.hcl": unit("v1.2.0"),
    "prod-a/vpc/terragrunt.hcl": unit("v1.1.0"),
  };

  it("promotes exactly the version the environment before runs, never a newer tag", () => {
    const result = planFor(chain, { [VPC]: ["v1.1.0", "v1.2.0", "v1.3.0", "v1.9.0"] });
    expect(summary(result)).toEqual([
      `dev ${VPC} v1.3.0→v1.9.0 update`,
      `stage ${VPC} v1.2.0→v1.3.0 promotion`,
      `prod ${VPC} v1.1.0→v1.2.0 promotion`,
    ]);
  });

  it("waits for /promote where promotion is manual", () => {
    const config = configFrom(
      baseConfig.replace('paths: ["prod-*/**"]', 'paths: ["prod-*/**"]\n    promotion: manual'),
    );
    const result = planFor(chain, {}, { config });
    expect(summary(result)).toEqual([`stage ${VPC} v1.2.0→v1.3.0 promotion`]);
    expect(result.deferred).toEqual([
      {
        environment: "prod",
        dependency: VPC,
        reason: "v1.2.0 waits for `/promote prod` (promotion: manual)",
      },
    ]);
  });

  it("holds what a PR labelled promoter:hold brought, and skips a declined promotion", () => {
    const held: PromotionPullRequest = {
      environment: "dev",
      dependency: VPC,
      to: "v1.3.0",
      state: "merged",
      number: 7,
      hold: true,
    };
    const declined: PromotionPullRequest = {
      environment: "prod",
      dependency: VPC,
      to: "v1.2.0",
      state: "closed",
      number: 9,
    };
    const result = planFor(chain, {}, { existing: [held, declined] });
    expect(result.proposals).toEqual([]);
    expect(result.deferred.map((d) => `${d.environment}: ${d.reason}`)).toEqual([
      "stage: v1.3.0 is on hold (#7 has promoter:hold)",
      "prod: v1.2.0 was declined: #9 was closed without merging",
    ]);
  });

  it("does nothing where the environment already runs the upstream version or a newer one", () => {
    const result = planFor(
      {
        "dev-a/vpc/terragrunt.hcl": unit("v1.2.0"),
        "stage-a/vpc/terragrunt.hcl": unit("v1.2.0"),
        "prod-a/vpc/terragrunt.hcl": unit("v1.3.0"),
      },
      {},
    );
    expect(result.proposals).toEqual([]);
    expect(result.deferred).toEqual([]);
  });

  it("waits while the environment before runs several versions", () => {
    const result = planFor(
      {
        "dev-a/vpc/terragrunt.hcl": unit("v1.3.0"),
        "dev-b/vpc/terragrunt.hcl": unit("v1.2.5"),
        "stage-a/vpc/terragrunt.hcl": unit("v1.2.0"),
      },
      {},
    );
    expect(result.proposals).toEqual([]);
    expect(result.deferred).toEqual([
      {
        environment: "stage",
        dependency: VPC,
        reason: "dev runs several versions (v1.2.5, v1.3.0); it is promoted once they agree",
      },
    ]);
  });

  it("promotes nothing into an environment that does not use the dependency", () => {
    const result = planFor({ "dev-a/vpc/terragrunt.hcl": unit("v1.3.0") }, {});
    expect(result.proposals).toEqual([]);
  });

  it.each([
    [
      "starts the chain of a dependency dev does not use at stage, with a note",
      { "stage-a/vpc/terragrunt.hcl": unit("v1.2.0"), "prod-a/vpc/terragrunt.hcl": unit("v1.1.0") },
      [`stage ${VPC} v1.2.0→v1.3.0 update`, `prod ${VPC} v1.1.0→v1.2.0 promotion`],
      [],
    ],
    [
      "holds back, with why, an environment whose previous one does not use the dependency",
      { "dev-a/vpc/terragrunt.hcl": unit("v1.3.0"), "prod-a/vpc/terragrunt.hcl": unit("v1.1.0") },
      [],
      [
        {
          environment: "prod",
          dependency: VPC,
          reason: "not promoted: stage, the environment before, does not use it",
        },
      ],
    ],
  ])("%s", (_name, files, proposals, deferred) => {
    const result = planFor(files, { [VPC]: ["v1.1.0", "v1.2.0", "v1.3.0"] });
    expect(summary(result)).toEqual(proposals);
    expect(result.deferred).toEqual(deferred);
    const notes = result.proposals.filter((p) => p.reason === "update").map((p) => p.note);
    if (proposals.length > 0) {
      expect(notes).toEqual([
        "not used in dev: stage is the first environment that uses it, so its updates start there",
      ]);
    }
  });
});
