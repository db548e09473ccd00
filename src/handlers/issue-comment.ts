import type { Context } from "probot";
import { react } from "../github/comments.js";
import { parseCommand } from "../promotion/commands.js";
import type { JobQueue } from "../queue/job-queue.js";

/**
 * A new comment with a `/promote` or `/help` command: acknowledged with 👀 at once, then carried out in
 * the repository's queue. Comments by bots, and edits, are ignored.
 */
export async function onIssueComment(
  context: Context<"issue_comment.created">,
  queue: JobQueue,
): Promise<void> {
  const { comment, issue, repository, installation, sender } = context.payload;
  if (!installation || sender.type === "Bot" || comment.user?.type === "Bot") return;
  const command = parseCommand(comment.body);
  if (!command) return;
  const target = { owner: repository.owner.login, repo: repository.name };
  await react(context.octokit, target, comment.id, "eyes");
  await queue.enqueue({
    kind: "command",
    installationId: installation.id,
    ...target,
    defaultBranch: repository.default_branch,
    reason: `comment ${comment.id}`,
    command,
    author: comment.user?.login ?? sender.login,
    issue: {
      number: issue.number,
      body: issue.body ?? "",
      labels: issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
      isPullRequest: issue.pull_request !== undefined,
    },
  });
}
