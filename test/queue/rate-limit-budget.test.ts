import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Job } from "../../src/queue/job-queue.js";
import { InProcessBudget, RedisBudget } from "../../src/queue/rate-limit-budget.js";
import { RedisQueue } from "../../src/queue/redis-queue.js";
import { check, waitFor } from "./queue-contract.js";
import { deleteKeys, useTestRedis } from "./redis-server.js";

const log = pino({ level: "silent" });
const RESET = Math.ceil(Date.now() / 1000) * 1000 + 3_600_000;
const reading = (remaining: number, resetAt = RESET) => ({ remaining, limit: 5000, resetAt });

const prefix = `promoter-test-${randomUUID().slice(0, 8)}`;
/* Against a real Redis: REDIS_URL when set (.ci/run starts one), else a redis-server of its own. */
const testRedis = useTestRedis(() => [prefix]);

describe("InProcessBudget", () => {
  it("keeps each installation's newest reading", async () => {
    const budget = new InProcessBudget();
    await budget.record(1, reading(100));
    await budget.record(1, reading(120));
    await budget.record(2, reading(7));
    expect(await budget.read(1)).toEqual(reading(100));
    expect(await budget.read(2)).toEqual(reading(7));
    expect(await budget.read(3)).toBeUndefined();
  });
});

describe.skipIf(!testRedis.available)(
  testRedis.available
    ? "RedisBudget"
    : "RedisBudget (skipped: no Redis: set REDIS_URL or install redis-server)",
  () => {
    it("two replicas see one budget per installation: the newest reading, whoever recorded it", async () => {
      const [one, two] = [new Redis(testRedis.url), new Redis(testRedis.url)];
      try {
        const a = new RedisBudget(one, prefix);
        const b = new RedisBudget(two, prefix);
        await a.record(1, reading(300));
        expect(await b.read(1)).toEqual(reading(300));
        // An answer of the same window that left more, arriving late, changes nothing.
        await b.record(1, reading(310));
        expect(await a.read(1)).toEqual(reading(300));
        await b.record(1, reading(250));
        expect(await a.read(1)).toEqual(reading(250));
        // A new window replaces the old one; the old one's late answers do not come back.
        await a.record(1, reading(4999, RESET + 3_600_000));
        await b.record(1, reading(10));
        expect(await b.read(1)).toEqual(reading(4999, RESET + 3_600_000));
        expect(await a.read(2)).toBeUndefined();
      } finally {
        one.disconnect();
        two.disconnect();
      }
    });

    it("a check the gate defers waits in Redis and runs once at the time given, folding a check asked for meanwhile", async () => {
      const runs: { job: Job; at: number }[] = [];
      let until: number | undefined = Date.now() + 600;
      const gated: Job[] = [];
      const queue = new RedisQueue(
        (job) => {
          runs.push({ job, at: Date.now() });
          return Promise.resolve();
        },
        {
          url: testRedis.url,
          prefix: `${prefix}-queue`,
          log,
          busyRetryMs: 30,
          gate: (job) => {
            gated.push(job);
            const answer = until;
            until = undefined;
            return Promise.resolve(answer);
          },
        },
      );
      try {
        await queue.ready();
        const deferredAt = Date.now();
        await queue.enqueueCheck(check("live", "schedule"));
        await waitFor(() => gated.length === 1, "the gate asked");
        await queue.enqueueCheck(check("live", "push"));
        await queue.onIdle();
        expect(runs).toHaveLength(1);
        expect(runs[0]?.job.reason).toBe("schedule");
        expect((runs[0]?.at ?? 0) - deferredAt).toBeGreaterThanOrEqual(500);
      } finally {
        await queue.close();
        await deleteKeys(testRedis.url, `${prefix}-queue`);
      }
    });
  },
);
