#!/usr/bin/env node
// `npm run bench`: the scan benchmark, Promoter against Renovate.
//
//   node --expose-gc bench/scan-bench.mjs [--units 20000] [--seed 1] [--rounds 3] [--no-renovate]
//
// 1. Generates (or reuses) the synthetic live repo bench/.cache/live-<units>-<seed>.
// 2. Promoter, in a fresh child process: parse .github/promoter.yml, cold scan with a new scan
//    cache, then a warm re-scan of the unchanged tree with the same cache. The child reports the
//    times, its usage counts and its peak RSS (process.resourceUsage().maxRSS).
// 3. Renovate 39, `renovate --platform=local --dry-run=extract` on the same tree (bench/run-renovate.mjs).
// 4. Prints a table, the ratio Renovate/Promoter and PASS/FAIL against the targets, and writes
//    everything to bench/.cache/last-result.json. Exit code 1 when a target is missed or a run failed.
//
// Promoter and Renovate run one after the other, never at the same time, in --rounds alternating
// rounds (default 3); each side's median run is the one compared.

import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CACHE_DIR, ensureLiveRepo } from "./generate-live-repo.mjs";
import { runRenovate } from "./run-renovate.mjs";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const SCAN_MODULE = join(DIST, "local", "scan-directory.js");
const SCAN_MODULE_IAC = join(DIST, "iac", "scanner.js");
const CONFIG_MODULE = join(DIST, "config", "index.js");
const RESULT_FILE = join(CACHE_DIR, "last-result.json");
const RESULT_MARK = "BENCH_RESULT ";
const PROMOTER_TIMEOUT_MS = 10 * 60 * 1000;

const TARGETS = {
  speedup: 5, // Renovate's wall time / Promoter's time to a cold inventory, at least
  maxRssBytes: 300e6, // Promoter's peak RSS, below (300 MB = 300·10⁶ bytes)
  warmMs: 300, // warm re-scan, below
};

// ---------------------------------------------------------------------------------------------
// The Promoter child process: `node --expose-gc bench/scan-bench.mjs --promoter-child <dir>`

/** scanDirectory returns an Inventory, or (current src/) a result holding one in `inventory`. */
const inventoryOf = (result) => result.inventory ?? result;

function summarize(inventory) {
  const environments = inventory.environments.map((env) => ({
    name: env.name,
    dependencies: env.dependencies.length,
    usages: env.dependencies.reduce((n, dep) => n + dep.usages.length, 0),
  }));
  return {
    environments,
    dependencies: environments.reduce((n, e) => n + e.dependencies, 0),
    usages: environments.reduce((n, e) => n + e.usages, 0),
    skipped: inventory.skipped.length,
    warnings: inventory.warnings.length,
  };
}

