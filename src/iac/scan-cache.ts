import { parseHcl } from "./hcl-parser.js";
import type { HclDocument } from "./hcl-syntax.js";
import type { UnitResult } from "./scan-unit.js";
import type { SourceFile } from "./types.js";

/**
 * Unit results by path, reused while the files they read are unchanged, and parse results by content
 * hash of the files units read from others (root.hcl, _envcommon/*.hcl, account.hcl...). A unit's own
 * parse is not kept: its result is, and that keeps a scan of 20,000 units small.
 */
export interface ScanCache {
  documents: Map<string, HclDocument>;
  units: Map<string, UnitResult>;
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
