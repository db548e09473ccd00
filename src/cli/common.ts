import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_CONFIG_FILE,
  checkConfigAgainstFiles,
  formatProblem,
  parseConfig,
  type Config,
} from "../config/index.js";
import { scanDirectory, type DirectoryScan } from "../local/scan-directory.js";

/** Where the command line writes. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Wrong arguments: reported with the usage text, exit 2. */
export class UsageError extends Error {}

/** A scanned directory with its valid config and the config's warnings (globs that match nothing). */
export interface ScannedDirectory {
  scan: DirectoryScan;
  config: Config;
  configFile: string;
  configWarnings: string[];
}

/** Parses a command's arguments: at most one positional (the directory, default "."), strict options. */
export function parseArguments(
  args: string[],
  options: Record<string, { type: "string" | "boolean" }>,
) {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    if (parsed.positionals.length > 1) {
      throw new UsageError(`unexpected argument "${parsed.positionals[1]}"`);
    }
    return { dir: resolve(parsed.positionals[0] ?? "."), values: parsed.values };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

/** Loads and validates the config; on problems writes them all to stderr and returns undefined. */
function loadConfig(
  dir: string,
  configFile: string | undefined,
  io: CliIo,
): { config: Config; check: (paths: string[]) => string[] } | undefined {
  const path = configFile ? resolve(configFile) : join(dir, DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT" && !configFile;
    const hint = missing
      ? `; \`promoter init ${dir}\` writes one inferred from the folders (--dry-run to see it first)`
      : "";
    io.stderr(`promoter: cannot read the config file ${path}${hint}\n`);
    return undefined;
  }
  const shown = configFile ?? DEFAULT_CONFIG_FILE;
  const result = parseConfig(text, shown);
  if (!result.ok) {
    io.stderr(`promoter: ${shown} is not valid:\n`);
    for (const problem of result.errors) io.stderr(`  ${formatProblem(problem)}\n`);
    return undefined;
  }
  const { config, source, warnings } = result;
  return {
    config,
    check: (paths) =>
      [...warnings, ...checkConfigAgainstFiles(config, paths, source)].map(formatProblem),
  };
}

/**
 * Loads the config and scans the directory. On an invalid config or environments that overlap,
 * writes every problem to stderr and returns undefined (the command exits 2).
 */
export function scanWithConfig(
  dir: string,
  configFile: string | undefined,
  io: CliIo,
): ScannedDirectory | undefined {
  const loaded = loadConfig(dir, configFile, io);
  if (!loaded) return undefined;
  const result = scanDirectory(dir, { config: loaded.config });
  if (result.conflicts.length > 0) {
    io.stderr(`promoter: the environments of ${configFile ?? DEFAULT_CONFIG_FILE} overlap:\n`);
    for (const c of result.conflicts) {
      io.stderr(`  ${c.file} is in environments ${c.environments.join(" and ")}\n`);
    }
    return undefined;
  }
  return {
    scan: result,
    config: loaded.config,
    configFile: configFile ?? DEFAULT_CONFIG_FILE,
    configWarnings: loaded.check(result.paths),
  };
}

/** Reads `{ "<dependency-id>": ["v1.0.0", ...] }`; throws a UsageError naming what is wrong. */
export function readVersionsFile(path: string): Map<string, string[]> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read --versions ${path}: ${(error as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UsageError(
      `--versions ${path} must hold an object of dependency id → list of versions`,
    );
  }
  const versions = new Map<string, string[]>();
  for (const [id, list] of Object.entries(data)) {
    if (!Array.isArray(list) || !list.every((v) => typeof v === "string")) {
      throw new UsageError(`--versions ${path}: "${id}" must be a list of version strings`);
    }
    versions.set(id, list);
  }
  return versions;
}
