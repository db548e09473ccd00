#!/usr/bin/env node
// `npm run bench:schedule`: one installation with many repositories on `daily`, against the GitHub
// simulator. A bench, not a timed test.
//
//   node --import tsx bench/schedule-budget-bench.ts [--repos 300] [--units 200] [--low-repos 12]
//
//  1. Cost of one check, measured: the real app (in process: Probot, the runtime, the queue, the
//     throttled installation client) checks one `--units`-unit live repository twice against the
//     simulator: the cold check and the steady-state (warm) one, in API requests.
//  2. The day, on a simulated clock: the real Scheduler ticks every 15 minutes over three days for
//     `--repos` repositories of one installation, each check costing what step 1 measured (cold the
//     first time, warm after). Reference, emulated: today's behaviour before spreading, where every
//     repository is due at once at start-up and then every 24 h after its last check, so all fire in
//     the same tick. Reports requests per hour at steady state and the peak requests per minute (the
//     5-minute jitter spreads a tick's checks at random).
//  3. The budget running low, for real: `--low-repos` repositories of one installation, checked once,
//     then checked again while the simulator says the window is nearly spent (300 of 5,000 left, under
//     the 10% floor, reset in about a minute). Every second check must end in a check run (none lost, none failed):
//     they wait for the reset (a "Deferred" check run meanwhile), then run.

import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot } from "probot";
import { GitHubSimulator } from "@promoter/github-simulator";
import { Services } from "../src/engine/services.js";
import { promoterOctokit } from "../src/github/clients.js";
import { installationDirectory } from "../src/github/installations.js";
import { createRuntime } from "../src/index.js";
import { scheduleOffset } from "../src/queue/schedule.js";
import { Scheduler } from "../src/queue/scheduler.js";
import type { RepositoryMemory } from "../src/queue/repository-memory.js";

const argv = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(argv[i + 1]);
};
const REPOS = option("repos", 300);
const UNITS = option("units", 200);
const LOW_REPOS = option("low-repos", 12);
const MODULES = 10;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TICK = 15 * MINUTE;
const JITTER = 5 * MINUTE;

const CONFIG = `environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
  - name: prod
    paths: ["prod/**"]
updates:
  schedule: daily
`;

