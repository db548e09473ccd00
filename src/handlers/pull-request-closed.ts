import type { Context } from "probot";
import { environmentOfLabel, parseMetadata } from "../promotion/pull-request-content.js";
import type { JobQueue } from "../queue/job-queue.js";

/**
 * A PR merged into the default branch with a `promoter:<env>` label, or one of the app's own PRs: queue
 * its promotion to the next environment. A PR closed without merging needs nothing now: the next check reads it as declined.
 */
export async function onPullRequestClosed(
  context: Context<"pull_request.closed">,
  queue: JobQueue,
): Promise<void> {
  const { pull_request: pr, repository, installation } = context.payload;
  if (!installation || !pr.merged || !pr.merge_commit_sha) return;
  if (pr.base.ref !== repository.default_branch) return;
  const labels = pr.labels.map((l) => l.name);
  // The app's own PRs are known by their metadata too: a PR merged before its labels were added still counts.
  const labelled = labels.some((l) => environmentOfLabel(l) !== undefined);
  if (!labelled && !parseMetadata(pr.body)) return;
  await queue.enqueue({
    kind: "merged",
    installationId: installation.id,
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    reason: `#${pr.number} merged`,
    pullRequest: {
      number: pr.number,
      body: pr.body ?? "",
      labels,
      mergeCommitSha: pr.merge_commit_sha,
    },
  });
}
