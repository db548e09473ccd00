import { countJobQueued } from "../metrics.js";
import type { Logger } from "probot";
import {
  isCheck,
  jobPriority,
  repositoryKey,
  type CheckJob,
  type Job,
  type JobGate,
  type JobQueue,
} from "./job-queue.js";
import { PriorityLimit, type Ticket } from "./priority-limit.js";

/**
 * Jobs run at once by default. Mostly they wait on GitHub (an installation's writes are spaced a second
 * apart), so a small number would keep every other installation waiting for nothing.
 */
export const DEFAULT_CONCURRENCY = 16;

/** The longest delay `setTimeout` takes; a longer one fires at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface RepositoryState {
  /** Whether one of its jobs runs. */
  running: boolean;
  /** The slot asked for its next job while none runs; its priority is that of the most urgent job waiting. */
  ticket?: Ticket;
  /** By priority, then in order. */
  waiting: Job[];
}

/**
 * The default queue: jobs run in this process, at most `concurrency` at once, one at a time per
 * repository. A free slot goes to the most urgent job waiting ({@link jobPriority}: merges and commands
 * before checks), in order among equals. A check requested while another check of the same repository
 * waits is folded into it (a waiting check behind a running job takes the newest request); one requested
 * while a check runs runs after it, so the repository's latest state is always checked. A job the `gate`
 * defers is queued again at the time it names; a check asked for while one is deferred is folded into it.
 */
export class InProcessQueue implements JobQueue {
  private readonly limit: PriorityLimit;
  private readonly repositories = new Map<string, RepositoryState>();
  private readonly active = new Set<Promise<void>>();
  private idle: { promise: Promise<void>; resolve: () => void } | undefined;
  private closed = false;
  /** The checks deferred by the gate, by repository, until their timer queues them again. */
  private readonly deferred = new Map<string, NodeJS.Timeout>();
  /** The checks asked for at a time (a soak ends), by repository. */
  private readonly due = new Map<string, { at: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly run: (job: Job) => Promise<void>,
    private readonly log: Logger,
    concurrency = DEFAULT_CONCURRENCY,
    private readonly gate?: JobGate,
  ) {
    this.limit = new PriorityLimit(concurrency);
  }

  enqueueCheck(job: CheckJob): Promise<void> {
    return this.enqueue(job);
  }

  enqueueCheckAt(job: CheckJob, at: number): Promise<void> {
    const key = repositoryKey(job);
    const known = this.due.get(key);
    if (this.closed || known?.at === at) return Promise.resolve();
    if (known) clearTimeout(known.timer);
    const timer = setTimeout(
      () => {
        this.due.delete(key);
        this.add(job);
      },
      Math.min(MAX_TIMEOUT_MS, Math.max(0, at - Date.now())),
    );
    timer.unref();
    this.due.set(key, { at, timer });
    return Promise.resolve();
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
    const state: RepositoryState = this.repositories.get(key) ?? { running: false, waiting: [] };
    this.repositories.set(key, state);
    if (isCheck(job)) {
      const waiting = state.waiting.findIndex(isCheck);
      if (waiting !== -1) {
        if (state.running) state.waiting[waiting] = job;
        return;
      }
    }
    const priority = jobPriority(job);
    const after = state.waiting.findLastIndex((other) => jobPriority(other) <= priority);
    state.waiting.splice(after + 1, 0, job);
    countJobQueued(job);
    if (state.ticket) state.ticket.priority = Math.min(state.ticket.priority, priority);
    else if (!state.running) this.startNext(key, state);
  }

  private startNext(key: string, state: RepositoryState): void {
    const first = state.waiting[0];
    if (!first) {
      this.repositories.delete(key);
      if (this.active.size === 0) this.idle?.resolve();
      return;
    }
    const ticket = this.limit.add(jobPriority(first), async () => {
      state.ticket = undefined;
      const job = state.waiting.shift();
      if (!job) return;
      state.running = true;
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
    });
    state.ticket = ticket;
    const task = ticket.done.finally(() => {
      state.running = false;
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
    for (const { timer } of this.due.values()) clearTimeout(timer);
    this.due.clear();
    await this.onIdle();
  }
}
