import { createEnvironmentMatcher, type Config } from "../config/index.js";
import { scanArtifacts } from "./artifact-usage.js";
import { assembleInventory } from "./inventory.js";
import {
  cachedUnitResult,
  createScanCache,
  deepFreeze,
  parseCached,
  unchangedInventory,
  type ScanCache,
} from "./scan-cache.js";
import {
  isUnitFile,
  loadFile,
  moduleFilesByDirectory,
  scanUnit,
  unscannableUnit,
  type LoadedFile,
  type UnitResult,
} from "./scan-unit.js";
import { TextIndex } from "./text-index.js";
import type { Inventory, SourceFile } from "./types.js";

export { createScanCache, type ScanCache };

const IAC_FILE = /(\.(tf|tofu|hcl)|(^|\/)terraform\.tfvars)$/;

/** A pre-0.19 Terragrunt configuration: `terragrunt = { ... }` in terraform.tfvars. */
const LEGACY_TERRAGRUNT = /^\s*terragrunt\s*=\s*\{/m;
const SKIPPED_FOLDER = /(^|\/)(\.terraform|\.terragrunt-cache|\.git)\//;

/** A file matched by the globs of more than one environment. */
export interface EnvironmentConflict {
  file: string;
  environments: string[];
}

/** The inventory plus the problems that make the config unusable for this repository. */
export interface ScanResult {
  inventory: Inventory;
  conflicts: EnvironmentConflict[];
}

/** The inventory of the units' results, with one warning for pre-0.19 Terragrunt configurations, frozen. */
function assembleWithLegacyWarning(
  config: Config,
  { units, results, legacy }: { units: string[]; results: UnitResult[]; legacy: string[] },
  envOfFile: Map<string, string>,
): Inventory {
  const inventory = assembleInventory(config, units, results, envOfFile);
  const [first] = legacy;
  if (first !== undefined) {
    const others = legacy.length - 1;
    const also =
      others === 0
        ? ""
        : ` (and ${others} other terraform.tfvars ${others === 1 ? "file" : "files"})`;
    inventory.warnings.push({
      file: first,
      message: `a pre-0.19 Terragrunt configuration (\`terragrunt = { ... }\` in terraform.tfvars)${also}: this form is not supported; Terragrunt 0.19 and later read terragrunt.hcl`,
    });
    inventory.warnings.sort((a, b) => a.file.localeCompare(b.file));
  }
  return deepFreeze(inventory);
}

/**
 * Whether a path is a Terraform, OpenTofu or Terragrunt file the scanner looks at (terraform.tfvars
 * only to say that a pre-0.19 Terragrunt configuration in it is not read).
 */
export function isIacFile(path: string): boolean {
  return IAC_FILE.test(path) && !SKIPPED_FOLDER.test(path);
}

/**
 * Scans the files of a repository: assigns them to environments, extracts every versioned module
 * dependency with the exact place its version is written, and reports what cannot be updated.
 * Pure apart from the cache; a file that does not parse becomes a warning.
 */
export function scan(
  files: readonly SourceFile[],
  config: Config,
  cache: ScanCache = createScanCache(),
): ScanResult {
  const byPath = new Map<string, SourceFile>();
  for (const file of files) if (isIacFile(file.path)) byPath.set(file.path, file);

  const matcher = createEnvironmentMatcher(config);
  const conflicts: EnvironmentConflict[] = [];
  const envOfFile = new Map<string, string>();
  const units: string[] = [];
  for (const path of [...byPath.keys()].sort()) {
    const environments = matcher(path);
    if (environments.length > 1) conflicts.push({ file: path, environments });
    else if (environments.length === 1) {
      envOfFile.set(path, environments[0] as string);
      if (isUnitFile(path)) units.push(path);
    }
  }

  // A file read by other units (root.hcl, _envcommon/...) is sized, parsed and located once per scan.
  const loaded = new Map<string, LoadedFile>();
  const load = (file: SourceFile, keep: boolean): LoadedFile => {
    const known = loaded.get(file.path);
    if (known) return known;
    const result = loadFile(file, (f) => parseCached(cache, f, keep));
    if (keep) loaded.set(file.path, result);
    return result;
  };

  // Files other than the unit itself that hold version tokens (root.hcl, _envcommon/...): indexed once per scan.
  const indexes = new Map<string, TextIndex>();
  const indexOf = (path: string): TextIndex => {
    let index = indexes.get(path);
    if (!index) {
      index = new TextIndex((byPath.get(path) as SourceFile).content);
      indexes.set(path, index);
    }
    return index;
  };

  // The module files of each directory, for units that use a local module: built on first use.
  const moduleFilesIn = moduleFilesByDirectory(byPath);

  const results = units.map((path) => {
    const file = byPath.get(path) as SourceFile;
    const cached = cachedUnitResult(cache, file, byPath, moduleFilesIn);
    if (cached) return cached;
    try {
      const result = scanUnit(file, byPath, load, indexOf, moduleFilesIn);
      cache.units.set(path, result);
      return result;
    } catch (error) {
      // The last line of defence: one file is one warning, and the rest of the repository is scanned.
      cache.units.delete(path);
      return unscannableUnit(file, error);
    }
  });

  const artifacts = scanArtifacts(
    files,
    config,
    (path) => {
      const environments = matcher(path);
      return environments.length === 1 ? environments[0] : undefined;
    },
    (file) => load(file, false),
  );
  for (const [path, environment] of artifacts.environments) envOfFile.set(path, environment);

  const legacy = [...envOfFile.keys()].filter(
    (path) =>
      path.endsWith("terraform.tfvars") &&
      LEGACY_TERRAGRUNT.test((byPath.get(path) as SourceFile).content),
  );
  const inputs = {
    environments: JSON.stringify(config.environments),
    units: [...units, ...artifacts.units],
    results: [...results, ...artifacts.results],
    legacy,
  };
  const inventory =
    unchangedInventory(cache, inputs) ?? assembleWithLegacyWarning(config, inputs, envOfFile);
  cache.last = { ...inputs, inventory };
  return { inventory, conflicts };
}
