#!/usr/bin/env node
// `npm run bench:e2e`: the whole app under load, end to end. A bench, not a timed test.
//
//   node --import tsx bench/e2e-load-bench.ts [--repos 50] [--units 200] [--modules 10] [--bursts 10]
//        [--pace back-to-back|settle] [--concurrency <repos>] [--timeout-min 25] [--tsx]
//        [--node-options=--max-old-space-size=256]
//
// The real server (dist/server.js, built by `npm run bench:e2e`; `--tsx`: src/server.ts) talks to the
// in-process GitHub simulator (packages/github-simulator, every request checked against GitHub's
// OpenAPI description) as to a GitHub Enterprise Server:
//
//  1. `--modules` public module repositories `modules/terraform-aws-m<k>` (tag v1.0.0, installed nowhere)
//     and `--repos` live repositories `org<i>/live`, EACH IN AN INSTALLATION OF ITS OWN (org<i>), with
//     `--units` Terragrunt units over dev / stage / prod (prod manual) pinning every module at v1.0.0.
//     The app starts; its start-up pass checks every repository (nothing to do: it warms the caches).
//  2. The release: every module repository tags and publishes v1.1.0 (GitHub does not send those events
//     to an app that is not installed there), and every live repository receives `repository_dispatch`
//     `new_module_release`, as Patcher's workflows send it. Wait for the repos × modules dev PRs.
//  3. The merges: `--bursts` bursts of `--repos` merges (one dev PR per repository per burst, all at
//     once). Each merge is a `pull_request.closed` (+ `push`) webhook; the app opens the stage PR and
//     comments on the merged PR. `--pace back-to-back` (default): the next burst as soon as the previous
//     burst's webhooks were answered; `--pace settle`: once the previous burst's stage PRs all exist.
//
// Why one installation per repository: Probot's Octokit (plugin-throttling, as GitHub's best practices
// ask against secondary rate limits) spaces an installation's writes (POST/PATCH/PUT/DELETE) at least
// 1 s apart, and the writes that notify people (POST .../pulls, POST .../issues/{n}/comments) 3 s apart.
// A promotion costs ~6 writes, so 500 promotions in ONE installation take ≥ 50 minutes whatever Promoter
// does; across 50 installations they proceed in parallel. The report gives that throttle floor.
//
// Reports webhooks/s, p50/p99 from the merge webhook to the stage PR existing, API requests per
// promotion (by method and route), the app's peak RSS and CPU, and whether every expected PR exists
// exactly once (no webhook dropped). Writes bench/.cache/e2e-last-result.json. Bounded: after
// `--timeout-min` it reports what it has and exits 1.

import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parse as parseYaml } from "yaml";
import { GitHubSimulator, type RequestRecord, type SimIssue } from "@promoter/github-simulator";
import { simulatorEnvironment, WEBHOOK_SECRET } from "../test/e2e/harness.js";
import { AppProcess } from "../test/support/app-process.js";
import { freePort } from "../test/support/free-port.js";

const ROOT = join(import.meta.dirname, "..");
const CACHE = join(ROOT, "bench", ".cache");

// ------------------------------------------------------------------ options