function liveFiles(units: number): Record<string, string> {
  const files: Record<string, string> = { ".github/promoter.yml": CONFIG };
  const envs = ["dev", "stage", "prod"];
  for (let j = 0; j < units; j++) {
    const k = j % MODULES;
    const env = envs[j % envs.length] ?? "dev";
    files[`${env}/unit-${j}/terragrunt.hcl`] =
      `terraform {\n  source = "git::https://github.com/modules/terraform-aws-m${k}.git//modules/m${k}?ref=v1.0.0"\n}\n\ninputs = {\n  name = "unit-${j}"\n}\n`;
  }
  return files;
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const sim = await GitHubSimulator.start({
  appId: 4242,
  privateKey: pem,
  webhookSecret: "bench",
  appWebhooks: false,
});
for (let k = 0; k < MODULES; k++) {
  sim.createRepository(undefined, `modules/terraform-aws-m${k}`, {
    files: { [`modules/m${k}/main.tf`]: `variable "name" {}\n` },
  });
  sim.createTag(`modules/terraform-aws-m${k}`, "v1.0.0");
}

/** The real app in this process, against the simulator. */
function app() {
  const probot = new Probot({
    appId: 4242,
    privateKey: pem,
    baseUrl: sim.apiBaseUrl,
    log: pino({ level: "silent" }),
    Octokit: promoterOctokit(),
  });
  const services = new Services(sim.apiBaseUrl, `github.com=${sim.apiBaseUrl}`);
  const runtime = createRuntime(probot, services, { rateLimitFloor: 0.1 });
  return { probot, services, runtime };
}

const requestsOf = (installationId: number) =>
  sim.requests.filter((r) => r.installationId === installationId).length;

// ---- 1. what one check costs
const costInstallation = sim.createInstallation("cost");
sim.createRepository(costInstallation, "cost/live", { files: liveFiles(UNITS) });
const one = app();
const job = { installationId: costInstallation, owner: "cost", repo: "live", reason: "bench" };
await one.runtime.queue.enqueueCheck(job);
await one.runtime.queue.onIdle();
const cold = requestsOf(costInstallation);
await one.runtime.queue.enqueueCheck(job);
await one.runtime.queue.onIdle();
const warm = requestsOf(costInstallation) - cold;
await one.runtime.queue.close();
console.log(`1. one check of ${UNITS} units: ${cold} requests cold, ${warm} warm (steady state)`);

// ---- 2. the day, on a simulated clock
interface Load {
  perHour: number;
  peakPerMinute: number;
  peakChecksPerTick: number;
}
/** Requests per hour and the peak per minute over days 2-3 (steady state), from when each check starts. */
function load(starts: { at: number; cost: number }[], from: number): Load {
  const minutes = new Map<number, number>();
  const ticks = new Map<number, number>();
  let steady = 0;
  for (const { at, cost } of starts) {
    if (at < from + DAY) continue;
    const minute = Math.floor(at / MINUTE);
    minutes.set(minute, (minutes.get(minute) ?? 0) + cost);
    const tick = Math.floor(at / TICK);
    ticks.set(tick, (ticks.get(tick) ?? 0) + 1);
    steady += cost;
  }
  return {
    perHour: steady / 48,
    peakPerMinute: Math.max(...minutes.values()),
    peakChecksPerTick: Math.max(...ticks.values()),
  };
}
const start = Date.UTC(2026, 0, 5, 9, 7);
let seed = 42;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const names = Array.from({ length: REPOS }, (_, i) => `acme/live-${i}`);
const ids = names.map((_, i) => 500_000 + i * 37);

// Reference (emulated): due at once at start-up, then 24 h after the last check.
const reference: { at: number; cost: number }[] = [];
{
  const next = new Map<string, number>(names.map((n) => [n, start]));
  const seen = new Set<string>();
  for (let now = start; now < start + 3 * DAY; now += TICK) {
    for (const name of names) {
      if ((next.get(name) ?? 0) > now) continue;
      const at = now + Math.floor(random() * JITTER);
      reference.push({ at, cost: seen.has(name) ? warm : cold });
      seen.add(name);
      next.set(name, at + DAY);
    }
  }
}

// Spread: the real Scheduler over a directory of REPOS repositories with GitHub ids.
const spread: { at: number; cost: number }[] = [];
{
  const memory = new Map<string, RepositoryMemory>();
  const directory = installationDirectory({
    auth: () =>
      Promise.resolve({
        paginate: (route: string) =>
          Promise.resolve(
            route === "GET /app/installations"
              ? [{ id: 1 }]
              : names.map((fullName, i) => ({
                  id: ids[i],
                  name: fullName.split("/")[1],
                  full_name: fullName,
                  owner: { login: "acme" },
                  default_branch: "main",
                })),
          ),
      } as never),
  });
  let now = start;
  const queue = {
    enqueue: () => Promise.resolve(),
    enqueueCheck: (checkJob: { owner: string; repo: string }) => {
      const fullName = `${checkJob.owner}/${checkJob.repo}`;
      const at = now + Math.floor(random() * JITTER);
      spread.push({ at, cost: memory.has(fullName) ? warm : cold });
      memory.set(fullName, { checkedAt: at, schedule: "daily", modules: new Set() });
      return Promise.resolve();
    },
    onIdle: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const scheduler = new Scheduler(
    queue,
    { directory, repositories: memory, log: pino({ level: "silent" }) },
    { intervalMs: TICK, jitterMs: 0, firstCheckSpreadMs: HOUR },
  );
  for (; now < start + 3 * DAY; now += TICK) await scheduler.tick(now);
}
const before = load(reference, start);
const after = load(spread, start);
/** The peak requests per minute of the first day (start-up: every check cold). */
const startupPeak = (starts: { at: number; cost: number }[]) => {
  const minutes = new Map<number, number>();
  for (const { at, cost } of starts) {
    if (at >= start + DAY) continue;
    minutes.set(Math.floor(at / MINUTE), (minutes.get(Math.floor(at / MINUTE)) ?? 0) + cost);
  }
  return Math.max(...minutes.values());
};
const checksOf = (starts: unknown[]) => starts.length;
console.log(
  `2. ${REPOS} repositories × ${UNITS} units on daily, one installation, 3 simulated days (${checksOf(reference)} vs ${checksOf(spread)} checks):`,
);
console.log(
  `   reference (all at once): ${before.perHour.toFixed(0)} requests/h at steady state, peak ${before.peakPerMinute} requests/min, ${before.peakChecksPerTick} checks in one tick`,
);
console.log(
  `   spread by repository id: ${after.perHour.toFixed(0)} requests/h at steady state, peak ${after.peakPerMinute} requests/min, ${after.peakChecksPerTick} checks in one tick`,
);
console.log(
  `   start-up (day 1, cold checks): peak ${startupPeak(reference)} requests/min all at once, ${startupPeak(spread)} spread over the first hour`,
);
console.log(
  `   ratio: steady-state peak per minute ${(before.peakPerMinute / after.peakPerMinute).toFixed(1)}× lower; hourly mean the same (${(after.perHour / before.perHour).toFixed(2)}×)`,
);
const offsets = ids.map((id) => scheduleOffset(String(id), DAY));
const perHour = new Array<number>(24).fill(0);
for (const o of offsets) perHour[Math.floor(o / HOUR)]! += 1;
console.log(
  `   checks per hour of the day: min ${Math.min(...perHour)}, max ${Math.max(...perHour)}`,
);

// ---- 3. the budget running low
const low = sim.createInstallation("low");
const lowRepos = Array.from({ length: LOW_REPOS }, (_, i) => `low/live-${i}`);
for (const name of lowRepos) sim.createRepository(low, name, { files: liveFiles(20) });
const second = app();
const checkAll = async () => {
  for (const name of lowRepos) {
    const [owner = "", repo = ""] = name.split("/");
    await second.runtime.queue.enqueueCheck({
      installationId: low,
      owner,
      repo,
      reason: "schedule",
    });
  }
};
const successes = (name: string) =>
  sim.checkRuns(name).filter((r) => r.conclusion === "success").length;
// Checked once with the whole budget (the app then knows each head commit), then with little left. The
// windows are short so the bench waits little; the second ends 5 s after the first (as GitHub's follow
// each other), which must outlast the first round.
const firstWindowEnds = Date.now() + 90_000;
sim.setRateLimit(low, { remaining: 5000, resetInSeconds: 90 });
await checkAll();
await second.runtime.queue.onIdle();
const resetIn = Math.ceil((firstWindowEnds - Date.now()) / 1000) + 5;
sim.setRateLimit(low, { remaining: 300, resetInSeconds: resetIn });
const started = Date.now();
// The first check learns the budget is low (and finishes: never stopped half-way); the next ones wait.
const [firstRepo, ...others] = lowRepos;
await second.runtime.queue.enqueueCheck({
  installationId: low,
  owner: "low",
  repo: (firstRepo ?? "").split("/")[1] ?? "",
  reason: "schedule",
});
await second.runtime.queue.onIdle();
for (const name of others) {
  const [owner = "", repo = ""] = name.split("/");
  await second.runtime.queue.enqueueCheck({ installationId: low, owner, repo, reason: "schedule" });
}
// Deferred checks wait in timers: idle only once every repository has its check run.
const deadline = Date.now() + 240_000;
const done = () => lowRepos.every((name) => successes(name) >= 2);
while (!done() && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  await second.runtime.queue.onIdle();
}
const deferred = lowRepos.filter((name) =>
  sim.checkRuns(name).some((r) => r.title?.startsWith("Deferred: rate limit")),
).length;
const refused = sim.requests.filter((r) => r.installationId === low && r.status === 403).length;
const checked = lowRepos.filter((name) => successes(name) >= 2).length;
console.log(
  `3. ${LOW_REPOS} checks with 300 of 5,000 requests left (floor 500), reset in ${resetIn} s: ${checked}/${LOW_REPOS} checked (none lost), ${deferred} deferred to the reset, ${refused} requests refused for the limit, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
await second.runtime.queue.close();
await sim.close();
process.exit(checked === LOW_REPOS ? 0 : 1);
