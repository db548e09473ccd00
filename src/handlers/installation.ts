import type { Context } from "probot";
import type { JobQueue } from "../queue/job-queue.js";

type InstallationContext = Context<"installation.created" | "installation_repositories.added">;

/** A new installation, or repositories added to one: check each of them. */
export async function onInstallation(context: InstallationContext, queue: JobQueue): Promise<void> {
  const payload = context.payload;
  const installationId = payload.installation.id;
  const repositories =
    "repositories_added" in payload ? payload.repositories_added : (payload.repositories ?? []);
  await Promise.all(
    repositories.map((repository) => {
      const [owner, repo] = repository.full_name.split("/") as [string, string];
      return queue.enqueueCheck({
        installationId,
        owner,
        repo,
        repositoryId: repository.id,
        reason: `${context.name}.${payload.action}`,
      });
    }),
  );
  context.log.info({ repositories: repositories.length }, "checks queued for the installation");
}
