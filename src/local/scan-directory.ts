import type { Config } from "../config/index.js";
import {
  createScanCache,
  isIacFile,
  scan,
  type ScanCache,
  type ScanResult,
} from "../iac/scanner.js";
import { artifactFileMatcher } from "../iac/artifact-usage.js";
import type { SourceFile } from "../iac/types.js";
import { listDirectory, readFiles, type FileStamp } from "./read-directory.js";

/** Caches for scanning the same directory again: file stamps, parse results and unit results. */
export interface DirectoryScanCache {
  stamps: Map<string, FileStamp>;
  scan: ScanCache;
}

/** An empty cache for {@link scanDirectory}. */
export function createDirectoryScanCache(): DirectoryScanCache {
  return { stamps: new Map(), scan: createScanCache() };
}

/** A scan of a directory, with every path in it and the IaC files it read. */
export interface DirectoryScan extends ScanResult {
  paths: string[];
  files: SourceFile[];
}

/**
 * Every path under `dir` (as {@link listDirectory} lists them) and its Terraform, OpenTofu and
 * Terragrunt files, read, with the files that may hold a version of `config`'s artifacts.
 */
export function readIacFiles(
  dir: string,
  stamps?: Map<string, FileStamp>,
  config?: Config,
): { paths: string[]; files: SourceFile[] } {
  const paths = listDirectory(dir);
  const mayHoldArtifact = config ? artifactFileMatcher(config) : () => false;
  const wanted = paths.filter((path) => isIacFile(path) || mayHoldArtifact(path));
  return { paths, files: readFiles(dir, wanted, stamps) };
}

/** Reads the Terraform, OpenTofu and Terragrunt files under `dir` and scans them. */
export function scanDirectory(
  dir: string,
  options: { config: Config; cache?: DirectoryScanCache },
): DirectoryScan {
  const { paths, files } = readIacFiles(dir, options.cache?.stamps, options.config);
  const result = scan(files, options.config, options.cache?.scan);
  return { ...result, paths, files };
}
