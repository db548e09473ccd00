#!/usr/bin/env node
// `npm run bench:one-file`: what one large or deep file costs the scanner and edit verification.
//
//   node bench/one-file-bench.mjs [--sizes 1000,5000,20000] [--dist dist] [--label after]
//                                 [--compare bench/.cache/one-file-before.json]
//
// For each size N, one `main.tf` of N module blocks (every module its own git repository, so an edit
// of one dependency is one token), beside one ordinary unit:
//   - scan: `scan(files, config)` with a fresh cache (best of a few runs; once when a run takes > 5 s);
//   - edit: `planEdits` + `applyVerifiedEdits` of module 0 in that file, and the hcl2-parser
//     share measured on its own (`parsesWithReferenceParser` of the edited file, best of two): the
//     reference parser is linear but slow, and is what the 2 MiB cap bounds.
// Then a unit nested 10,000 levels deep beside an ordinary one: does the scan finish, and with what.
// Ratios are against the smallest size: linear means N× the modules ≈ N× the time.
//
// `--dist` points at another build (e.g. of main) to measure "before"; `--label` names the run in
// the JSON written to bench/.cache/one-file-<label>.json; `--compare` prints old/new per figure.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import os from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const sizes = option("sizes", "1000,5000,20000").split(",").map(Number);
const dist = resolve(option("dist", fileURLToPath(new URL("../dist/", import.meta.url))));
const label = option("label", "last");
const compare = option("compare", undefined);
const cacheDir = fileURLToPath(new URL("./.cache/", import.meta.url));

const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { scan } = await load("iac/scanner.js");
const { applyVerifiedEdits, parsesWithReferenceParser, planEdits } = await load("iac/edits.js");
const { parseConfig } = await load("config/index.js");
const { blobSha } = await load("iac/blob-sha.js");

const parsed = parseConfig('environments:\n  - name: dev\n    paths: ["dev-*/**"]\n');
if (!parsed.ok) throw new Error("invalid bench config");
const { config } = parsed;

// Builds since SourceFile carries the file's bytes have source-file.js; older ones take the text.
const sourceFileModule = existsSync(join(dist, "iac/source-file.js"))
  ? await load("iac/source-file.js")
  : undefined;
const file = (path, content) =>
  sourceFileModule
    ? sourceFileModule.sourceFile(path, Buffer.from(content))
    : { path, content, hash: blobSha(content) };
const ORDINARY = file(
  "dev-a/vpc/terragrunt.hcl",
  'terraform {\n  source = "git::https://github.com/acme/vpc.git?ref=v1.0.0"\n}\n',
);

/** N module blocks; module i pins acme/m<i> at v1.<i % 20>.0, after a non-ASCII comment. */
function modulesFile(n) {
  const blocks = [];
  for (let i = 0; i < n; i++) {
    blocks.push(
      `module "m${i}" {\n  source = "git::https://github.com/acme/m${i}.git?ref=v1.${i % 20}.0"\n}\n`,
    );
  }
  return `# généré: one file of ${n} modules\n${blocks.join("\n")}`;
}

/** Milliseconds of `run`, best of `times` (once if a run is slow); `run`'s last result too. */
function timed(run, times = 3) {
  let best = Infinity;
  let result;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    result = run();
    const ms = performance.now() - start;
    best = Math.min(best, ms);
    if (ms > 5000) break;
  }
  return { ms: best, result };
}

// Warm up the scanner and hcl2-parser (3.8 MB of GopherJS), so the smallest size is not their start-up.
{
  const warm = [file("dev-a/all/main.tf", modulesFile(200)), ORDINARY];
  const { inventory } = scan(warm, config);
  const plan = planEdits(inventory, "acme/m0", "dev", "v2.0.0");
  if (plan.ok) {
    applyVerifiedEdits(warm, config, inventory, plan.edits, {
      dependencyId: "acme/m0",
      environment: "dev",
      targetVersion: "v2.0.0",
    });
  }
}

