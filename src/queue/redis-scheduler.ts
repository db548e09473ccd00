import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "probot";
import type { JobQueue } from "./job-queue.js";
import { closeWorker, connect, RedisQueue, settlesWithin } from "./redis-queue.js";
import { RedisRepositoryMemory, type RepositoryMemory } from "./repository-memory.js";
import { Scheduler, type SchedulerOptions, type SchedulerSources } from "./scheduler.js";

/** What `server.ts` starts and stops. */
export interface PeriodicScheduler {
  start(): void;
  stop(): Promise<void>;
}

/** The BullMQ queue of the scheduled ticks, and its job scheduler. */
const SCHEDULE_QUEUE = "schedule";
const SCHEDULER_ID = "scheduled-checks";

export interface RedisSchedulerOptions {
  url: string;
  prefix: string;
  /** How often the tick fires, across all replicas together (ms). */
  intervalMs: number;
  log: Logger;
  /** One tick: find the repositories that are due and queue their checks. Gets the iteration's job id. */
  tick: (iteration: string) => Promise<unknown>;
  /** Brings this replica's knowledge up to date: before each tick, and every interval on every replica. */
  refresh?: () => Promise<void>;
}

/**
 * The schedule shared by the replicas: a BullMQ job scheduler fires one job per interval, which exactly
 * one replica's worker takes and runs the tick for. Every replica upserts the same job scheduler (at
 * start, every interval, and when Redis comes back, in case it lost its data); upserting an existing one
 * changes nothing, so however many replicas run, each interval fires once.
 */
export class RedisScheduler implements PeriodicScheduler {
  private readonly connection: Redis;
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private timer: NodeJS.Timeout | undefined;
  private maintaining: Promise<void> | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: RedisSchedulerOptions) {
    // Waits through reconnections: the schedule is upserted once Redis is back.
    this.connection = connect(options.url, { maxRetriesPerRequest: null });
    this.connection.on("error", () => {
      // Reported by the job queue's connection, which sees the same server.
    });
    this.connection.on("ready", () => void this.maintain());
    this.queue = new Queue(SCHEDULE_QUEUE, { connection: this.connection, prefix: options.prefix });
    this.queue.on("error", () => {});
  }

  start(): void {
    const { log, prefix, tick } = this.options;
    this.worker = new Worker(
      SCHEDULE_QUEUE,
      (job) => {
        const run = (async () => {
          await this.options.refresh?.();
          await tick(job.id ?? "");
        })();
        this.ticking = run.then(
          () => undefined,
          () => undefined,
        );
        return run;
      },
      { connection: this.connection, prefix, concurrency: 1 },
    );
    this.worker.on("error", () => {});
    this.worker.on("failed", (_job, error) =>
      log.error({ err: error }, "scheduled check listing failed"),
    );
    void this.maintain();
    this.timer = setInterval(() => void this.maintain(), this.options.intervalMs);
    this.timer.unref();
  }

  /** No more ticks here; waits for a tick this replica runs. The others go on firing the schedule. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.worker) await closeWorker(this.worker, 2_000, this.ticking);
    await settlesWithin(this.maintaining ?? Promise.resolve(), 2_000);
    await settlesWithin(this.queue.close(), 2_000);
    this.connection.disconnect();
  }

  /** Upserts the job scheduler and refreshes this replica's knowledge. */
  private maintain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.maintaining ??= (async () => {
      const { log, intervalMs, refresh } = this.options;
      try {
        await this.queue.upsertJobScheduler(
          SCHEDULER_ID,
          { every: intervalMs },
          { name: "tick", opts: { removeOnComplete: true, removeOnFail: 100 } },
        );
      } catch (error) {
        log.warn({ err: error }, "the schedule could not be stored in Redis");
      }
      await refresh?.().catch((error: unknown) =>
        log.warn({ err: error }, "what other replicas learnt could not be read from Redis"),
      );
    })().finally(() => (this.maintaining = undefined));
    return this.maintaining;
  }
}

/**
 * The app's scheduler: the in-process `Scheduler` with the in-process queue; with the Redis queue, the
 * same tick fired by a `RedisScheduler`, the repositories' last checks read from Redis (into
 * `sources.repositories`) before each tick.
 */
export function createScheduler(
  queue: JobQueue,
  sources: SchedulerSources & { repositories: Map<string, RepositoryMemory> },
  options: SchedulerOptions,
): PeriodicScheduler {
  const scheduler = new Scheduler(queue, sources, options);
  if (!(queue instanceof RedisQueue)) return scheduler;
  const memory = new RedisRepositoryMemory(queue.redis, queue.prefix);
  const shared = new RedisScheduler({
    url: queue.url,
    prefix: queue.prefix,
    intervalMs: options.intervalMs,
    log: sources.log.child({ name: "scheduler" }),
    tick: () => scheduler.tick(),
    refresh: async () => {
      await memory.load(sources.repositories);
    },
  });
  return {
    start: () => shared.start(),
    stop: async () => {
      await shared.stop();
      await scheduler.stop();
    },
  };
}
