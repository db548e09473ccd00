import type { Probot } from "probot";
import type { JobQueue } from "../queue/job-queue.js";
import { nextCheckAt } from "./schedule.js";
import type { Services } from "./services.js";

/** How the scheduler runs. */
export interface SchedulerOptions {
  /** How often it looks for repositories that are due (ms). */
  intervalMs: number;
  /** Checks that are due start at a random moment within this (ms), so they do not all hit GitHub at once. */
  jitterMs: number;
  random?: () => number;
}

/**
 * Checks every repository of every installation on its `updates.schedule`. A repository not checked yet
 * in this process is due at once; after that, its own schedule decides. Due checks are spread over the
 * jitter window and go through the queue, which bounds how many run at once.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<NodeJS.Timeout>();
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly app: Probot,
    private readonly queue: JobQueue,
    private readonly services: Services,
    private readonly options: SchedulerOptions,
  ) {}

  /** Looks for due repositories now and then every interval. */
  start(): void {
    const tick = () => {
      this.ticking ??= this.tick()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.app.log.error({ err: error }, "scheduled check listing failed"),
        )
        .finally(() => (this.ticking = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops: no further tick, and due checks not queued yet are dropped (the next process picks them up). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const timeout of this.pending) clearTimeout(timeout);
    this.pending.clear();
    await this.ticking;
  }

  /** One pass: lists the installations and their repositories and queues the checks that are due. */
  async tick(now = Date.now()): Promise<number> {
    const random = this.options.random ?? Math.random;
    const appOctokit = await this.app.auth();
    const installations = await appOctokit.paginate("GET /app/installations", { per_page: 100 });
    let due = 0;
    for (const installation of installations) {
      const octokit = await this.app.auth(installation.id);
      const repositories = await octokit.paginate("GET /installation/repositories", {
        per_page: 100,
      });
      for (const repository of repositories) {
        const memory = this.services.repositories.get(repository.full_name);
        if (memory?.schedule && nextCheckAt(memory.schedule, memory.checkedAt) > now) continue;
        due++;
        const job = {
          installationId: installation.id,
          owner: repository.owner.login,
          repo: repository.name,
          defaultBranch: repository.default_branch,
          reason: "schedule",
        };
        const delay = Math.floor(random() * this.options.jitterMs);
        if (delay === 0) {
          await this.queue.enqueueCheck(job);
          continue;
        }
        const timeout = setTimeout(() => {
          this.pending.delete(timeout);
          // Not queued (Redis unreachable): the repository is still due at the next tick.
          this.queue
            .enqueueCheck(job)
            .catch((error: unknown) =>
              this.app.log.warn(
                { err: error, repo: repository.full_name },
                "scheduled check not queued",
              ),
            );
        }, delay);
        timeout.unref();
        this.pending.add(timeout);
      }
    }
    this.app.log.info({ installations: installations.length, due }, "scheduled checks queued");
    return due;
  }
}
