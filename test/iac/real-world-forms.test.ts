import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { applyVerifiedEdits, planEdits } from "../../src/iac/edits.js";
import { isIacFile, scan } from "../../src/iac/scanner.js";
import type { SourceFile } from "../../src/iac/types.js";
import { listDirectory, readFiles } from "../../src/local/read-directory.js";
import { configFrom, dependencyOf, idsByEnvironment } from "./helpers.js";

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
