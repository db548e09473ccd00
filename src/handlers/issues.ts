import type { Context } from "probot";
import { newTicks } from "../promotion/dashboard.js";
import type { JobQueue } from "../queue/job-queue.js";
import { isBot } from "./issue-comment.js";

/**
 * An edit of an issue a bot opened (the app's dashboard, as the job makes sure) that newly ticks
 * boxes the app wrote: queued as a dashboard-tick job. No request to GitHub here. Edits by bots
 * (the app's own rewrites among them), of pull requests, or that tick nothing are ignored.
 */
export async function onIssueEdited(
  context: Context<"issues.edited">,
  queue: JobQueue,
): Promise<void> {
  const { issue, changes, repository, installation, sender } = context.payload;
  if (!installation || isBot(sender) || !isBot(issue.user) || issue.pull_request) return;
  const before = changes.body?.from;
  if (before === undefined || before === null) return;
  const ticks = newTicks(before, issue.body ?? "");
  if (ticks.length === 0) return;
  await queue.enqueue({
    kind: "dashboard-tick",
    installationId: installation.id,
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    repositoryId: repository.id,
    reason: `dashboard #${issue.number} edited at ${issue.updated_at}`,
    issue: { number: issue.number, author: issue.user?.login ?? "ghost" },
    author: sender.login,
    ticks,
  });
}
