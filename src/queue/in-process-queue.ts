import pLimit from "p-limit";
import { countJobQueued } from "../metrics.js";
import type { Logger } from "probot";
import {
  isCheck,
  repositoryKey,
  type CheckJob,
  type Job,
  type JobGate,
  type JobQueue,
} from "./job-queue.js";

/**
 * Jobs run at once by default. Mostly they wait on GitHub (an installation's writes are spaced a second
 * apart), so a small number would keep every other installation waiting for nothing.
 */
export const DEFAULT_CONCURRENCY = 16;

/** The longest delay `setTimeout` takes; a longer one fires at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface RepositoryState {
  /** The job handed to the limiter; `started` once it runs. */
  current?: { job: Job; started: boolean };
  waiting: Job[];
}

/**
 * The default queue: jobs run in this process, at most `concurrency` at once, one at a time per
 * repository, in order. A check requested while another check of the same repository waits is
 * folded into it (the waiting one takes the newest request); one requested while a check runs runs
 * after it, so the repository's latest state is always checked. A job the `gate` defers is queued again
 * at the time it names; a check asked for while one is deferred is folded into it.
 */
export class InProcessQueue implements JobQueue {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly repositories = new Map<string, RepositoryState>();
  private readonly active = new Set<Promise<void>>();
  private idle: { promise: Promise<void>; resolve: () => void } | undefined;
  private closed = false;
  /** The checks deferred by the gate, by repository, until their timer queues them again. */
  private readonly deferred = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly run: (job: Job) => Promise<void>,
    private readonly log: Logger,
    concurrency = DEFAULT_CONCURRENCY,
    private readonly gate?: JobGate,
  ) {
    this.limit = pLimit(concurrency);
  }

  enqueueCheck(job: CheckJob): Promise<void> {
    return this.enqueue(job);
  }

  /** Queues the job at once (synchronously) and resolves. */
  enqueue(job: Job): Promise<void> {
    this.add(job);
    return Promise.resolve();
  }

  private add(job: Job): void {
    if (this.closed) {
      this.log.warn({ repo: `${job.owner}/${job.repo}` }, "queue closed: job not queued");
      return;
    }
    const key = repositoryKey(job);
    const state = this.repositories.get(key) ?? { waiting: [] };
    this.repositories.set(key, state);
    if (isCheck(job)) {
      if (state.current && !state.current.started && isCheck(state.current.job)) return;
      const waiting = state.waiting.findIndex(isCheck);
      if (waiting !== -1) {
        state.waiting[waiting] = job;
        return;
      }
    }
    state.waiting.push(job);
    countJobQueued(job);
    if (!state.current) this.startNext(key, state);
  }

  private startNext(key: string, state: RepositoryState): void {
    const job = state.waiting.shift();
    if (!job) {
      state.current = undefined;
      this.repositories.delete(key);
      if (this.active.size === 0) this.idle?.resolve();
      return;
    }
    const current = { job, started: false };
    state.current = current;
    const task = this.limit(async () => {
      current.started = true;
      try {
        if (isCheck(job) && this.deferred.has(key)) return;
        const until = await this.gate?.(job);
        if (until !== undefined) {
          this.defer(key, job, until);
          return;
        }
        await this.run(job);
      } catch (error) {
        this.log.error({ err: error, repo: `${job.owner}/${job.repo}` }, "job failed");
      }
    }).finally(() => {
      this.active.delete(task);
      this.startNext(key, state);
    });
    this.active.add(task);
  }

  /** Queues `job` again at `until` (the gate asks again then); lost on close, like every job of this process. */
  private defer(key: string, job: Job, until: number): void {
    if (this.closed) return;
    const timer = setTimeout(
      () => {
        this.deferred.delete(key);
        this.add(job);
      },
      Math.min(MAX_TIMEOUT_MS, Math.max(0, until - Date.now())),
    );
    timer.unref();
    if (isCheck(job)) this.deferred.set(key, timer);
  }

  onIdle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    if (!this.idle) {
      let resolve = () => {};
      const promise = new Promise<void>((r) => (resolve = r)).then(() => {
        this.idle = undefined;
      });
      this.idle = { promise, resolve };
    }
    return this.idle.promise;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.deferred.values()) clearTimeout(timer);
    this.deferred.clear();
    await this.onIdle();
  }
}
