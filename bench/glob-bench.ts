// `npm run bench:globs`: the worst cases of the config's glob matcher, against picomatch.
//
//   node --import tsx bench/glob-bench.ts [--limit-ms 20000]
//
// Each hostile glob is matched against its text by Promoter's matcher (src/config/glob.ts) and by
// picomatch with `dot: true` (what the app used before). picomatch backtracks, so it runs in a worker
// that is stopped after --limit-ms: "> N ms" means it had not finished. Then the everyday case: the
// bench tree's environments and exclude globs against 20,000 paths, with both.

import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import picomatch from "picomatch";
import { compileGlobs, globProblem } from "../src/config/glob.js";

const args = process.argv.slice(2);
const limitMs = Number(args[args.indexOf("--limit-ms") + 1]) || 20_000;
const picomatchPath = createRequire(import.meta.url).resolve("picomatch");

const cases: { name: string; glob: string; text: string }[] = [
  {
    name: "issue: *a*…*b/** on 40 a",
    glob: "*a*a*a*a*a*a*a*a*a*a*a*a*b/**",
    text: "a".repeat(40),
  },
  ...[24, 32, 40, 44].map((n) => ({
    name: `issue: dev-*/**/*-…-prod/** on dev-x/${"-".repeat(3)}… (${n} -)`,
    glob: "dev-*/**/*-*-*-*-*-*-*-*-prod/**",
    text: `dev-x/${"-".repeat(n)}`,
  })),
  {
    name: "32 wildcards (*a…*b) on 4,096 a",
    glob: `${"*a".repeat(31)}*b`,
    text: "a".repeat(4096),
  },
  {
    name: "**/ and 31 wildcards on 1,000 folders",
    glob: `**/${"*a".repeat(30)}*b`,
    text: `${"a/".repeat(1000)}${"a".repeat(2096)}`,
  },
  {
    name: "64 alternatives × 26 wildcards on 4,096 a",
    glob: `${"{a,b}".repeat(6)}${"*a".repeat(25)}*b`,
    text: "a".repeat(4096),
  },
  {
    name: "64 alternatives all alive × 20 wildcards on 4,096 a",
    glob: `${"{*,?}".repeat(6)}${"*a".repeat(19)}*b`,
    text: "a".repeat(4096),
  },
  {
    name: "**/*a, 30 ?, b on 4,096 of a and c (a set per window)",
    glob: `**/*a${"?".repeat(30)}b`,
    text: Array.from({ length: 4096 }, (_, i) => (((i * 2654435761) >>> 13) & 1 ? "a" : "c")).join(
      "",
    ),
  },
  {
    name: "*? × 16 then b on 4,096 a",
    glob: `${"*?".repeat(16)}b`,
    text: "a".repeat(4096),
  },
];

/** Runs picomatch in a worker, stopped after the limit. */
function timePicomatch(glob: string, text: string): Promise<string> {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const picomatch = require(workerData.picomatchPath);
    const isMatch = picomatch(workerData.glob, { dot: true });
    const start = performance.now();
    const matched = isMatch(workerData.text);
    parentPort.postMessage({ ms: performance.now() - start, matched });
  `;
  return new Promise((resolve) => {
    const worker = new Worker(code, { eval: true, workerData: { picomatchPath, glob, text } });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(`> ${limitMs} ms`);
    }, limitMs);
    worker.once("message", ({ ms, matched }: { ms: number; matched: boolean }) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(`${ms.toFixed(1)} ms (${matched ? "match" : "no match"})`);
    });
    worker.once("error", (error) => {
      clearTimeout(timer);
      resolve(`error: ${error.message}`);
    });
  });
}

/** Promoter's matcher: the first call (nothing learnt yet) and the best of 20 more. */
function timeOurs(glob: string, text: string): string {
  const isMatch = compileGlobs([glob]);
  const start = performance.now();
  const matched = isMatch(text);
  const first = performance.now() - start;
  let warm = Infinity;
  for (let i = 0; i < 20; i++) {
    const again = performance.now();
    isMatch(text);
    warm = Math.min(warm, performance.now() - again);
  }
  return `${first.toFixed(2)} ms cold, ${warm.toFixed(3)} ms warm (${matched ? "match" : "no match"})`;
}

console.log(`hostile globs (picomatch stopped after ${limitMs} ms)\n`);
for (const { name, glob, text } of cases) {
  const accepted = globProblem(glob) === undefined ? "accepted by the schema" : "refused";
  console.log(`${name}\n  glob ${glob.length} chars, text ${text.length} chars, ${accepted}`);
  console.log(`  promoter:  ${timeOurs(glob, text)}`);
  console.log(`  picomatch: ${await timePicomatch(glob, text)}`);
}

const environments = [["dev-*/**"], ["stage-*/**"], ["stage-*/experimental/**"], ["prod-*/**"]];
const exclude = ["**/examples/**"];
const paths = Array.from(
  { length: 20_000 },
  (_, i) =>
    `${["dev", "stage", "prod"][i % 3]}-account${i % 7}/us-east-1/service-${i % 40}/unit-${i}/terragrunt.hcl`,
);
console.log(`\neveryday: ${paths.length} paths × ${environments.length + 1} glob lists`);
for (const [name, compile] of [
  ["promoter", (globs: string[]) => compileGlobs(globs)],
  ["picomatch", (globs: string[]) => picomatch(globs, { dot: true })],
] as const) {
  const matchers = [...environments, exclude].map((globs) => compile(globs));
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    for (const path of paths) for (const isMatch of matchers) isMatch(path);
    runs.push(performance.now() - start);
  }
  console.log(
    `  ${name.padEnd(10)} first ${runs[0]?.toFixed(1)} ms, best ${Math.min(...runs).toFixed(1)} ms`,
  );
}
