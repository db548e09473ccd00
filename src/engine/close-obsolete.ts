import type { Logger } from "probot";
import { deleteBranch } from "../github/branches.js";
import { comment } from "../github/comments.js";
import { commitsOnBranch } from "../github/commits.js";
import { failureReason } from "../github/errors.js";
import { closePullRequest } from "../github/pull-requests.js";
import type { Octokit } from "../github/repo-ref.js";
import type { ClosedPullRequest } from "../promotion/check-report.js";
import {
  closingComment,
  obsoleteNotice,
  type ObsoletePullRequest,
} from "../promotion/obsolete-pull-requests.js";
import { foreignCommits } from "../promotion/proposal-writing.js";
import type { CheckTarget } from "./repository-state.js";
import type { Services } from "./services.js";
import { sayOnce } from "./write-proposals.js";

/** What {@link closeObsoletePullRequests} did: the PRs it closed, and warnings for those it could not. */
export interface ClosedObsolete {
  closed: ClosedPullRequest[];
  warnings: { subject: string; message: string }[];
}

/**
 * Closes each of the app's PRs whose proposal is gone, with one comment saying why, and deletes its
 * branch; a PR whose branch has a person's commits stays open, with one comment. Costs per PR: the
 * branch's commits (1), then the comment, the close and the branch's deletion (3), or for a person's
 * branch the comment and the body that remembers it (2, once).
 */
export async function closeObsoletePullRequests(context: {
  octokit: Octokit;
  target: CheckTarget;
  services: Services;
  /** The default branch's head, which the branches' commits are compared against. */
  headSha: string;
  obsolete: readonly ObsoletePullRequest[];
  log: Logger;
}): Promise<ClosedObsolete> {
  const { octokit, target, log } = context;
  const result: ClosedObsolete = { closed: [], warnings: [] };
  for (const obsolete of context.obsolete) {
    const { pullRequest, metadata } = obsolete;
    try {
      // 1. Read whose the branch's commits are: a person's work is never closed nor deleted.
      const appLogin = await context.services.appLogin();
      const commits = await commitsOnBranch(octokit, target, context.headSha, pullRequest.headRef);
      if (foreignCommits(commits, appLogin).length > 0) {
        const notice = obsoleteNotice(obsolete);
        if (notice) await sayOnce(octokit, target, pullRequest, notice, appLogin);
        continue;
      }
      // 2. Say why, close it, and delete its branch.
      await comment(octokit, target, pullRequest.number, closingComment(obsolete));
      await closePullRequest(octokit, target, pullRequest.number);
      await deleteBranch(octokit, target, pullRequest.headRef);
      result.closed.push({
        environment: metadata.env,
        dependency: "group" in metadata ? `group ${metadata.group}` : metadata.dependency,
        pullRequest: pullRequest.number,
        reason: obsolete.reason,
      });
    } catch (error) {
      log.warn({ err: error, pullRequest: pullRequest.number }, "an obsolete PR was not closed");
      result.warnings.push({
        subject: `#${pullRequest.number}`,
        message: `this pull request, which nothing proposes any more, could not be closed: ${failureReason(error)}`,
      });
    }
  }
  if (result.closed.length > 0)
    log.info({ pullRequests: result.closed.map((c) => c.pullRequest) }, "obsolete PRs closed");
  return result;
}
