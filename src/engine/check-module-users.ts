import type { Logger } from "probot";
import { listInstallationRepositories } from "../github/installations.js";
import type { Octokit } from "../github/repo-ref.js";
import { usersOfRelease } from "../promotion/module-users.js";
import type { CheckJob, ModuleReleasedJob } from "../queue/job-queue.js";
import type { Services } from "./services.js";

/**
 * After a module release: queues a check of every repository of the installation that uses the module,
 * and of those not checked yet in this process (whose modules are not known); not of the module
 * repository itself. Returns how many checks it queued.
 */
export async function checkModuleUsers(
  octokit: Octokit,
  services: Services,
  log: Logger,
  job: ModuleReleasedJob,
  enqueueCheck: (job: CheckJob) => Promise<void>,
): Promise<number> {
  // 1. Read the installation's repositories: a release can concern any of them.
  const repositories = await listInstallationRepositories(octokit);
  // 2. Decide which use the module, by what this process remembers of their last check.
  const users = usersOfRelease(
    repositories,
    job,
    (fullName) => services.repositories.get(fullName)?.modules,
  );
  // 3. Write: queue a check of each.
  const checks = users.map((repository): CheckJob => ({
    installationId: job.installationId,
    owner: repository.owner,
    repo: repository.repo,
    defaultBranch: repository.defaultBranch,
    repositoryId: repository.id,
    reason: `release of ${job.module}`,
  }));
  await Promise.all(checks.map(enqueueCheck));
  log.info({ module: job.module, queued: checks.length }, "checks queued for a module release");
  return checks.length;
}
