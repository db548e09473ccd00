/**
 * A replica for redis-queue.test.ts, in its own process so the test can kill it mid-job: it queues the
 * job in `PROMOTER_TEST_JOB`, takes it, prints `started <reason>`, and never finishes it.
 */
import { pino } from "pino";
import { RedisQueue } from "../../src/queue/redis-queue.js";
import type { Job } from "../../src/queue/job-queue.js";

const url = process.env.REDIS_URL;
const prefix = process.env.PROMOTER_REDIS_PREFIX;
const job = process.env.PROMOTER_TEST_JOB;
if (!url || !prefix || !job) throw new Error("REDIS_URL, PROMOTER_REDIS_PREFIX, PROMOTER_TEST_JOB");

const queue = new RedisQueue(
  async (running) => {
    process.stdout.write(`started ${running.reason}\n`);
    await new Promise(() => {});
  },
  {
    url,
    prefix,
    log: pino({ level: "silent" }),
    lockMs: 2_000,
    stalledIntervalMs: 500,
    busyRetryMs: 50,
  },
);
await queue.enqueue(JSON.parse(job) as Job);
process.stdout.write("queued\n");
