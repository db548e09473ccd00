import type { Logger } from "probot";
import { InProcessQueue } from "./in-process-queue.js";
import { rateLimitFloor } from "./budget-decision.js";
import type { Job, JobGate, JobQueue } from "./job-queue.js";
import { InProcessBudget, RedisBudget, type RateLimitBudget } from "./rate-limit-budget.js";
import { RedisQueue, type RedisQueueOptions } from "./redis-queue.js";
import { RedisRepositoryMemory, type RepositoryMemory } from "./repository-memory.js";

/** Which queue the app runs on, from the environment. */
export interface QueueSettings {
  /** `REDIS_URL`: set, the queue is on Redis and shared by every replica; unset, in this process. */
  redisUrl?: string;
  /** `PROMOTER_REDIS_PREFIX`: prefix of Promoter's Redis keys (default `promoter`). */
  redisPrefix?: string;
  /** `PROMOTER_CONCURRENCY`: jobs this process runs at once (default 16). */
  concurrency?: number;
  /** `PROMOTER_RATE_LIMIT_FLOOR`: checks wait while less than this share of the rate limit is left (default 0.1). */
  rateLimitFloor?: number;
  /** Tuning of the Redis queue (tests use short durations). */
  redis?: Partial<Omit<RedisQueueOptions, "url" | "log" | "prefix" | "concurrency" | "afterJob">>;
}

/**
 * The queue settings in `env` (`REDIS_URL`, `PROMOTER_REDIS_PREFIX`, `PROMOTER_CONCURRENCY`,
 * `PROMOTER_RATE_LIMIT_FLOOR`).
 */
export function queueSettings(env: NodeJS.ProcessEnv = process.env): QueueSettings {
  const settings: QueueSettings = {};
  if (env.REDIS_URL) settings.redisUrl = env.REDIS_URL;
  if (env.PROMOTER_REDIS_PREFIX) settings.redisPrefix = env.PROMOTER_REDIS_PREFIX;
  if (env.PROMOTER_CONCURRENCY) {
    const concurrency = Number(env.PROMOTER_CONCURRENCY);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error("PROMOTER_CONCURRENCY must be a positive whole number");
    }
    settings.concurrency = concurrency;
  }
  if (env.PROMOTER_RATE_LIMIT_FLOOR !== undefined) {
    settings.rateLimitFloor = rateLimitFloor(env.PROMOTER_RATE_LIMIT_FLOOR);
  }
  return settings;
}

/**
 * The queue of the app: in process by default, on Redis (BullMQ) with `redisUrl`. On Redis, what each job
 * taught `repositories` of its repository is stored there too, so the replica that runs the schedule knows it.
 * `gate` is asked before each job runs ({@link JobGate}).
 */
export function createQueue(
  run: (job: Job) => Promise<void>,
  log: Logger,
  repositories: ReadonlyMap<string, RepositoryMemory>,
  settings: QueueSettings = {},
  gate?: JobGate,
): JobQueue {
  if (!settings.redisUrl) return new InProcessQueue(run, log, settings.concurrency, gate);
  let memory: RedisRepositoryMemory | undefined;
  const queue: RedisQueue = new RedisQueue(run, {
    ...settings.redis,
    url: settings.redisUrl,
    log,
    ...(settings.redisPrefix === undefined ? {} : { prefix: settings.redisPrefix }),
    ...(settings.concurrency === undefined ? {} : { concurrency: settings.concurrency }),
    ...(gate === undefined ? {} : { gate }),
    afterJob: async (job) => {
      const fullName = `${job.owner}/${job.repo}`;
      const learnt = repositories.get(fullName);
      if (!learnt) return;
      memory ??= new RedisRepositoryMemory(queue.redis, queue.prefix);
      await memory.save(fullName, learnt);
    },
  });
  return queue;
}

/** Where the installations' rate-limit readings are kept: in Redis beside a Redis queue, else in this process. */
export function createBudget(queue: JobQueue): RateLimitBudget {
  return queue instanceof RedisQueue
    ? new RedisBudget(queue.redis, queue.prefix)
    : new InProcessBudget();
}
