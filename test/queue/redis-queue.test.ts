import { spawn } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import { join } from "node:path";
import { Redis } from "ioredis";
import { pino } from "pino";
import { Probot } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RedisScheduler } from "../../src/queue/redis-scheduler.js";
import { Services } from "../../src/engine/services.js";
import { promoterApp } from "../../src/index.js";
import { createQueue } from "../../src/queue/create-queue.js";
import type { Job } from "../../src/queue/job-queue.js";
import { RedisQueue, type RedisQueueOptions } from "../../src/queue/redis-queue.js";
import { RedisRepositoryMemory } from "../../src/queue/repository-memory.js";
import { webhook } from "../app/helpers.js";
import {
  check,
  command,
  describeQueueContract,
  gatedRunner,
  merged,
  settlesWithin,
  waitFor,
} from "./queue-contract.js";
import { AppProcess } from "../support/app-process.js";
import { freePort } from "../support/free-port.js";
import { redisServerInstalled, startRedis, useTestRedis, type TestRedis } from "./redis-server.js";

/*
 * Against a real Redis: REDIS_URL when set (.ci/run starts one), else a redis-server this file starts on a
 * free port when one is installed. The restart tests always start their own (persistent) server, as they
 * kill it. Each test keeps its keys under its own prefix, deleted at the end.
 */
const ROOT = join(import.meta.dirname, "..", "..");
const installed = redisServerInstalled();
const NO_REDIS = "skipped: no Redis (set REDIS_URL, or install redis-server; .ci/run does)";
const NO_SERVER = "skipped: redis-server is not installed (.ci/run installs it)";
const title = (name: string, available: boolean, why: string) =>
  available ? name : `${name} (${why})`;

