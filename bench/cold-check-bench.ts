#!/usr/bin/env node
// `npm run bench:cold-check`: what the first check of one very large repository costs. A bench, not a test.
//
//   node --import tsx bench/cold-check-bench.ts [--units 20000] [--seed 1] [--reference <checkout>]
//        [--timeout-min 20]
//
// One live repository of `--units` Terragrunt units (bench/generate-live-repo.mjs) is pushed into the
// GitHub simulator (packages/github-simulator), with its module repositories (acme/terraform-aws-*,
// tagged with every version the tree pins) and a module registry on loopback for its tfr:/// units.
// The real server (dist/server.js) starts and its start-up pass checks the repository cold. Phases:
//
//  - reference: `--reference <checkout>`, a build (dist/) of another commit, e.g. main's, checks it cold;
//  - memory: this build, without Redis;
//  - redis cold: this build with REDIS_URL of a fresh redis-server (started here when one is installed);
//  - redis restart: a second process with the same REDIS_URL checks again (its memory is empty).
//
// Each phase reports the API requests by route (goal: ≤ 20 plus one tag listing per module repository),
// the registry requests, the seconds from the check's first request to its completed check run, and the
// app's peak RSS.
// With `--onboarding` (npm run bench:onboarding, 2,000 units): the same repository without its config, in
// an installation of its own: from `installation.created` to the `Configure Promoter` PR, its requests and
// seconds (the issue-17 figure), instead of the phases above.
// Writes bench/.cache/cold-check-last-result.json. Bounded: after `--timeout-min` it stops and exits 1.

import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { parse as parseYaml } from "yaml";
import { GitHubSimulator } from "@promoter/github-simulator";
import { simulatorEnvironment, WEBHOOK_SECRET } from "../test/e2e/harness.js";
import { redisServerInstalled, startRedis, type TestRedis } from "../test/support/redis-process.js";
import { AppProcess } from "../test/support/app-process.js";
import { freePort } from "../test/support/free-port.js";
import { ensureLiveRepo, REGISTRY_MODULES, REPOSITORIES } from "./generate-live-repo.mjs";

/** A module as the generator lists it, oldest version first. */
type Catalogued = { readonly versions: readonly string[] };
/** Only the oldest version: every unit pins that one or a newer, so the check proposes nothing. */
const released = (module: Catalogued) => module.versions.slice(0, 1);

const ROOT = join(import.meta.dirname, "..");
const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? undefined : argv[i + 1];
};
const UNITS = Number(option("units") ?? 20_000);
const SEED = Number(option("seed") ?? 1);
const REFERENCE = option("reference");
const TIMEOUT_MS = Number(option("timeout-min") ?? 20) * 60_000;
const ONBOARDING = argv.includes("--onboarding");
const deadline = performance.now() + TIMEOUT_MS;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const started = performance.now();
const log = (message: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);

/** Every file of a directory, by repository-relative path. */
function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return files;
}

