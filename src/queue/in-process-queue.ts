import pLimit from "p-limit";
import type { Logger } from "probot";
import { repositoryKey, type CheckJob, type JobQueue } from "./job-queue.js";

interface RepositoryState {
  /** Its check waits for a free slot: a new request for it changes nothing. */
  queued: boolean;
  running: boolean;
  /** The next check, queued while one runs; a further request merges into it. */
  waiting?: CheckJob;
}

/**
 * The default queue: jobs run in this process, at most `concurrency` at once, one at a time per
 * repository. A check requested while the same repository's check waits is merged into it; one
 * requested while it runs waits for it, so the repository's latest state is always checked.
 */
export class InProcessQueue implements JobQueue {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly repositories = new Map<string, RepositoryState>();
  private readonly active = new Set<Promise<void>>();
  private idle: { promise: Promise<void>; resolve: () => void } | undefined;
  private closed = false;

  constructor(
    private readonly run: (job: CheckJob) => Promise<void>,
    private readonly log: Logger,
    concurrency = 4,
  ) {
    this.limit = pLimit(concurrency);
  }

  enqueueCheck(job: CheckJob): void {
    if (this.closed) {
      this.log.warn({ repo: `${job.owner}/${job.repo}` }, "queue closed: check not queued");
      return;
    }
    const key = repositoryKey(job);
    const state = this.repositories.get(key) ?? { queued: false, running: false };
    this.repositories.set(key, state);
    if (state.queued) return;
    if (state.running) {
      state.waiting = job;
      return;
    }
    this.start(key, state, job);
  }

  private start(key: string, state: RepositoryState, job: CheckJob): void {
    state.queued = true;
    const task = this.limit(async () => {
      state.queued = false;
      state.running = true;
      try {
        await this.run(job);
      } catch (error) {
        this.log.error({ err: error, repo: `${job.owner}/${job.repo}` }, "check failed");
      }
    }).finally(() => {
      this.active.delete(task);
      state.running = false;
      const next = state.waiting;
      if (next) {
        state.waiting = undefined;
        this.start(key, state, next);
      } else {
        this.repositories.delete(key);
        if (this.active.size === 0) this.idle?.resolve();
      }
    });
    this.active.add(task);
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
    await this.onIdle();
  }
}