const argv = process.argv.slice(2);
function option(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? undefined : argv[i + 1];
}
function numberOption(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
const REPOS = numberOption("repos", 50);
const UNITS = numberOption("units", 200);
const MODULES = numberOption("modules", 10);
const BURSTS = Math.min(numberOption("bursts", MODULES), MODULES);
const CONCURRENCY = numberOption("concurrency", REPOS);
const TIMEOUT_MS = numberOption("timeout-min", 25) * 60_000;
const PACE = option("pace") ?? "back-to-back";
if (PACE !== "back-to-back" && PACE !== "settle")
  throw new Error("--pace must be back-to-back or settle");
const USE_TSX = argv.includes("--tsx");
/** Extra Node options for the app process, e.g. `--node-options=--max-old-space-size=256`. */
const APP_NODE_OPTIONS = argv
  .find((a) => a.startsWith("--node-options="))
  ?.slice("--node-options=".length);
if (UNITS < 3 * MODULES) throw new Error("--units must be at least 3 × --modules");

// ------------------------------------------------------------------ small helpers

const started = performance.now();
const deadline = started + TIMEOUT_MS;
const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => Math.round(ms) / 1000;
/** Milliseconds as seconds for the table, `n/a` when there is no value. */
const secondsText = (ms: number | undefined) => (ms === undefined ? "n/a" : `${seconds(ms)} s`);

class DeadlineError extends Error {}

/** Polls `probe` until truthy; throws a DeadlineError at the overall deadline. */
async function until(what: string, probe: () => boolean, intervalMs = 50): Promise<void> {
  for (;;) {
    if (probe()) return;
    if (now() > deadline)
      throw new DeadlineError(`--timeout-min reached while waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}
function stats(values: number[]) {
  const round = (v: number | undefined) => (v === undefined ? undefined : Math.round(v));
  return {
    count: values.length,
    min: round(values.length ? Math.min(...values) : undefined),
    p50: round(percentile(values, 50)),
    p90: round(percentile(values, 90)),
    p99: round(percentile(values, 99)),
    max: round(values.length ? Math.max(...values) : undefined),
    mean: round(values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined),
  };
}
function log(message: string): void {
  console.log(
    `[${seconds(now() - started)
      .toFixed(1)
      .padStart(6)} s] ${message}`,
  );
}

// ------------------------------------------------------------------ the repositories

const ENVS = [
  { name: "dev", share: 0.35 },
  { name: "stage", share: 0.35 },
  { name: "prod", share: 0.3 },
] as const;
const REGIONS = ["us-east-1", "eu-west-1"];
const CONFIG = `environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
  - name: prod
    paths: ["prod/**"]
    promotion: manual
updates:
  strategy: next-safe
  schedule: "daily"
`;
const ROOT_HCL = `locals {
  env_vars = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  env      = local.env_vars.locals.env
}

remote_state {
  backend = "s3"
  config = {
    bucket = "acme-terraform-state-\${local.env}"
    key    = "\${path_relative_to_include()}/terraform.tfstate"
    region = "us-east-1"
  }
}
`;
const moduleRepo = (k: number) => `modules/terraform-aws-m${k}`;
const dependencyId = (k: number) => `${moduleRepo(k)}/m${k}`;
const branch = (env: string, k: number) => `promoter/${env}/${dependencyId(k)}`;
const liveRepo = (i: number) => `org${i}/live`;

function envcommonHcl(k: number): string {
  return `locals {
  # The versions are pinned by each environment's units.
  base_source_url = "git::git@github.com:${moduleRepo(k)}.git//modules/m${k}"
}

inputs = {
  module = "m${k}"
}
`;
}

/** One unit pinning module `k` at `version`; `form` picks one of the four ways units spell it. */
function unitHcl(k: number, version: string, form: number, name: string): string {
  const include = `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n`;
  const inputs = `inputs = {
  name = "${name}" # the unit's name
  tags = { team = "platform", module = "m${k}" }
  size = ${(form % 3) + 1}
}
`;
  const https = `git::https://github.com/${moduleRepo(k)}.git//modules/m${k}`;
  const ssh = `git::git@github.com:${moduleRepo(k)}.git//modules/m${k}`;
  switch (form) {
    case 6: // ssh
      return `${include}\nterraform {\n  source = "${ssh}?ref=${version}"\n}\n\n${inputs}`;
    case 7:
    case 8: // the envcommon base URL, the version in the unit
      return `${include}
include "envcommon" {
  path   = "\${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/m${k}.hcl"
  expose = true
}

terraform {
  source = "\${include.envcommon.locals.base_source_url}?ref=${version}"
}

${inputs}`;
    case 9: // ?ref=${local.version}
      return `locals {
  version = "${version}" # bumped by Promoter
}

terraform {
  source = "${https}?ref=\${local.version}"
}

${include}
${inputs}`;
    default: // direct https, sometimes with depth=1
      return `# m${k}: managed by the platform team
terraform {
  source = "${https}?${form === 1 ? "depth=1&" : ""}ref=${version}" # pinned
}

${include}
${inputs}`;
  }
}

/** The live repository's files, and how many units of each module each environment has. */
function liveFiles(): Record<string, string> {
  const files: Record<string, string> = {
    ".github/promoter.yml": CONFIG,
    "root.hcl": ROOT_HCL,
    "README.md": "# live\n",
  };
  for (let k = 0; k < MODULES; k++) files[`_envcommon/m${k}.hcl`] = envcommonHcl(k);
  let assigned = 0;
  ENVS.forEach((env, e) => {
    const count =
      e === ENVS.length - 1 ? UNITS - assigned : Math.max(MODULES, Math.round(UNITS * env.share));
    assigned += count;
    files[`${env.name}/env.hcl`] = `locals {\n  env = "${env.name}"\n}\n`;
    for (let j = 0; j < count; j++) {
      const k = j % MODULES;
      const form = Math.floor(j / MODULES) % 10;
      const region = REGIONS[j % REGIONS.length];
      const name = `m${k}-${j}`;
      files[`${env.name}/${region}/${name}/terragrunt.hcl`] = unitHcl(k, "v1.0.0", form, name);
    }
  });
  return files;
}

// ------------------------------------------------------------------ the app process

/** Resident memory of a process, in bytes, from /proc (VmRSS now, VmHWM the peak). */
function procMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 };
  } catch {
    return undefined;
  }
}
/** User + system CPU seconds of a process, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The real server (test/support's AppProcess), from dist/ and with the bench's settings, its memory sampled. */
class AppServer {
  readonly process: AppProcess;
  peakRss = 0;
  /** The highest VmRSS sampled since the last {@link takePhasePeak}. */
  #phasePeak = 0;
  #sampler: NodeJS.Timeout | undefined;

  constructor(sim: GitHubSimulator, privateKey: string, port: number) {
    this.process = new AppProcess({
      port,
      entry: USE_TSX ? "src" : "dist",
      nodeOptions: APP_NODE_OPTIONS ? APP_NODE_OPTIONS.split(" ").filter(Boolean) : [],
      env: {
        ...simulatorEnvironment(sim, privateKey),
        PROMOTER_CONCURRENCY: String(CONCURRENCY),
        NODE_ENV: "production",
      },
    });
  }

