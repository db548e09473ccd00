import type { Context } from "probot";
import { CHECK_RUN_NAME } from "../github/check-runs.js";
import type { JobQueue } from "../queue/job-queue.js";
import type { RepositoryMemory } from "../queue/repository-memory.js";

/** The events that may end a wait for verification (`verify` of an environment). */
type VerificationEvent = "check_run.completed" | "status" | "deployment_status";

/**
 * A check run completed, a commit status set or a deployment status created on the default branch:
 * check the repository, which promotes what now has its evidence (or says what failed). The app's own
 * check run is not evidence: it would make every check start another. A repository whose last check
 * found no `verify` in its config is not checked for it. Nothing is read here.
 */
export async function onVerificationEvent(
  context: Context<VerificationEvent>,
  queue: JobQueue,
  repositories: ReadonlyMap<string, RepositoryMemory>,
): Promise<void> {
  const { payload } = context;
  const { repository, installation } = payload;
  if (!installation) return;
  if (repositories.get(repository.full_name)?.verifies === false) return;
  const defaultBranch = repository.default_branch;
  // By the event's name: a deployment_status payload may carry the check run that deployed.
  if (context.name === "check_run" && "check_run" in payload) {
    const run = payload.check_run as
      { name: string; check_suite?: { head_branch?: string | null } | null } | null | undefined;
    if (!run || run.name === CHECK_RUN_NAME || run.check_suite?.head_branch !== defaultBranch)
      return;
  } else if (context.name === "status" && "branches" in payload) {
    if (payload.state === "pending") return;
    if (!payload.branches.some((b) => b.name === defaultBranch)) return;
  } else if (context.name === "deployment_status" && "deployment_status" in payload) {
    if (["pending", "queued", "in_progress"].includes(payload.deployment_status.state)) return;
  } else return;
  await queue.enqueueCheck({
    installationId: installation.id,
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch,
    repositoryId: repository.id,
    reason: context.name === "check_run" ? "a check run completed" : `${context.name} reported`,
  });
}
