import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { applyVerifiedEdits, parseWithReferenceParser, planEdits } from "../../src/iac/edits.js";
import { createScanCache, isIacFile, scan } from "../../src/iac/scanner.js";
import type { SourceFile } from "../../src/iac/types.js";
import { listDirectory, readFiles } from "../../src/local/read-directory.js";
import { reportJson, reportText } from "../../src/promotion/inventory-report.js";
import { chainStarts, dependenciesToList, plan } from "../../src/promotion/plan.js";
import { HclParser } from "../support/tree-sitter-hcl.js";
import { configFrom, dependencyOf, idsByEnvironment, sourceFiles } from "./helpers.js";

/** The files and config of test/fixtures/real-world/<name>, and its scan. */
function fixture(name: string) {
  const dir = fileURLToPath(new URL(`../fixtures/real-world/${name}`, import.meta.url));
  const config = configFrom(readFileSync(join(dir, ".github/promoter.yml"), "utf8"));
  const files = readFiles(dir, listDirectory(dir).filter(isIacFile));
  const { inventory } = scan(files, config);
  /** Plans and verifies bringing `id` in `environment` to `version`; the changed files' text by path. */
  const update = (id: string, environment: string, version: string): Record<string, string> => {
    const planned = planEdits(inventory, id, environment, version);
    if (!planned.ok) throw new Error(planned.reason);
    const intended = { dependencyId: id, environment, targetVersion: version };
    const verified = applyVerifiedEdits(files, config, inventory, planned.edits, intended);
    if (!verified.ok) throw new Error(verified.reason);
    return Object.fromEntries(verified.files.map((f: SourceFile) => [f.path, f.content]));
  };
  return { files, config, inventory, update };
}

describe("read_terragrunt_config(...) used directly (real-world/read-terragrunt-config-direct)", () => {
  const { inventory, update } = fixture("read-terragrunt-config-direct");
  const UNIT = "acme/infrastructure-catalog/units/eks";
  const ADDONS = "acme/terraform-aws-eks/eks-k8s-addons";

  it("finds the pins read through `read_terragrunt_config(...).locals` in every environment", () => {
    expect(inventory.skipped).toEqual([]);
    expect(inventory.warnings).toEqual([]);
    expect(idsByEnvironment(inventory)).toEqual({
      dev: [UNIT, ADDONS],
      stage: [UNIT, ADDONS],
      prod: [UNIT, ADDONS],
    });
    expect(dependencyOf(inventory, "prod", ADDONS).versions).toEqual(["v0.71.3"]);
    const [usage] = dependencyOf(inventory, "dev", UNIT).usages;
    expect(usage?.token).toMatchObject({ file: "dev/github.hcl", line: 2 });
    expect(usage?.notPromotable).toBeUndefined();
  });

  it("updates the version where the read file writes it", () => {
    expect(update(ADDONS, "prod", "v0.72.0")).toEqual({
      "prod/env.hcl": 'locals {\n  environment = "prod"\n  eks_version = "v0.72.0"\n}\n',
    });
    expect(Object.keys(update(UNIT, "stage", "v1.5.0"))).toEqual(["stage/github.hcl"]);
  });
});

describe("`?ref=tags/0.18.0` (real-world/ref-tags-prefix)", () => {
  const { inventory, config, update } = fixture("ref-tags-prefix");
  const ID = "acme/terraform-aws-network/vpc";

  it("reads the tag after `tags/`, and the edit keeps `tags/`", () => {
    expect(dependencyOf(inventory, "dev", ID).versions).toEqual(["0.18.0"]);
    const changed = update(ID, "dev", "0.19.0");
    expect(changed["dev/vpc/terragrunt.hcl"]).toContain(
      "terraform-aws-network.git//vpc?ref=tags/0.19.0",
    );
  });

  it("is proposed by plan", () => {
    const versions = new Map([[ID, ["0.17.0", "0.18.0", "0.18.1"]]]);
    const { proposals } = plan(inventory, versions, config, []);
    expect(proposals.map((p) => [p.environment, p.dependency, p.from, p.to])).toEqual([
      ["dev", ID, ["0.18.0"], "0.18.1"],
    ]);
  });
});

describe("the subpath `//.` (real-world/subpath-dot)", () => {
  const { inventory, update } = fixture("subpath-dot");
  const ID = "cloudposse/terraform-aws-cloudtrail";

  it("is the root of the repository: the id has no `/.`, and it can be named to update", () => {
    expect(idsByEnvironment(inventory).dev).toEqual([ID]);
    expect(update(ID, "stage", "0.22.0")["stage/cloudtrail/main.tf"]).toContain(
      "terraform-aws-cloudtrail.git//.?ref=0.22.0",
    );
  });
});

