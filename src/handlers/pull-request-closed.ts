import type { Context } from "probot";
import { PROMOTER_BRANCH_PREFIX } from "../promotion/names.js";
import { environmentOfLabel } from "../promotion/pull-request-content.js";
import type { JobQueue } from "../queue/job-queue.js";

/**
 * A PR merged into the default branch that may promote: one a bot opened from a `promoter/` branch
 * (the job checks it is the app's), or one labelled `promoter:<env>`. Its body is not read: what a
 * merge promotes comes from the merge commit. A PR from a fork promotes nothing. A PR closed without
 * merging needs nothing now: the next check reads it as declined.
 */
export async function onPullRequestClosed(
  context: Context<"pull_request.closed">,
  queue: JobQueue,
): Promise<void> {
  const { pull_request: pr, repository, installation } = context.payload;
  if (!installation || !pr.merged || !pr.merge_commit_sha) return;
  if (pr.base.ref !== repository.default_branch) return;
  const labels = pr.labels.map((l) => l.name);
  const labelled = labels.some((l) => environmentOfLabel(l) !== undefined);
  const byABot = pr.user.type === "Bot" && pr.head.ref.startsWith(PROMOTER_BRANCH_PREFIX);
  if (!labelled && !byABot) return;
  // A deleted fork has no repository any more: it is a fork all the same.
  const fromFork = pr.head.repo?.id !== pr.base.repo.id;
  if (fromFork) {
    context.log.info({ pullRequest: pr.number }, "a pull request from a fork promotes nothing");
    return;
  }
  await queue.enqueue({
    kind: "merged",
    installationId: installation.id,
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    reason: `#${pr.number} merged`,
    pullRequest: {
      number: pr.number,
      labels,
      mergeCommitSha: pr.merge_commit_sha,
      author: pr.user.login,
      headRef: pr.head.ref,
      fromFork,
    },
  });
}
