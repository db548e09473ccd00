#!/usr/bin/env node
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { reportJson, reportText } from "./cli/format-report.js";
import {
  DEFAULT_CONFIG_FILE,
  checkConfigAgainstFiles,
  formatProblem,
  parseConfig,
  type Config,
} from "./config/index.js";
import { applyVerifiedEdits, planEdits } from "./iac/edits.js";
import { scanDirectory, type DirectoryScan } from "./local/scan-directory.js";

/** Where the command line writes. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE = `Usage:
  promoter report [DIR] [--config FILE] [--json]
  promoter update [DIR] --env ENV --dependency ID --to VERSION [--config FILE]

  report   per environment, every versioned module dependency and where it is pinned
  update   set one dependency of one environment to a version in the files of DIR

DIR defaults to ".", --config to DIR/${DEFAULT_CONFIG_FILE}.`;

class UsageError extends Error {}

/** Runs the command line; returns the exit code (0 done, 1 failure, 2 invalid arguments, config or request). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === "report") return await report(rest, io);
    if (command === "update") return await update(rest, io);
    if (command === "help" || command === "--help" || command === "-h") {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    throw new UsageError(command ? `unknown command "${command}"` : "no command given");
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`promoter: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`promoter: ${(error as Error).message}\n`);
    return 1;
  }
}

function parse(args: string[], options: Record<string, { type: "string" | "boolean" }>) {
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
  } catch {
    io.stderr(`promoter: cannot read the config file ${path}\n`);
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

async function scanWithConfig(
  dir: string,
  configFile: string | undefined,
  io: CliIo,
): Promise<{ scan: DirectoryScan; config: Config; configWarnings: string[] } | undefined> {
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
  return { scan: result, config: loaded.config, configWarnings: loaded.check(result.paths) };
}

async function report(args: string[], io: CliIo): Promise<number> {
  const { dir, values } = parse(args, { config: { type: "string" }, json: { type: "boolean" } });
  const scanned = await scanWithConfig(dir, values.config as string | undefined, io);
  if (!scanned) return 2;
  const { inventory } = scanned.scan;
  const configFile = (values.config as string | undefined) ?? DEFAULT_CONFIG_FILE;
  if (values.json) {
    const json = reportJson(inventory);
    json.warnings.push(...scanned.configWarnings.map((message) => ({ file: configFile, message })));
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    io.stdout(reportText(inventory));
    for (const warning of scanned.configWarnings) io.stderr(`warning: ${warning}\n`);
  }
  return 0;
}

async function update(args: string[], io: CliIo): Promise<number> {
  const { dir, values } = parse(args, {
    config: { type: "string" },
    env: { type: "string" },
    dependency: { type: "string" },
    to: { type: "string" },
  });
  const env = values.env as string | undefined;
  const dependency = values.dependency as string | undefined;
  const to = values.to as string | undefined;
  if (!env || !dependency || !to) throw new UsageError("update needs --env, --dependency and --to");
  const scanned = await scanWithConfig(dir, values.config as string | undefined, io);
  if (!scanned) return 2;
  const { inventory, files } = scanned.scan;
  const plan = planEdits(inventory, dependency, env, to);
  if (!plan.ok) {
    io.stderr(`promoter: ${plan.reason}\n`);
    return 2;
  }
  for (const usage of plan.untouched) {
    io.stderr(
      `promoter: left ${usage.file}:${usage.line} alone: ${usage.notPromotable ?? "not editable"}\n`,
    );
  }
  if (plan.edits.length === 0) {
    io.stdout(`${dependency} is already at ${to} in ${env}; nothing changed\n`);
    return 0;
  }
  const verified = applyVerifiedEdits(files, scanned.config, inventory, plan.edits, {
    dependencyId: dependency,
    environment: env,
    targetVersion: to,
  });
  if (!verified.ok) {
    io.stderr(`promoter: refused, nothing was written: ${verified.reason}\n`);
    return 2;
  }
  for (const file of verified.files) writeFileSync(join(dir, file.path), file.content);
  for (const file of verified.files) io.stdout(`${file.path}\n`);
  return 0;
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  process.exitCode = code;
}