describe("registry submodules (real-world/registry-submodules)", () => {
  const { inventory, update } = fixture("registry-submodules");
  const ID = "cloudposse/stack-config/yaml";

  it("are one dependency, the module's `namespace/name/provider`, with every submodule's usage", () => {
    expect(idsByEnvironment(inventory)).toEqual({ dev: [ID], stage: [ID], prod: [ID] });
    expect(dependencyOf(inventory, "dev", ID).usages).toHaveLength(3);
  });

  it("are updated together", () => {
    const changed = update(ID, "dev", "1.6.0");
    expect(Object.keys(changed).sort()).toEqual([
      "dev/eks/providers.tf",
      "dev/eks/remote-state.tf",
    ]);
    expect(changed["dev/eks/remote-state.tf"]?.match(/version = "1\.6\.0"/g)).toHaveLength(2);
  });
});

describe("git hosts other than github.com (real-world/other-git-hosts)", () => {
  const { inventory } = fixture("other-git-hosts");

  it("reads Bitbucket's shorthand as git, and an Azure DevOps ssh path without its `v3/`", () => {
    expect(idsByEnvironment(inventory).dev).toEqual([
      "bitbucket.org/acme/terraform-modules/app",
      "ssh.dev.azure.com/acme/platform/terraform-azurerm-network/vnet",
    ]);
    expect(inventory.skipped).toEqual([]);
  });

  it("warns about a Terragrunt file with several terraform blocks instead of using the first", () => {
    expect(inventory.warnings).toEqual([
      {
        file: "dev/queue/terragrunt.hcl",
        message:
          "2 terraform blocks (lines 1, 9): Terragrunt accepts only one; the file's source is not scanned",
      },
    ]);
  });
});

describe("one literal for several submodules of one repository (real-world/shared-literal-submodules)", () => {
  const { inventory, config, update } = fixture("shared-literal-submodules");
  const POSTGRES = "acme/terraform-google-sql-db/postgresql";
  const MSSQL = "acme/terraform-google-sql-db/mssql";

  it("is editable: each usage says which dependencies it is edited with", () => {
    expect(inventory.skipped).toEqual([]);
    expect(dependencyOf(inventory, "dev", POSTGRES).usages[0]).toMatchObject({
      token: { file: "dev/_common/common.hcl", line: 3 },
      editedWith: [MSSQL],
    });
    expect(dependencyOf(inventory, "dev", MSSQL).usages[0]?.editedWith).toEqual([POSTGRES]);
  });

  it("is updated for both submodules by one edit, which verification accepts", () => {
    expect(update(MSSQL, "prod", "v26.2.0")).toEqual({
      "prod/_common/common.hcl": 'locals {\n  environment = "prod"\n  sql_db      = "v26.2.0"\n}\n',
    });
  });

  it("gets one proposal per environment, named after the first of the submodules", () => {
    const versions = new Map([
      [MSSQL, ["v26.2.0", "v26.3.0"]],
      [POSTGRES, ["v26.2.0", "v26.3.0"]],
    ]);
    const { proposals, deferred } = plan(inventory, versions, config, []);
    expect(proposals.map((p) => [p.environment, p.dependency, p.to, p.files])).toEqual([
      ["dev", MSSQL, "v26.3.0", ["dev/_common/common.hcl"]],
      ["prod", MSSQL, "v26.2.0", ["prod/_common/common.hcl"]],
    ]);
    expect(deferred).toContainEqual({
      environment: "dev",
      dependency: POSTGRES,
      reason: `updated with ${MSSQL}, which shares its version literal (the version set in dev/_common/common.hcl:3)`,
    });
  });
});

