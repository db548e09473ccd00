import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/index.js";
import { parsesWithReferenceParser } from "../../src/iac/edits.js";
import { createScanCache, isIacFile, scan, type ScanCache } from "../../src/iac/scanner.js";
import type { SourceFile, TokenLocation, Usage, UsageKind } from "../../src/iac/types.js";
import { listDirectory, readFiles } from "../../src/local/read-directory.js";
import {
  configFrom,
  dependencyOf,
  idsByEnvironment,
  locate,
  onlyUsage,
  sourceFiles,
  threeEnvConfig,
  tokenText,
} from "./helpers.js";

function scanRecord(
  record: Record<string, string>,
  config: Config = threeEnvConfig,
  cache?: ScanCache,
) {
  const files = sourceFiles(record);
  const result = scan(files, config, cache);
  return { files, ...result };
}

/** Asserts a usage exactly, and that its token's bytes are the version. */
function expectUsage(
  files: readonly SourceFile[],
  usage: Usage,
  expected: {
    file: string;
    line: number;
    version: string;
    kind: UsageKind;
    token: TokenLocation;
    notPromotable?: string;
  },
): void {
  expect(usage).toEqual(expected);
  expect(tokenText(files, usage.token as TokenLocation)).toBe(expected.version);
}

const GIT_VPC = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc-app";

describe("isIacFile", () => {
  it("accepts .tf, .tofu and .hcl files outside .terraform, .terragrunt-cache and .git", () => {
    expect(isIacFile("dev-a/main.tf")).toBe(true);
    expect(isIacFile("dev-a/main.tofu")).toBe(true);
    expect(isIacFile("dev-a/app/terragrunt.hcl")).toBe(true);
    expect(isIacFile("_envcommon/sqs.hcl")).toBe(true);
    expect(isIacFile("dev-a/app/.terraform/modules/x/main.tf")).toBe(false);
    expect(isIacFile(".terraform/modules/x/main.tf")).toBe(false);
    expect(isIacFile("dev-a/app/.terragrunt-cache/abc/def/main.tf")).toBe(false);
    expect(isIacFile(".git/x.tf")).toBe(false);
    expect(isIacFile("dev-a/README.md")).toBe(false);
    expect(isIacFile("dev-a/vpc/terraform.tfvars")).toBe(true);
    expect(isIacFile("dev-a/vpc/prod.tfvars")).toBe(false);
    expect(isIacFile("dev-a/main.tf.json")).toBe(false);
    expect(isIacFile(".github/promoter.yml")).toBe(false);
  });
});

