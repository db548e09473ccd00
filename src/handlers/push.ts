import type { Context } from "probot";
import { DEFAULT_CONFIG_FILE } from "../config/index.js";
import type { JobQueue } from "../queue/job-queue.js";

/**
 * A push to the default branch that changes `.github/promoter.yml`: check the repository, which
 * validates the new config and reports on the new head (errors with their lines, or the new plan).
 */
export async function onPush(context: Context<"push">, queue: JobQueue): Promise<void> {
  const { ref, repository, commits, installation, head_commit: head } = context.payload;
  if (!installation || ref !== `refs/heads/${repository.default_branch}`) return;
  const touched = [...commits, ...(head ? [head] : [])].some((commit) =>
    [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])].includes(
      DEFAULT_CONFIG_FILE,
    ),
  );
  if (!touched) return;
  const [owner] = repository.full_name.split("/") as [string];
  await queue.enqueueCheck({
    installationId: installation.id,
    owner,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    reason: "config pushed",
  });
}
