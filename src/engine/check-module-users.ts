import type { Logger } from "probot";
import { listInstallationRepositories } from "../github/installations.js";
import type { Octokit } from "../github/repo-ref.js";
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
  const repositories = await listInstallationRepositories(octokit);
  const checks: CheckJob[] = [];
  for (const repository of repositories) {
    if (repository.fullName.toLowerCase() === `${job.owner}/${job.repo}`.toLowerCase()) continue;
    const known = services.repositories.get(repository.fullName);
    if (known && !known.modules.has(job.module)) continue;
    checks.push({
      installationId: job.installationId,
      owner: repository.owner,
      repo: repository.repo,
      defaultBranch: repository.defaultBranch,
      reason: `release of ${job.module}`,
    });
  }
  await Promise.all(checks.map(enqueueCheck));
  log.info({ module: job.module, queued: checks.length }, "checks queued for a module release");
  return checks.length;
}