  get webhookUrl(): string {
    return this.process.webhookUrl;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get output(): string {
    return this.process.logs;
  }

  async start(): Promise<void> {
    this.#sampler = setInterval(() => this.sample(), 250);
    try {
      await this.process.start(Math.min(deadline, now() + 60_000) - now());
    } catch (error) {
      if (this.process.running) throw new DeadlineError((error as Error).message);
      throw error;
    }
  }

  sample(): void {
    const pid = this.pid;
    if (pid === undefined || !this.process.running) return;
    const memory = procMemory(pid);
    if (!memory) return;
    this.peakRss = Math.max(this.peakRss, memory.hwm, memory.rss);
    this.#phasePeak = Math.max(this.#phasePeak, memory.rss);
  }

  /** The highest resident memory sampled (every 250 ms) since the previous call. */
  takePhasePeak(): number {
    this.sample();
    const peak = this.#phasePeak;
    this.#phasePeak = 0;
    return peak;
  }

  cpuSeconds(): number | undefined {
    return this.pid === undefined ? undefined : procCpuSeconds(this.pid);
  }

  /** SIGTERM (SIGKILL after 20 s); the exit code. */
  async stop(): Promise<number | null> {
    this.sample();
    if (this.#sampler) clearInterval(this.#sampler);
    return this.process.stop(20_000);
  }
}

// ------------------------------------------------------------------ instrumentation

/** When each webhook delivery was sent to the app and answered (the simulator sends with global fetch). */
const deliveryTimes = new Map<string, { sentAt: number; answeredAt?: number; event: string }>();
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
  const headers = (init?.headers ?? {}) as Record<string, string>;
  const id = headers["x-github-delivery"];
  if (id === undefined) return realFetch(input, init);
  const times: { sentAt: number; answeredAt?: number; event: string } = {
    sentAt: now(),
    event: headers["x-github-event"] ?? "",
  };
  deliveryTimes.set(id, times);
  const response = await realFetch(input, init);
  times.answeredAt = now();
  return response;
}) as typeof fetch;

/** When each PR was created (`<repo>|<head>` → times, more than one if a PR was opened twice). */
const prCreated = new Map<string, number[]>();
/** When the bot commented on each issue (`<repo>#<n>` → times). */
const botComments = new Map<string, number[]>();

/** Hooks a repository's state so that PR creation and the bot's comments are timed exactly. */
function instrument(sim: GitHubSimulator, fullName: string): void {
  const repo = sim.world.repo(fullName);
  if (!repo) throw new Error(`no ${fullName}`);
  const issues = repo.issues;
  const set = issues.set.bind(issues);
  issues.set = (number: number, issue: SimIssue) => {
    if (!issues.has(number) && issue.pull) {
      const key = `${repo.fullName}|${issue.pull.headRef}`;
      prCreated.set(key, [...(prCreated.get(key) ?? []), now()]);
    }
    return set(number, issue);
  };
  const comments = repo.comments;
  const push = comments.push.bind(comments);
  comments.push = (...items) => {
    for (const item of items) {
      if (item.user !== sim.botLogin) continue;
      const key = `${repo.fullName}#${item.issueNumber}`;
      botComments.set(key, [...(botComments.get(key) ?? []), now()]);
    }
    return push(...items);
  };
}

/** The routes whose writes plugin-throttling also spaces 3 s apart (its `triggersNotification` list). */
const NOTIFYING = new Set([
  "/orgs/{org}/invitations",
  "/orgs/{org}/invitations/{invitation_id}",
  "/orgs/{org}/teams/{team_slug}/discussions",
  "/orgs/{org}/teams/{team_slug}/discussions/{discussion_number}/comments",
  "/repos/{owner}/{repo}/collaborators/{username}",
  "/repos/{owner}/{repo}/commits/{commit_sha}/comments",
  "/repos/{owner}/{repo}/issues",
  "/repos/{owner}/{repo}/issues/{issue_number}/comments",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issue",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues/priority",
  "/repos/{owner}/{repo}/pulls",
  "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
  "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
  "/repos/{owner}/{repo}/pulls/{pull_number}/merge",
  "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
  "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  "/repos/{owner}/{repo}/releases",
  "/teams/{team_id}/discussions",
  "/teams/{team_id}/discussions/{discussion_number}/comments",
]);
const isWrite = (r: RequestRecord) =>
  r.method !== "GET" && r.method !== "HEAD" && r.installationId !== undefined;

/** What a slice of the request log says: counts by method and route, and the throttle's floor. */
function requestSummary(records: RequestRecord[], per: number) {
  const byMethod: Record<string, number> = {};
  const byRoute: Record<string, number> = {};
  const perInstallation = new Map<number, { writes: number; notifying: number }>();
  let conditional304 = 0;
  for (const r of records) {
    byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
    const route = `${r.method} ${r.route ?? r.path}`;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
    if (r.status === 304) conditional304++;
    if (isWrite(r) && r.installationId !== undefined) {
      const counts = perInstallation.get(r.installationId) ?? { writes: 0, notifying: 0 };
      counts.writes++;
      if (r.route && NOTIFYING.has(r.route)) counts.notifying++;
      perInstallation.set(r.installationId, counts);
    }
  }
  // The least time one installation's writes take under plugin-throttling, whatever the app does.
  const floors = [...perInstallation.values()].map(({ writes, notifying }) =>
    Math.max(writes - 1, 3 * (notifying - 1), 0),
  );
  const writes = [...perInstallation.values()].map((c) => c.writes);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    total: records.length,
    perUnit: per > 0 ? round(records.length / per) : undefined,
    byMethod: Object.fromEntries(
      Object.entries(byMethod).map(([m, n]) => [m, { count: n, perUnit: round(n / per) }]),
    ),
    byRoute: Object.fromEntries(
      Object.entries(byRoute)
        .sort((a, b) => b[1] - a[1])
        .map(([route, n]) => [route, { count: n, perUnit: round(n / per) }]),
    ),
    notModified304: conditional304,
    non2xx: records.filter((r) => r.status >= 400).length,
    installations: perInstallation.size,
    writesPerInstallation: stats(writes),
    throttleFloorSeconds: floors.length ? Math.max(...floors) : 0,
  };
}

