import { randomUUID } from "node:crypto";
import { once } from "node:events";
import {
  DelayedError,
  Queue,
  Worker,
  type Job as BullJob,
  type JobsOptions,
  type DeduplicationOptions,
} from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "probot";
import { countJobQueued, countJobRetried } from "../metrics.js";
import { DEFAULT_CONCURRENCY } from "./in-process-queue.js";
import {
  isCheck,
  jobPriority,
  repositoryKey,
  type CheckJob,
  type Job,
  type JobGate,
  type JobQueue,
  type QueueHealth,
} from "./job-queue.js";

/** How the Redis-backed queue runs. Durations in ms. */
export interface RedisQueueOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  log: Logger;
  /** Prefix of every key Promoter keeps in Redis, so several deployments can share one server. */
  prefix?: string;
  /** Jobs this process runs at once (each replica runs this many). */
  concurrency?: number;
  /** Attempts of a failing job, the first included. */
  attempts?: number;
  /** The first retry waits this long, each next one twice as long. */
  backoffMs?: number;
  /**
   * How long a job, and its repository, stay locked without a renewal. A replica that dies mid-job
   * stops renewing; after this (and at most `stalledIntervalMs` more) another replica runs the job again.
   */
  lockMs?: number;
  /** How often each replica looks for jobs whose worker stopped renewing their lock. */
  stalledIntervalMs?: number;
  /** How long a job whose repository is busy (another job of it runs, here or elsewhere) waits before trying again. */
  busyRetryMs?: number;
  /** Enqueueing fails after this long without an answer from Redis (GitHub waits 10 s for a webhook answer). */
  enqueueTimeoutMs?: number;
  /** How long closing waits for BullMQ to record the last jobs when Redis is unreachable. */
  closeTimeoutMs?: number;
  /** Called after each job's run (successful or not), e.g. to share what the check learnt. */
  afterJob?: (job: Job) => Promise<void>;
  /** Asked before each job runs; a job it defers waits in BullMQ's delayed set, its deduplication kept. */
  gate?: JobGate;
}

/** The BullMQ queue of repository jobs. */
const JOBS_QUEUE = "jobs";

const DEFAULTS = {
  prefix: "promoter",
  concurrency: DEFAULT_CONCURRENCY,
  attempts: 3,
  backoffMs: 10_000,
  lockMs: 30_000,
  stalledIntervalMs: 30_000,
  busyRetryMs: 1_000,
  enqueueTimeoutMs: 5_000,
  closeTimeoutMs: 2_000,
};

/** Takes the repository lock when free, or when held by an earlier run of the same job (BullMQ found that run stalled). */
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder == false or string.sub(holder, 1, string.len(ARGV[3])) == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether `promise` settles within `ms` (it is left to settle, or not, on its own). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const done = promise.then(
    () => true,
    () => true,
  );
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([done, late]);
  clearTimeout(timer);
  return settled;
}

/**
 * Closes a BullMQ worker: it takes no more jobs and finishes (and records) the ones it runs. Bounded: after
 * a Redis restart, `Worker.close()` of BullMQ 6.7 sometimes never resolves (its main loop waits for a
 * blocking connection that is never interrupted); then, once the jobs that run here have finished, the
 * worker is disconnected after `ms`, and jobs not recorded as finished are run again elsewhere, as after a
 * crash.
 */
export async function closeWorker(
  worker: Worker,
  ms: number,
  jobsFinished: Promise<void> = Promise.resolve(),
): Promise<void> {
  const closed = worker.close();
  await jobsFinished;
  if (await settlesWithin(closed, ms)) return;
  // Disconnecting can hang the same way: not waited for longer than a second either.
  await settlesWithin(worker.disconnect(), 1_000);
}

/**
 * The BullMQ deduplication of a job: a repository's check waiting to start (the key is given up when it
 * starts, so a check asked for while one runs runs after it), or the same job asked for twice (a
 * redelivered webhook) until it has run.
 */
function deduplicationOf(job: Job): DeduplicationOptions {
  const key = repositoryKey(job);
  if (isCheck(job)) return { id: `check:${key}` };
  return { id: `${job.kind}:${key}:${job.reason}` };
}

/**
 * The queue shared by every replica, on Redis (BullMQ). Each replica queues jobs and runs them
 * (`concurrency` at once); a per-repository lock in Redis lets one job of a repository run at a time
 * across all replicas, the others wait. A check already waiting is not queued twice. A failing job is
 * retried with exponential backoff, and one whose replica died mid-way is run again by another.
 *
 * Enqueueing fails fast when Redis is unreachable (no offline buffering), so a webhook that could not be
 * queued is answered 5xx and GitHub can redeliver it; `health()` reports it for `/healthz`.
 */