async function promoterChild(dir) {
  // performance.now() counts from this process's start, so `coldDoneAt` is the whole
  // start-up → inventory time, like Renovate's wall time.
  const { scanDirectory, createDirectoryScanCache } = await import(pathToFileURL(SCAN_MODULE).href);
  const { parseConfig } = await import(pathToFileURL(CONFIG_MODULE).href);
  const configFile = ".github/promoter.yml";
  const parsed = parseConfig(readFileSync(join(dir, configFile), "utf8"), configFile);
  if (!parsed.ok) throw new Error(`invalid ${configFile}: ${JSON.stringify(parsed.errors)}`);
  const { config } = parsed;
  const cache = createDirectoryScanCache();

  const coldStart = performance.now();
  const coldResult = await scanDirectory(dir, { config, cache });
  const cold = inventoryOf(coldResult);
  const coldDoneAt = performance.now();
  const maxRssAfterColdKb = process.resourceUsage().maxRSS;

  // The warm re-scan the target is about: unchanged blobs, known by their SHA (as the app has them from
  // GitHub's git tree), answered from the cache.
  const { scan } = await import(pathToFileURL(SCAN_MODULE_IAC).href);
  const snapshot = coldResult.files.map(({ path, hash, bytes, content }) => ({
    path,
    hash,
    bytes,
    content,
  }));
  globalThis.gc?.(); // don't bill the cold scan's garbage to the warm scan
  const warmStart = performance.now();
  const warm = inventoryOf(scan(snapshot, config, cache.scan));
  const warmMs = performance.now() - warmStart;

  const againStart = performance.now();
  scan(snapshot, config, cache.scan);
  const warmAgainMs = performance.now() - againStart;

  // The same from the working tree: walk it and compare each file's size, inode and mtime.
  const dirStart = performance.now();
  const warmDir = inventoryOf(await scanDirectory(dir, { config, cache }));
  const warmDirMs = performance.now() - dirStart;

  const result = {
    startupMs: coldStart, // process start → ready to scan (Node start-up, imports, config)
    coldMs: coldDoneAt - coldStart, // the cold scan call alone
    coldDoneAt, // process start → cold inventory
    warmMs,
    warmAgainMs,
    warmDirMs,
    maxRssKb: process.resourceUsage().maxRSS,
    maxRssAfterColdKb,
    cold: summarize(cold),
    warm: summarize(warm),
    warmEqualsCold:
      JSON.stringify(cold) === JSON.stringify(warm) &&
      JSON.stringify(cold) === JSON.stringify(warmDir),
    firstWarnings: cold.warnings.slice(0, 5),
    firstSkipped: cold.skipped.slice(0, 5),
  };
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(result)}\n`);
}

/**
 * Reads every file of `dir` once, so the run that follows finds the tree in the OS page cache (this VM
 * drops it after a while idle: a cold cache added up to 1.5 s of reads to whichever tool ran first).
 * Called before each tool, so both are measured on the same footing. Returns the files read.
 */
function warmPageCache(dir) {
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    readFileSync(join(entry.parentPath ?? entry.path, entry.name));
    files++;
  }
  return files;
}

/** Runs the Promoter child on `dir` and returns its report (or { error }). */
function runPromoter(dir) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ["--expose-gc", fileURLToPath(import.meta.url), "--promoter-child", dir],
      { stdio: ["ignore", "pipe", "inherit"], timeout: PROMOTER_TIMEOUT_MS },
    );
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.on("error", (err) => resolvePromise({ error: String(err) }));
    child.on("close", (code, signal) => {
      const wallMs = performance.now() - started;
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARK));
      if (code !== 0 || !line) {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        resolvePromise({ error: `Promoter child failed (${why})`, output: stdout.slice(-2000) });
        return;
      }
      resolvePromise({ ...JSON.parse(line.slice(RESULT_MARK.length)), wallMs });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Report

const sec = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : "–");
const mb = (kb) => (Number.isFinite(kb) ? `${((kb * 1024) / 1e6).toFixed(0)} MB` : "–");
const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–");
const verdict = (ok) => (ok === undefined ? "n/a " : ok ? "PASS" : "FAIL");

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join("   ")).join("\n");
}

function printReport({ tree, promoter: p, renovate: r, checks }) {
  const scannedFiles = tree.hclFiles + tree.tfFiles;
  console.log("");
  console.log(
    `tree: ${tree.dir} — ${int(tree.units)} units, ${int(tree.files)} files ` +
      `(${int(scannedFiles)} .hcl/.tf), ${(tree.bytes / 1e6).toFixed(1)} MB`,
  );
  console.log("");
  const P = p && !p.error;
  const R = r && !r.error;
  const rows = [
    ["", "Promoter", r ? `Renovate ${r.version ?? ""}` : "Renovate (skipped)"],
    ["cold: process start → result", P ? sec(p.coldDoneAt) : "–", R ? sec(r.wallMs) : "–"],
    ["  of which start-up / scan", P ? `${sec(p.startupMs)} / ${sec(p.coldMs)}` : "–", ""],
    ["warm re-scan, unchanged blobs by SHA", P ? sec(p.warmMs) : "–", "–"],
    ["warm re-scan, once more", P ? sec(p.warmAgainMs) : "–", "–"],
    ["warm re-scan of the directory (walk + stat)", P ? sec(p.warmDirMs) : "–", "–"],
    [
      "files/s (Promoter: scan call; Renovate: whole run)",
      P ? int(scannedFiles / (p.coldMs / 1000)) : "–",
      R ? int(scannedFiles / (r.wallMs / 1000)) : "–",
    ],
    ["peak RSS", P ? mb(p.maxRssKb) : "–", R ? mb(r.maxRssKb) : "–"],
    [
      "found",
      P ? `${int(p.cold.usages)} usages of ${int(p.cold.dependencies)} deps` : "–",
      R ? `${int(r.deps)} deps, ${int(r.depsWithVersion)} with a version` : "–",
    ],
  ];
  console.log(table(rows));
  console.log("");
  if (P) {
    console.log(
      `Promoter per environment: ${p.cold.environments.map((e) => `${e.name} ${int(e.usages)}`).join(", ")}; ` +
        `skipped ${int(p.cold.skipped)}, warnings ${int(p.cold.warnings)}; ` +
        `generator expects ${int(tree.expectedUsages)} usages; warm result ${p.warmEqualsCold ? "identical to" : "DIFFERS from"} cold`,
    );
  }
  if (R) {
    console.log(
      `Renovate: ${int(r.packageFiles)} package files, exit code ${r.exitCode}, ` +
        `"Repository finished" after ${sec(r.repositoryDurationMs)}; log ${r.logFile}`,
    );
  }
  if (p?.error) console.log(`Promoter: ${p.error}${p.output ? `\n${p.output}` : ""}`);
  if (r?.error) console.log(`Renovate: ${r.error}`);
  console.log("");
  for (const c of checks) console.log(`${verdict(c.ok)}  ${c.name}: ${c.detail}`);
}

// ---------------------------------------------------------------------------------------------
// Main

/** The run with the median `time` (the first failed run, if any failed). */
function medianRun(results, time) {
  const failed = results.find((r) => r?.error);
  if (failed) return failed;
  const sorted = [...results].sort((a, b) => time(a) - time(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function parseArgs(argv) {
  const args = { units: 20000, seed: 1, renovate: true, rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--units") args.units = Number(argv[++i]);
    else if (a === "--seed") args.seed = Number(argv[++i]);
    else if (a === "--no-renovate") args.renovate = false;
    else if (a === "--rounds") args.rounds = Number(argv[++i]);
    else
      throw new Error(
        `unknown argument: ${a} (options: --units N, --seed N, --rounds N, --no-renovate)`,
      );
  }
  if (!Number.isInteger(args.rounds) || args.rounds < 1) throw new Error("--rounds must be >= 1");
  if (!Number.isInteger(args.units) || args.units < 1) throw new Error("--units must be >= 1");
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));

  const load = os.loadavg()[0];
  if (load > 0.5) {
    console.log(
      `note: load average ${load.toFixed(2)} on ${os.cpus().length} CPUs; timings may be noisy`,
    );
  }

  const genStart = performance.now();
  const tree = ensureLiveRepo({ units: args.units, seed: args.seed });
  console.log(
    tree.cached
      ? `using cached tree ${tree.dir}`
      : `generated ${tree.dir} in ${sec(performance.now() - genStart)}`,
  );

  // Rounds alternate the two tools, and each side's median run is compared: this VM's CPU speed
  // drifts by up to 1.6× over a minute, which a single run of each cannot tell from a real change.
  const runs = [];
  for (let round = 1; round <= args.rounds; round++) {
    const label = args.rounds > 1 ? ` (round ${round} of ${args.rounds})` : "";
    let promoter;
    if (!existsSync(SCAN_MODULE) || !existsSync(CONFIG_MODULE)) {
      promoter = {
        error: `not built: ${SCAN_MODULE} or ${CONFIG_MODULE} is missing (npm run build)`,
      };
    } else {
      warmPageCache(tree.dir);
      console.log(`running Promoter (cold scan, warm re-scan)${label}…`);
      promoter = await runPromoter(tree.dir);
    }
    let renovate;
    if (args.renovate) {
      console.log(`running Renovate --platform=local --dry-run=extract${label} (takes a while)…`);
      try {
        warmPageCache(tree.dir);
        renovate = await runRenovate(tree.dir);
        if (renovate.exitCode !== 0) renovate.error = `exit code ${renovate.exitCode}`;
        else if (renovate.deps === 0) renovate.error = "extracted no dependencies";
      } catch (err) {
        renovate = { error: String(err) };
      }
    }
    runs.push({ promoter, renovate });
    if (promoter.error || renovate?.error) break;
  }
  const promoter = medianRun(
    runs.map((run) => run.promoter),
    (p) => p.coldDoneAt,
  );
  const renovate = args.renovate
    ? medianRun(
        runs.map((run) => run.renovate),
        (r) => r.wallMs,
      )
    : undefined;
  const rounds = runs.map(({ promoter: p, renovate: r }) => ({
    promoterMs: p.coldDoneAt,
    promoterRssKb: p.maxRssKb,
    renovateMs: r?.wallMs,
  }));
  if (rounds.length > 1) {
    const line = rounds.map(
      (r, i) =>
        `${i + 1}: Promoter ${sec(r.promoterMs)} (${r.promoterRssKb ? mb(r.promoterRssKb) : "–"}), Renovate ${r.renovateMs ? sec(r.renovateMs) : "–"}`,
    );
    console.log(`rounds (each side's median counts): ${line.join("; ")}`);
  }

  const P = !promoter.error;
  const R = renovate && !renovate.error;
  const ratio = P && R ? renovate.wallMs / promoter.coldDoneAt : NaN;
  const scanOnlyRatio = P && R ? renovate.wallMs / promoter.coldMs : NaN;
  const checks = [
    {
      name: `cold scan ≥ ${TARGETS.speedup}× faster than Renovate`,
      ok: P && R ? ratio >= TARGETS.speedup : P && !renovate ? undefined : false,
      detail:
        P && R
          ? `${sec(renovate.wallMs)} / ${sec(promoter.coldDoneAt)} = ${ratio.toFixed(1)}× ` +
            `(process to process; ${scanOnlyRatio.toFixed(1)}× against the scan call alone)`
          : renovate
            ? "not measured (a run failed)"
            : "Renovate skipped (--no-renovate)",
    },
    {
      name: `peak RSS < ${TARGETS.maxRssBytes / 1e6} MB`,
      ok: P ? promoter.maxRssKb * 1024 < TARGETS.maxRssBytes : false,
      detail: P ? mb(promoter.maxRssKb) : "not measured",
    },
    {
      name: `warm re-scan < ${TARGETS.warmMs / 1000} s`,
      ok: P ? promoter.warmMs < TARGETS.warmMs : false,
      detail: P ? sec(promoter.warmMs) : "not measured",
    },
  ];

  printReport({ tree, promoter, renovate, checks });

  const result = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemoryBytes: os.totalmem(),
    },
    args,
    loadAverageAtStart: os.loadavg(),
    tree,
    targets: TARGETS,
    promoter,
    renovate,
    ratio,
    scanOnlyRatio,
    rounds,
    checks,
  };
  writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2) + "\n");
  console.log(`\nresults: ${RESULT_FILE}`);
  if (promoter.error || renovate?.error || checks.some((c) => c.ok === false)) process.exitCode = 1;
}

if (process.argv[2] === "--promoter-child") {
  await promoterChild(resolve(process.argv[3]));
} else {
  await main();
}
