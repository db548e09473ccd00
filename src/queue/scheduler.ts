import type { Logger } from "probot";
import type { InstallationDirectory, InstallationRepository } from "../github/installations.js";
import type { CheckJob, JobQueue } from "./job-queue.js";
import type { RepositoryMemory } from "./repository-memory.js";
import { scheduleOffset, spreadCheckAt } from "./schedule.js";

/** The schedule of a repository whose remembered one cannot be read. */
const FALLBACK_SCHEDULE = "daily";

/** What the scheduler reads and where it logs. */
export interface SchedulerSources {
  /** The installations and their repositories (GitHub). */
  directory: InstallationDirectory;
  /** What the last check of each repository remembered, by `owner/repo`. */
  repositories: ReadonlyMap<string, RepositoryMemory>;
  log: Logger;
}

/** How the scheduler runs. */
export interface SchedulerOptions {
  /** How often it looks for repositories that are due (ms). */
  intervalMs: number;
  /** Checks that are due start at a random moment within this (ms), so they do not all hit GitHub at once. */
  jitterMs: number;
  /**
   * A repository not checked yet in this process (after a restart, without Redis) is first due at its
   * own moment within this long after the first tick (ms; 0: at once), so a restart does not check
   * every repository in the same minute. Default one hour.
   */
  firstCheckSpreadMs?: number;
  random?: () => number;
}

/** The default of {@link SchedulerOptions.firstCheckSpreadMs}. */
const FIRST_CHECK_SPREAD_MS = 60 * 60 * 1000;

/**
 * Checks every repository of every installation on its `updates.schedule`. A repository not checked yet
 * in this process is due within `firstCheckSpreadMs` of the first tick; after that, its own schedule
 * decides, each repository at its own moment of the interval ({@link spreadCheckAt}). Due checks are
 * spread over the jitter window and go through the queue, which bounds how many run at once.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<NodeJS.Timeout>();
  private ticking: Promise<void> | undefined;
  /** The first tick's time: repositories not checked yet are due from then on, spread. */
  private firstTickAt: number | undefined;
  /** Each repository's next check, as computed for its last one: some cron expressions take long to step. */
  private readonly nextChecks = new Map<
    string,
    { schedule: string; checkedAt: number; at: number }
  >();

  constructor(
    private readonly queue: Pick<JobQueue, "enqueueCheck">,
    private readonly sources: SchedulerSources,
    private readonly options: SchedulerOptions,
  ) {}

  /** Looks for due repositories now and then every interval. */
  start(): void {
    const tick = () => {
      this.ticking ??= this.tick()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.sources.log.error({ err: error }, "scheduled check listing failed"),
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
    const { directory } = this.sources;
    this.firstTickAt ??= now;
    const installations = await directory.installations();
    let due = 0;
    for (const installationId of installations) {
      let repositories: InstallationRepository[];
      try {
        repositories = await directory.repositories(installationId);
      } catch (error) {
        this.sources.log.warn(
          { err: error, installationId },
          "repositories of an installation not listed",
        );
        continue;
      }
      for (const repository of repositories) {
        if (!this.isDue(repository, now)) continue;
        due++;
        await this.queueCheck({
          installationId,
          owner: repository.owner,
          repo: repository.repo,
          defaultBranch: repository.defaultBranch,
          repositoryId: repository.id,
          reason: "schedule",
        });
      }
    }
    this.sources.log.info({ installations: installations.length, due }, "scheduled checks queued");
    return due;
  }

  /** Whether a repository is due: never checked here and its first moment has come, its schedule's next time, or its `dueAt`. */
  private isDue(repository: InstallationRepository, now: number): boolean {
    const { fullName } = repository;
    const key = String(repository.id);
    const memory = this.sources.repositories.get(fullName);
    if (!memory?.schedule) {
      const spread = this.options.firstCheckSpreadMs ?? FIRST_CHECK_SPREAD_MS;
      return (this.firstTickAt ?? now) + scheduleOffset(key, spread) <= now;
    }
    const { schedule, checkedAt } = memory;
    // A soak that ends before the schedule's next time: checked then.
    if (memory.dueAt !== undefined && memory.dueAt <= now) return true;
    const known = this.nextChecks.get(fullName);
    if (known?.schedule === schedule && known.checkedAt === checkedAt) return known.at <= now;
    let at: number;
    try {
      at = spreadCheckAt(schedule, checkedAt, key);
    } catch (error) {
      // Remembered from a config an older version accepted: its next check reports the config's problem.
      this.sources.log.warn(
        { err: error, repo: fullName, schedule },
        "remembered schedule unreadable: checked daily",
      );
      at = spreadCheckAt(FALLBACK_SCHEDULE, checkedAt, key);
    }
    this.nextChecks.set(fullName, { schedule, checkedAt, at });
    return at <= now;
  }

  /** Queues a check now or at a random moment of the jitter window; a failure is logged, not thrown. */
  private async queueCheck(job: CheckJob): Promise<void> {
    const notQueued = (error: unknown) =>
      // Not queued (e.g. Redis unreachable): the repository is still due at the next tick.
      this.sources.log.warn(
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
