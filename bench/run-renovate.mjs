#!/usr/bin/env node
// Runs Renovate's dependency extraction over a directory and measures it:
//
//   node bench/run-renovate.mjs [dir] [--units 20000] [--seed 1]
//
// (without `dir`, the cached generated tree bench/.cache/live-<units>-<seed> is used/generated).
//
// Renovate 39 is installed on first use into bench/.cache/renovate (outside the project's
// dependencies). It runs as `renovate --platform=local --dry-run=extract` with the tree as working
// directory, offline: no token, only the terragrunt and terraform managers, a fresh base dir under
// bench/.cache every run, repository cache disabled, JSON logs at level info into a log file.
//
// Wall time: from spawning the Node process until it exits (startup included).
// Peak RSS: process.resourceUsage().maxRSS of the Renovate Node process itself, recorded at its exit
// by bench/rss-probe.mjs (preloaded with `node --import`). In this mode Renovate does all the work in
// that one process; the only children it starts are short-lived `git` commands.

import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { CACHE_DIR, ensureLiveRepo } from "./generate-live-repo.mjs";

const RENOVATE_PREFIX = join(CACHE_DIR, "renovate");
const RENOVATE_MAIN = join(RENOVATE_PREFIX, "node_modules", "renovate", "dist", "renovate.js");
const RSS_PROBE = fileURLToPath(new URL("./rss-probe.mjs", import.meta.url));
const TIMEOUT_MS = 30 * 60 * 1000; // killed (SIGTERM) after this, so the benchmark always ends

/** Installs renovate@39 into bench/.cache/renovate unless it is already there. Returns its version. */
export function ensureRenovate() {
  if (!existsSync(RENOVATE_MAIN)) {
    console.log(`installing renovate@39 into ${RENOVATE_PREFIX} (first use, takes a few minutes)…`);
    mkdirSync(RENOVATE_PREFIX, { recursive: true });
    execFileSync(
      "npm",
      ["install", "--prefix", RENOVATE_PREFIX, "renovate@39", "--no-audit", "--no-fund"],
      { stdio: "inherit" },
    );
  }
  const pkg = join(RENOVATE_PREFIX, "node_modules", "renovate", "package.json");
  return JSON.parse(readFileSync(pkg, "utf8")).version;
}

/** The environment Renovate runs with: offline, local platform, our two managers, no tokens. */
function renovateEnv(treeDir, baseDir, rusageFile) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    // Nothing from the caller's Renovate/GitHub setup leaks into the measured run.
    if (key.startsWith("RENOVATE_") || /TOKEN/i.test(key)) delete env[key];
  }
  return {
    ...env,
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    RENOVATE_PLATFORM: "local",
    RENOVATE_DRY_RUN: "extract",
    RENOVATE_BASE_DIR: baseDir,
    RENOVATE_ENABLED_MANAGERS: '["terragrunt","terraform"]',
    RENOVATE_REPOSITORY_CACHE: "disabled",
    RENOVATE_ONBOARDING: "false",
    RENOVATE_REQUIRE_CONFIG: "optional",
    // The tree lives inside this project's git checkout (bench/.cache is ignored there). Stop git
    // from finding that outer repository: `git ls-files` would list nothing and Renovate would then
    // see no files at all. Renovate's local platform falls back to a glob of the directory instead.
    GIT_CEILING_DIRECTORIES: dirname(treeDir),
    BENCH_RUSAGE_FILE: rusageFile,
  };
}

/** Counts what Renovate extracted, from its JSON log. */
function summarizeLog(logFile) {
  const result = {
    packageFiles: 0,
    deps: 0,
    depsWithVersion: 0,
    depsWithSkipReason: 0,
    skipReasons: {},
    byManager: {},
    stats: undefined,
    repositoryDurationMs: undefined,
    problems: [],
  };
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (entry.msg === "Extracted dependencies" && entry.packageFiles) {
      for (const [manager, files] of Object.entries(entry.packageFiles)) {
        const m = (result.byManager[manager] ??= { files: 0, deps: 0, withVersion: 0, skipped: 0 });
        for (const file of files) {
          m.files++;
          result.packageFiles++;
          for (const dep of file.deps ?? []) {
            m.deps++;
            result.deps++;
            // Renovate also lists sources it could not read: an empty {} for a source built from
            // an include, currentValue "${local.version}" for an interpolated ref. Those don't count.
            if (dep.currentValue && !dep.currentValue.includes("${")) {
              m.withVersion++;
              result.depsWithVersion++;
            }
            if (dep.skipReason) {
              m.skipped++;
              result.depsWithSkipReason++;
              result.skipReasons[dep.skipReason] = (result.skipReasons[dep.skipReason] ?? 0) + 1;
            }
          }
        }
      }
    } else if (entry.msg === "Dependency extraction complete") {
      result.stats = entry.stats;
    } else if (entry.msg === "Repository finished") {
      result.repositoryDurationMs = entry.durationMs;
    } else if (entry.level >= 40 && result.problems.length < 10) {
      result.problems.push(`${entry.level >= 50 ? "ERROR" : "WARN"} ${entry.msg}`);
    }
  }
  return result;
}

