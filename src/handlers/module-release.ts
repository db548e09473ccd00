import type { Context } from "probot";
import type { JobQueue } from "../queue/job-queue.js";

type ReleaseContext = Context<"release.published" | "create">;

/**
 * A release published, or a tag created, in a module repository the app is installed on: queues one job
 * that checks the installation's repositories using that module. No request to GitHub here.
 */
export async function onModuleRelease(context: ReleaseContext, queue: JobQueue): Promise<void> {
  const payload = context.payload;
  if ("ref_type" in payload && payload.ref_type !== "tag") return;
  const installation = payload.installation;
  if (!installation) return;
  const tag = "release" in payload ? payload.release.tag_name : payload.ref;
  const module = payload.repository.full_name.toLowerCase();
  await queue.enqueue({
    kind: "module-released",
    installationId: installation.id,
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    defaultBranch: payload.repository.default_branch,
    // The tag tells two releases apart: the second is not folded into the first (they are deduplicated by reason).
    reason: `release ${tag} of ${module}`,
    module,
  });
}