describe("a dependency the first environment does not use (real-world/not-in-first-environment)", () => {
  const { inventory, config } = fixture("not-in-first-environment");
  const WAF = "acme/terraform-aws-waf/web-acl";
  const note =
    "not used in dev: stage is the first environment that uses it, so its updates start there";

  it("starts its chain at the first environment that uses it, which gets the update", () => {
    expect(chainStarts(inventory)).toEqual([
      { dependency: WAF, environment: "stage", unusedIn: ["dev"] },
    ]);
    expect(dependenciesToList(inventory, config).map((d) => d.id)).toContain(WAF);
    const versions = new Map([
      [WAF, ["v1.3.0", "v1.4.0", "v1.5.0"]],
      ["acme/terraform-aws-vpc/vpc", ["v2.1.0"]],
    ]);
    const { proposals } = plan(inventory, versions, config, []);
    expect(proposals.map((p) => [p.environment, p.dependency, p.to, p.reason, p.note])).toEqual([
      ["stage", WAF, "v1.5.0", "update", note],
      ["prod", WAF, "v1.4.0", "promotion", undefined],
    ]);
  });

  it("is named in the report, with the reason", () => {
    expect(reportText(inventory)).toContain(
      `Not in the first environment (1):\n  ${WAF}: ${note}\n`,
    );
    expect(reportJson(inventory).chainStarts).toEqual([
      { dependency: WAF, environment: "stage", reason: note },
    ]);
  });
});

describe("fork-suffixed tags (real-world/fork-suffixed-tags)", () => {
  const { inventory, config } = fixture("fork-suffixed-tags");
  const ID = "acme-forks/terraform-aws-service-catalog/networking/vpc";

  it("stay on the fork's line, and the proposal says which line it follows", () => {
    const versions = new Map([[ID, ["v0.107.5", "v0.107.5-gwrc", "v0.107.6", "v0.107.6-gwrc"]]]);
    const { proposals } = plan(inventory, versions, config, []);
    expect(proposals.map((p) => [p.environment, p.from, p.to, p.note])).toEqual([
      [
        "dev",
        ["v0.107.5-gwrc"],
        "v0.107.6-gwrc",
        `follows the "-gwrc" line of tags (a fork's own releases)`,
      ],
    ]);
  });

  it("are named in the report, text and JSON, once the tags show the line", () => {
    const versions = new Map([[ID, ["v0.107.5", "v0.107.6", "v0.107.6-gwrc"]]]);
    const text = reportText(inventory, { config, versions });
    for (const env of ["dev", "stage", "prod"]) {
      expect(text).toContain(
        `${env}: 1 dependency\n  DEPENDENCY${" ".repeat(ID.length - 10)}  VERSION        FILES\n  ${ID}  v0.107.5-gwrc  1\n  ${ID} follows the "-gwrc" line of tags (a fork's own releases)\n`,
      );
    }
    const json = reportJson(inventory, { config, versions });
    expect(json.environments.map((e) => e.dependencies[0]?.tagLine)).toEqual([
      "gwrc",
      "gwrc",
      "gwrc",
    ]);
    // Without the tags, one pinned version is no evidence of a line.
    expect(reportText(inventory, { config })).not.toContain("line of tags");
    expect(reportJson(inventory).environments[0]?.dependencies[0]).not.toHaveProperty("tagLine");
  });
});

describe("an attribute set twice (real-world/duplicate-attribute)", () => {
  const { inventory } = fixture("duplicate-attribute");

  it("is a warning naming the line, as HCL rejects the file, and the file is not scanned", () => {
    expect(inventory.warnings).toEqual([
      {
        file: "dev/app/terragrunt.hcl",
        message:
          '9:1: the attribute "inputs" is set again (first on line 5), which HCL rejects (as `terraform fmt` would); the file is not scanned',
      },
    ]);
    expect(idsByEnvironment(inventory).dev).toEqual([]);
  });
});

describe("syntax newer than hcl2-parser knows (real-world/provider-defined-functions)", () => {
  const { inventory, files, config } = fixture("provider-defined-functions");
  const ID = "acme/terraform-aws-iam/role";
  const file = "dev/iam/main.tf";

  it("is scanned, and an edit of only its version token is verified without hcl2-parser, saying so", async () => {
    const original = files.find((f) => f.path === file)?.content ?? "";
    expect(parseWithReferenceParser(original).ok).toBe(false);
    const planned = planEdits(inventory, ID, "dev", "v5.3.0");
    if (!planned.ok) throw new Error(planned.reason);
    const intended = { dependencyId: ID, environment: "dev", targetVersion: "v5.3.0" };
    const verified = applyVerifiedEdits(files, config, inventory, planned.edits, intended);
    if (!verified.ok) throw new Error(verified.reason);
    expect(verified.verifiers).toEqual([{ file, verifier: "project-parser-and-byte-check" }]);
    const edited = verified.files[0]?.content ?? "";
    expect(edited).toBe(original.replace("?ref=v5.2.0", "?ref=v5.3.0"));
    // The tree-sitter HCL grammar, an independent parser, reads the edited file too.
    expect((await HclParser.load()).parse(edited).error).toBeUndefined();
  });

  it("still refuses an edit that is more than a version token", () => {
    const planned = planEdits(inventory, ID, "dev", "v5.3.0");
    if (!planned.ok) throw new Error(planned.reason);
    const edits = planned.edits.map((e) => ({
      ...e,
      end: e.end + 1,
      before: `${e.before}"`,
      after: 'v5.3.0"\nx = 1',
    }));
    const intended = { dependencyId: ID, environment: "dev", targetVersion: "v5.3.0" };
    expect(applyVerifiedEdits(files, config, inventory, edits, intended)).toEqual({
      ok: false,
      reason: `${file} would no longer parse after the edit: the reference HCL parser rejects it, and the edit changes more than version tokens`,
    });
  });
});

