import type { Context } from "probot";
import type { Services } from "../engine/services.js";
import type { JobQueue } from "../queue/job-queue.js";

type ReleaseContext = Context<"release.published" | "create">;

/**
 * A release published, or a tag created, in a module repository the app is installed on: check at once
 * every repository of the installation that uses that module (and those not checked yet in this process,
 * whose modules are not known).
 */
export async function onModuleRelease(
  context: ReleaseContext,
  queue: JobQueue,
  services: Services,
): Promise<void> {
  const payload = context.payload;
  if ("ref_type" in payload && payload.ref_type !== "tag") return;
  const installation = payload.installation;
  if (!installation) return;
  const module = payload.repository.full_name.toLowerCase();
  const repositories = await context.octokit.paginate("GET /installation/repositories", {
    per_page: 100,
  });
  const checks: Promise<void>[] = [];
  for (const repository of repositories) {
    if (repository.full_name === payload.repository.full_name) continue;
    const known = services.repositories.get(repository.full_name);
    if (known && !known.modules.has(module)) continue;
    checks.push(
      queue.enqueueCheck({
        installationId: installation.id,
        owner: repository.owner.login,
        repo: repository.name,
        defaultBranch: repository.default_branch,
        reason: `release of ${module}`,
      }),
    );
  }
  await Promise.all(checks);
  const queued = checks.length;
  context.log.info({ module, queued }, "checks queued for a module release");
}