/** A module registry on loopback: discovery, and each generated registry module's versions. Counts requests. */
async function startRegistry(): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    response.setHeader("content-type", "application/json");
    if (request.url === "/.well-known/terraform.json") {
      response.end(JSON.stringify({ "modules.v1": "/v1/modules/" }));
      return;
    }
    const module = REGISTRY_MODULES.find((m) => request.url === `/v1/modules/${m.source}/versions`);
    if (!module) {
      response.statusCode = 404;
      response.end("{}");
      return;
    }
    const versions = released(module).map((version) => ({ version }));
    response.end(JSON.stringify({ modules: [{ versions }] }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${port}`, requests: () => requests };
}

/** The peak resident memory of a process (VmHWM), in bytes. */
function peakRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
  } catch {
    return undefined;
  }
}

interface PhaseResult {
  phase: string;
  requests: number;
  /** GET requests: what reading the repository and its versions cost (the first check also writes PRs). */
  reads: number;
  byRoute: Record<string, number>;
  blobReads: number;
  tarballReads: number;
  tagListings: number;
  registryRequests: number;
  /** From the check's first request (or the dispatch that asked for it) to its completed check run. */
  seconds: number;
  /** From spawning the process to its /healthz answering. */
  startUpSeconds: number;
  peakRssMB: number | undefined;
  checkRun: string | undefined;
}

/** The simulator's requests so far: in all, reads, by route, and those of reading a repository and its tags. */
function requestCounts(sim: GitHubSimulator) {
  const byRoute: Record<string, number> = {};
  for (const r of sim.requests) {
    const route = `${r.method} ${r.route ?? r.path}`;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
  }
  const count = (route: string) => byRoute[route] ?? 0;
  return {
    requests: sim.requests.length,
    reads: sim.requests.filter((r) => r.method === "GET").length,
    byRoute: Object.fromEntries(Object.entries(byRoute).sort((a, b) => b[1] - a[1])),
    blobReads: count("GET /repos/{owner}/{repo}/git/blobs/{file_sha}"),
    tarballReads: count("GET /repos/{owner}/{repo}/tarball/{ref}"),
    tagListings: count("GET /repos/{owner}/{repo}/tags"),
  };
}

async function phase(
  name: string,
  sim: GitHubSimulator,
  registry: Awaited<ReturnType<typeof startRegistry>>,
  env: Record<string, string>,
  root = ROOT,
): Promise<PhaseResult> {
  const repo = "acme-live/live";
  const before = sim.checkRuns(repo).length;
  const registryBefore = registry.requests();
  sim.clearRequests();
  const app = new AppProcess({ port: await freePort(), entry: "dist", root, env });
  sim.setWebhookUrl(app.webhookUrl);
  const t = performance.now();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRss(app.pid) ?? 0)), 200);
  try {
    await app.start(60_000);
    const healthy = performance.now();
    // A restarted replica with Redis knows the repository was just checked: ask for a check then.
    let checkStart: number | undefined;
    const treeRead = () =>
      sim.requests.some((r) => r.method === "GET" && r.route?.endsWith("/git/trees/{tree_sha}"));
    for (;;) {
      if (checkStart === undefined && treeRead()) checkStart = performance.now();
      if (checkStart === undefined && performance.now() > healthy + 5_000) {
        checkStart = performance.now();
        await sim.dispatch(repo, "new_module_release");
      }
      const runs = sim.checkRuns(repo);
      if (runs.length > before && runs.at(-1)?.status === "completed") break;
      if (performance.now() > deadline) throw new Error(`--timeout-min reached in phase ${name}`);
      await sleep(100);
    }
    const seconds = (performance.now() - (checkStart ?? t)) / 1000;
    await sim.idle();
    peak = Math.max(peak, peakRss(app.pid) ?? 0);
    const result: PhaseResult = {
      ...requestCounts(sim),
      phase: name,
      registryRequests: registry.requests() - registryBefore,
      seconds: Math.round(seconds * 100) / 100,
      startUpSeconds: Math.round((healthy - t) / 10) / 100,
      peakRssMB: peak > 0 ? Math.round(peak / 1e6) : undefined,
      checkRun: sim.checkRuns(repo).at(-1)?.title ?? undefined,
    };
    log(
      `${name}: ${result.requests} requests (${result.blobReads} blobs, ${result.tarballReads} tarball, ${result.tagListings} tag listings), ${result.registryRequests} registry, ${result.seconds} s, peak RSS ${result.peakRssMB} MB; "${result.checkRun}"`,
    );
    return result;
  } catch (error) {
    console.error(app.logs.slice(-4000));
    throw error;
  } finally {
    clearInterval(sampler);
    await app.stop(20_000);
  }
}

/** From `installation.created` to the onboarding PR of `repo` (which has no config): requests and seconds. */
async function onboardingPhase(
  sim: GitHubSimulator,
  env: Record<string, string>,
  installation: number,
  repo: string,
): Promise<PhaseResult> {
  // Only the installation event checks the repository: the scheduler's start-up pass waits.
  const app = new AppProcess({
    port: await freePort(),
    entry: "dist",
    root: ROOT,
    env: { ...env, PROMOTER_SCHEDULER_FIRST_SPREAD: "1000000" },
  });
  sim.setWebhookUrl(app.webhookUrl);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRss(app.pid) ?? 0)), 200);
  try {
    const t0 = performance.now();
    await app.start(60_000);
    const startUpSeconds = (performance.now() - t0) / 1000;
    await sleep(1_000);
    sim.clearRequests();
    const t = performance.now();
    await sim.installationCreated(installation);
    for (;;) {
      if (sim.pullRequests(repo).some((p) => p.head === "promoter/configure")) break;
      if (performance.now() > deadline) throw new Error("--timeout-min reached in onboarding");
      await sleep(50);
    }
    const seconds = (performance.now() - t) / 1000;
    await sim.idle();
    const result: PhaseResult = {
      ...requestCounts(sim),
      phase: "onboarding",
      registryRequests: 0,
      seconds: Math.round(seconds * 100) / 100,
      startUpSeconds: Math.round(startUpSeconds * 100) / 100,
      peakRssMB: peak > 0 ? Math.round(Math.max(peak, peakRss(app.pid) ?? 0) / 1e6) : undefined,
      checkRun: sim.pullRequests(repo).find((p) => p.head === "promoter/configure")?.title,
    };
    log(
      `onboarding: ${result.requests} requests (${result.blobReads} blobs, ${result.tarballReads} tarball, ${result.tagListings} tag listings), ${result.seconds} s to "${result.checkRun}", peak RSS ${result.peakRssMB} MB`,
    );
    return result;
  } catch (error) {
    console.error(app.logs.slice(-4000));
    throw error;
  } finally {
    clearInterval(sampler);
    await app.stop(20_000);
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, "dist", "server.js")))
    throw new Error(
      "dist/server.js is missing: run `npm run build` (npm run bench:cold-check does)",
    );
  if (REFERENCE && !existsSync(join(REFERENCE, "dist", "server.js")))
    throw new Error(`--reference ${REFERENCE}: no dist/server.js there (build it first)`);
  const tree = ensureLiveRepo({ units: UNITS, seed: SEED });
  log(`tree ${tree.dir}: ${tree.files} files`);
  const files = readTree(tree.dir);
  const registry = await startRegistry();
  // Stage waits for /promote too, so the check writes no promotion: its cost is the reading.
  const config = files[".github/promoter.yml"]?.replace(
    /(- name: stage\n {4}paths: \[[^\]]*\]\n)/,
    "$1    promotion: manual\n",
  );
  if (config === undefined || !config.includes("promotion: manual\n  - name: prod"))
    throw new Error("the generated config is not the one this bench expects");
  files[".github/promoter.yml"] = `${config}  registry: "${registry.url}"\n`;
  const modules = REPOSITORIES;

  const events = (
    parseYaml(readFileSync(join(ROOT, "app.yml"), "utf8")) as { default_events: string[] }
  ).default_events;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const sim = await GitHubSimulator.start({
    appId: 4242,
    privateKey: pem,
    webhookSecret: WEBHOOK_SECRET,
    events,
  });
  for (const module of modules) {
    sim.createRepository(undefined, `acme/${module.repo}`, {
      files: { "README.md": `# ${module.repo}\n` },
    });
    for (const version of released(module)) sim.createTag(`acme/${module.repo}`, version);
  }
  const installation = sim.createInstallation("acme-live");
  sim.createRepository(installation, "acme-live/live", { files });
  log(
    `simulator: acme-live/live (${Object.keys(files).length} files), ${modules.length} module repos`,
  );

  const env = {
    ...simulatorEnvironment(sim, pem),
    PROMOTER_ALLOW_HTTP_HOSTS: new URL(registry.url).host,
    NODE_ENV: "production",
  };
  const phases: PhaseResult[] = [];
  let redis: TestRedis | undefined;
  let newcomer: number | undefined;
  if (ONBOARDING) {
    const unconfigured = { ...files };
    delete unconfigured[".github/promoter.yml"];
    newcomer = sim.createInstallation("acme-new");
    sim.createRepository(newcomer, "acme-new/live", { files: unconfigured });
  }
  try {
    if (newcomer !== undefined)
      phases.push(await onboardingPhase(sim, env, newcomer, "acme-new/live"));
    else if (REFERENCE) phases.push(await phase("reference", sim, registry, env, REFERENCE));
    if (!ONBOARDING) phases.push(await phase("memory", sim, registry, env));
    if (ONBOARDING) log("onboarding only: the check phases are skipped");
    else if (redisServerInstalled()) {
      redis = await startRedis();
      const withRedis = { ...env, REDIS_URL: redis.url };
      phases.push(await phase("redis cold", sim, registry, withRedis));
      phases.push(await phase("redis restart", sim, registry, withRedis));
    } else log("no redis-server installed: the Redis phases are skipped");
  } finally {
    await redis?.stop();
    await sim.close();
    registry.server.close();
  }

  const reference = phases.find((p) => p.phase === "reference");
  console.log(
    "\n| phase | API requests | of which reads (GET) | blobs | tarballs | tag listings | registry | seconds | peak RSS |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const p of phases) {
    const ratio =
      reference && p !== reference ? ` (${(reference.reads / p.reads).toFixed(0)}× fewer)` : "";
    console.log(
      `| ${p.phase} | ${p.requests} | ${p.reads}${ratio} | ${p.blobReads} | ${p.tarballReads} | ${p.tagListings} | ${p.registryRequests} | ${p.seconds} | ${p.peakRssMB ?? "n/a"} MB |`,
    );
  }
  console.log(
    `\nmodule repositories: ${modules.length}; goal for a cold check: ≤ ${20 + modules.length} requests`,
  );
  for (const p of phases)
    console.log(`\n${p.phase}, by route: ${JSON.stringify(p.byRoute, null, 1)}`);
  writeFileSync(
    join(ROOT, "bench", ".cache", "cold-check-last-result.json"),
    JSON.stringify(
      {
        bench: "cold-check",
        date: new Date().toISOString(),
        units: UNITS,
        seed: SEED,
        modules: modules.length,
        phases,
      },
      null,
      2,
    ) + "\n",
  );
}

const watchdog = setTimeout(() => {
  console.error("watchdog: the bench did not stop by itself");
  process.exit(2);
}, TIMEOUT_MS + 60_000);
watchdog.unref();
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
