import type { Context } from "probot";
import { checkPullRequestConfig } from "../engine/check-pull-request-config.js";

/**
 * A pull request with a new head that changes `.github/promoter.yml`: its config is validated in a
 * `promoter` check run on that head, never obeyed. Done at once, not queued: a few requests, no scan.
 */
export async function onPullRequestHead(
  context: Context<"pull_request.opened" | "pull_request.synchronize" | "pull_request.reopened">,
): Promise<void> {
  const { pull_request: pr, repository, installation } = context.payload;
  if (!installation || pr.state !== "open") return;
  await checkPullRequestConfig(
    context.octokit,
    { owner: repository.owner.login, repo: repository.name },
    {
      number: pr.number,
      headSha: pr.head.sha,
      baseSha: pr.base.sha,
      // Not sent in every payload: then pages are read until a short one.
      changedFiles: pr.changed_files ?? Number.POSITIVE_INFINITY,
    },
    context.log,
  );
}
