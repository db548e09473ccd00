import { describe, expect, it } from "vitest";
import { cachedUnitResult, createScanCache, parseCached } from "../../src/iac/scan-cache.js";
import { moduleFilesByDirectory, type UnitResult } from "../../src/iac/scan-unit.js";
import type { SourceFile } from "../../src/iac/types.js";
import { sourceFiles } from "./helpers.js";

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