describe("module sources in .tf and .tofu files", () => {
  const gitCases: { name: string; source: string; id: string; without: string; version: string }[] =
    [
      {
        name: "git::https with //modules/",
        source: `${GIT_VPC}?ref=v1.2.0`,
        id: "acme/terraform-aws-vpc/vpc-app",
        without: GIT_VPC,
        version: "v1.2.0",
      },
      {
        name: "git::ssh://git@",
        source: "git::ssh://git@github.com/acme/terraform-aws-vpc.git//modules/vpc-app?ref=v1.2.0",
        id: "acme/terraform-aws-vpc/vpc-app",
        without: "git::ssh://git@github.com/acme/terraform-aws-vpc.git//modules/vpc-app",
        version: "v1.2.0",
      },
      {
        name: "git::git@host:org/repo.git (scp style)",
        source: "git::git@github.com:acme/terraform-aws-vpc.git//modules/vpc-app?ref=v1.2.0",
        id: "acme/terraform-aws-vpc/vpc-app",
        without: "git::git@github.com:acme/terraform-aws-vpc.git//modules/vpc-app",
        version: "v1.2.0",
      },
      {
        name: "bare git@host:org/repo.git",
        source: "git@github.com:acme/terraform-aws-vpc.git//modules/vpc-app?ref=v1.2.0",
        id: "acme/terraform-aws-vpc/vpc-app",
        without: "git@github.com:acme/terraform-aws-vpc.git//modules/vpc-app",
        version: "v1.2.0",
      },
      {
        name: "github.com/ shorthand with //",
        source: "github.com/acme/terraform-aws-vpc//modules/vpc-app?ref=v1.2.0",
        id: "acme/terraform-aws-vpc/vpc-app",
        without: "github.com/acme/terraform-aws-vpc//modules/vpc-app",
        version: "v1.2.0",
      },
      {
        name: "github.com/ shorthand without //",
        source: "github.com/acme/terraform-aws-vpc/modules/vpc-app?ref=v1.2.0",
        id: "acme/terraform-aws-vpc/vpc-app",
        without: "github.com/acme/terraform-aws-vpc/modules/vpc-app",
        version: "v1.2.0",
      },
      {
        name: "//subdir without modules/",
        source: "git::https://github.com/acme/infra-stacks.git//stacks/web?ref=1.4.0",
        id: "acme/infra-stacks/stacks/web",
        without: "git::https://github.com/acme/infra-stacks.git//stacks/web",
        version: "1.4.0",
      },
      {
        name: "no subdir",
        source: "git::https://github.com/acme/terraform-aws-iam.git?ref=v3.0.0",
        id: "acme/terraform-aws-iam",
        without: "git::https://github.com/acme/terraform-aws-iam.git",
        version: "v3.0.0",
      },
      {
        name: "?depth=1&ref=",
        source: `${GIT_VPC}?depth=1&ref=v1.2.0`,
        id: "acme/terraform-aws-vpc/vpc-app",
        without: `${GIT_VPC}?depth=1`,
        version: "v1.2.0",
      },
      {
        name: "?ref=..&depth=1",
        source: `${GIT_VPC}?ref=v1.2.0&depth=1`,
        id: "acme/terraform-aws-vpc/vpc-app",
        without: `${GIT_VPC}?depth=1`,
        version: "v1.2.0",
      },
      {
        name: "GitHub Enterprise host (https)",
        source:
          "git::https://ghe.example.com/platform/terraform-aws-cache.git//modules/redis?ref=v0.5.0",
        id: "ghe.example.com/platform/terraform-aws-cache/redis",
        without: "git::https://ghe.example.com/platform/terraform-aws-cache.git//modules/redis",
        version: "v0.5.0",
      },
      {
        name: "GitHub Enterprise host (ssh with a port)",
        source:
          "git::ssh://git@ghe.example.com:7999/platform/terraform-aws-cache.git//modules/redis?ref=v0.5.0",
        id: "ghe.example.com/platform/terraform-aws-cache/redis",
        without:
          "git::ssh://git@ghe.example.com:7999/platform/terraform-aws-cache.git//modules/redis",
        version: "v0.5.0",
      },
      {
        name: "monorepo tag",
        source: "git::https://github.com/acme/monorepo.git//modules/vpc?ref=vpc-v1.2.3",
        id: "acme/monorepo/vpc",
        without: "git::https://github.com/acme/monorepo.git//modules/vpc",
        version: "vpc-v1.2.3",
      },
      {
        name: "pre-release tag",
        source: `${GIT_VPC}?ref=v2.0.0-rc.1`,
        id: "acme/terraform-aws-vpc/vpc-app",
        without: GIT_VPC,
        version: "v2.0.0-rc.1",
      },
    ];

  for (const ext of ["tf", "tofu"]) {
    const path = `dev-a/app/main.${ext}`;
    for (const c of gitCases) {
      it(`${c.name} (.${ext})`, () => {
        const content = `# ${c.name}\nmodule "m" {\n  source = "${c.source}"\n}\n`;
        const { files, inventory, conflicts } = scanRecord({ [path]: content });
        expect(conflicts).toEqual([]);
        expect(inventory.skipped).toEqual([]);
        expect(inventory.warnings).toEqual([]);
        expect(idsByEnvironment(inventory)).toEqual({ dev: [c.id], stage: [], prod: [] });
        const dependency = dependencyOf(inventory, "dev", c.id);
        expect(dependency.kind).toBe("git");
        expect(dependency.source).toBe(c.without);
        expect(dependency.versions).toEqual([c.version]);
        expectUsage(files, onlyUsage(inventory, "dev", c.id), {
          file: path,
          line: 3,
          version: c.version,
          kind: "git-tag",
          token: locate(path, content, `ref=${c.version}`, { skip: 4 }),
        });
      });
    }
  }

  const registryModule = (source: string, version?: string) =>
    `module "m" {\n  source  = "${source}"\n${version === undefined ? "" : `  version = "${version}"\n`}}\n`;

  for (const ext of ["tf", "tofu"]) {
    const path = `dev-a/app/main.${ext}`;

    it(`registry module with an exact version (.${ext})`, () => {
      const content = registryModule("terraform-aws-modules/vpc/aws", "3.1.0");
      const { files, inventory } = scanRecord({ [path]: content });
      const dependency = dependencyOf(inventory, "dev", "terraform-aws-modules/vpc/aws");
      expect(dependency.kind).toBe("registry");
      expect(dependency.source).toBe("terraform-aws-modules/vpc/aws");
      expectUsage(files, onlyUsage(inventory, "dev", "terraform-aws-modules/vpc/aws"), {
        file: path,
        line: 2,
        version: "3.1.0",
        kind: "registry-version",
        token: locate(path, content, '"3.1.0"', { skip: 1, length: 5 }),
      });
      expect(inventory.skipped).toEqual([]);
    });

    it(`registry module with "= 3.1.0": the token covers only 3.1.0 (.${ext})`, () => {
      const content = registryModule("terraform-aws-modules/vpc/aws", "= 3.1.0");
      const { files, inventory } = scanRecord({ [path]: content });
      const usage = onlyUsage(inventory, "dev", "terraform-aws-modules/vpc/aws");
      expectUsage(files, usage, {
        file: path,
        line: 2,
        version: "3.1.0",
        kind: "registry-version",
        token: locate(path, content, '"= 3.1.0"', { skip: 3, length: 5 }),
      });
    });

    it(`registry module with a constraint is not promotable (.${ext})`, () => {
      const content = registryModule("terraform-aws-modules/lambda/aws", "~> 5.0");
      const { files, inventory } = scanRecord({ [path]: content });
      const reason = 'version constraint "~> 5.0" is not an exact pin';
      expectUsage(files, onlyUsage(inventory, "dev", "terraform-aws-modules/lambda/aws"), {
        file: path,
        line: 2,
        version: "~> 5.0",
        kind: "registry-constraint",
        token: locate(path, content, "~> 5.0"),
        notPromotable: reason,
      });
      expect(inventory.skipped).toEqual([
        { file: path, line: 2, id: "terraform-aws-modules/lambda/aws", reason },
      ]);
    });

    it(`registry module on another host (.${ext})`, () => {
      const content = registryModule("app.terraform.io/acme/network/aws", "1.0.0");
      const { files, inventory } = scanRecord({ [path]: content });
      const dependency = dependencyOf(inventory, "dev", "app.terraform.io/acme/network/aws");
      expect(dependency.kind).toBe("registry");
      expect(dependency.source).toBe("app.terraform.io/acme/network/aws");
      expectUsage(files, onlyUsage(inventory, "dev", "app.terraform.io/acme/network/aws"), {
        file: path,
        line: 2,
        version: "1.0.0",
        kind: "registry-version",
        token: locate(path, content, '"1.0.0"', { skip: 1, length: 5 }),
      });
    });

    it(`registry module with a subdirectory: the id is the module's (.${ext})`, () => {
      const content = registryModule("terraform-aws-modules/iam/aws//modules/iam-user", "5.1.0");
      const { inventory } = scanRecord({ [path]: content });
      expect(idsByEnvironment(inventory).dev).toEqual(["terraform-aws-modules/iam/aws"]);
    });

    it(`registry module without a version is skipped (.${ext})`, () => {
      const content = registryModule("terraform-aws-modules/vpc/aws");
      const { inventory } = scanRecord({ [path]: content });
      expect(idsByEnvironment(inventory)).toEqual({ dev: [], stage: [], prod: [] });
      expect(inventory.skipped).toEqual([
        {
          file: path,
          line: 2,
          id: "terraform-aws-modules/vpc/aws",
          reason: "no version pinned: the newest version is used on every run",
        },
      ]);
    });

    it(`local paths are ignored entirely (.${ext})`, () => {
      const content =
        `module "a" {\n  source = "./modules/a"\n}\n` +
        `module "b" {\n  source = "../shared/b"\n}\n` +
        `module "c" {\n  source = "../../modules/c"\n  version = "1.0.0"\n}\n`;
      const { inventory } = scanRecord({ [path]: content });
      expect(idsByEnvironment(inventory)).toEqual({ dev: [], stage: [], prod: [] });
      expect(inventory.skipped).toEqual([]);
      expect(inventory.warnings).toEqual([]);
    });

    it(`commit SHA, branch and missing refs are skipped with a reason and id (.${ext})`, () => {
      const iam = "git::https://github.com/acme/terraform-aws-iam.git";
      const sha = "0123456789abcdef0123456789abcdef01234567";
      const content =
        `module "sha" {\n  source = "${iam}?ref=${sha}"\n}\n\n` +
        `module "short_sha" {\n  source = "${iam}?ref=a1b2c3d"\n}\n\n` +
        `module "branch" {\n  source = "${iam}//modules/user?ref=main"\n}\n\n` +
        `module "unpinned" {\n  source = "${iam}?depth=1"\n}\n\n` +
        `module "no_source" {\n  name = "x"\n}\n`;
      const { inventory } = scanRecord({ [path]: content });
      expect(idsByEnvironment(inventory)).toEqual({ dev: [], stage: [], prod: [] });
      expect(inventory.skipped).toEqual([
        {
          file: path,
          line: 2,
          id: "acme/terraform-aws-iam",
          reason: `ref ${sha} is a commit SHA, not a version tag, and no version comment follows it (such as "# v1.2.0")`,
        },
        {
          file: path,
          line: 6,
          id: "acme/terraform-aws-iam",
          reason:
            'ref a1b2c3d is a commit SHA, not a version tag, and no version comment follows it (such as "# v1.2.0")',
        },
        {
          file: path,
          line: 10,
          id: "acme/terraform-aws-iam/user",
          reason: "ref main is not a version tag",
        },
        {
          file: path,
          line: 14,
          id: "acme/terraform-aws-iam",
          reason: "no ?ref= pin: the module's default branch is used",
        },
      ]);
    });
  }

  it("several modules of one file, sorted by id, and usages of one id grouped", () => {
    const path = "dev-a/app/main.tf";
    const content =
      `module "b" {\n  source = "${GIT_VPC}?ref=v1.1.0"\n}\n` +
      `module "a" {\n  source  = "terraform-aws-modules/s3-bucket/aws"\n  version = "3.15.1"\n}\n` +
      `module "c" {\n  source = "${GIT_VPC}?ref=v1.10.0"\n}\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    expect(idsByEnvironment(inventory).dev).toEqual([
      "acme/terraform-aws-vpc/vpc-app",
      "terraform-aws-modules/s3-bucket/aws",
    ]);
    const vpc = dependencyOf(inventory, "dev", "acme/terraform-aws-vpc/vpc-app");
    expect(vpc.versions).toEqual(["v1.1.0", "v1.10.0"]);
    expect(vpc.usages.map((u) => [u.line, u.version])).toEqual([
      [2, "v1.1.0"],
      [9, "v1.10.0"],
    ]);
    for (const u of vpc.usages) expect(tokenText(files, u.token as TokenLocation)).toBe(u.version);
  });
});

describe("Terragrunt terraform { source }", () => {
  const path = "dev-a/us-east-1/vpc/terragrunt.hcl";

  it("a git source with a literal ref", () => {
    const content = `terraform {\n  source = "${GIT_VPC}?ref=v1.2.0"\n}\n\ninputs = {\n  name = "x"\n}\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app"), {
      file: path,
      line: 2,
      version: "v1.2.0",
      kind: "git-tag",
      token: locate(path, content, "v1.2.0"),
    });
  });

  it("tfr:/// with the default registry", () => {
    const content = `terraform {\n  source = "tfr:///terraform-aws-modules/vpc/aws?version=5.1.0"\n}\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    const dependency = dependencyOf(inventory, "dev", "terraform-aws-modules/vpc/aws");
    expect(dependency.kind).toBe("registry");
    expect(dependency.source).toBe("tfr:///terraform-aws-modules/vpc/aws");
    expectUsage(files, onlyUsage(inventory, "dev", "terraform-aws-modules/vpc/aws"), {
      file: path,
      line: 2,
      version: "5.1.0",
      kind: "registry-version",
      token: locate(path, content, "5.1.0"),
    });
  });

  it("tfr://registry.terraform.io/", () => {
    const content = `terraform {\n  source = "tfr://registry.terraform.io/terraform-aws-modules/vpc/aws?version=5.1.0"\n}\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    const dependency = dependencyOf(inventory, "dev", "terraform-aws-modules/vpc/aws");
    expect(dependency.source).toBe("tfr://registry.terraform.io/terraform-aws-modules/vpc/aws");
    expectUsage(files, onlyUsage(inventory, "dev", "terraform-aws-modules/vpc/aws"), {
      file: path,
      line: 2,
      version: "5.1.0",
      kind: "registry-version",
      token: locate(path, content, "5.1.0"),
    });
  });

  it("tfr:// without a version is skipped", () => {
    const content = `terraform {\n  source = "tfr:///terraform-aws-modules/vpc/aws"\n}\n`;
    const { inventory } = scanRecord({ [path]: content });
    expect(idsByEnvironment(inventory).dev).toEqual([]);
    expect(inventory.skipped).toEqual([
      {
        file: path,
        line: 2,
        id: "terraform-aws-modules/vpc/aws",
        reason: "no version pinned: the newest version is used on every run",
      },
    ]);
  });

  it("a local source is ignored; a unit without a terraform block yields nothing", () => {
    const { inventory } = scanRecord({
      [path]: `terraform {\n  source = "../../modules/vpc"\n}\n`,
      "dev-a/us-east-1/empty/terragrunt.hcl": `inputs = {\n  a = 1\n}\n`,
    });
    expect(idsByEnvironment(inventory).dev).toEqual([]);
    expect(inventory.skipped).toEqual([]);
    expect(inventory.warnings).toEqual([]);
  });
});

