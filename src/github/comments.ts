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

/** A comment as the app reads it back. */
export interface IssueComment {
  id: number;
  author: string;
  body: string;
}

/**
 * The first 100 comments of issue or pull request `issueNumber`, oldest first:
 * `GET /repos/{owner}/{repo}/issues/{issueNumber}/comments?per_page=100`. 1 request.
 */
export async function listComments(
  octokit: Octokit,
  repo: RepoRef,
  issueNumber: number,
): Promise<IssueComment[]> {
  const { data } = await octokit.request(
    "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
    {
      owner: repo.owner,
      repo: repo.repo,
      issue_number: issueNumber,
      per_page: 100,
    },
  );
  return data.map((c) => ({
    id: Number(c.id),
    author: c.user?.login ?? "ghost",
    body: c.body ?? "",
  }));
}
