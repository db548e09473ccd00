import type { Config } from "../config/index.js";
import {
  createScanCache as createIacCache,
  isIacFile,
  scan,
  type ScanCache,
  type ScanResult,
} from "../iac/scanner.js";
import { readDirectory, type FileStamp } from "./read-directory.js";

/** Caches for scanning the same directory again: file stamps, parse results and unit results. */
export interface DirectoryScanCache {
  stamps: Map<string, FileStamp>;
  scan: ScanCache;
}

/** An empty cache for {@link scanDirectory}. */
export function createScanCache(): DirectoryScanCache {
  return { stamps: new Map(), scan: createIacCache() };
}

/** Reads the Terraform, OpenTofu and Terragrunt files under `dir` and scans them. */
export async function scanDirectory(
  dir: string,
  options: { config: Config; cache?: DirectoryScanCache },
): Promise<ScanResult> {
  const files = readDirectory(dir, isIacFile, options.cache?.stamps);
  return scan(files, options.config, options.cache?.scan);
}
