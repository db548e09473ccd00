/**
 * The app's own pull requests and what their metadata says. Pure: the callers read the pull requests.
 * Only the app's own PRs' metadata counts: anyone can write a metadata comment into another PR's body.
 */
import type { PullRequestInfo } from "./github-facts.js";
import { promotionBranches } from "./branches.js";
import type { PromotionPullRequest } from "./plan.js";
import { HOLD_LABEL, parseMetadata, type PromotionMetadata } from "./pull-request-content.js";

/** Whether a PR is one of the app's own: opened by its bot from a branch of the repository itself. */
export function isAppPullRequest(
  pr: Pick<PullRequestInfo, "author" | "fromFork">,
  appLogin: string,
): boolean {
  return pr.author === appLogin && !pr.fromFork;
}

/**
 * The metadata of one of the app's own PRs, when it names the PR's branch; undefined for any other PR,
 * or when a person edited the metadata to name another branch.
 */
export function appPullRequestMetadata(
  pr: Pick<PullRequestInfo, "author" | "fromFork" | "body" | "headRef">,
  appLogin: string,
): PromotionMetadata | undefined {
  if (!isAppPullRequest(pr, appLogin)) return undefined;
  const metadata = parseMetadata(pr.body);
  if (!metadata || !promotionBranches(metadata.env, metadata.dependency).includes(pr.headRef))
    return undefined;
  return metadata;
}

/**
 * The app's PRs as the planner needs them (declined versions, holds): only the app's own, and only
 * when their metadata names their branch.
 */
export function existingPromotions(
  pullRequests: readonly PullRequestInfo[],
  appLogin: string,
): PromotionPullRequest[] {
  const promotions: PromotionPullRequest[] = [];
  for (const pr of pullRequests) {
    const metadata = appPullRequestMetadata(pr, appLogin);
    if (!metadata) continue;
    promotions.push({
      environment: metadata.env,
      dependency: metadata.dependency,
      to: metadata.to,
      state: pr.state === "open" ? "open" : pr.merged ? "merged" : "closed",
      number: pr.number,
      hold: pr.labels.includes(HOLD_LABEL),
    });
  }
  return promotions;
}