export class RedisQueue implements JobQueue {
  readonly prefix: string;
  readonly url: string;
  /** Fails fast when Redis is unreachable: enqueueing, locks, health. */
  readonly redis: Redis;
  private readonly workerConnection: Redis;
  private readonly queue: Queue<Job>;
  private readonly worker: Worker<Job>;
  private readonly settings: typeof DEFAULTS;
  private readonly log: Logger;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  /** Connected to Redis once: a connection that is not ready now is lost, not starting. */
  private connected = false;
  private closing: Promise<void> | undefined;
  private lastConnectionError = "";

  constructor(
    private readonly run: (job: Job) => Promise<void>,
    private readonly options: RedisQueueOptions,
  ) {
    this.settings = withDefaults(options);
    this.prefix = this.settings.prefix;
    this.url = options.url;
    this.log = options.log;
    this.redis = connect(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    // BullMQ's workers block on Redis and must wait through reconnections.
    this.workerConnection = connect(options.url, { maxRetriesPerRequest: null });
    this.watchConnection(this.redis);
    this.workerConnection.on("error", (error: Error) => this.connectionError(error));

    const { attempts, backoffMs } = this.settings;
    const defaultJobOptions: JobsOptions = {
      attempts,
      backoff: { type: "exponential", delay: backoffMs },
      // Kept a while for inspection; failed ones (after every attempt) longer.
      removeOnComplete: { age: 60 * 60, count: 1_000 },
      removeOnFail: { age: 7 * 24 * 60 * 60, count: 10_000 },
    };
    this.queue = new Queue<Job>(JOBS_QUEUE, {
      connection: this.redis,
      prefix: this.prefix,
      defaultJobOptions,
    });
    this.queue.on("error", (error: Error) => this.connectionError(error));

    this.worker = new Worker<Job>(JOBS_QUEUE, (job, token) => this.process(job, token), {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency: this.settings.concurrency,
      lockDuration: this.settings.lockMs,
      stalledInterval: this.settings.stalledIntervalMs,
      // A job found stalled once is run again; twice (it kills its replica?), it fails.
      maxStalledCount: 1,
    });
    this.worker.on("error", (error: Error) => this.connectionError(error));
    this.worker.on("failed", (bullJob, error) => {
      if (!bullJob) return;
      const { owner, repo } = bullJob.data;
      const last = bullJob.attemptsMade >= (bullJob.opts.attempts ?? 1);
      const fields = { err: error, repo: `${owner}/${repo}`, attempt: bullJob.attemptsMade };
      if (last) this.log.error(fields, "job failed");
      else {
        countJobRetried(bullJob.data);
        this.log.warn(fields, "job failed: retried later");
      }
    });
    this.worker.on("stalled", (jobId) =>
      this.log.warn({ jobId }, "job stalled (its replica stopped): queued again"),
    );
  }

  enqueueCheck(job: CheckJob): Promise<void> {
    return this.enqueue(job);
  }

  enqueueCheckAt(job: CheckJob, at: number): Promise<void> {
    // Its own deduplication: a check waiting now must not swallow it, nor it the checks queued meanwhile.
    return this.enqueue(job, {
      delay: Math.max(0, at - Date.now()),
      deduplication: { id: `check:${repositoryKey(job)}:due:${at}` },
    });
  }

  /**
   * Stores the job in Redis. Rejects at once when the connection to Redis is lost (it is not buffered),
   * and after `enqueueTimeoutMs` when Redis does not answer or the first connection takes that long.
   */
  async enqueue(
    job: Job,
    options: { delay?: number; deduplication?: DeduplicationOptions } = {},
  ): Promise<void> {
    if (this.closing) throw new Error("the queue is closed: job not queued");
    // Lost (not still connecting for the first time): fail at once.
    if (this.connected && this.redis.status !== "ready") {
      throw new Error(`Redis is not connected (${this.redis.status}): job not queued`);
    }
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error("Redis did not answer in time: job not queued"));
      }, this.settings.enqueueTimeoutMs);
    });
    const add = async () => {
      if (this.redis.status !== "ready") await once(this.redis, "ready", { signal: abort.signal });
      // On every job: BullMQ starts a job without a priority before any prioritised one.
      await this.queue.add(job.kind ?? "check", job, {
        deduplication: options.deduplication ?? deduplicationOf(job),
        priority: jobPriority(job),
        ...(options.delay ? { delay: options.delay } : {}),
      });
      countJobQueued(job);
    };
    try {
      await Promise.race([add(), timeout]);
    } catch (error) {
      const message = (error as Error).message;
      if (message.endsWith("job not queued")) throw error;
      throw new Error(`Redis: ${message}: job not queued`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once connected to Redis and taking jobs. */
  async ready(): Promise<void> {
    await this.queue.waitUntilReady();
    await this.worker.waitUntilReady();
  }

  /** Healthy when Redis answers a PING within a second. */
  async health(): Promise<QueueHealth> {
    if (this.closing) return { healthy: false, reason: "shutting down" };
    if (this.redis.status !== "ready") {
      return { healthy: false, reason: `Redis is not connected (${this.redis.status})` };
    }
    try {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("Redis did not answer PING in time")), 1_000);
        }),
      ]).finally(() => clearTimeout(timer));
      return { healthy: true };
    } catch (error) {
      return { healthy: false, reason: (error as Error).message };
    }
  }

  /** Resolves when no job is waiting, delayed (a retry, a busy repository) or running, in any replica. */
  async onIdle(): Promise<void> {
    for (;;) {
      const counts = await this.queue.getJobCounts(
        "active",
        "wait",
        "delayed",
        "prioritized",
        "waiting-children",
      );
      const pending = Object.values(counts).reduce((sum, n) => sum + n, 0);
      if (pending === 0 && this.running === 0) return;
      await sleep(25);
    }
  }

  /**
   * Takes no more jobs, waits for the running ones, then disconnects. When Redis is unreachable, BullMQ
   * cannot record that they finished: after `closeTimeoutMs` it disconnects anyway, and those jobs are run
   * again by another replica (as if this one had died).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const { closeTimeoutMs } = this.settings;
      // Graceful: the jobs running here finish, however long they take.
      await closeWorker(this.worker, closeTimeoutMs, this.idle());
      await settlesWithin(this.queue.close(), closeTimeoutMs);
      this.redis.disconnect();
      this.workerConnection.disconnect();
    })();
    return this.closing;
  }

  /** Resolves when no job runs in this process. */
  private idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private lockKey(job: Job): string {
    return `${this.prefix}:lock:${repositoryKey(job)}`;
  }

  /** Runs a job once its repository's lock is taken; a busy repository sends it back to wait a little. */
  private async process(bullJob: BullJob<Job>, token: string | undefined): Promise<void> {
    const job = bullJob.data;
    const until = await this.options.gate?.(job);
    if (until !== undefined) {
      // Not an attempt either: a check asked for meanwhile is folded into this one.
      await bullJob.moveToDelayed(until, token);
      throw new DelayedError();
    }
    const key = this.lockKey(job);
    const { lockMs, busyRetryMs } = this.settings;
    const jobTag = `${bullJob.id}:`;
    const holder = `${jobTag}${token ?? randomUUID()}`;
    const taken = await this.redis.eval(ACQUIRE, 1, key, holder, lockMs, jobTag);
    if (taken !== 1) {
      // Not an attempt: BullMQ moves it to delayed and does not count it as a failure.
      await bullJob.moveToDelayed(Date.now() + busyRetryMs * (1 + Math.random()), token);
      throw new DelayedError();
    }
    const renewal = setInterval(() => {
      this.redis.eval(RENEW, 1, key, holder, lockMs).then(
        (renewed) => {
          if (renewed !== 1) this.log.warn({ lock: key }, "repository lock lost while the job ran");
        },
        (error: unknown) => this.log.warn({ err: error, lock: key }, "repository lock not renewed"),
      );
    }, lockMs / 3);
    this.running++;
    try {
      // From now on a check asked for is a new one, to run after this one.
      if (isCheck(job)) await bullJob.removeDeduplicationKey();
      await this.run(job);
    } finally {
      this.running--;
      if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      clearInterval(renewal);
      // Not released (Redis unreachable): it expires after lockMs.
      await this.redis.eval(RELEASE, 1, key, holder).catch((error: unknown) => {
        this.log.warn({ err: error, lock: key }, "repository lock not released: it expires");
      });
      await this.options.afterJob?.(job).catch((error: unknown) => {
        this.log.warn({ err: error }, "after the job");
      });
    }
  }

  private watchConnection(redis: Redis): void {
    let lost = false;
    redis.on("error", (error: Error) => this.connectionError(error));
    redis.on("close", () => {
      if (lost || this.closing) return;
      lost = true;
      this.log.error("Redis connection lost: webhooks are refused until it returns");
    });
    redis.on("ready", () => {
      this.connected = true;
      if (!lost) return;
      lost = false;
      this.lastConnectionError = "";
      this.log.info("Redis connection back");
    });
  }

  /** Logs a connection error once, not at every reconnection attempt. */
  private connectionError(error: Error): void {
    if (error.message === this.lastConnectionError) return;
    this.lastConnectionError = error.message;
    this.log.warn({ err: error }, "Redis");
  }
}

/** A Redis client for `url`; `lazyConnect` off, so it connects (and reconnects) on its own. */
export function connect(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { connectionName: "promoter", ...options });
}

function withDefaults(options: RedisQueueOptions): typeof DEFAULTS {
  const settings: Record<string, unknown> = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    if (options[name] !== undefined) settings[name] = options[name];
  }
  return settings as typeof DEFAULTS;
}
