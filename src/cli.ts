#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError, type CliIo } from "./cli/common.js";
import { initCommand } from "./cli/init-command.js";
import { planCommand } from "./cli/plan-command.js";
import { reportCommand } from "./cli/report-command.js";
import { updateCommand } from "./cli/update-command.js";
import { DEFAULT_CONFIG_FILE } from "./config/index.js";

export type { CliIo } from "./cli/common.js";

const USAGE = `Usage:
  promoter init [DIR] [--force] [--dry-run]
  promoter report [DIR] [--config FILE] [--json] [--versions FILE]
  promoter plan [DIR] [--config FILE] [--json] [--versions FILE | --token-env NAME]
  promoter update [DIR] --env ENV --dependency ID --to VERSION [--config FILE]

  init     writes DIR/${DEFAULT_CONFIG_FILE} with environments inferred from the folders (dev, qa,
           stage, prod and their synonyms) and prints what Promoter would see with it; --force
           replaces an existing file, --dry-run prints the file and writes nothing
  report   per environment, every versioned module dependency and where it is pinned (offline; with
           --versions, the JSON file plan reads, also the line of tags a fork's dependency follows)
  plan     the pull requests Promoter would open: updates of the first environment and promotions
           (versions from GitHub and the module registries, with the token in $GITHUB_TOKEN or the
           variable --token-env names, or offline from a JSON file { "<dependency-id>": ["v1.0.0", ...] })
  update   set one dependency of one environment to a version in the files of DIR

DIR defaults to ".", --config to DIR/${DEFAULT_CONFIG_FILE}.`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => number | Promise<number>> = {
  init: initCommand,
  report: reportCommand,
  plan: planCommand,
  update: updateCommand,
};

/** Runs the command line; returns the exit code (0 done, 1 failure, 2 invalid arguments, config or request). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === "help" || command === "--help" || command === "-h") {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const run = command === undefined ? undefined : COMMANDS[command];
    if (!run) throw new UsageError(command ? `unknown command "${command}"` : "no command given");
    return await run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`promoter: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`promoter: ${(error as Error).message}\n`);
    return 1;
  }
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