/**
 * Runs `renovate --platform=local --dry-run=extract` in `treeDir`.
 * @returns {Promise<{ version: string, exitCode: number, wallMs: number, maxRssKb: number,
 *   cpuUserMs: number, cpuSystemMs: number, logFile: string } & ReturnType<typeof summarizeLog>>}
 */
export async function runRenovate(treeDir) {
  treeDir = resolve(treeDir);
  const version = ensureRenovate();
  const baseDir = join(CACHE_DIR, "renovate-base");
  const logFile = join(CACHE_DIR, "renovate-last.log");
  const rusageFile = join(CACHE_DIR, "renovate-rusage.json");
  rmSync(baseDir, { recursive: true, force: true }); // cold: no caches from an earlier run
  rmSync(rusageFile, { force: true });
  mkdirSync(baseDir, { recursive: true });

  const out = openSync(logFile, "w");
  const started = performance.now();
  const exitCode = await new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", RSS_PROBE, RENOVATE_MAIN, "--platform=local", "--dry-run=extract"],
      {
        cwd: treeDir,
        env: renovateEnv(treeDir, baseDir, rusageFile),
        stdio: ["ignore", out, out],
        timeout: TIMEOUT_MS,
      },
    );
    child.on("error", reject);
    child.on("exit", (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
  });
  const wallMs = performance.now() - started;
  closeSync(out);

  const rusage = existsSync(rusageFile) ? JSON.parse(readFileSync(rusageFile, "utf8")) : undefined;
  return {
    version,
    exitCode,
    wallMs,
    maxRssKb: rusage?.maxRSS ?? NaN,
    cpuUserMs: rusage ? rusage.userCPUTime / 1000 : NaN,
    cpuSystemMs: rusage ? rusage.systemCPUTime / 1000 : NaN,
    logFile,
    ...summarizeLog(logFile),
  };
}

// ---------------------------------------------------------------------------------------------
// CLI

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  let dir;
  let units = 20000;
  let seed = 1;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--units") units = Number(argv[++i]);
    else if (argv[i] === "--seed") seed = Number(argv[++i]);
    else dir = argv[i];
  }
  if (!dir) {
    const tree = ensureLiveRepo({ units, seed });
    dir = tree.dir;
    console.log(`tree: ${dir} (${tree.files} files${tree.cached ? ", cached" : ""})`);
  }
  const r = await runRenovate(dir);
  console.log(`renovate ${r.version}: exit code ${r.exitCode}`);
  console.log(`  wall time     ${(r.wallMs / 1000).toFixed(2)} s`);
  console.log(`  peak RSS      ${(r.maxRssKb / 1024).toFixed(0)} MiB`);
  console.log(
    `  CPU user/sys  ${(r.cpuUserMs / 1000).toFixed(2)} s / ${(r.cpuSystemMs / 1000).toFixed(2)} s`,
  );
  console.log(
    `  package files ${r.packageFiles}, deps ${r.deps}, of which with a literal version ${r.depsWithVersion}`,
  );
  console.log(
    `  skipReasons   ${JSON.stringify(r.skipReasons)} (set after extraction: no token, no lookups)`,
  );
  console.log(`  by manager    ${JSON.stringify(r.byManager)}`);
  if (r.repositoryDurationMs !== undefined)
    console.log(`  "Repository finished" durationMs ${r.repositoryDurationMs}`);
  for (const p of r.problems) console.log(`  ${p}`);
  console.log(`  log: ${r.logFile}`);
  process.exitCode = r.exitCode;
}
