import type { Logger } from "probot";
import { writeCheckRun } from "../github/check-runs.js";
import type { Octokit } from "../github/repo-ref.js";
import { countCheckDeferred } from "../metrics.js";
import { deferredCheckReport } from "../promotion/check-report.js";
import { mayRunNow } from "../queue/budget-decision.js";
import type { JobGate } from "../queue/job-queue.js";
import type { RateLimitBudget } from "../queue/rate-limit-budget.js";
import type { RepositoryMemory } from "../queue/repository-memory.js";

/** What the rate-limit gate reads and where it writes. */
export interface BudgetGateOptions {
  /** The installation's client (for the deferred check run). */
  auth: (installationId: number) => Promise<Octokit>;
  budget: RateLimitBudget;
  /** {@link mayRunNow}'s floor. */
  floor: number;
  /** What the last check of each repository remembered (its head commit), by `owner/repo`. */
  repositories: ReadonlyMap<string, RepositoryMemory>;
  log: Logger;
  now?: () => number;
}

/**
 * The queue's gate for the rate limit: 1. reads the installation's budget, 2. decides ({@link mayRunNow}),
 * 3. for a check that waits, writes a "Deferred: rate limit until HH:MM UTC" check run on the commit its
 * last check read (1 request; none for a repository not checked yet, which may have no config).
 * A budget that cannot be read lets the job run.
 */
export function budgetGate(options: BudgetGateOptions): JobGate {
  const { budget, floor, log } = options;
  return async (job) => {
    const repo = `${job.owner}/${job.repo}`;
    // 1. Read.
    const reading = await budget.read(job.installationId).catch((error: unknown) => {
      log.warn({ err: error, installationId: job.installationId }, "rate-limit budget not read");
      return undefined;
    });
    // 2. Decide.
    const decision = mayRunNow(job, reading, (options.now ?? Date.now)(), floor);
    if (decision.run) return undefined;
    // 3. Write.
    countCheckDeferred(job.installationId);
    log.info({ repo, until: new Date(decision.until).toISOString() }, "check deferred: rate limit");
    const headSha = options.repositories.get(repo)?.headSha;
    if (headSha !== undefined) {
      try {
        const octokit = await options.auth(job.installationId);
        await writeCheckRun(octokit, job, { headSha, ...deferredCheckReport(decision.until) });
      } catch (error) {
        log.warn({ err: error, repo }, "deferred check run not written");
      }
    }
    return decision.until;
  };
}
