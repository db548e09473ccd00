import { describe, expect, it } from "vitest";
import {
  cachedUnitResult,
  createScanCache,
  parseCached,
  type ScanCache,
} from "../../src/iac/scan-cache.js";
import { moduleFilesByDirectory, type UnitResult } from "../../src/iac/scan-unit.js";
import { scan } from "../../src/iac/scanner.js";
import type { Inventory, SourceFile } from "../../src/iac/types.js";
import { configFrom, sourceFiles } from "./helpers.js";

const [unit, root] = sourceFiles({
  "dev/app/terragrunt.hcl": 'include "root" {\n  path = "/root.hcl"\n}\n',
  "root.hcl": 'locals {\n  v = "v1"\n}\n',
}) as [SourceFile, SourceFile];
const [rootChanged] = sourceFiles({ "root.hcl": 'locals {\n  v = "v2"\n}\n' }) as [SourceFile];

/** A cached result of `unit` that read root.hcl (with the hash it saw) and a file that was missing. */
function cacheWithUnit() {
  const cache = createScanCache();
  const result: UnitResult = {
    hash: unit.hash,
    reads: [
      [unit.path, unit.hash],
      ["root.hcl", root.hash],
      ["missing.hcl", null],
    ],
    usages: [],
    skipped: [],
    warnings: [],
  };
  cache.units.set(unit.path, result);
  return { cache, result };
}

describe("cachedUnitResult", () => {
  it.each<[string, SourceFile, [string, SourceFile][], boolean]>([
    [
      "nothing it read has changed",
      unit,
      [
        [unit.path, unit],
        ["root.hcl", root],
      ],
      true,
    ],
    ["the unit has changed", { ...unit, hash: "other" }, [["root.hcl", root]], false],
    [
      "a file it read has changed",
      unit,
      [
        [unit.path, unit],
        ["root.hcl", rootChanged],
      ],
      false,
    ],
    ["a file it read is gone", unit, [[unit.path, unit]], false],
    [
      "a file it found missing now exists",
      unit,
      [
        [unit.path, unit],
        ["root.hcl", root],
        ["missing.hcl", root],
      ],
      false,
    ],
  ])("when %s: %s", (_, file, present, reused) => {
    const { cache, result } = cacheWithUnit();
    const byPath = new Map(present);
    const found = cachedUnitResult(cache, file, byPath, moduleFilesByDirectory(byPath));
    expect(found).toBe(reused ? result : undefined);
  });

  it("is undefined for a unit never scanned", () => {
    const byPath = new Map([[unit.path, unit]]);
    expect(
      cachedUnitResult(createScanCache(), unit, byPath, moduleFilesByDirectory(byPath)),
    ).toBeUndefined();
  });
});

describe("parseCached", () => {
  it("keeps a parse by content hash only when asked to", () => {
    const cache = createScanCache();
    const first = parseCached(cache, root, false);
    expect(first.error).toBeUndefined();
    expect(cache.documents.size).toBe(0);
    const kept = parseCached(cache, root, true);
    expect(cache.documents.get(root.hash)).toBe(kept);
    expect(parseCached(cache, { ...root, path: "other.hcl" }, false)).toBe(kept);
  });
});

describe("a re-scan with the same cache", () => {
  const config = configFrom(
    "environments:\n  - name: dev\n    paths: ['dev/**']\n  - name: prod\n    paths: ['prod/**']\n",
  );
  const files = sourceFiles({
    "dev/app/terragrunt.hcl":
      'terraform {\n  source = "git::https://github.com/acme/mods.git//vpc?ref=v1.0.0"\n}\n',
    "prod/app/terragrunt.hcl":
      'terraform {\n  source = "git::https://github.com/acme/mods.git//vpc?ref=v0.9.0"\n}\n',
  });
  const versions = (inventory: Inventory) =>
    inventory.environments.map((e) => e.dependencies.map((d) => `${e.name} ${d.versions.join()}`));

  it("gives the same inventory while nothing it was built from changed, frozen so no consumer can change it", () => {
    const cache = createScanCache();
    const first = scan(files, config, cache).inventory;
    const again = scan(sourceFiles({ ...recordOf(files) }), config, cache).inventory;
    expect(again).toBe(first);
    expect(Object.isFrozen(first.environments[0]?.dependencies[0]?.usages[0])).toBe(true);
    expect(() => (first.warnings as unknown[]).push("x")).toThrow(TypeError);
  });

  it.each<[string, (cache: ScanCache) => Inventory, string[][]]>([
    [
      "a unit changed",
      (cache) =>
        scan(
          sourceFiles({
            ...recordOf(files),
            "prod/app/terragrunt.hcl":
              'terraform {\n  source = "git::https://github.com/acme/mods.git//vpc?ref=v1.0.0"\n}\n',
          }),
          config,
          cache,
        ).inventory,
      [["dev v1.0.0"], ["prod v1.0.0"]],
    ],
    [
      "the environments changed",
      (cache) =>
        scan(
          files,
          configFrom(
            "environments:\n  - name: dev\n    paths: ['dev/**']\n  - name: live\n    paths: ['prod/**']\n",
          ),
          cache,
        ).inventory,
      [["dev v1.0.0"], ["live v0.9.0"]],
    ],
  ])("assembles the inventory again when %s", (_, rescan, expected) => {
    const cache = createScanCache();
    const first = scan(files, config, cache).inventory;
    const second = rescan(cache);
    expect(second).not.toBe(first);
    expect(versions(second)).toEqual(expected);
  });

  it("assembles it again when a file other than a unit adds a warning", () => {
    const cache = createScanCache();
    scan(files, config, cache);
    const withLegacy = sourceFiles({
      ...recordOf(files),
      "dev/old/terraform.tfvars": 'terragrunt = {\n  terraform {\n    source = "x"\n  }\n}\n',
    });
    expect(scan(withLegacy, config, cache).inventory.warnings).toEqual([
      expect.objectContaining({ file: "dev/old/terraform.tfvars" }),
    ]);
  });
});

function recordOf(files: readonly SourceFile[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f.path, f.content]));
}