// ------------------------------------------------------------------ the run

interface MergeRecord {
  repo: string;
  module: number;
  burst: number;
  devNumber: number;
  calledAt: number;
  deliveryId?: string;
  sentAt?: number;
  answeredAt?: number;
  status?: number;
  stagePrAt?: number;
  commentAt?: number;
}

const result: Record<string, unknown> = {
  bench: "e2e-load",
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGB: Math.round(totalmem() / 1e9),
    node: process.version,
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
  },
  parameters: {
    repos: REPOS,
    unitsPerRepo: UNITS,
    modules: MODULES,
    bursts: BURSTS,
    burstSize: REPOS,
    pace: PACE,
    concurrency: CONCURRENCY,
    installations: REPOS,
    server: `node ${APP_NODE_OPTIONS ? `${APP_NODE_OPTIONS} ` : ""}${USE_TSX ? "--import tsx src/server.ts" : "dist/server.js"}`,
    timeoutMin: TIMEOUT_MS / 60_000,
  },
};
const phases: Record<string, unknown> = {};
result.phases = phases;
const merges: MergeRecord[] = [];
let sim: GitHubSimulator | undefined;
let app: AppServer | undefined;
let failure: string | undefined;
const checks: Record<string, { ok: boolean; detail: string }> = {};

// A stuck run still ends: one minute after the deadline, whatever happens.
const watchdog = setTimeout(() => {
  console.error("watchdog: the bench did not stop by itself one minute after its deadline");
  app?.process.kill();
  process.exit(2);
}, TIMEOUT_MS + 60_000);
watchdog.unref();

/** Waits until no API request and no webhook delivery happened for `quietMs`; the time of the last request. */
async function quiescence(what: string, quietMs = 3000): Promise<number> {
  let count = sim!.requests.length;
  let since = now();
  await until(
    `${what} (quiescence)`,
    () => {
      const pending = [...deliveryTimes.values()].some((d) => d.answeredAt === undefined);
      if (sim!.requests.length !== count || pending) {
        count = sim!.requests.length;
        since = now();
        return false;
      }
      return now() - since >= quietMs;
    },
    100,
  );
  await sim!.idle();
  return since;
}

const openPr = (repo: string, head: string) =>
  sim!.pullRequests(repo).filter((pr) => pr.state === "open" && pr.head === head);

