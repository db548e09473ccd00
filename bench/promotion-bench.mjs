#!/usr/bin/env node
// `npm run bench:promotion`: the time a merge follow-up spends in Promoter itself (no network).
//
//   node bench/promotion-bench.mjs [--units 2000] [--runs 20]
//
// A merged dev PR promotes one dependency to stage: the handler reads the merge commit's tree,
// scans (warm caches, as after an earlier check), plans, verifies the edit, writes one commit and one
// PR, and comments. GitHub is an in-memory stand-in that answers at once, so the time measured is
// the handler's own. Also counts the API requests it makes.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureLiveRepo } from "./generate-live-repo.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const units = option("--units", 2000);
const runs = option("--runs", 20);

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { continueAfterMerge } = await load("engine/after-merge.js");
const { Services } = await load("engine/services.js");
const { scan } = await load("iac/scanner.js");
const { parseConfig } = await load("config/index.js");
const { listDirectory, readFiles } = await load("local/read-directory.js");
const { isIacFile } = await load("iac/scanner.js");

const tree = ensureLiveRepo({ units, seed: 1 });
const paths = listDirectory(tree.dir);
const files = readFiles(
  tree.dir,
  paths.filter((p) => isIacFile(p) || p === ".github/promoter.yml"),
);
const config = parseConfig(readFileSync(join(tree.dir, ".github/promoter.yml"), "utf8"));
const inventory = scan(files, config.config).inventory;

// Dependencies dev runs newer than stage, promotable in stage: one merge each.
const env = (name) => inventory.environments.find((e) => e.name === name);
const candidates = env("dev")
  .dependencies.map((d) => {
    const stage = env("stage").dependencies.find((s) => s.id === d.id);
    const to = d.versions.at(-1);
    return stage &&
      !stage.versions.includes(to) &&
      stage.usages.some((u) => u.token && !u.notPromotable)
      ? { dependency: d.id, to, from: stage.versions }
      : undefined;
  })
  .filter(Boolean);
if (candidates.length === 0) throw new Error("no dependency to promote in the generated tree");

/** An in-memory GitHub: answers what a merge follow-up asks, and counts the requests. */
function fakeGitHub() {
  let requests = 0;
  let edited = 0;
  const entries = files.map((f) => ({ path: f.path, mode: "100644", type: "blob", sha: f.hash }));
  const answers = {
    "GET /repos/{owner}/{repo}/git/trees/{tree_sha}": () => ({
      sha: "tree",
      truncated: false,
      tree: entries,
    }),
    "GET /repos/{owner}/{repo}/pulls": () => [],
    "POST /repos/{owner}/{repo}/labels": () => ({}),
    "POST /repos/{owner}/{repo}/git/trees": (params) => {
      edited = params.tree.length;
      return { sha: "new-tree" };
    },
    "POST /repos/{owner}/{repo}/git/commits": () => ({ sha: "new-commit" }),
    "POST /repos/{owner}/{repo}/git/refs": () => ({}),
    "GET /repos/{owner}/{repo}/releases": () => [],
    "POST /repos/{owner}/{repo}/pulls": () => ({ number: 2 }),
    "POST /repos/{owner}/{repo}/issues/{issue_number}/labels": () => [],
    "POST /repos/{owner}/{repo}/issues/{issue_number}/comments": () => ({ id: 1 }),
  };
  return {
    requests: () => requests,
    edited: () => edited,
    octokit: {
      request: async (route, params) => {
        requests++;
        const answer = answers[route];
        if (!answer) throw new Error(`unexpected request ${route}`);
        return { status: 200, headers: {}, data: answer(params) };
      },
    },
  };
}

const services = new Services();
services.appLogin = async () => "promoter[bot]";
for (const f of files) services.blobs.set(f.hash, f.bytes);
services.labels("acme/live").add("promoter:stage");
const silent = { child: () => silent, info() {}, warn() {}, debug() {}, error() {} };
const target = { owner: "acme", repo: "live", defaultBranch: "main" };

const times = [];
const edits = [];
let requestsPerPromotion;
for (let run = 0; run < runs + 1; run++) {
  const { dependency } = candidates[run % candidates.length];
  const github = fakeGitHub();
  const job = {
    kind: "merged",
    installationId: 1,
    ...target,
    reason: "bench",
    // One of the app's own PRs: known by its author and branch; what it promotes is what the merge has.
    pullRequest: {
      number: 1,
      labels: ["promoter:dev"],
      mergeCommitSha: "merge",
      author: "promoter[bot]",
      headRef: `promoter/dev/${dependency}`,
      fromFork: false,
    },
  };
  const start = performance.now();
  const lines = await continueAfterMerge(github.octokit, target, services, silent, job);
  const ms = performance.now() - start;
  if (!lines[0]?.startsWith("Opened #2"))
    throw new Error(`unexpected outcome: ${lines.join(" / ")}`);
  // The first run warms the scan cache, as the check before a merge would.
  if (run > 0) {
    times.push(ms);
    edits.push(github.edited());
  }
  requestsPerPromotion = github.requests();
}
times.sort((a, b) => a - b);
const pct = (p) =>
  times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(1);
console.log(
  `tree: ${units} units, ${files.length} files; ${candidates.length} promotable dependencies; ${runs} merges`,
);
console.log(
  `merge follow-up, handler time without network: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${times.at(-1).toFixed(1)} ms`,
);
console.log(`API requests per promotion (warm caches): ${requestsPerPromotion}`);
const average = edits.reduce((a, b) => a + b, 0) / edits.length;
console.log(
  `files edited per promotion: ${average.toFixed(1)} on average (each re-parsed by hcl2-parser, ~4 ms a file)`,
);