const results = {
  label,
  dist,
  node: process.version,
  cpus: os.cpus().length,
  load: os.loadavg()[0],
  sizes: [],
};

for (const n of sizes) {
  const content = modulesFile(n);
  const files = [file("dev-a/all/main.tf", content), ORDINARY];
  const scanned = timed(() => scan(files, config));
  const inventory = scanned.result.inventory ?? scanned.result;
  const usages = inventory.environments[0].dependencies.reduce((k, d) => k + d.usages.length, 0);

  const plan = planEdits(inventory, "acme/m0", "dev", "v2.0.0");
  if (!plan.ok) throw new Error(`no plan: ${plan.reason}`);
  const intended = { dependencyId: "acme/m0", environment: "dev", targetVersion: "v2.0.0" };
  const edit = timed(() => applyVerifiedEdits(files, config, inventory, plan.edits, intended), 2);
  if (!edit.result.ok) throw new Error(`edit refused: ${edit.result.reason}`);
  const edited = edit.result.files[0].content;
  const reference = timed(() => parsesWithReferenceParser(edited), 2);

  const entry = {
    modules: n,
    bytes: Buffer.byteLength(content),
    usages,
    scanMs: scanned.ms,
    editMs: edit.ms,
    referenceParserMs: reference.ms,
  };
  results.sizes.push(entry);
  console.log(
    `${String(n).padStart(6)} modules (${(entry.bytes / 1048576).toFixed(2)} MiB): scan ${entry.scanMs.toFixed(0)} ms, ` +
      `edit ${entry.editMs.toFixed(0)} ms (hcl2-parser ${entry.referenceParserMs.toFixed(0)} ms of it)`,
  );
}

const base = results.sizes[0];
console.log("\nratios to the smallest size (linear: the modules' ratio)");
for (const entry of results.sizes) {
  const r = (key) => (entry[key] / Math.max(base[key], 0.001)).toFixed(1);
  console.log(
    `${String(entry.modules).padStart(6)}: modules ×${(entry.modules / base.modules).toFixed(0)}, scan ×${r("scanMs")}, ` +
      `edit ×${r("editMs")} (hcl2-parser alone ×${r("referenceParserMs")})`,
  );
}

{
  const deep = file(
    "dev-a/deep/terragrunt.hcl",
    `locals {\n  a = ${"(".repeat(10_000)}1${")".repeat(10_000)}\n}\n`,
  );
  let outcome;
  const start = performance.now();
  try {
    const { inventory } = scan([deep, ORDINARY], config);
    const found = inventory.environments[0].dependencies.length;
    outcome = `finished: ${found} dependency of the other unit; warnings: ${inventory.warnings.map((w) => `${w.file}: ${w.message}`).join("; ")}`;
  } catch (error) {
    outcome = `threw ${error.name}: ${error.message}`;
  }
  results.deep = { ms: performance.now() - start, outcome };
  console.log(`\n10,000 levels deep: ${outcome} (${results.deep.ms.toFixed(0)} ms)`);
}

if (!existsSync(cacheDir)) mkdirSync(cacheDir, { recursive: true });
writeFileSync(join(cacheDir, `one-file-${label}.json`), `${JSON.stringify(results, null, 2)}\n`);

if (compare) {
  const before = JSON.parse(readFileSync(compare, "utf8"));
  console.log(`\nbefore (${before.label}) / now (${label})`);
  for (const entry of results.sizes) {
    const old = before.sizes.find((s) => s.modules === entry.modules);
    if (!old) continue;
    const x = (key) => `${(old[key] / Math.max(entry[key], 0.001)).toFixed(1)}×`;
    console.log(
      `${String(entry.modules).padStart(6)} modules: scan ${old.scanMs.toFixed(0)} → ${entry.scanMs.toFixed(0)} ms (${x("scanMs")}), ` +
        `edit ${old.editMs.toFixed(0)} → ${entry.editMs.toFixed(0)} ms (${x("editMs")})`,
    );
  }
  console.log(`deep: before ${before.deep.outcome}`);
}
