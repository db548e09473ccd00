import type { Context } from "probot";
import { commandSource } from "../promotion/commands.js";
import type { JobQueue } from "../queue/job-queue.js";

/** A user as webhook payloads carry one. */
export type User = { login: string; type?: string } | null | undefined;

/** A bot, by its type or by its login (`name[bot]`), whatever the other says. */
export function isBot(user: User): boolean {
  return user?.type === "Bot" || (user?.login.endsWith("[bot]") ?? false);
}

/**
 * A new comment with a line that starts like `/promote` or `/help`: queued as a command job, which reads
 * it, acknowledges it with 👀 and carries it out. No request to GitHub here. Comments by bots, and edits,
 * are ignored.
 */
export async function onIssueComment(
  context: Context<"issue_comment.created">,
  queue: JobQueue,
): Promise<void> {
  const { comment, issue, repository, installation, sender } = context.payload;
  if (!installation || isBot(sender) || isBot(comment.user)) return;
  const body = commandSource(comment.body);
  if (body === undefined) return;
  await queue.enqueue({
    kind: "command",
    installationId: installation.id,
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    reason: `comment ${comment.id}`,
    comment: { id: comment.id, body },
    author: comment.user?.login ?? sender.login,
    issue: {
      number: issue.number,
      isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
      author: issue.user?.login ?? "ghost",
    },
  });
}
