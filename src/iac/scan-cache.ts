import { parseHcl } from "./hcl-parser.js";
import type { HclDocument } from "./hcl-syntax.js";
import type { UnitResult } from "./scan-unit.js";
import type { Inventory, SourceFile } from "./types.js";

/**
 * Unit results by path, reused while the files they read are unchanged, and parse results by content
 * hash of the files units read from others (root.hcl, _envcommon/*.hcl, account.hcl...). A unit's own
 * parse is not kept: its result is, and that keeps a scan of 20,000 units small.
 */
export interface ScanCache {
  documents: Map<string, HclDocument>;
  units: Map<string, UnitResult>;
  /** The last scan's inventory and what it was assembled from, returned again while none of it changed. */
  last?: AssembledInventory;
}

/** An inventory (frozen: scans share it) and its inputs: environments, units, their results, extra warnings. */
export interface AssembledInventory {
  environments: string;
  units: readonly string[];
  results: readonly UnitResult[];
  legacy: readonly string[];
  inventory: Inventory;
}

/** The last inventory, if it was assembled from the same inputs (unit results compared by identity). */
export function unchangedInventory(
  cache: ScanCache,
  inputs: Omit<AssembledInventory, "inventory">,
): Inventory | undefined {
  const last = cache.last;
  const same = <T>(a: readonly T[], b: readonly T[]) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  if (
    last &&
    last.environments === inputs.environments &&
    same(last.units, inputs.units) &&
    same(last.results, inputs.results) &&
    same(last.legacy, inputs.legacy)
  ) {
    return last.inventory;
  }
  return undefined;
}

/** Freezes `value` and everything it holds, so a consumer that would change a shared inventory fails loudly. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** An empty cache; pass the same one to successive scans to make re-scans cheap. */
export function createScanCache(): ScanCache {
  return { documents: new Map(), units: new Map() };
}

/** The cached result of a unit, while neither the unit nor any path its evaluation looked at has changed. */
export function cachedUnitResult(
  cache: ScanCache,
  file: SourceFile,
  byPath: Map<string, SourceFile>,
  moduleFilesIn: (dir: string) => string[],
): UnitResult | undefined {
  const cached = cache.units.get(file.path);
  const unchanged = ([p, h]: [string, string | null]) =>
    p.endsWith("/")
      ? moduleFilesIn(p.slice(0, -1)).join("\n") === h
      : (byPath.get(p)?.hash ?? null) === h;
  if (cached && cached.hash === file.hash && cached.reads.every(unchanged)) {
    return cached;
  }
  return undefined;
}

/** Parses a file, reusing a parse of the same content; `keep` stores the parse for later scans. */
export function parseCached(cache: ScanCache, file: SourceFile, keep: boolean): HclDocument {
  let document = cache.documents.get(file.hash);
  if (!document) {
    document = parseHcl(file.content);
    if (keep) cache.documents.set(file.hash, document);
  }
  return document;
}
