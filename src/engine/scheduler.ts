import type { Probot } from "probot";
import type { CheckJob, JobQueue } from "../queue/job-queue.js";
import { nextCheckAt } from "./schedule.js";
import type { Services } from "./services.js";

/** The schedule of a repository whose remembered one cannot be read. */
const FALLBACK_SCHEDULE = "daily";

/** What the scheduler reads of a repository of an installation. */
interface InstallationRepository {
  full_name: string;
  name: string;
  owner: { login: string };
  default_branch: string;
}

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
  /** Each repository's next check, as computed for its last one: some cron expressions take long to step. */
  private readonly nextChecks = new Map<
    string,
    { schedule: string; checkedAt: number; at: number }
  >();

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

  /**
   * One pass: lists the installations and their repositories and queues the checks that are due.
   * A failure of one installation (its listing) or of one repository (its schedule, its queueing)
   * is logged and skips only that one: every other repository is still queued.
   */
  async tick(now = Date.now()): Promise<number> {
    const appOctokit = await this.app.auth();
    const installations = await appOctokit.paginate("GET /app/installations", { per_page: 100 });
    let due = 0;
    for (const installation of installations) {
      let repositories: InstallationRepository[];
      try {
        const octokit = await this.app.auth(installation.id);
        repositories = await octokit.paginate("GET /installation/repositories", { per_page: 100 });
      } catch (error) {
        this.app.log.warn(
          { err: error, installationId: installation.id },
          "repositories of an installation not listed",
        );
        continue;
      }
      for (const repository of repositories) {
        if (!this.isDue(repository.full_name, now)) continue;
        due++;
        await this.queueCheck({
          installationId: installation.id,
          owner: repository.owner.login,
          repo: repository.name,
          defaultBranch: repository.default_branch,
          reason: "schedule",
        });
      }
    }
    this.app.log.info({ installations: installations.length, due }, "scheduled checks queued");
    return due;
  }

  /** Whether a repository is due: never checked here, or its schedule's next time has come. */
  private isDue(fullName: string, now: number): boolean {
    const memory = this.services.repositories.get(fullName);
    if (!memory?.schedule) return true;
    const { schedule, checkedAt } = memory;
    const known = this.nextChecks.get(fullName);
    if (known?.schedule === schedule && known.checkedAt === checkedAt) return known.at <= now;
    let at: number;
    try {
      at = nextCheckAt(schedule, checkedAt);
    } catch (error) {
      // Remembered from a config an older version accepted: its next check reports the config's problem.
      this.app.log.warn(
        { err: error, repo: fullName, schedule },
        "remembered schedule unreadable: checked daily",
      );
      at = nextCheckAt(FALLBACK_SCHEDULE, checkedAt);
    }
    this.nextChecks.set(fullName, { schedule, checkedAt, at });
    return at <= now;
  }

  /** Queues a check now or at a random moment of the jitter window; a failure is logged, not thrown. */
  private async queueCheck(job: CheckJob): Promise<void> {
    const notQueued = (error: unknown) =>
      // Not queued (e.g. Redis unreachable): the repository is still due at the next tick.
      this.app.log.warn(
        { err: error, repo: `${job.owner}/${job.repo}` },
        "scheduled check not queued",
      );
    const delay = Math.floor((this.options.random ?? Math.random)() * this.options.jitterMs);
    if (delay === 0) {
      await this.queue.enqueueCheck(job).catch(notQueued);
      return;
    }
    const timeout = setTimeout(() => {
      this.pending.delete(timeout);
      this.queue.enqueueCheck(job).catch(notQueued);
    }, delay);
    timeout.unref();
    this.pending.add(timeout);
  }
}
