import { describe, expect, it } from "vitest";
import { assembleInventory } from "../../src/iac/inventory.js";
import type { UnitResult } from "../../src/iac/scan-unit.js";
import type { FoundUsage } from "../../src/iac/source-usage.js";
import type { TokenLocation } from "../../src/iac/types.js";
import { threeEnvConfig } from "./helpers.js";

/** A git usage of `id` at `version` in `file` line 3, its version written at `token` (or in `file`). */
function usage(file: string, id: string, version: string, token?: TokenLocation): FoundUsage {
  return {
    file,
    line: 3,
    id,
    kind: "git",
    source: `git::https://github.com/${id}.git`,
    origin: {
      type: "git",
      host: "github.com",
      owner: id.split("/")[0] ?? "",
      repo: id.split("/")[1] ?? "",
    },
    version,
    usageKind: "git-tag",
    token: token ?? { file, start: 10, end: 16, line: 3, column: 5 },
  };
}

function result(usages: FoundUsage[], more: Partial<UnitResult> = {}): UnitResult {
  return { hash: "h", reads: [], usages, skipped: [], warnings: [], ...more };
}

/** The inventory of units given as `[path, environment, usages]`, plus files of environments that are not units. */
function inventoryOf(
  units: [string, string, FoundUsage[], Partial<UnitResult>?][],
  otherFiles: [string, string][] = [],
) {
  const envOfFile = new Map([
    ...units.map(([path, env]) => [path, env] as [string, string]),
    ...otherFiles,
  ]);
  return assembleInventory(
    threeEnvConfig,
    units.map(([path]) => path),
    units.map(([, , usages, more]) => result(usages, more)),
    envOfFile,
  );
}

const SHARED: TokenLocation = {
  file: "common/versions.hcl",
  start: 20,
  end: 26,
  line: 2,
  column: 7,
};

describe("assembleInventory", () => {
  it("groups usages per environment and dependency, versions in semver order", () => {
    const inventory = inventoryOf([
      ["dev-a/b/main.tf", "dev", [usage("dev-a/b/main.tf", "acme/vpc", "v1.10.0")]],
      ["dev-a/a/main.tf", "dev", [usage("dev-a/a/main.tf", "acme/vpc", "v1.9.0")]],
      ["prod-a/main.tf", "prod", [usage("prod-a/main.tf", "acme/eks", "v2.0.0")]],
    ]);
    expect(inventory.environments.map((e) => e.name)).toEqual(["dev", "stage", "prod"]);
    const [dev, stage, prod] = inventory.environments;
    expect(dev?.dependencies.map((d) => [d.id, d.versions, d.usages.map((u) => u.file)])).toEqual([
      ["acme/vpc", ["v1.9.0", "v1.10.0"], ["dev-a/a/main.tf", "dev-a/b/main.tf"]],
    ]);
    expect(stage?.dependencies).toEqual([]);
    expect(prod?.dependencies.map((d) => d.id)).toEqual(["acme/eks"]);
    expect(inventory.skipped).toEqual([]);
  });

  it.each<[string, [string, string, FoundUsage[]][], [string, string][], string[]]>([
    [
      "a literal shared by environments is not promotable",
      [
        ["dev-a/main.tf", "dev", [usage("dev-a/main.tf", "acme/vpc", "v1.0.0", SHARED)]],
        ["prod-a/main.tf", "prod", [usage("prod-a/main.tf", "acme/vpc", "v1.0.0", SHARED)]],
      ],
      [],
      [
        "not promotable per environment: the version is set in common/versions.hcl:2, shared by environments dev, prod",
        "not promotable per environment: the version is set in common/versions.hcl:2, shared by environments dev, prod",
      ],
    ],
    [
      "a literal shared by dependencies is not promotable",
      [
        [
          "dev-a/main.tf",
          "dev",
          [
            usage("dev-a/main.tf", "acme/vpc", "v1.0.0", SHARED),
            usage("dev-a/main.tf", "acme/eks", "v1.0.0", SHARED),
          ],
        ],
      ],
      [],
      [
        "the version is set in common/versions.hcl:2, shared by dependencies acme/eks, acme/vpc",
        "the version is set in common/versions.hcl:2, shared by dependencies acme/eks, acme/vpc",
      ],
    ],
    [
      "a literal in a file of another environment is not promotable",
      [
        [
          "dev-a/main.tf",
          "dev",
          [
            usage("dev-a/main.tf", "acme/vpc", "v1.0.0", {
              ...SHARED,
              file: "prod-a/versions.hcl",
            }),
          ],
        ],
      ],
      [["prod-a/versions.hcl", "prod"]],
      [
        "not promotable per environment: the version is set in prod-a/versions.hcl:2, a file of environment prod",
      ],
    ],
    [
      "a literal in the unit's own file is promotable",
      [["dev-a/main.tf", "dev", [usage("dev-a/main.tf", "acme/vpc", "v1.0.0")]]],
      [],
      [],
    ],
  ])("%s; each reason is listed as skipped", (_, units, otherFiles, reasons) => {
    const inventory = inventoryOf(units, otherFiles);
    const usages = inventory.environments.flatMap((e) => e.dependencies.flatMap((d) => d.usages));
    expect(usages.flatMap((u) => (u.notPromotable ? [u.notPromotable] : []))).toEqual(reasons);
    expect(inventory.skipped.map((s) => s.reason)).toEqual(reasons);
  });

  it("keeps a unit's own reason over the repository-wide one", () => {
    const found = {
      ...usage("dev-a/main.tf", "acme/vpc", "v1.0.0", SHARED),
      notPromotable: "computed",
    };
    const inventory = inventoryOf([
      ["dev-a/main.tf", "dev", [found]],
      ["prod-a/main.tf", "prod", [usage("prod-a/main.tf", "acme/vpc", "v1.0.0", SHARED)]],
    ]);
    expect(inventory.environments[0]?.dependencies[0]?.usages[0]?.notPromotable).toBe("computed");
  });

  it("sorts skipped entries by file and line, and lists a warning once", () => {
    const warning = { file: "root.hcl", message: "syntax error" };
    const inventory = inventoryOf([
      [
        "dev-b/main.tf",
        "dev",
        [],
        { skipped: [{ file: "dev-b/main.tf", line: 9, reason: "b9" }], warnings: [warning] },
      ],
      [
        "dev-a/main.tf",
        "dev",
        [],
        {
          skipped: [
            { file: "dev-a/main.tf", line: 5, reason: "a5" },
            { file: "dev-a/main.tf", line: 2, reason: "a2" },
          ],
          warnings: [warning],
        },
      ],
    ]);
    expect(inventory.skipped.map((s) => s.reason)).toEqual(["a2", "a5", "b9"]);
    expect(inventory.warnings).toEqual([warning]);
  });
});