async function run(): Promise<void> {
  if (!USE_TSX && !existsSync(join(ROOT, "dist", "server.js")))
    throw new Error("dist/server.js is missing: run `npm run build` (npm run bench:e2e does)");
  const events = (
    parseYaml(readFileSync(join(ROOT, "app.yml"), "utf8")) as { default_events: string[] }
  ).default_events;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  sim = await GitHubSimulator.start({
    appId: 4242,
    privateKey: pem,
    webhookSecret: WEBHOOK_SECRET,
    events, // only what the app subscribes to (app.yml), as GitHub does
  });

  // ---- 1. repositories
  let t = now();
  for (let k = 0; k < MODULES; k++) {
    sim.createRepository(undefined, moduleRepo(k), {
      files: { [`modules/m${k}/main.tf`]: `variable "name" {}\n`, "README.md": `# m${k}\n` },
    });
    sim.createTag(moduleRepo(k), "v1.0.0");
  }
  const files = liveFiles();
  const liveRepos: string[] = [];
  for (let i = 0; i < REPOS; i++) {
    const installation = sim.createInstallation(`org${i}`);
    sim.createRepository(installation, liveRepo(i), { files });
    sim.addCollaborator(liveRepo(i), "alice", "write");
    instrument(sim, liveRepo(i));
    liveRepos.push(liveRepo(i));
  }
  const unitsPerEnv = Object.fromEntries(
    ENVS.map((env) => [
      env.name,
      Object.keys(files).filter((f) => f.startsWith(`${env.name}/`) && f.endsWith("terragrunt.hcl"))
        .length,
    ]),
  );
  phases.setup = {
    seconds: seconds(now() - t),
    filesPerRepo: Object.keys(files).length,
    unitsPerEnvironment: unitsPerEnv,
  };
  log(
    `${REPOS} live repos (${Object.keys(files).length} files each: ${JSON.stringify(unitsPerEnv)} units), ${MODULES} module repos`,
  );

  // ---- 2. the app, and its start-up pass over every repository
  app = new AppServer(sim, pem, await freePort());
  sim.setWebhookUrl(app.webhookUrl);
  t = now();
  await app.start();
  const healthyAt = now();
  log(`app healthy in ${seconds(healthyAt - t)} s (pid ${app.pid})`);
  await until("the start-up checks", () =>
    liveRepos.every((repo) => sim!.checkRuns(repo).some((run) => run.status === "completed")),
  );
  const startupEnd = await quiescence("the start-up checks");
  const startupRequests = sim.requests.length;
  phases.startup = {
    seconds: seconds(startupEnd - healthyAt),
    requests: requestSummary(sim.requests, REPOS),
    appPeakRssBytes: app.takePhasePeak(),
  };
  log(
    `start-up pass: ${REPOS} repos checked in ${seconds(startupEnd - healthyAt)} s, ${startupRequests} requests`,
  );

  // ---- 3. the release: tags + releases in the module repos, new_module_release to every live repo
  t = now();
  const releaseFirst = sim.requests.length;
  for (let k = 0; k < MODULES; k++) {
    sim.createTag(moduleRepo(k), "v1.1.0", {
      files: {
        [`modules/m${k}/main.tf`]: `variable "name" {}\nvariable "size" { default = 1 }\n`,
        "README.md": `# m${k}\n`,
      },
    });
    // GitHub does not deliver a module repository's events to an app that is not installed there.
    sim.dropWebhooks("release", 1);
    await sim.publishRelease(moduleRepo(k), "v1.1.0", { body: `m${k}: adds \`size\`.` });
  }
  const dispatches = await Promise.all(
    liveRepos.map((repo) =>
      sim!.dispatch(repo, "new_module_release", { version: "v1.1.0" }, { by: "patcher-bot" }),
    ),
  );
  const dispatchedAt = now();
  const devExpected = REPOS * MODULES;
  const devHeads = Array.from({ length: MODULES }, (_, k) => branch("dev", k));
  const devCount = () =>
    liveRepos.reduce((n, repo) => {
      const open = new Set(
        sim!
          .pullRequests(repo)
          .filter((pr) => pr.state === "open")
          .map((pr) => pr.head),
      );
      return n + devHeads.filter((head) => open.has(head)).length;
    }, 0);
  let lastLogged = 0;
  await until(
    `${devExpected} dev PRs`,
    () => {
      const n = devCount();
      if (now() - lastLogged > 15_000) {
        lastLogged = now();
        log(`dev PRs: ${n}/${devExpected}`);
      }
      return n === devExpected;
    },
    500,
  );
  const allDevAt = now();
  await until("the release checks' check runs", () =>
    liveRepos.every(
      (repo) => sim!.checkRuns(repo).filter((run) => run.status === "completed").length >= 2,
    ),
  );
  const releaseEnd = await quiescence("the release checks");
  const devRequests = sim.requests.slice(releaseFirst);
  phases.release = {
    dispatchStatuses: [...new Set(dispatches)],
    secondsToAllDevPrs: seconds(allDevAt - dispatchedAt),
    secondsToQuiet: seconds(releaseEnd - t),
    devPrs: devCount(),
    devPrsPerSecond: Math.round((devExpected / ((allDevAt - dispatchedAt) / 1000)) * 100) / 100,
    requests: requestSummary(devRequests, devExpected),
    appPeakRssBytes: app.takePhasePeak(),
  };
  log(
    `release: ${devExpected} dev PRs in ${seconds(allDevAt - dispatchedAt)} s, ${devRequests.length} requests`,
  );

  // ---- 4. the merges, in bursts
  const devPrs = new Map<string, number>();
  for (const repo of liveRepos) {
    for (let k = 0; k < BURSTS; k++) {
      const prs = openPr(repo, branch("dev", k));
      if (prs.length !== 1) throw new Error(`${repo}: ${prs.length} open dev PRs for m${k}`);
      devPrs.set(`${repo}|${k}`, prs[0]!.number);
    }
  }
  const mergeFirst = sim.requests.length;
  const deliveriesBefore = sim.deliveries.length;
  const cpuBefore = app.cpuSeconds();
  const mergeStart = now();
  const bursts: {
    burst: number;
    firstSentAt: number;
    lastAnsweredAt: number;
    settledAt?: number;
  }[] = [];
  for (let b = 0; b < BURSTS; b++) {
    if (now() > deadline) throw new DeadlineError(`--timeout-min reached before burst ${b + 1}`);
    const records = liveRepos.map((repo): MergeRecord => ({
      repo,
      module: b,
      burst: b,
      devNumber: devPrs.get(`${repo}|${b}`)!,
      calledAt: 0,
    }));
    const calls = records.map((record) => {
      record.calledAt = now();
      const call = sim!.mergePullRequest(record.repo, record.devNumber, { by: "alice" });
      // The delivery is recorded synchronously by the call: the last pull_request one is this merge's.
      const delivery = [...sim!.deliveries]
        .reverse()
        .find((d) => d.event === "pull_request" && d.action === "closed");
      record.deliveryId = delivery?.id;
      return call.then((status) => {
        record.status = status;
      });
    });
    merges.push(...records);
    await Promise.all(calls);
    for (const record of records) {
      const times = record.deliveryId ? deliveryTimes.get(record.deliveryId) : undefined;
      record.sentAt = times?.sentAt;
      record.answeredAt = times?.answeredAt;
    }
    const burst = {
      burst: b + 1,
      firstSentAt: Math.min(...records.map((r) => r.sentAt ?? Infinity)),
      lastAnsweredAt: Math.max(...records.map((r) => r.answeredAt ?? -Infinity)),
    } as (typeof bursts)[number];
    bursts.push(burst);
    if (PACE === "settle") {
      await until(`the stage PRs of burst ${b + 1}`, () =>
        records.every((r) => prCreated.has(`${r.repo}|${branch("stage", r.module)}`)),
      );
      burst.settledAt = now();
    }
    log(
      `burst ${b + 1}/${BURSTS}: ${records.length} merge webhooks delivered in ${Math.round(burst.lastAnsweredAt - burst.firstSentAt)} ms` +
        (burst.settledAt
          ? `, its stage PRs after ${seconds(burst.settledAt - burst.firstSentAt)} s`
          : ""),
    );
  }
  const lastMergeAnswered = now();

  // Every stage PR, and every follow-up comment on the merged dev PRs.
  const stageKey = (r: MergeRecord) => `${r.repo}|${branch("stage", r.module)}`;
  const followedUp = (r: MergeRecord) =>
    (botComments.get(`${r.repo}#${r.devNumber}`) ?? []).some((at) => at >= r.calledAt);
  lastLogged = now();
  // At the deadline, the figures are still computed from the promotions that completed.
  let timedOut: DeadlineError | undefined;
  await until(
    `${merges.length} stage PRs and follow-up comments`,
    () => {
      const prs = merges.filter((r) => prCreated.has(stageKey(r))).length;
      const comments = merges.filter(followedUp).length;
      if (now() - lastLogged > 15_000) {
        lastLogged = now();
        log(`stage PRs: ${prs}/${merges.length}, follow-up comments: ${comments}/${merges.length}`);
      }
      return prs === merges.length && comments === merges.length;
    },
    200,
  ).catch((error: unknown) => {
    if (!(error instanceof DeadlineError)) throw error;
    timedOut = error;
  });
  const allStageAt = now();
  const mergeEnd = timedOut ? now() : await quiescence("the merge follow-ups");
  const cpuAfter = app.cpuSeconds();
  for (const r of merges) {
    r.stagePrAt = prCreated.get(stageKey(r))?.[0];
    r.commentAt = (botComments.get(`${r.repo}#${r.devNumber}`) ?? []).find(
      (at) => at >= r.calledAt,
    );
  }

  // ---- measurements
  const mergeRequests = sim.requests.slice(mergeFirst);
  const mergeDeliveries = sim.deliveries.slice(deliveriesBefore);
  const deliveryAnswerMs = mergeDeliveries
    .map((d) => deliveryTimes.get(d.id))
    .filter(
      (t): t is { sentAt: number; answeredAt: number; event: string } =>
        t?.answeredAt !== undefined,
    )
    .map((t) => t.answeredAt - t.sentAt);
  const burstWindowMs = bursts.reduce((sum, b) => sum + (b.lastAnsweredAt - b.firstSentAt), 0);
  const inBursts = mergeDeliveries.filter((d) => {
    const times = deliveryTimes.get(d.id);
    return (
      times?.answeredAt !== undefined &&
      bursts.some((b) => times.sentAt >= b.firstSentAt && times.answeredAt! <= b.lastAnsweredAt)
    );
  }).length;
  const byEvent: Record<string, number> = {};
  for (const d of mergeDeliveries) {
    const key = `${d.event}${d.action ? `.${d.action}` : ""}`;
    byEvent[key] = (byEvent[key] ?? 0) + 1;
  }
  const latency = (
    from: (r: MergeRecord) => number | undefined,
    to: (r: MergeRecord) => number | undefined,
  ) =>
    stats(
      merges
        .map((r) => {
          const a = from(r);
          const b = to(r);
          return a === undefined || b === undefined ? undefined : b - a;
        })
        .filter((v): v is number => v !== undefined),
    );
  const mergePhaseMs = mergeEnd - mergeStart;
  // Per promotion: per stage PR opened (all of them, unless the deadline cut the run short).
  const requests = requestSummary(
    mergeRequests,
    Math.max(1, merges.filter((r) => r.stagePrAt !== undefined).length),
  );
  phases.merge = {
    merges: merges.length,
    stagePrsOpened: merges.filter((r) => r.stagePrAt !== undefined).length,
    secondsAllBurstsDelivered: seconds(lastMergeAnswered - mergeStart),
    secondsToAllPromoted: seconds(allStageAt - mergeStart),
    secondsToQuiet: seconds(mergePhaseMs),
    promotionsPerSecond:
      Math.round(
        (merges.filter((r) => r.stagePrAt !== undefined).length /
          ((allStageAt - mergeStart) / 1000)) *
          100,
      ) / 100,
    webhooks: {
      mergeWebhooksPerSecondInBursts:
        Math.round((merges.length / (burstWindowMs / 1000)) * 10) / 10,
      deliveriesPerSecondInBursts: Math.round((inBursts / (burstWindowMs / 1000)) * 10) / 10,
      burstWindowsMs: bursts.map((b) => Math.round(b.lastAnsweredAt - b.firstSentAt)),
      answerMs: stats(deliveryAnswerMs),
      deliveriesInPhase: mergeDeliveries.length,
      byEvent,
      notAnswered2xx: mergeDeliveries.filter(
        (d) => !d.dropped && (d.status < 200 || d.status >= 300),
      ).length,
      dropped: mergeDeliveries.filter((d) => d.dropped).length,
    },
    latencyMs: {
      webhookSentToStagePr: latency(
        (r) => r.sentAt,
        (r) => r.stagePrAt,
      ),
      webhookSentToFollowUpComment: latency(
        (r) => r.sentAt,
        (r) => r.commentAt,
      ),
      mergeCalledToWebhookSent: latency(
        (r) => r.calledAt,
        (r) => r.sentAt,
      ),
    },
    requests,
    throttle: {
      floorSeconds: requests.throttleFloorSeconds,
      shareOfPhase: Math.round((requests.throttleFloorSeconds / (mergePhaseMs / 1000)) * 100) / 100,
      explanation:
        "floor = max over installations of max(writes − 1, 3 × (notifying writes − 1)) seconds: plugin-throttling spaces an installation's writes 1 s apart and its notifying writes (POST pulls, POST issue comments) 3 s apart",
    },
    appPeakRssBytes: app.takePhasePeak(),
    appCpuSeconds:
      cpuBefore !== undefined && cpuAfter !== undefined
        ? Math.round((cpuAfter - cpuBefore) * 100) / 100
        : undefined,
  };

  // ---- checks: no webhook dropped, every expected PR exists once, nothing GitHub would reject
  const stageProblems: string[] = [];
  let contentProblems = 0;
  for (const r of merges) {
    const head = branch("stage", r.module);
    const open = openPr(r.repo, head);
    const created = prCreated.get(`${r.repo}|${head}`) ?? [];
    if (open.length !== 1 || created.length !== 1)
      stageProblems.push(`${r.repo} m${r.module}: ${open.length} open, ${created.length} created`);
    if (open.length === 1) {
      const headFiles = sim.files(r.repo, open[0]!.head);
      for (const [path, content] of Object.entries(headFiles)) {
        if (!path.startsWith("stage/") || !path.includes(`/m${r.module}-`)) continue;
        if (!content.includes('"v1.1.0"') && !content.includes("ref=v1.1.0")) contentProblems++;
      }
    }
  }
  const extraPrs = [...prCreated.entries()].filter(
    ([key, times]) => times.length > 1 || key.includes("|promoter/prod/"),
  );
  checks.noWebhookDropped = {
    ok:
      merges.every((r) => r.status !== undefined && r.status >= 200 && r.status < 300) &&
      (phases.merge as { webhooks: { notAnswered2xx: number; dropped: number } }).webhooks
        .notAnswered2xx === 0 &&
      (phases.merge as { webhooks: { dropped: number } }).webhooks.dropped === 0,
    detail: `${merges.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300).length}/${merges.length} merge webhooks answered 2xx`,
  };
  checks.everyStagePrOnce = {
    ok: stageProblems.length === 0,
    detail:
      stageProblems.length === 0
        ? `${merges.length}/${merges.length} stage PRs, each opened once`
        : stageProblems.slice(0, 10).join("; "),
  };
  checks.stagePrsCarryTheMergedVersion = {
    ok: contentProblems === 0,
    detail: `${contentProblems} stage unit(s) of a promoted module not at v1.1.0 on the PR branch`,
  };
  checks.noDuplicateOrProdPr = {
    ok: extraPrs.length === 0,
    detail:
      extraPrs.length === 0
        ? "none"
        : extraPrs
            .slice(0, 10)
            .map(([k]) => k)
            .join("; "),
  };
  checks.openApiViolations = {
    ok: sim.violations.length === 0,
    detail: sim.violations.length === 0 ? "none" : sim.violations.slice(0, 5).join("; "),
  };
  if (timedOut) throw timedOut;
}

