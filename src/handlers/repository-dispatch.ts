import type { Context } from "probot";
import type { JobQueue } from "../queue/job-queue.js";

/** The event Patcher's workflows send when a module is released. */
const NEW_MODULE_RELEASE = "new_module_release";

/** `repository_dispatch` of type `new_module_release`: check that repository now. */
export async function onRepositoryDispatch(
  context: Context<"repository_dispatch">,
  queue: JobQueue,
): Promise<void> {
  const { action, repository, installation } = context.payload;
  if (action !== NEW_MODULE_RELEASE || !installation) return;
  await queue.enqueueCheck({
    installationId: installation.id,
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    repositoryId: repository.id,
    reason: NEW_MODULE_RELEASE,
  });
}