describe("what cannot be updated says exactly why, on one line (real-world/reason-wording)", () => {
  const { inventory } = fixture("reason-wording");

  it("gives each unit's reason", () => {
    expect(inventory.skipped.map((s) => [s.file, s.reason])).toEqual([
      ["dev/branch/terragrunt.hcl", "ref release-candidate is not a version tag"],
      [
        "dev/conditional/terragrunt.hcl",
        'the source cannot be resolved statically: `( local.use_fork ? "git::https://github.com/acme-forks/terr…` cannot be evaluated statically',
      ],
      [
        "dev/json-config/terragrunt.hcl",
        'the source cannot be resolved statically: find_in_parent_folders("env.json") names a JSON Terragrunt configuration, which Promoter does not read',
      ],
      [
        "dev/ref-before-subdir/terragrunt.hcl",
        'unsupported source "git::https://github.com/acme/terraform-aws-vpc.git?ref=v1.2.3//modules/vpc": the "//" of a subdirectory must come before the "?" of the query',
      ],
      [
        "dev/tfr-ref/terragrunt.hcl",
        'unsupported source "tfr:///terraform-aws-modules/vpc/aws?ref=v0.0.9": Terragrunt\'s registry getter (tfr://) reads "version=", not "ref="',
      ],
    ]);
    for (const s of inventory.skipped) expect(s.reason).not.toMatch(/[\n\r]/);
  });
});

describe("a pre-0.19 Terragrunt terraform.tfvars (real-world/legacy-terraform-tfvars)", () => {
  const { inventory } = fixture("legacy-terraform-tfvars");

  it("gets one note that the form is not supported", () => {
    expect(inventory.warnings).toEqual([
      {
        file: "dev/vpc/terraform.tfvars",
        message:
          "a pre-0.19 Terragrunt configuration (`terragrunt = { ... }` in terraform.tfvars) (and 1 other terraform.tfvars file): this form is not supported; Terragrunt 0.19 and later read terragrunt.hcl",
      },
    ]);
  });
});

describe("module pins inside a repository-local module (real-world/local-module-pins)", () => {
  const { inventory } = fixture("local-module-pins");
  const ID = "cloudposse/terraform-aws-ecs-scheduled-task";
  const shared =
    "not promotable per environment: the version is set in modules/scheduled-task/main.tf:2, shared by environments dev, stage, prod";

  it("are listed under every environment using the local module, as shared, with the file and line", () => {
    expect(idsByEnvironment(inventory)).toEqual({ dev: [ID], stage: [ID], prod: [ID] });
    for (const env of ["dev", "stage", "prod"]) {
      expect(dependencyOf(inventory, env, ID).usages).toEqual([
        {
          file: "modules/scheduled-task/main.tf",
          line: 2,
          version: "v0.35.12",
          kind: "git-tag",
          token: expect.objectContaining({
            file: "modules/scheduled-task/main.tf",
            line: 2,
          }) as unknown,
          notPromotable: shared,
        },
      ]);
    }
    expect(inventory.skipped).toEqual([
      { file: "modules/scheduled-task/main.tf", line: 2, id: ID, reason: shared },
    ]);
  });

  it("are found again when a file is added to the local module, whatever the cache holds", () => {
    const { files, config } = fixture("local-module-pins");
    const cache = createScanCache();
    scan(files, config, cache);
    const added = sourceFiles({
      "modules/scheduled-task/logs.tf":
        'module "logs" {\n  source = "git::https://github.com/acme/terraform-aws-logs.git?ref=v1.0.0"\n}\n',
    });
    const { inventory: after } = scan([...files, ...added], config, cache);
    expect(idsByEnvironment(after).dev).toEqual(["acme/terraform-aws-logs", ID]);
  });
});