// ------------------------------------------------------------------ report

function printReport(): void {
  const merge = phases.merge as
    | {
        merges: number;
        stagePrsOpened: number;
        secondsToAllPromoted: number;
        secondsToQuiet: number;
        promotionsPerSecond: number;
        webhooks: {
          mergeWebhooksPerSecondInBursts: number;
          deliveriesPerSecondInBursts: number;
          answerMs: ReturnType<typeof stats>;
        };
        latencyMs: Record<string, ReturnType<typeof stats>>;
        requests: ReturnType<typeof requestSummary>;
        throttle: { floorSeconds: number; shareOfPhase: number };
        appCpuSeconds?: number;
      }
    | undefined;
  const release = phases.release as
    | {
        secondsToAllDevPrs: number;
        devPrsPerSecond: number;
        requests: ReturnType<typeof requestSummary>;
      }
    | undefined;
  const rows: [string, string][] = [];
  const p = result.parameters as Record<string, unknown>;
  rows.push([
    "scale",
    `${p.repos} repos (1 installation each) × ${p.unitsPerRepo} units, ${p.modules} modules, ${p.bursts} bursts of ${p.burstSize} merges, pace ${p.pace}, concurrency ${p.concurrency}`,
  ]);
  if (release) {
    rows.push([
      "release → all dev PRs",
      `${release.secondsToAllDevPrs} s (${release.devPrsPerSecond} PRs/s)`,
    ]);
    rows.push([
      "API requests per dev PR",
      `${release.requests.perUnit} (${release.requests.total} in all)`,
    ]);
  }
  if (merge) {
    const lat = merge.latencyMs.webhookSentToStagePr!;
    const done = merge.latencyMs.webhookSentToFollowUpComment!;
    rows.push([
      "merge webhooks/s (in bursts)",
      `${merge.webhooks.mergeWebhooksPerSecondInBursts} (all deliveries: ${merge.webhooks.deliveriesPerSecondInBursts}/s; answer p50 ${merge.webhooks.answerMs.p50} ms, p99 ${merge.webhooks.answerMs.p99} ms)`,
    ]);
    rows.push([
      "merge webhook → stage PR",
      `p50 ${secondsText(lat.p50)}, p99 ${secondsText(lat.p99)} (min ${secondsText(lat.min)}, max ${secondsText(lat.max)}; ${lat.count} PRs)`,
    ]);
    rows.push([
      "merge webhook → follow-up done",
      `p50 ${secondsText(done.p50)}, p99 ${secondsText(done.p99)} (${done.count} comments)`,
    ]);
    rows.push([
      "promotions",
      `${merge.stagePrsOpened}/${merge.merges} in ${merge.secondsToAllPromoted} s (${merge.promotionsPerSecond}/s)`,
    ]);
    const m = merge.requests.byMethod;
    rows.push([
      "API requests per promotion",
      `${merge.requests.perUnit} (${Object.entries(m)
        .map(([k, v]) => `${k} ${v.perUnit}`)
        .join(", ")}; ${merge.requests.total} in all)`,
    ]);
    rows.push([
      "throttle floor (merge phase)",
      `${merge.throttle.floorSeconds} s of ${merge.secondsToQuiet} s (${Math.round(merge.throttle.shareOfPhase * 100)}%), writes/installation p50 ${merge.requests.writesPerInstallation.p50}`,
    ]);
    if (merge.appCpuSeconds !== undefined)
      rows.push(["app CPU (merge phase)", `${merge.appCpuSeconds} s`]);
  }
  if (result.appPeakRssBytes) {
    const mb = (bytes: unknown) => `${Math.round(Number(bytes) / 1e6)} MB`;
    const byPhase = (["startup", "release", "merge"] as const)
      .map((name) => [
        name,
        (phases[name] as { appPeakRssBytes?: number } | undefined)?.appPeakRssBytes,
      ])
      .filter(([, bytes]) => bytes)
      .map(([name, bytes]) => `${name} ${mb(bytes)}`);
    rows.push([
      "app peak RSS (VmHWM)",
      `${mb(result.appPeakRssBytes)}${byPhase.length ? ` (per phase: ${byPhase.join(", ")})` : ""}`,
    ]);
  }
  rows.push([
    "bench process peak RSS (simulator)",
    `${Math.round((process.resourceUsage().maxRSS * 1024) / 1e6)} MB`,
  ]);
  for (const [name, check] of Object.entries(checks))
    rows.push([`${check.ok ? "PASS" : "FAIL"} ${name}`, check.detail]);
  if (failure) rows.push(["FAILED", failure]);
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log("");
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

let exitCode = 0;
try {
  await run();
} catch (error) {
  failure = error instanceof Error ? error.message : String(error);
  exitCode = 1;
  if (!(error instanceof DeadlineError) && error instanceof Error) console.error(error.stack);
} finally {
  app?.sample();
  result.appPeakRssBytes = app?.peakRss || undefined;
  const code = await app?.stop();
  result.appExitCode = code;
  await sim?.close().catch(() => undefined);
  result.benchPeakRssBytes = process.resourceUsage().maxRSS * 1024;
  result.totalSeconds = seconds(now() - started);
  result.merges = merges.map((r) => ({
    repo: r.repo,
    module: r.module,
    burst: r.burst,
    status: r.status,
    toStagePrMs:
      r.sentAt !== undefined && r.stagePrAt !== undefined
        ? Math.round(r.stagePrAt - r.sentAt)
        : undefined,
    toCommentMs:
      r.sentAt !== undefined && r.commentAt !== undefined
        ? Math.round(r.commentAt - r.sentAt)
        : undefined,
  }));
  result.checks = checks;
  result.violations = sim?.violations.slice(0, 50);
  result.failure = failure;
  const errorLines = (app?.output ?? "")
    .split("\n")
    .filter((line) => /error|"level":50/i.test(line));
  result.appErrorLogLines = errorLines.length;
  result.appFirstErrorLine = errorLines[0]?.slice(0, 2000);
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(join(CACHE, "e2e-app.log"), app?.output ?? "");
  writeFileSync(join(CACHE, "e2e-last-result.json"), `${JSON.stringify(result, null, 2)}\n`);
  printReport();
  if (errorLines.length > 0)
    console.log(
      `\nthe app logged ${errorLines.length} error line(s), see bench/.cache/e2e-app.log; the first:\n${errorLines[0]?.slice(0, 600)}`,
    );
  console.log(`\nwritten: bench/.cache/e2e-last-result.json (${result.totalSeconds} s in all)`);
  if (Object.values(checks).some((c) => !c.ok) || (code !== 0 && code !== undefined)) exitCode = 1;
  clearTimeout(watchdog);
}
process.exit(exitCode);
