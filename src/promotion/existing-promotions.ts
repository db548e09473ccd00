/**
 * The app's own pull requests and what their metadata says. Pure: the callers read the pull requests.
 * Only the app's own PRs' metadata counts: anyone can write a metadata comment into another PR's body.
 */
import type { PullRequestInfo } from "./github-facts.js";
import { groupBranch, promotionBranches } from "./branches.js";
import type { PromotionPullRequest } from "./plan.js";
import {
  HOLD_LABEL,
  isGroupMetadata,
  parseMetadata,
  type PullRequestMetadata,
} from "./pull-request-content.js";

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
): PullRequestMetadata | undefined {
  if (!isAppPullRequest(pr, appLogin)) return undefined;
  const metadata = parseMetadata(pr.body);
  if (!metadata) return undefined;
  const branches = isGroupMetadata(metadata)
    ? [groupBranch(metadata.env, metadata.group)]
    : promotionBranches(metadata.env, metadata.dependency);
  return branches.includes(pr.headRef) ? metadata : undefined;
}

/**
 * The app's PRs as the planner needs them (declined versions, holds): only the app's own, and only
 * when their metadata names their branch; a group's PR once per member it moves.
 */
export function existingPromotions(
  pullRequests: readonly PullRequestInfo[],
  appLogin: string,
): PromotionPullRequest[] {
  const promotions: PromotionPullRequest[] = [];
  for (const pr of pullRequests) {
    const metadata = appPullRequestMetadata(pr, appLogin);
    if (!metadata) continue;
    const state = pr.state === "open" ? "open" : pr.merged ? "merged" : "closed";
    const hold = pr.labels.includes(HOLD_LABEL);
    const group = isGroupMetadata(metadata) ? { group: metadata.group } : {};
    const members = isGroupMetadata(metadata) ? metadata.members : [metadata];
    for (const { dependency, to } of members) {
      promotions.push({
        environment: metadata.env,
        dependency,
        to,
        state,
        number: pr.number,
        hold,
        ...group,
      });
    }
  }
  return promotions;
}
