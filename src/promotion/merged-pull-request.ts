/**
 * What a merged pull request may promote. Pure: who opened it, from where, its labels and the config's
 * environments in; the environment it moved and how to tell what it brought out. Nothing in a PR body
 * counts: what a merge promotes is read from the merge commit's tree.
 */
import { parsePromotionBranch } from "./branches.js";
import { environmentOfLabel } from "./pull-request-content.js";

/** A merged pull request as its `pull_request.closed` webhook tells it. */
export interface MergedPullRequest {
  number: number;
  labels: string[];
  mergeCommitSha: string;
  /** Login of the user who opened it. */
  author: string;
  headRef: string;
  /** Whether its head branch lives in another repository (a fork), or in none any more. */
  fromFork: boolean;
}

/**
 * Where a merge's promotion comes from:
 * - `app`: one of the app's own PRs, for `dependency` in `environment` (both from its branch); what it
 *   brought is the version the merge commit has there.
 * - `group`: one of the app's group PRs (from its branch); what it brought is what the merge changed
 *   in `environment` among the group's members.
 * - `labelled`: a person's PR labelled `promoter:<environment>`; what it brought is what the merge
 *   changed in that environment.
 */
export type MergeSource =
  | { kind: "app"; environment: string; dependency: string }
  | { kind: "group"; environment: string; group: string }
  | { kind: "labelled"; environment: string };

/**
 * The app's own PRs are the ones its bot opened from one of its promotion branches (current or legacy
 * form) of the repository itself; a PR from a fork promotes nothing (its branch and body are anyone's); another PR
 * promotes only with a `promoter:<env>` label of a configured environment. Undefined: nothing to promote.
 * `artifacts`: the config's artifact names, whose branches name an id of one component.
 */
export function mergeSource(
  pullRequest: Pick<MergedPullRequest, "author" | "headRef" | "fromFork" | "labels">,
  appLogin: string,
  environments: readonly string[],
  artifacts: ReadonlySet<string> = new Set(),
): MergeSource | undefined {
  if (pullRequest.fromFork) return undefined;
  if (pullRequest.author === appLogin) {
    const branch = parsePromotionBranch(pullRequest.headRef, environments, artifacts);
    if (branch && "group" in branch)
      return { kind: "group", environment: branch.environment, group: branch.group };
    if (branch)
      return { kind: "app", environment: branch.environment, dependency: branch.dependency };
  }
  const environment = pullRequest.labels
    .map(environmentOfLabel)
    .find((e) => e !== undefined && environments.includes(e));
  return environment === undefined ? undefined : { kind: "labelled", environment };
}

/**
 * What one of the app's PRs brought to its environment: the dependency at the version the merge
 * commit has there (the newest, when it runs several), whatever the PR's metadata said, since a
 * person can push to the branch or edit the body before merging. Empty when the environment no
 * longer uses the dependency.
 */
export function mergedVersion(
  versionsAfterMerge: readonly string[],
  dependency: string,
): { dependency: string; version: string }[] {
  const newest = versionsAfterMerge[versionsAfterMerge.length - 1];
  return newest === undefined ? [] : [{ dependency, version: newest }];
}