describe("terragrunt.stack.hcl", () => {
  it("unit and stack blocks, with a source built from the stack file's locals", () => {
    const path = "dev-a/stack/terragrunt.stack.hcl";
    const content =
      `locals {\n  vpc_version = "v1.2.0"\n  repo        = "git::git@github.com:acme/terraform-aws-vpc.git"\n}\n\n` +
      `unit "vpc" {\n  source = "\${local.repo}//modules/vpc-app?ref=\${local.vpc_version}"\n  path   = "vpc"\n}\n\n` +
      `stack "services" {\n  source = "github.com/acme/terragrunt-stacks//stacks/services?ref=v0.3.1"\n  path   = "services"\n}\n\n` +
      `unit "local" {\n  source = "../units/local"\n  path   = "local"\n}\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    expect(idsByEnvironment(inventory).dev).toEqual([
      "acme/terraform-aws-vpc/vpc-app",
      "acme/terragrunt-stacks/stacks/services",
    ]);
    expect(dependencyOf(inventory, "dev", "acme/terraform-aws-vpc/vpc-app").source).toBe(
      "git::git@github.com:acme/terraform-aws-vpc.git//modules/vpc-app",
    );
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app"), {
      file: path,
      line: 7,
      version: "v1.2.0",
      kind: "git-tag",
      token: locate(path, content, '"v1.2.0"', { skip: 1, length: 6 }),
    });
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terragrunt-stacks/stacks/services"), {
      file: path,
      line: 12,
      version: "v0.3.1",
      kind: "git-tag",
      token: locate(path, content, "v0.3.1"),
    });
    expect(inventory.skipped).toEqual([]);
  });
});

describe("Terragrunt interpolation", () => {
  it("?ref=${local.version}: the token is in the locals block of the same file", () => {
    const path = "dev-a/us-east-1/vpc/terragrunt.hcl";
    const content =
      `locals {\n  # pinned here\n  version = "v1.2.0"\n}\n\n` +
      `terraform {\n  source = "${GIT_VPC}?ref=\${local.version}"\n}\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app"), {
      file: path,
      line: 7,
      version: "v1.2.0",
      kind: "git-tag",
      token: locate(path, content, "v1.2.0"),
    });
  });

  it("a local that refers to another local is followed to the literal", () => {
    const path = "dev-a/us-east-1/vpc/terragrunt.hcl";
    const content =
      `locals {\n  pinned  = "v1.2.0"\n  version = local.pinned\n  source  = "${GIT_VPC}?ref=\${local.version}"\n}\n\n` +
      `terraform {\n  source = local.source\n}\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app"), {
      file: path,
      line: 8,
      version: "v1.2.0",
      kind: "git-tag",
      token: locate(path, content, "v1.2.0"),
    });
  });

  const root = `locals {\n  account = read_terragrunt_config(find_in_parent_folders("account.hcl"))\n}\n`;
  const envcommonInclude = (name: string) =>
    `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n\n` +
    `include "envcommon" {\n  path   = "\${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/${name}.hcl"\n  expose = true\n}\n`;

  it("include.envcommon.locals.base_source_url with the ref in the child: the token is in the child", () => {
    const child = "dev-a/us-east-1/mysql/terragrunt.hcl";
    const childContent =
      envcommonInclude("mysql") +
      `\nterraform {\n  source = "\${include.envcommon.locals.base_source_url}?ref=v0.8.0"\n}\n`;
    const { files, inventory } = scanRecord({
      "root.hcl": root,
      "_envcommon/mysql.hcl": `locals {\n  base_source_url = "git::https://github.com/acme/terraform-aws-data-storage.git//modules/rds"\n}\n`,
      [child]: childContent,
    });
    const id = "acme/terraform-aws-data-storage/rds";
    expect(dependencyOf(inventory, "dev", id).source).toBe(
      "git::https://github.com/acme/terraform-aws-data-storage.git//modules/rds",
    );
    expectUsage(files, onlyUsage(inventory, "dev", id), {
      file: child,
      line: 11,
      version: "v0.8.0",
      kind: "git-tag",
      token: locate(child, childContent, "v0.8.0"),
    });
    expect(inventory.skipped).toEqual([]);
    expect(inventory.warnings).toEqual([]);
  });

  const sqsCommon =
    `locals {\n  base_source_url = "git::git@github.com:acme/terraform-aws-messaging.git//modules/sqs"\n}\n\n` +
    `terraform {\n  source = "\${local.base_source_url}?ref=v0.8.0"\n}\n`;
  const sqsUnit = envcommonInclude("sqs") + `\ninputs = {\n  name = "orders"\n}\n`;
  const sqsId = "acme/terraform-aws-messaging/sqs";

  it("a unit inheriting terraform { source } from an included file of one environment: promotable, token in the included file", () => {
    const { files, inventory } = scanRecord({
      "root.hcl": root,
      "_envcommon/sqs.hcl": sqsCommon,
      "dev-a/us-east-1/sqs/terragrunt.hcl": sqsUnit,
      "dev-a/eu-west-1/sqs/terragrunt.hcl": sqsUnit,
    });
    const usages = dependencyOf(inventory, "dev", sqsId).usages;
    const token = locate("_envcommon/sqs.hcl", sqsCommon, "v0.8.0");
    expect(usages).toHaveLength(2);
    expectUsage(files, usages[0] as Usage, {
      file: "dev-a/eu-west-1/sqs/terragrunt.hcl",
      line: 5,
      version: "v0.8.0",
      kind: "git-tag",
      token,
    });
    expectUsage(files, usages[1] as Usage, {
      file: "dev-a/us-east-1/sqs/terragrunt.hcl",
      line: 5,
      version: "v0.8.0",
      kind: "git-tag",
      token,
    });
    expect(inventory.skipped).toEqual([]);
  });

  it("a version in an included file shared by units of two environments is not promotable", () => {
    const { files, inventory } = scanRecord({
      "root.hcl": root,
      "_envcommon/sqs.hcl": sqsCommon,
      "dev-a/us-east-1/sqs/terragrunt.hcl": sqsUnit,
      "stage-a/us-east-1/sqs/terragrunt.hcl": sqsUnit,
    });
    const reason =
      "not promotable per environment: the version is set in _envcommon/sqs.hcl:6, shared by environments dev, stage";
    const token = locate("_envcommon/sqs.hcl", sqsCommon, "v0.8.0");
    for (const env of ["dev", "stage"]) {
      expectUsage(files, onlyUsage(inventory, env, sqsId), {
        file: `${env}-a/us-east-1/sqs/terragrunt.hcl`,
        line: 5,
        version: "v0.8.0",
        kind: "git-tag",
        token,
        notPromotable: reason,
      });
    }
    expect(inventory.skipped).toEqual([
      { file: "dev-a/us-east-1/sqs/terragrunt.hcl", line: 5, id: sqsId, reason },
      { file: "stage-a/us-east-1/sqs/terragrunt.hcl", line: 5, id: sqsId, reason },
    ]);
  });

  const redisUnit =
    `locals {\n  account = read_terragrunt_config(find_in_parent_folders("account.hcl"))\n}\n\n` +
    `terraform {\n  source = "git::ssh://git@ghe.example.com/platform/terraform-aws-cache.git//modules/redis?depth=1&ref=\${local.account.locals.module_version}"\n}\n`;
  const account = (v: string) =>
    `locals {\n  account_name   = "dev"\n  module_version = "${v}"\n}\n`;
  const redisId = "ghe.example.com/platform/terraform-aws-cache/redis";

  it("a version in the locals of a file read by read_terragrunt_config: token there, promotable in its own environment", () => {
    const accountContent = account("v0.5.0");
    const { files, inventory } = scanRecord({
      "dev-a/account.hcl": accountContent,
      "dev-a/us-east-1/redis/terragrunt.hcl": redisUnit,
    });
    expect(dependencyOf(inventory, "dev", redisId).source).toBe(
      "git::ssh://git@ghe.example.com/platform/terraform-aws-cache.git//modules/redis?depth=1",
    );
    expectUsage(files, onlyUsage(inventory, "dev", redisId), {
      file: "dev-a/us-east-1/redis/terragrunt.hcl",
      line: 6,
      version: "v0.5.0",
      kind: "git-tag",
      token: locate("dev-a/account.hcl", accountContent, "v0.5.0"),
    });
    expect(inventory.skipped).toEqual([]);
  });

  it("a version read from a file of another environment is not promotable", () => {
    const accountContent = account("v0.5.0");
    const unit =
      `locals {\n  account = read_terragrunt_config("../../../dev-a/account.hcl")\n}\n\n` +
      `terraform {\n  source = "git::https://ghe.example.com/platform/terraform-aws-cache.git//modules/redis?ref=\${local.account.locals.module_version}"\n}\n`;
    const { files, inventory } = scanRecord({
      "dev-a/account.hcl": accountContent,
      "stage-a/us-east-1/redis/terragrunt.hcl": unit,
    });
    expectUsage(files, onlyUsage(inventory, "stage", redisId), {
      file: "stage-a/us-east-1/redis/terragrunt.hcl",
      line: 6,
      version: "v0.5.0",
      kind: "git-tag",
      token: locate("dev-a/account.hcl", accountContent, "v0.5.0"),
      notPromotable:
        "not promotable per environment: the version is set in dev-a/account.hcl:3, a file of environment dev",
    });
  });

  it("a read file outside every environment used by two environments is shared", () => {
    const accountContent = account("v0.5.0");
    const { inventory } = scanRecord({
      "account.hcl": accountContent,
      "dev-a/us-east-1/redis/terragrunt.hcl": redisUnit,
      "prod-a/us-east-1/redis/terragrunt.hcl": redisUnit,
    });
    expect(onlyUsage(inventory, "dev", redisId).notPromotable).toBe(
      "not promotable per environment: the version is set in account.hcl:3, shared by environments dev, prod",
    );
    expect(onlyUsage(inventory, "prod", redisId).notPromotable).toBe(
      onlyUsage(inventory, "dev", redisId).notPromotable,
    );
  });

  it("get_terragrunt_dir() in a read_terragrunt_config path", () => {
    const versions = `locals {\n  vpc = "v3.0.0"\n}\n`;
    const unit =
      `locals {\n  versions = read_terragrunt_config("\${get_terragrunt_dir()}/../versions.hcl")\n}\n` +
      `terraform {\n  source = "${GIT_VPC}?ref=\${local.versions.locals.vpc}"\n}\n`;
    const { files, inventory } = scanRecord({
      "dev-a/versions.hcl": versions,
      "dev-a/vpc/terragrunt.hcl": unit,
    });
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app"), {
      file: "dev-a/vpc/terragrunt.hcl",
      line: 5,
      version: "v3.0.0",
      kind: "git-tag",
      token: locate("dev-a/versions.hcl", versions, "v3.0.0"),
    });
  });

  it("get_repo_root() in an include path", () => {
    const common = `terraform {\n  source = "${GIT_VPC}?ref=v1.4.0"\n}\n`;
    const unit = `include "common" {\n  path = "\${get_repo_root()}/_envcommon/vpc.hcl"\n}\n`;
    const { files, inventory } = scanRecord({
      "_envcommon/vpc.hcl": common,
      "dev-a/vpc/terragrunt.hcl": unit,
    });
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app"), {
      file: "dev-a/vpc/terragrunt.hcl",
      line: 1,
      version: "v1.4.0",
      kind: "git-tag",
      token: locate("_envcommon/vpc.hcl", common, "v1.4.0"),
    });
  });

  it("get_parent_terragrunt_dir() and path_relative_to_include() in the included root file", () => {
    // root.hcl picks _envcommon/<unit folder name>.hcl for every unit that includes it.
    const rootContent =
      `locals {\n  component = basename(path_relative_to_include())\n` +
      `  common    = read_terragrunt_config("\${get_parent_terragrunt_dir()}/_envcommon/\${local.component}.hcl")\n}\n\n` +
      `terraform {\n  source = "\${local.common.locals.source}?ref=\${local.common.locals.version}"\n}\n`;
    const sqs = `locals {\n  source  = "git::https://github.com/acme/terraform-aws-messaging.git//modules/sqs"\n  version = "v0.8.0"\n}\n`;
    const rds = `locals {\n  source  = "git::https://github.com/acme/terraform-aws-data-storage.git//modules/rds"\n  version = "v0.30.0"\n}\n`;
    const unit = `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n`;
    const { files, inventory } = scanRecord({
      "root.hcl": rootContent,
      "_envcommon/sqs.hcl": sqs,
      "_envcommon/rds.hcl": rds,
      "dev-a/us-east-1/sqs/terragrunt.hcl": unit,
      "dev-a/us-east-1/rds/terragrunt.hcl": unit,
    });
    expect(idsByEnvironment(inventory).dev).toEqual([
      "acme/terraform-aws-data-storage/rds",
      "acme/terraform-aws-messaging/sqs",
    ]);
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terraform-aws-messaging/sqs"), {
      file: "dev-a/us-east-1/sqs/terragrunt.hcl",
      line: 1,
      version: "v0.8.0",
      kind: "git-tag",
      token: locate("_envcommon/sqs.hcl", sqs, "v0.8.0"),
    });
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terraform-aws-data-storage/rds"), {
      file: "dev-a/us-east-1/rds/terragrunt.hcl",
      line: 1,
      version: "v0.30.0",
      kind: "git-tag",
      token: locate("_envcommon/rds.hcl", rds, "v0.30.0"),
    });
  });

  it("path_relative_to_include() in the child builds an include path relative to the first include", () => {
    // path_relative_to_include() = "dev-a/vpc" relative to root.hcl's folder (the repository root).
    const versions = `locals {\n  version = "v1.9.0"\n}\n`;
    const unit =
      `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n` +
      `locals {\n  pins = read_terragrunt_config("\${get_repo_root()}/pins/\${path_relative_to_include()}/pins.hcl")\n}\n` +
      `terraform {\n  source = "${GIT_VPC}?ref=\${local.pins.locals.version}"\n}\n`;
    const { files, inventory } = scanRecord({
      "root.hcl": `# root\n`,
      "pins/dev-a/vpc/pins.hcl": versions,
      "dev-a/vpc/terragrunt.hcl": unit,
    });
    const usage = onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app");
    expect(usage.token).toEqual(locate("pins/dev-a/vpc/pins.hcl", versions, "v1.9.0"));
    expect(tokenText(files, usage.token as TokenLocation)).toBe("v1.9.0");
  });

  it("find_in_parent_folders starts in the parent folder and takes the nearest match", () => {
    const near = `terraform {\n  source = "${GIT_VPC}?ref=v2.0.0"\n}\n`;
    const far = `terraform {\n  source = "${GIT_VPC}?ref=v1.0.0"\n}\n`;
    const own = `terraform {\n  source = "${GIT_VPC}?ref=v9.9.9"\n}\n`;
    const unit = `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n`;
    const { inventory } = scanRecord({
      "root.hcl": far,
      "dev-a/root.hcl": near,
      // Next to the unit itself: not a parent folder, so not found.
      "dev-a/us-east-1/vpc/root.hcl": own,
      "dev-a/us-east-1/vpc/terragrunt.hcl": unit,
    });
    const usage = onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app");
    expect(usage.version).toBe("v2.0.0");
    expect(usage.token?.file).toBe("dev-a/root.hcl");
  });

  it("find_in_parent_folders() without an argument finds terragrunt.hcl in a parent folder", () => {
    const parent = `locals {\n  version = "v1.3.0"\n}\n\nterraform {\n  source = "${GIT_VPC}?ref=\${local.version}"\n}\n`;
    const unit = `include {\n  path = find_in_parent_folders()\n}\n`;
    const { files, inventory } = scanRecord({
      "terragrunt.hcl": parent,
      "dev-a/us-east-1/vpc/terragrunt.hcl": unit,
    });
    // The repository-root terragrunt.hcl is in no environment: it is not a unit itself.
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app"), {
      file: "dev-a/us-east-1/vpc/terragrunt.hcl",
      line: 1,
      version: "v1.3.0",
      kind: "git-tag",
      token: locate("terragrunt.hcl", parent, "v1.3.0"),
    });
  });

  it("find_in_parent_folders() without an argument does not find the unit's own terragrunt.hcl", () => {
    // dev-a/terragrunt.hcl is the parent of dev-a/vpc/terragrunt.hcl, and a unit of its own.
    const parent = `terraform {\n  source = "${GIT_VPC}?ref=v1.3.0"\n}\n`;
    const unit = `include {\n  path = find_in_parent_folders()\n}\n`;
    const { inventory } = scanRecord({
      "dev-a/terragrunt.hcl": parent,
      "dev-a/vpc/terragrunt.hcl": unit,
    });
    const usages = dependencyOf(inventory, "dev", "acme/terraform-aws-vpc/vpc-app").usages;
    expect(usages.map((u) => [u.file, u.token?.file])).toEqual([
      ["dev-a/terragrunt.hcl", "dev-a/terragrunt.hcl"],
      ["dev-a/vpc/terragrunt.hcl", "dev-a/terragrunt.hcl"],
    ]);
    expect(usages.every((u) => u.notPromotable === undefined)).toBe(true);
  });

  // Terragrunt treats find_in_parent_folders("") like find_in_parent_folders() (the default terragrunt.hcl).
  it('find_in_parent_folders("") is the same as find_in_parent_folders()', () => {
    const parent = `terraform {\n  source = "${GIT_VPC}?ref=v1.3.0"\n}\n`;
    const unit = `include "root" {\n  path = find_in_parent_folders("")\n}\n`;
    const { inventory } = scanRecord({
      "terragrunt.hcl": parent,
      "dev-a/vpc/terragrunt.hcl": unit,
    });
    expect(onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app").version).toBe("v1.3.0");
  });

  // Terragrunt does not merge an included configuration whose merge_strategy is "no_merge".
  it('an include with merge_strategy = "no_merge" does not give the unit its terraform source', () => {
    const { inventory } = scanRecord({
      "root.hcl": `terraform {\n  source = "${GIT_VPC}?ref=v1.0.0"\n}\n`,
      "dev-a/vpc/terragrunt.hcl": `include "root" {\n  path           = find_in_parent_folders("root.hcl")\n  merge_strategy = "no_merge"\n}\n`,
    });
    expect(idsByEnvironment(inventory).dev).toEqual([]);
  });

  it("find_in_parent_folders with a fallback that is used when nothing is found", () => {
    const common = `terraform {\n  source = "${GIT_VPC}?ref=v1.5.0"\n}\n`;
    const unit = `include "root" {\n  path = find_in_parent_folders("nowhere.hcl", "\${get_repo_root()}/_envcommon/vpc.hcl")\n}\n`;
    const { inventory } = scanRecord({
      "_envcommon/vpc.hcl": common,
      "dev-a/vpc/terragrunt.hcl": unit,
    });
    expect(onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app").version).toBe("v1.5.0");
  });

  it("an include whose file is missing is skipped with a reason when the source would come from it", () => {
    const unit = "dev-a/us-east-1/sqs/terragrunt.hcl";
    const { inventory } = scanRecord({
      "root.hcl": root,
      [unit]: sqsUnit,
    });
    expect(idsByEnvironment(inventory).dev).toEqual([]);
    expect(inventory.skipped).toHaveLength(1);
    expect(inventory.skipped[0]).toEqual({
      file: unit,
      line: 1,
      reason: expect.stringContaining('include "envcommon" cannot be resolved') as string,
    });
    expect(inventory.skipped[0]?.reason).toContain("_envcommon/sqs.hcl");
  });

  it("says exactly why an include cannot be resolved: missing, unparseable, or outside the repository", () => {
    const unit = "dev-a/us-east-1/sqs/terragrunt.hcl";
    const missing = scanRecord({ "root.hcl": root, [unit]: sqsUnit });
    expect(missing.inventory.skipped[0]?.reason).toBe(
      'include "envcommon" cannot be resolved: _envcommon/sqs.hcl is not a file in the repository',
    );
    const broken = scanRecord({
      "root.hcl": root,
      [unit]: sqsUnit,
      "_envcommon/sqs.hcl": "locals {\n",
    });
    expect(broken.inventory.skipped[0]?.reason).toBe(
      'include "envcommon" cannot be resolved: _envcommon/sqs.hcl does not parse',
    );
    expect(broken.inventory.warnings.map((w) => w.file)).toEqual(["_envcommon/sqs.hcl"]);
    const outside = scanRecord({
      "dev-a/vpc/terragrunt.hcl": `include "up" {\n  path = "../../../../root.hcl"\n}\n`,
      "root.hcl": `terraform {\n  source = "${GIT_VPC}?ref=v1.0.0"\n}\n`,
    });
    expect(outside.inventory.skipped[0]?.reason).toBe(
      'include "up" cannot be resolved: ../../../../root.hcl is outside the repository',
    );
  });

  it("names the include a unit's source refers to when it cannot be resolved", () => {
    const unit = `include "envcommon" {\n  path = "\${get_repo_root()}/_envcommon/missing.hcl"\n}\n\nterraform {\n  source = "\${include.envcommon.locals.base_source_url}?ref=v1.0.0"\n}\n`;
    const { inventory } = scanRecord({ "dev-a/vpc/terragrunt.hcl": unit });
    expect(inventory.skipped[0]?.reason).toBe(
      'the source cannot be resolved statically: include "envcommon" cannot be resolved: _envcommon/missing.hcl is not a file in the repository',
    );
  });

  it("an include that is missing does not matter when the unit sets its own source", () => {
    const unit = `include "extra" {\n  path = "\${get_repo_root()}/_envcommon/missing.hcl"\n}\n\nterraform {\n  source = "${GIT_VPC}?ref=v1.2.0"\n}\n`;
    const { inventory } = scanRecord({ "dev-a/vpc/terragrunt.hcl": unit });
    expect(onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app").version).toBe("v1.2.0");
    expect(inventory.skipped).toEqual([]);
  });

  it("get_env(...) in the ref: skipped, cannot be resolved statically", () => {
    const path = "dev-a/runtime/terragrunt.hcl";
    const { inventory } = scanRecord({
      [path]: `terraform {\n  source = "${GIT_VPC}?ref=\${get_env("VPC_VERSION")}"\n}\n`,
    });
    expect(idsByEnvironment(inventory).dev).toEqual([]);
    expect(inventory.skipped).toEqual([
      {
        file: path,
        line: 2,
        reason:
          "the source cannot be resolved statically: get_env() is only known when Terragrunt runs",
      },
    ]);
  });

  it("dependency outputs and var.* in the source: skipped", () => {
    const { inventory } = scanRecord({
      "dev-a/a/terragrunt.hcl": `terraform {\n  source = "${GIT_VPC}?ref=\${dependency.x.outputs.v}"\n}\n`,
      "dev-a/b/main.tf": `module "m" {\n  source = var.source\n}\n`,
    });
    expect(inventory.skipped.map((s) => [s.file, s.reason])).toEqual([
      [
        "dev-a/a/terragrunt.hcl",
        "the source cannot be resolved statically: `dependency.*` is only known when Terragrunt runs",
      ],
      [
        "dev-a/b/main.tf",
        "the source cannot be resolved statically: `var.*` is only known when Terragrunt runs",
      ],
    ]);
  });

  it("a version computed from two pieces is reported but not promotable", () => {
    const path = "dev-a/vpc/terragrunt.hcl";
    const { inventory } = scanRecord({
      [path]:
        `locals {\n  major = "1"\n  minor = 2\n}\n\n` +
        `terraform {\n  source = "${GIT_VPC}?ref=v\${local.major}.\${local.minor}.0"\n}\n`,
    });
    const reason = "the version v1.2.0 is computed by an expression, not written in one place";
    expect(onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app")).toEqual({
      file: path,
      line: 7,
      version: "v1.2.0",
      kind: "git-tag",
      notPromotable: reason,
    });
    expect(inventory.skipped).toEqual([
      { file: path, line: 7, id: "acme/terraform-aws-vpc/vpc-app", reason },
    ]);
  });

  it("a version written with an escape sequence is not traceable to one place", () => {
    const path = "dev-a/vpc/terragrunt.hcl";
    const { inventory } = scanRecord({
      [path]: `locals {\n  v = "\\u00761.2.0"\n}\nterraform {\n  source = "${GIT_VPC}?ref=\${local.v}"\n}\n`,
    });
    const usage = onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app");
    expect(usage.version).toBe("v1.2.0");
    expect(usage.token).toBeUndefined();
    expect(usage.notPromotable).toContain("computed");
  });

  it("a local that refers to itself is skipped rather than looping", () => {
    const path = "dev-a/vpc/terragrunt.hcl";
    const { inventory } = scanRecord({
      [path]: `locals {\n  v = local.v\n}\nterraform {\n  source = "${GIT_VPC}?ref=\${local.v}"\n}\n`,
    });
    expect(inventory.skipped.map((s) => s.reason)).toEqual([
      "the source cannot be resolved statically: local.v refers to itself",
    ]);
  });

  it("a comment between = and the value does not hide the value", () => {
    const path = "dev-a/vpc/terragrunt.hcl";
    const content = `locals {\n  version = /* pinned */ "v1.2.0" # here\n}\nterraform {\n  source = /* the module */ "${GIT_VPC}?ref=\${local.version}"\n}\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    expect(inventory.skipped).toEqual([]);
    expectUsage(files, onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app"), {
      file: path,
      line: 5,
      version: "v1.2.0",
      kind: "git-tag",
      token: locate(path, content, "v1.2.0"),
    });
  });

  it("a line break between = and the value is a syntax error, as for the reference parser", () => {
    const path = "dev-a/vpc/terragrunt.hcl";
    const content = `terraform {\n  source = # the module\n    "${GIT_VPC}?ref=v1.2.0"\n}\n`;
    expect(parsesWithReferenceParser(content)).toBe(false);
    const { inventory } = scanRecord({ [path]: content });
    expect(inventory.warnings).toHaveLength(1);
    expect(inventory.warnings[0]?.message).toMatch(/^2:24: syntax error: /);
  });
});

describe("files and environments", () => {
  const module = (version: string) => `module "vpc" {\n  source = "${GIT_VPC}?ref=${version}"\n}\n`;

  it("skips .terraform/ and .terragrunt-cache/ folders", () => {
    const { inventory } = scanRecord({
      "dev-a/app/main.tf": module("v1.0.0"),
      "dev-a/app/.terraform/modules/vpc/main.tf": module("v0.0.1"),
      "dev-a/app/.terragrunt-cache/x/y/main.tf": module("v0.0.2"),
      "dev-a/app/.terragrunt-cache/x/y/terragrunt.hcl": `terraform {\n  source = "${GIT_VPC}?ref=v0.0.3"\n}\n`,
    });
    const usages = dependencyOf(inventory, "dev", "acme/terraform-aws-vpc/vpc-app").usages;
    expect(usages.map((u) => [u.file, u.version])).toEqual([["dev-a/app/main.tf", "v1.0.0"]]);
  });

  it("a file in no environment is not scanned as a unit", () => {
    const { inventory } = scanRecord({
      "modules/vpc/main.tf": module("v1.0.0"),
      "terragrunt.hcl": `terraform {\n  source = "${GIT_VPC}?ref=v1.0.0"\n}\n`,
      "qa-a/app/main.tf": `module "x" {\n  source = "${GIT_VPC}?ref=main"\n}\n`,
      "broken-outside.tf": `module "x" {\n`,
    });
    expect(idsByEnvironment(inventory)).toEqual({ dev: [], stage: [], prod: [] });
    expect(inventory.skipped).toEqual([]);
    expect(inventory.warnings).toEqual([]);
  });

  it("a file matched by two environments is a conflict naming both, and is not scanned", () => {
    const config = configFrom(`
environments:
  - name: dev
    paths: ["dev-*/**", "shared/**"]
  - name: stage
    paths: ["stage-*/**", "shared/**"]
`);
    const { inventory, conflicts } = scanRecord(
      {
        "shared/app/main.tf": module("v1.0.0"),
        "shared/app/terragrunt.hcl": `terraform {\n  source = "${GIT_VPC}?ref=v1.0.0"\n}\n`,
        "dev-a/app/main.tf": module("v1.1.0"),
      },
      config,
    );
    expect(conflicts).toEqual([
      { file: "shared/app/main.tf", environments: ["dev", "stage"] },
      { file: "shared/app/terragrunt.hcl", environments: ["dev", "stage"] },
    ]);
    expect(idsByEnvironment(inventory)).toEqual({
      dev: ["acme/terraform-aws-vpc/vpc-app"],
      stage: [],
    });
    expect(onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app").file).toBe(
      "dev-a/app/main.tf",
    );
  });

  it("excluded paths are in no environment", () => {
    const config = configFrom(`
environments:
  - name: dev
    paths: ["dev-*/**"]
    exclude: ["dev-*/experimental/**"]
exclude: ["**/examples/**"]
`);
    const { inventory } = scanRecord(
      {
        "dev-a/app/main.tf": module("v1.0.0"),
        "dev-a/experimental/main.tf": module("v1.1.0"),
        "dev-a/examples/main.tf": module("v1.2.0"),
      },
      config,
    );
    expect(
      dependencyOf(inventory, "dev", "acme/terraform-aws-vpc/vpc-app").usages.map((u) => u.file),
    ).toEqual(["dev-a/app/main.tf"]);
  });

  it("a file with a syntax error is a warning with line:column; the other files are still scanned", () => {
    const broken = "dev-a/broken/terragrunt.hcl";
    const { inventory } = scanRecord({
      [broken]: `terraform {\n  source = "${GIT_VPC}?ref=v1.0.0"\n\ninputs = {\n`,
      "dev-a/app/main.tf": module("v1.1.0"),
      "stage-a/app/main.tf": module("v1.0.0"),
    });
    expect(inventory.warnings).toEqual([
      { file: broken, message: '5:1: syntax error: missing "}"; the file is not scanned' },
    ]);
    expect(idsByEnvironment(inventory)).toEqual({
      dev: ["acme/terraform-aws-vpc/vpc-app"],
      stage: ["acme/terraform-aws-vpc/vpc-app"],
      prod: [],
    });
    expect(onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app").file).toBe(
      "dev-a/app/main.tf",
    );
  });

  it("a syntax error in a .tf file names the line and column of the problem", () => {
    const path = "dev-a/app/main.tf";
    const { inventory } = scanRecord({
      [path]: `module "a" {\n  source = "${GIT_VPC}?ref=v1.0.0"\n}\n\nmodule "b" {\n  source = "x"\n`,
    });
    expect(inventory.warnings).toHaveLength(1);
    expect(inventory.warnings[0]?.file).toBe(path);
    expect(inventory.warnings[0]?.message).toMatch(/^7:1: syntax error: /);
  });

  it("a syntax error in an included file is a warning for that file, once, and the units that need it are skipped", () => {
    const unit = `include "envcommon" {\n  path = "\${get_repo_root()}/_envcommon/bad.hcl"\n}\n`;
    const { inventory } = scanRecord({
      "_envcommon/bad.hcl": `locals {\n  base = "git::https://github.com/acme/b.git"\n`,
      "dev-a/x/terragrunt.hcl": unit,
      "stage-a/x/terragrunt.hcl": unit,
    });
    expect(inventory.warnings).toEqual([
      {
        file: "_envcommon/bad.hcl",
        message: '3:1: syntax error: missing "}"; the file is not scanned',
      },
    ]);
    expect(inventory.skipped.map((s) => s.file)).toEqual([
      "dev-a/x/terragrunt.hcl",
      "stage-a/x/terragrunt.hcl",
    ]);
  });

  it("a syntax error in the middle of a block names its line and column", () => {
    const path = "dev-a/bad/terragrunt.hcl";
    const { inventory } = scanRecord({
      [path]: `terraform {\n  source = "${GIT_VPC}?ref=v1.0.0"\n  @@@\n}\n`,
    });
    expect(inventory.warnings).toHaveLength(1);
    expect(inventory.warnings[0]?.file).toBe(path);
    expect(inventory.warnings[0]?.message).toMatch(
      /^3:3: syntax error: .*; the file is not scanned$/,
    );
  });

  // A file saved with a UTF-8 byte order mark: hcl2-parser (HashiCorp's HCL) reads it, the scanner takes
  // the BOM as part of the first block's type, so that block is silently ignored (or a syntax error).
  it("a file that starts with a UTF-8 byte order mark is scanned like any other", () => {
    const content = `\uFEFFterraform {\n  source = "${GIT_VPC}?ref=v1.0.0"\n}\n`;
    expect(parsesWithReferenceParser(content)).toBe(true);
    const path = "dev-a/vpc/terragrunt.hcl";
    const { files, inventory } = scanRecord({ [path]: content });
    const usage = onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app");
    expect(usage.token).toEqual(locate(path, content, "v1.0.0"));
    expect(tokenText(files, usage.token as TokenLocation)).toBe("v1.0.0");
  });

  it("non-ASCII text before the token: UTF-8 byte offsets, line and column", () => {
    const path = "dev-a/app/main.tf";
    const content =
      `# é😀 ünïcödé\nmodule "vpc" {\n  /* 😀é */ source = "${GIT_VPC}?ref=v1.2.0" # 😀\n}\n` +
      `module "s3" {\n  # 日本語\n  source  = "terraform-aws-modules/s3-bucket/aws"\n  version = "3.15.1"\n}\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    const vpc = onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app");
    const bytes = Buffer.from(content);
    const start = bytes.indexOf("v1.2.0");
    expect(vpc.token).toEqual({
      file: path,
      start,
      end: start + 6,
      line: 3,
      // Columns count UTF-16 code units: "  /* 😀é */ source = \"" is 22 of them before the URL.
      column: (content.split("\n")[2] as string).indexOf("v1.2.0") + 1,
    });
    expect(start).toBeGreaterThan(content.indexOf("v1.2.0"));
    expect(tokenText(files, vpc.token as TokenLocation)).toBe("v1.2.0");
    const s3 = onlyUsage(inventory, "dev", "terraform-aws-modules/s3-bucket/aws");
    expect(tokenText(files, s3.token as TokenLocation)).toBe("3.15.1");
    expect(s3.token).toEqual(locate(path, content, "3.15.1"));
  });

  it("non-ASCII text before a token in an included file", () => {
    const common = `# Ça coûte 💶\nlocals {\n  v = "v0.8.0" # ✓\n}\nterraform {\n  source = "${GIT_VPC}?ref=\${local.v}"\n}\n`;
    const { files, inventory } = scanRecord({
      "_envcommon/vpc.hcl": common,
      "dev-a/vpc/terragrunt.hcl": `include "c" {\n  path = "\${get_repo_root()}/_envcommon/vpc.hcl"\n}\n`,
    });
    const usage = onlyUsage(inventory, "dev", "acme/terraform-aws-vpc/vpc-app");
    expect(usage.token).toEqual(locate("_envcommon/vpc.hcl", common, "v0.8.0"));
    expect(tokenText(files, usage.token as TokenLocation)).toBe("v0.8.0");
  });
});

describe("the scan cache", () => {
  const envcommon = (v: string) =>
    `locals {\n  base_source_url = "git::git@github.com:acme/terraform-aws-messaging.git//modules/sqs"\n}\n\nterraform {\n  source = "\${local.base_source_url}?ref=${v}"\n}\n`;
  const sqsUnit =
    `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n\n` +
    `include "envcommon" {\n  path   = "\${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/sqs.hcl"\n  expose = true\n}\n`;
  const redisUnit =
    `locals {\n  account = read_terragrunt_config(find_in_parent_folders("account.hcl"))\n}\n\n` +
    `terraform {\n  source = "git::https://github.com/acme/terraform-aws-cache.git//modules/redis?ref=\${local.account.locals.v}"\n}\n`;
  const repo = (sqs: string, redis: string): Record<string, string> => ({
    "root.hcl": `# root\n`,
    "_envcommon/sqs.hcl": envcommon(sqs),
    "dev-a/account.hcl": `locals {\n  v = "${redis}"\n}\n`,
    "dev-a/us-east-1/sqs/terragrunt.hcl": sqsUnit,
    "dev-a/us-east-1/redis/terragrunt.hcl": redisUnit,
    "dev-a/app/main.tf": `module "vpc" {\n  source = "${GIT_VPC}?ref=v1.0.0"\n}\n`,
  });
  const versions = (inventory: ReturnType<typeof scanRecord>["inventory"]) =>
    Object.fromEntries(
      inventory.environments.flatMap((e) =>
        e.dependencies.map((d) => [`${e.name} ${d.id}`, d.versions.join(",")]),
      ),
    );

  it("a warm re-scan returns an equal inventory", () => {
    const cache = createScanCache();
    const cold = scanRecord(repo("v0.8.0", "v0.5.0"), threeEnvConfig, cache);
    expect(cache.units.size).toBe(3);
    const warm = scanRecord(repo("v0.8.0", "v0.5.0"), threeEnvConfig, cache);
    expect(warm.inventory).toEqual(cold.inventory);
    expect(warm.conflicts).toEqual(cold.conflicts);
    const fresh = scanRecord(repo("v0.8.0", "v0.5.0"));
    expect(warm.inventory).toEqual(fresh.inventory);
  });

  it("changing only an included file re-evaluates the units that include it", () => {
    const cache = createScanCache();
    scanRecord(repo("v0.8.0", "v0.5.0"), threeEnvConfig, cache);
    const { files, inventory } = scanRecord(repo("v0.9.10", "v0.5.0"), threeEnvConfig, cache);
    expect(versions(inventory)).toEqual({
      "dev acme/terraform-aws-cache/redis": "v0.5.0",
      "dev acme/terraform-aws-messaging/sqs": "v0.9.10",
      "dev acme/terraform-aws-vpc/vpc-app": "v1.0.0",
    });
    const usage = onlyUsage(inventory, "dev", "acme/terraform-aws-messaging/sqs");
    expect(tokenText(files, usage.token as TokenLocation)).toBe("v0.9.10");
    expect(inventory).toEqual(scanRecord(repo("v0.9.10", "v0.5.0")).inventory);
  });

  it("changing only a file read by read_terragrunt_config re-evaluates the units that read it", () => {
    const cache = createScanCache();
    scanRecord(repo("v0.8.0", "v0.5.0"), threeEnvConfig, cache);
    const { inventory } = scanRecord(repo("v0.8.0", "v0.6.0-rc.1"), threeEnvConfig, cache);
    expect(versions(inventory)["dev acme/terraform-aws-cache/redis"]).toBe("v0.6.0-rc.1");
    expect(inventory).toEqual(scanRecord(repo("v0.8.0", "v0.6.0-rc.1")).inventory);
  });

  it("a new root.hcl nearer to a unit changes find_in_parent_folders on a re-scan", () => {
    const cache = createScanCache();
    const before = repo("v0.8.0", "v0.5.0");
    scanRecord(before, threeEnvConfig, cache);
    const nearer = `# nearer root\n`;
    const after = {
      ...before,
      "dev-a/root.hcl": nearer,
      "dev-a/_envcommon/sqs.hcl": envcommon("v0.10.0"),
    };
    const { files, inventory } = scanRecord(after, threeEnvConfig, cache);
    const usage = onlyUsage(inventory, "dev", "acme/terraform-aws-messaging/sqs");
    expect(usage.version).toBe("v0.10.0");
    expect(usage.token?.file).toBe("dev-a/_envcommon/sqs.hcl");
    expect(tokenText(files, usage.token as TokenLocation)).toBe("v0.10.0");
    expect(inventory).toEqual(scanRecord(after).inventory);
  });

  it("a new account.hcl nearer to a unit is found on a re-scan", () => {
    const cache = createScanCache();
    const before = repo("v0.8.0", "v0.5.0");
    scanRecord(before, threeEnvConfig, cache);
    const after = { ...before, "dev-a/us-east-1/account.hcl": `locals {\n  v = "v0.7.0"\n}\n` };
    const { inventory } = scanRecord(after, threeEnvConfig, cache);
    expect(onlyUsage(inventory, "dev", "acme/terraform-aws-cache/redis").token?.file).toBe(
      "dev-a/us-east-1/account.hcl",
    );
  });

  it("removing an included file makes the units that need it skipped", () => {
    const cache = createScanCache();
    const before = repo("v0.8.0", "v0.5.0");
    scanRecord(before, threeEnvConfig, cache);
    const after = { ...before };
    delete after["_envcommon/sqs.hcl"];
    const { inventory } = scanRecord(after, threeEnvConfig, cache);
    expect(idsByEnvironment(inventory).dev).toEqual([
      "acme/terraform-aws-cache/redis",
      "acme/terraform-aws-vpc/vpc-app",
    ]);
    expect(inventory.skipped.map((s) => s.file)).toEqual(["dev-a/us-east-1/sqs/terragrunt.hcl"]);
    expect(inventory).toEqual(scanRecord(after).inventory);
  });

  it("a file moved into another environment is re-assigned with the same cache", () => {
    const cache = createScanCache();
    const before = repo("v0.8.0", "v0.5.0");
    scanRecord(before, threeEnvConfig, cache);
    const after = { ...before };
    after["stage-a/app/main.tf"] = after["dev-a/app/main.tf"] as string;
    delete after["dev-a/app/main.tf"];
    const { inventory } = scanRecord(after, threeEnvConfig, cache);
    expect(idsByEnvironment(inventory).stage).toEqual(["acme/terraform-aws-vpc/vpc-app"]);
    expect(idsByEnvironment(inventory).dev).not.toContain("acme/terraform-aws-vpc/vpc-app");
  });
});

describe("a Gruntwork-style repository (test/fixtures/scanner/gruntwork-style)", () => {
  const dir = fileURLToPath(new URL("../fixtures/scanner/gruntwork-style", import.meta.url));
  const config = configFrom(readFileSync(join(dir, ".github/promoter.yml"), "utf8"));
  const files = readFiles(dir, listDirectory(dir).filter(isIacFile));
  const content = (path: string) => files.find((f) => f.path === path)?.content ?? "";
  const RDS = "gruntwork-io/terraform-aws-data-storage/rds";
  const EKS = "gruntwork-io/terraform-aws-eks/eks-cluster-control-plane";
  const VPC = "gruntwork-io/terraform-aws-service-catalog/networking/vpc";

  it("finds every dependency of every environment", () => {
    const { inventory, conflicts } = scan(files, config);
    expect(conflicts).toEqual([]);
    expect(inventory.warnings).toEqual([]);
    expect(idsByEnvironment(inventory)).toEqual({
      dev: [RDS, EKS, VPC, "terraform-aws-modules/s3-bucket/aws"],
      stage: [RDS, EKS, VPC],
      prod: [RDS, EKS, VPC],
    });
    const versions = inventory.environments.map((e) => [
      e.name,
      e.dependencies.map((d) => d.versions.join(",")),
    ]);
    expect(versions).toEqual([
      ["dev", ["v0.30.0", "v0.105.0", "v0.104.0", "4.1.2"]],
      ["stage", ["v0.29.0", "v0.104.2", "v0.104.0"]],
      ["prod", ["v0.29.0", "v0.104.2", "v0.104.0"]],
    ]);
  });

  it("places each version token where it is written", () => {
    const { inventory } = scan(files, config);
    for (const env of ["dev", "stage", "prod"]) {
      const rds = onlyUsage(inventory, env, RDS);
      const versionsFile = `${env}/versions.hcl`;
      expectUsage(files, rds, {
        file: `${env}/us-east-1/rds/terragrunt.hcl`,
        line: 5,
        version: rds.version,
        kind: "git-tag",
        token: locate(versionsFile, content(versionsFile), `"${rds.version}"`, {
          skip: 1,
          length: rds.version.length,
        }),
      });
      const eks = onlyUsage(inventory, env, EKS);
      const unit = `${env}/us-east-1/eks/terragrunt.hcl`;
      expectUsage(files, eks, {
        file: unit,
        line: 12,
        version: eks.version,
        kind: "git-tag",
        token: locate(unit, content(unit), `ref=${eks.version}`, { skip: 4 }),
      });
      expectUsage(files, onlyUsage(inventory, env, VPC), {
        file: `${env}/us-east-1/vpc/terragrunt.hcl`,
        line: 5,
        version: "v0.104.0",
        kind: "git-tag",
        token: locate("_envcommon/vpc.hcl", content("_envcommon/vpc.hcl"), "v0.104.0"),
        notPromotable:
          "not promotable per environment: the version is set in _envcommon/vpc.hcl:7, shared by environments dev, stage, prod",
      });
    }
    const app = "dev/us-east-1/app/main.tf";
    expectUsage(files, onlyUsage(inventory, "dev", "terraform-aws-modules/s3-bucket/aws"), {
      file: app,
      line: 7,
      version: "4.1.2",
      kind: "registry-version",
      token: locate(app, content(app), "4.1.2"),
    });
    expect(inventory.skipped.map((s) => s.file)).toEqual([
      "dev/us-east-1/vpc/terragrunt.hcl",
      "prod/us-east-1/vpc/terragrunt.hcl",
      "stage/us-east-1/vpc/terragrunt.hcl",
    ]);
  });
});

describe("commit-SHA pins with a version comment", () => {
  const SHA = "3f2a9c1d4e5b6a7980123456789abcdef0123456";
  const IAM = "git::https://github.com/acme/terraform-aws-iam.git";

  it.each([
    ["# v1.2.0", "v1.2.0"],
    ["// v1.2.0", "v1.2.0"],
    ["#v1.2.0 (the release of May)", "v1.2.0"],
    ["# iam-v1.2.0", "iam-v1.2.0"],
  ])("reads `%s` after the source string as the version of the SHA", (comment, version) => {
    const path = "dev-a/main.tf";
    const content = `module "iam" {\n  source = "${IAM}?ref=${SHA}"  ${comment}\n}\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    const usage = onlyUsage(inventory, "dev", "acme/terraform-aws-iam");
    expect(usage).toEqual({
      file: path,
      line: 2,
      version,
      kind: "git-commit",
      token: locate(path, content, version),
      commit: { sha: SHA, token: locate(path, content, SHA) },
    });
    expect(tokenText(files, usage.token as TokenLocation)).toBe(version);
    expect(tokenText(files, usage.commit?.token as TokenLocation)).toBe(SHA);
    expect(inventory.skipped).toEqual([]);
  });

  it("reads a short SHA, a query after the ref, and CRLF line ends", () => {
    const path = "dev-a/main.tf";
    const content = `module "iam" {\r\n  source = "${IAM}?ref=3f2a9c1&depth=1" # v1.2.0\r\n}\r\n`;
    const { files, inventory } = scanRecord({ [path]: content });
    const usage = onlyUsage(inventory, "dev", "acme/terraform-aws-iam");
    expect(usage.version).toBe("v1.2.0");
    expect(usage.commit?.sha).toBe("3f2a9c1");
    expect(tokenText(files, usage.token as TokenLocation)).toBe("v1.2.0");
    expect(tokenText(files, usage.commit?.token as TokenLocation)).toBe("3f2a9c1");
  });

  it("reads a SHA in a Terragrunt local with its comment, where the local is written", () => {
    const path = "dev-a/app/terragrunt.hcl";
    const content =
      `locals {\n  ref = "${SHA}" # v1.2.0\n}\n\n` +
      `terraform {\n  source = "${IAM}//modules/user?ref=\${local.ref}"\n}\n`;
    const { inventory } = scanRecord({ [path]: content });
    const usage = onlyUsage(inventory, "dev", "acme/terraform-aws-iam/user");
    expect(usage).toMatchObject({
      line: 6,
      version: "v1.2.0",
      kind: "git-commit",
      token: locate(path, content, "v1.2.0"),
      commit: { sha: SHA, token: locate(path, content, SHA) },
    });
  });

  it.each([
    ["no comment", ""],
    ["a comment that is not a version", "# pinned for the audit"],
    ["a comment on the next line", "\n  # v1.2.0"],
    ["a block comment", "/* v1.2.0 */"],
  ])("skips a SHA with %s, as before", (_, after) => {
    const path = "dev-a/main.tf";
    const content = `module "iam" {\n  source = "${IAM}?ref=${SHA}" ${after}\n}\n`;
    const { inventory } = scanRecord({ [path]: content });
    expect(idsByEnvironment(inventory)).toEqual({ dev: [], stage: [], prod: [] });
    expect(inventory.skipped).toEqual([
      {
        file: path,
        line: 2,
        id: "acme/terraform-aws-iam",
        reason: `ref ${SHA} is a commit SHA, not a version tag, and no version comment follows it (such as "# v1.2.0")`,
      },
    ]);
  });

  it("does not take the comment of a line whose string goes on interpolating after the SHA", () => {
    const path = "dev-a/app/terragrunt.hcl";
    const content =
      `locals {\n  sub = "user"\n}\n\n` +
      `terraform {\n  source = "${IAM}?ref=${SHA}&x=\${local.sub}" # v1.2.0\n}\n`;
    const { inventory } = scanRecord({ [path]: content });
    expect(idsByEnvironment(inventory)).toEqual({ dev: [], stage: [], prod: [] });
    expect(inventory.skipped).toHaveLength(1);
  });
});