const log = pino({ level: "silent" });
/** Short locks and waits, so a dead replica's job is taken over in about a second. */
const FAST = { lockMs: 1_000, stalledIntervalMs: 500, busyRetryMs: 30, backoffMs: 30, attempts: 2 };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const prefixes: string[] = [];
const testRedis = useTestRedis(() => prefixes);
const cleanups: (() => Promise<unknown> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function newPrefix(): string {
  const prefix = `promoter-test-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return prefix;
}

/** A replica's queue, closed after the test. */
async function replica(
  run: (job: Job) => Promise<void>,
  prefix: string,
  options: Partial<RedisQueueOptions> = {},
): Promise<RedisQueue> {
  const queue = new RedisQueue(run, {
    url: testRedis.url,
    prefix,
    log,
    concurrency: 4,
    ...FAST,
    ...options,
  });
  cleanups.push(() => queue.close());
  await queue.ready();
  return queue;
}

describe.skipIf(!testRedis.available)(title("RedisQueue", testRedis.available, NO_REDIS), () => {
  describeQueueContract("RedisQueue", async (run, concurrency) => {
    const queue = new RedisQueue(run, {
      url: testRedis.url,
      prefix: newPrefix(),
      log,
      ...FAST,
      concurrency,
    });
    await queue.ready();
    return queue;
  });

  describe("two replicas sharing one Redis", () => {
    it("queue a repository's check once, whichever is asked, and a redelivered webhook's job once", async () => {
      const prefix = newPrefix();
      const runner = gatedRunner();
      const a = await replica(runner.run, prefix);
      const b = await replica(runner.run, prefix);
      await a.enqueue(merged("live", 1));
      await waitFor(() => runner.started.length === 1, "the merge job");
      await Promise.all(
        [a, b, a, b, a, b].map((queue, i) => queue.enqueueCheck(check("live", `request ${i}`))),
      );
      // The same webhook delivered to both replicas (GitHub redelivers after a failure or timeout).
      await Promise.all([a.enqueue(merged("live", 2)), b.enqueue(merged("live", 2))]);
      await sleep(100);
      expect(runner.started).toHaveLength(1);

      runner.finishAll();
      await a.onIdle();
      await b.onIdle();
      expect(runner.started.map((j) => j.reason).sort()).toEqual([
        "#1 merged",
        "#2 merged",
        expect.stringMatching(/^request \d$/),
      ]);
      expect(runner.maxPerRepository()).toBe(1);
    });

    it("run one job of a repository at a time across replicas, and spread the others", async () => {
      const prefix = newPrefix();
      const intervals: { repo: string; by: string; start: number; end: number }[] = [];
      const worker = (by: string) => async (job: Job) => {
        const start = Date.now();
        await sleep(40);
        intervals.push({ repo: job.repo, by, start, end: Date.now() });
      };
      const a = await replica(worker("a"), prefix);
      const b = await replica(worker("b"), prefix);
      const jobs: Promise<void>[] = [];
      for (let n = 1; n <= 6; n++) {
        for (const repo of ["r1", "r2", "r3"]) {
          jobs.push((n % 2 ? a : b).enqueue(command(repo, n)));
        }
      }
      await Promise.all(jobs);
      await waitFor(() => intervals.length === 18, "18 jobs", 15_000);
      for (const repo of ["r1", "r2", "r3"]) {
        const runs = intervals.filter((i) => i.repo === repo).sort((x, y) => x.start - y.start);
        expect(runs).toHaveLength(6);
        for (let i = 1; i < runs.length; i++) {
          expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end);
        }
      }
      expect(new Set(intervals.map((i) => i.by))).toEqual(new Set(["a", "b"]));
    });

    it("run a job again on another replica when the one running it dies mid-way", async () => {
      const prefix = newPrefix();
      const job = merged("live", 42);
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/queue/redis-worker-child.ts"],
        {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH ?? "",
            REDIS_URL: testRedis.url,
            PROMOTER_REDIS_PREFIX: prefix,
            PROMOTER_TEST_JOB: JSON.stringify(job),
          },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      cleanups.push(() => void child.kill("SIGKILL"));
      let output = "";
      child.stdout?.on("data", (data: Buffer) => (output += data.toString()));
      await waitFor(
        () => output.includes("started #42 merged"),
        "the child to start the job",
        15_000,
      );

      const ran: Job[] = [];
      const b = await replica((j) => {
        ran.push(j);
        return Promise.resolve();
      }, prefix);
      await sleep(1_200);
      expect(ran).toEqual([]); // the child holds the job while it lives

      const killedAt = Date.now();
      child.kill("SIGKILL");
      await waitFor(() => ran.length === 1, "the other replica to take the job over", 10_000);
      expect(ran[0]).toEqual(job);
      // The child's lock duration (2 s) plus at most two stalled checks (0.5 s each), and some slack.
      expect(Date.now() - killedAt).toBeLessThan(8_000);
      await b.onIdle();
      expect(ran).toHaveLength(1);
    }, 30_000);

    it("retry a failing job with growing waits, then keep it as failed and say so", async () => {
      const prefix = newPrefix();
      const attempts: { reason: string; at: number }[] = [];
      const logged = pino({ level: "silent" });
      const error = vi.spyOn(logged, "error");
      const a = await replica(
        (job) => {
          attempts.push({ reason: job.reason, at: Date.now() });
          const tries = attempts.filter((x) => x.reason === job.reason).length;
          if (job.reason === "#1 merged" && tries < 3) {
            return Promise.reject(new Error("GitHub is down"));
          }
          if (job.reason === "#2 merged") return Promise.reject(new Error("never works"));
          return Promise.resolve();
        },
        prefix,
        { attempts: 3, backoffMs: 100, log: logged },
      );
      await a.enqueue(merged("live", 1));
      await a.enqueue(merged("other", 2));
      await waitFor(
        async () => attempts.length === 6 && (await settlesWithin(a.onIdle(), 50)),
        "6 attempts",
      );
      const times = attempts.filter((x) => x.reason === "#1 merged").map((x) => x.at);
      expect(times).toHaveLength(3);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(90);
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(190);
      await waitFor(() => error.mock.calls.length === 1, "the final failure to be logged");
      expect(error).toHaveBeenCalledWith(
        expect.objectContaining({ repo: "acme/other", attempt: 3 }),
        "job failed",
      );
    });

    it("share what a check learnt, so the replica that runs the schedule knows it", async () => {
      const prefix = newPrefix();
      const servicesA = new Services();
      const a = createQueue(
        (job) => {
          servicesA.repositories.set(`${job.owner}/${job.repo}`, {
            checkedAt: 1_000,
            schedule: "daily",
            modules: new Set(["github.com/acme/vpc"]),
          });
          return Promise.resolve();
        },
        log,
        servicesA.repositories,
        { redisUrl: testRedis.url, redisPrefix: prefix, redis: FAST },
      );
      cleanups.push(() => a.close());
      expect(a).toBeInstanceOf(RedisQueue);
      await a.enqueueCheck(check("live"));
      await a.onIdle();

      const memory = new RedisRepositoryMemory((a as RedisQueue).redis, prefix);
      const elsewhere = new Services().repositories;
      elsewhere.set("acme/other", { checkedAt: 5, modules: new Set() });
      expect(await memory.load(elsewhere)).toBe(1);
      expect(elsewhere.get("acme/live")).toEqual({
        checkedAt: 1_000,
        schedule: "daily",
        modules: new Set(["github.com/acme/vpc"]),
      });
      // An older result does not replace a newer one, in Redis or here.
      await memory.save("acme/live", { checkedAt: 500, modules: new Set() });
      expect(await memory.load(elsewhere)).toBe(0);
      elsewhere.delete("acme/live");
      await memory.load(elsewhere);
      expect(elsewhere.get("acme/live")?.checkedAt).toBe(1_000);
    });
  });

  describe("two app instances", () => {
    it("answer webhooks at once and run two merges of one repository one after the other", async () => {
      const prefix = newPrefix();
      const runs: { pr: number; by: string; start: number; end: number }[] = [];
      const instance = (by: string) => {
        const probot = new Probot({ githubToken: "token", log });
        const services = new Services();
        let queue: RedisQueue | undefined;
        promoterApp(() => {
          queue = new RedisQueue(
            async (job) => {
              const start = Date.now();
              await sleep(300);
              if (job.kind !== "merged") throw new Error("a merge was expected");
              runs.push({ pr: job.pullRequest.number, by, start, end: Date.now() });
            },
            { url: testRedis.url, prefix, log, ...FAST },
          );
          cleanups.push(() => queue?.close());
          return { services, queue };
        })(probot);
        return { probot, ready: () => (queue as RedisQueue).ready() };
      };
      const a = instance("a");
      const b = instance("b");
      await Promise.all([a.ready(), b.ready()]);
      const mergedPayload = (number: number) => {
        const payload = webhook("pull_request", "closed", { owner: "acme", repo: "live" });
        const pr = payload.pull_request as Record<string, unknown>;
        payload.pull_request = {
          ...pr,
          number,
          merged: true,
          merge_commit_sha: `sha${number}`,
          labels: [{ id: 1, name: "promoter:dev", color: "5319e7", default: false }],
          base: { ...(pr.base as object), ref: "main" },
        };
        return payload;
      };
      await Promise.all([
        a.probot.receive({ id: "d1", name: "pull_request", payload: mergedPayload(1) } as never),
        b.probot.receive({ id: "d2", name: "pull_request", payload: mergedPayload(2) } as never),
      ]);
      const answered = Date.now();
      await waitFor(() => runs.length === 2, "both merges", 10_000);
      // The handlers queued the jobs and returned: answered before either job (300 ms) finished.
      expect(answered).toBeLessThan(Math.min(...runs.map((r) => r.end)));
      const [first, second] = [...runs].sort((x, y) => x.start - y.start) as [
        (typeof runs)[0],
        (typeof runs)[0],
      ];
      expect(second.start).toBeGreaterThanOrEqual(first.end);
      expect(runs.map((r) => r.pr).sort()).toEqual([1, 2]);
    });
  });

  describe("the schedule", () => {
    function schedulers(prefix: string, intervalMs: number, count: number) {
      const ticks: { by: number; iteration: string }[] = [];
      const replicas = Array.from({ length: count }, (_, by) => {
        const scheduler = new RedisScheduler({
          url: testRedis.url,
          prefix,
          intervalMs,
          log,
          tick: (iteration) => {
            ticks.push({ by, iteration });
            return Promise.resolve();
          },
        });
        cleanups.push(() => scheduler.stop());
        return scheduler;
      });
      return { ticks, replicas };
    }

    it("fires once however many replicas start it", async () => {
      const { ticks, replicas } = schedulers(newPrefix(), 60 * 60 * 1000, 3);
      for (const scheduler of replicas) scheduler.start();
      await waitFor(() => ticks.length === 1, "the first tick");
      await sleep(700);
      expect(ticks).toHaveLength(1);
    });

    it("fires each interval once, and goes on when the replica that fired stops", async () => {
      const { ticks, replicas } = schedulers(newPrefix(), 250, 2);
      for (const scheduler of replicas) scheduler.start();
      await waitFor(() => ticks.length >= 5, "five ticks", 5_000);
      const iterations = ticks.map((t) => t.iteration);
      expect(new Set(iterations).size).toBe(iterations.length);

      const firing = ticks.at(-1)!.by;
      await replicas[firing]!.stop();
      const before = ticks.length;
      await waitFor(() => ticks.length >= before + 2, "ticks from the other replica", 5_000);
      expect(ticks.slice(before).every((t) => t.by !== firing)).toBe(true);
      const all = ticks.map((t) => t.iteration);
      expect(new Set(all).size).toBe(all.length);
    });
  });
});

describe.skipIf(!installed)(title("Redis restarted mid-run", installed, NO_SERVER), () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis({ persistent: true });
  }, 20_000);
  afterAll(async () => {
    await redis?.stop();
  });

  it("loses no job; while it is down, enqueueing fails (not silently) and health says so", async () => {
    const prefix = `promoter-test-${randomUUID().slice(0, 8)}`;
    const done = new Map<string, number>();
    const run = async (job: Job) => {
      await sleep(20);
      done.set(job.reason, (done.get(job.reason) ?? 0) + 1);
    };
    const make = async () => {
      const queue = new RedisQueue(run, { url: redis.url, prefix, log, ...FAST, attempts: 5 });
      cleanups.push(() => queue.close());
      await queue.ready();
      return queue;
    };
    const [a, b] = [await make(), await make()];
    const reasons: string[] = [];
    const enqueue = async (queue: RedisQueue, n: number) => {
      const job = command(`repo${n % 4}`, n);
      reasons.push(job.reason);
      await queue.enqueue(job);
    };
    for (let n = 0; n < 30; n++) await enqueue(n % 2 ? a : b, n);
    await waitFor(() => done.size >= 5, "a few jobs done");

    await redis.kill();
    await waitFor(async () => !(await a.health()).healthy, "a to see Redis gone");
    expect((await b.health()).healthy).toBe(false);
    await expect(a.enqueue(command("repo0", 1000))).rejects.toThrow(/not queued/);
    await sleep(300);

    await redis.restart();
    await waitFor(async () => (await a.health()).healthy && (await b.health()).healthy, "recovery");
    for (let n = 30; n < 40; n++) await enqueue(n % 2 ? a : b, n);
    await waitFor(() => reasons.every((r) => done.has(r)), "every job", 20_000);
    await a.onIdle();
    expect(reasons.filter((r) => !done.has(r))).toEqual([]);
    expect(done.has("comment 1000")).toBe(false);
  }, 40_000);

  it("the server answers /healthz 503 and webhooks 500 while Redis is down, and recovers", async () => {
    const github = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end("[]");
    });
    github.listen(0, "127.0.0.1");
    await once(github, "listening");
    cleanups.push(() => void github.close());
    const port = await freePort();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const secret = "secret";
    const app = new AppProcess({
      port,
      env: {
        LOG_LEVEL: "fatal",
        APP_ID: "1",
        PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        WEBHOOK_SECRET: secret,
        GHE_HOST: `127.0.0.1:${(github.address() as { port: number }).port}`,
        GHE_PROTOCOL: "http",
        REDIS_URL: redis.url,
        PROMOTER_REDIS_PREFIX: `promoter-test-${randomUUID().slice(0, 8)}`,
      },
    });
    app.spawn();
    cleanups.push(() => app.kill());
    const base = `http://127.0.0.1:${port}`;
    const health = async () => {
      try {
        return (await fetch(`${base}/healthz`)).status;
      } catch {
        return 0;
      }
    };
    const deliver = async (id: string) => {
      const body = JSON.stringify(
        webhook(
          "repository_dispatch",
          undefined,
          { owner: "acme", repo: "live" },
          { action: "new_module_release" },
        ),
      );
      const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
      const response = await fetch(`${base}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "repository_dispatch",
          "x-github-delivery": id,
          "x-hub-signature-256": signature,
        },
        body,
      });
      return response.status;
    };

    await waitFor(async () => (await health()) === 200, "the server to be healthy", 20_000);
    expect(await deliver("before")).toBe(200);
    // Probot clusters its GitHub rate limiting (Bottleneck) through the same Redis, with the ioredis
    // installed here (no download at run time): the scheduled tick's first request registered it.
    const inspect = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    await waitFor(async () => (await inspect.keys("b_*")).length > 0, "Bottleneck's keys");
    inspect.disconnect();

    await redis.kill();
    await waitFor(async () => (await health()) === 503, "/healthz to answer 503");
    const body = await (await fetch(`${base}/healthz`)).json();
    expect(body).toMatchObject({ status: "unavailable" });
    expect(await deliver("during")).toBe(500);

    await redis.restart();
    await waitFor(async () => (await health()) === 200, "/healthz to recover", 10_000);
    expect(await deliver("after")).toBe(200);

    const code = await app.stop();
    expect(code).toBe(0);
  }, 60_000);
});
