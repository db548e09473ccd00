import type { Context } from "probot";
import { DEFAULT_CONFIG_FILE } from "../config/index.js";
import { ONBOARDING_BRANCH } from "../promotion/names.js";
import type { JobQueue } from "../queue/job-queue.js";

/**
 * A push to the default branch that changes `.github/promoter.yml`: check the repository, which
 * validates the new config and reports on the new head (errors with their lines, or the new plan).
 * A person's push to the onboarding branch: check too, which renders its PR's preview again.
 */
export async function onPush(context: Context<"push">, queue: JobQueue): Promise<void> {
  const { ref, repository, commits, installation, head_commit: head } = context.payload;
  if (!installation) return;
  const [owner] = repository.full_name.split("/") as [string];
  const check = {
    installationId: installation.id,
    owner,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    repositoryId: repository.id,
  };
  if (ref === `refs/heads/${ONBOARDING_BRANCH}`) {
    // The app's own pushes there come with their preview already; a deleted branch has nothing to preview.
    if (context.payload.deleted || context.payload.sender?.type === "Bot") return;
    await queue.enqueueCheck({ ...check, reason: "onboarding branch pushed" });
    return;
  }
  if (ref !== `refs/heads/${repository.default_branch}`) return;
  const touched = [...commits, ...(head ? [head] : [])].some((commit) =>
    [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])].includes(
      DEFAULT_CONFIG_FILE,
    ),
  );
  if (!touched) return;
  await queue.enqueueCheck({ ...check, reason: "config pushed" });
}
