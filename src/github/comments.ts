/** Comments on issues and pull requests, and reactions to comments. */
import type { Octokit, RepoRef } from "./repo-ref.js";

/** A reaction GitHub offers. */
export type Reaction = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

/**
 * Comments `body` on issue or pull request `issueNumber`:
 * `POST /repos/{owner}/{repo}/issues/{issueNumber}/comments`. 1 request.
 */
export async function comment(
  octokit: Octokit,
  repo: RepoRef,
  issueNumber: number,
  body: string,
): Promise<{ id: number }> {
  const { data } = await octokit.request(
    "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
    { owner: repo.owner, repo: repo.repo, issue_number: issueNumber, body },
  );
  // Octokit types JSON numbers as number | bigint; GitHub ids fit in a double.
  return { id: Number(data.id) };
}

/**
 * Reacts to an issue or pull request comment:
 * `POST /repos/{owner}/{repo}/issues/comments/{commentId}/reactions`. 1 request; reacting twice with
 * the same content is harmless (GitHub answers 200 with the existing reaction).
 */
export async function react(
  octokit: Octokit,
  repo: RepoRef,
  commentId: number,
  content: Reaction,
): Promise<void> {
  await octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
    owner: repo.owner,
    repo: repo.repo,
    comment_id: commentId,
    content,
  });
}
