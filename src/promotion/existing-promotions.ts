/**
 * The app's own pull requests and what their metadata says. Pure: the callers read the pull requests.
 * Only the app's own PRs' metadata counts: anyone can write a metadata comment into another PR's body.
 */
import type { PullRequestInfo } from "./github-facts.js";
import { groupBranch, promotionBranches } from "./branches.js";
import { isGroupProposal, membersOf, type PullRequestPlan } from "./groups.js";
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
        ...(pr.merged && pr.mergedAt ? { mergedAt: pr.mergedAt } : {}),
        hold,
        ...group,
      });
    }
  }
  return promotions;
}

/** How long before a check read the repository a merge may be that its snapshot does not show (clock skew). */
const MERGE_SNAPSHOT_MARGIN_MS = 60_000;

/**
 * The app's PR from one of `branches`, carrying exactly `versions` (`<dependency>@<version>`), merged
 * after (or just before) a check read the repository at `readAt`: its snapshot may predate that merge,
 * so proposing the same again would open a second PR for what is merged already. A newer version is
 * not held. Undefined when there is none.
 */
function mergedSinceRead(
  branches: readonly string[],
  versions: readonly string[],
  pullRequests: readonly PullRequestInfo[],
  appLogin: string,
  readAt: number,
): PullRequestInfo | undefined {
  return pullRequests.find(
    (pr) =>
      branches.includes(pr.headRef) &&
      Date.parse(pr.mergedAt ?? "") >= readAt - MERGE_SNAPSHOT_MARGIN_MS &&
      mergedCarrying(pr, versions, appLogin),
  );
}

/** Whether `pr` is the app's own, merged, and its metadata carries every one of `versions` (`<dependency>@<version>`). */
function mergedCarrying(
  pr: PullRequestInfo,
  versions: readonly string[],
  appLogin: string,
): boolean {
  if (!pr.merged) return false;
  const metadata = appPullRequestMetadata(pr, appLogin);
  if (!metadata) return false;
  const members = isGroupMetadata(metadata) ? metadata.members : [metadata];
  const carried = new Set(members.map((m) => `${m.dependency}@${m.to}`));
  return versions.every((v) => carried.has(v));
}

/**
 * The app's PR among `pullRequests` (those of one branch) that was opened after PR `after` and merged
 * carrying exactly `versions`: what a promotion following `after` asks for was merged already (a check
 * opened it, and a person merged it, before the follow-up ran on its older snapshot). Undefined when none.
 */
export function mergedSince(
  pullRequests: readonly PullRequestInfo[],
  versions: readonly string[],
  appLogin: string,
  after: number,
): PullRequestInfo | undefined {
  return pullRequests.find((pr) => pr.number > after && mergedCarrying(pr, versions, appLogin));
}

/**
 * The plan without the proposals whose PR the app merged since the check read the repository (or
 * just before): their merge is not in the snapshot, and the next check sees it. Each member waits,
 * named with the merged PR.
 */
export function heldForMergesSinceRead(
  decided: PullRequestPlan,
  pullRequests: readonly PullRequestInfo[],
  appLogin: string,
  readAt: number,
): PullRequestPlan {
  const result: PullRequestPlan = { proposals: [], deferred: [...decided.deferred] };
  for (const proposal of decided.proposals) {
    const branches = isGroupProposal(proposal)
      ? [proposal.key]
      : promotionBranches(proposal.environment, proposal.dependency);
    const versions = membersOf(proposal).map((m) => `${m.dependency}@${m.to}`);
    const merged = mergedSinceRead(branches, versions, pullRequests, appLogin, readAt);
    if (!merged) {
      result.proposals.push(proposal);
      continue;
    }
    for (const member of membersOf(proposal))
      result.deferred.push({
        environment: proposal.environment,
        dependency: member.dependency,
        reason: `${member.to} waits: #${merged.number} from its branch was merged as this check read the repository; the next check sees that merge`,
        pullRequest: merged.number,
      });
  }
  return result;
}
