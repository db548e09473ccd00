/**
 * How a proposal is written, or why it is not: whose open PR its branch has, whether that PR already
 * proposes it, when a person's commits make the app leave the branch alone, the labels of its PR, and
 * which of the app's branches nothing needs any more. Pure: the callers read the PRs, branches and
 * commits, and write.
 */
import type { Config } from "../config/index.js";
import type { PullRequestInfo } from "./github-facts.js";
import type { DependencyOrigin, Inventory } from "../iac/types.js";
import {
  isAppCommit,
  isPromotionBranchName,
  promotionBranches,
  type CommitAuthorship,
} from "./branches.js";
import type { WriteOutcome } from "./check-report.js";
import { code } from "./markdown.js";
import { ONBOARDING_BRANCH, PROMOTER_LABEL_PREFIX } from "./names.js";
import type { GroupProposal } from "./groups.js";
import type { Proposal } from "./plan.js";
import {
  environmentLabel,
  isGroupMetadata,
  parseMetadata,
  withMetadata,
  type PromotionMetadata,
  type PullRequestMetadata,
} from "./pull-request-content.js";

/** The colour of the environment labels the app creates. */
const LABEL_COLOR = "5319e7";

/** What writing one proposal did, less the proposal's own fields. */
export type ProposalOutcome = Pick<WriteOutcome, "action" | "pullRequest" | "reason">;

/** A commit of a branch, with its sha and who made it. */
export type BranchCommitAuthorship = CommitAuthorship & { sha: string };

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

const shortShas = (commits: readonly { sha: string }[]) =>
  commits.map((c) => c.sha.slice(0, 7)).join(", ");

/**
 * The open PR from the proposal's branch, or else from its legacy branch (opened before the branch
 * naming changed: it is updated in place, not opened again); a fork's branch of the same name is not
 * this branch.
 */
export function openPullRequestOf(
  proposal:
    | Pick<Proposal, "environment" | "dependency">
    | Pick<GroupProposal, "environment" | "group" | "key">,
  pullRequests: readonly PullRequestInfo[],
): PullRequestInfo | undefined {
  const branches =
    "group" in proposal
      ? [proposal.key]
      : promotionBranches(proposal.environment, proposal.dependency);
  for (const branch of branches) {
    const open = pullRequests.find(
      (pr) => pr.state === "open" && !pr.fromFork && pr.headRef === branch,
    );
    if (open) return open;
  }
  return undefined;
}

/**
 * What the open PR of the proposal's branch settles before anything is read: a person's PR is left
 * alone, and the app's that already proposes exactly this is unchanged. Undefined: the proposal is
 * to be written.
 */
export function openPullRequestOutcome(
  proposal: Pick<Proposal, "to" | "from"> | Pick<GroupProposal, "members">,
  open: PullRequestInfo | undefined,
  appLogin: string,
): ProposalOutcome | undefined {
  if (!open) return undefined;
  if (open.author !== appLogin) {
    return {
      action: "left-alone",
      pullRequest: open.number,
      reason: `the open pull request from its branch is ${open.author}'s, not Promoter's; Promoter leaves it alone`,
    };
  }
  const metadata = parseMetadata(open.body);
  if (metadata && proposesAlready(metadata, proposal)) {
    return { action: "unchanged", pullRequest: open.number };
  }
  return undefined;
}

/** Whether a PR's metadata proposes exactly what the proposal does: each dependency from and to the same versions. */
function proposesAlready(
  metadata: PullRequestMetadata,
  proposal: Pick<Proposal, "to" | "from"> | Pick<GroupProposal, "members">,
): boolean {
  const proposed = "members" in proposal ? proposal.members : [proposal];
  const carried = isGroupMetadata(metadata) ? metadata.members : [metadata];
  if ("members" in proposal !== isGroupMetadata(metadata) || proposed.length !== carried.length)
    return false;
  return proposed.every((p, i) => {
    const m = carried[i];
    const sameDependency = !("dependency" in p) || p.dependency === m?.dependency;
    return m !== undefined && sameDependency && m.to === p.to && sameList(m.from, p.from);
  });
}

/** What becomes of the app's open PR that already proposes exactly this, given the default branch's head. */
export type RebuildDecision =
  | { rebuild: false }
  | { rebuild: true; why: string }
  /** The default branch moved: rebuild it when GitHub says it no longer merges cleanly. */
  | { rebuild: "if-conflicted" };

const DAY_MS = 86_400_000;

/**
 * Whether the app's open PR (its metadata) is rebuilt on the default branch's head `headSha`: never
 * when it is built on that head; when built more than `rebaseAfterDays` ago on an older one; else,
 * with `rebaseWhen: conflicted`, when it no longer merges cleanly (which takes a read). A PR from
 * before the app remembered its base counts as built on an older one.
 */
export function rebuildDecision(
  metadata: Pick<PromotionMetadata, "base" | "builtAt">,
  headSha: string,
  updates: Pick<Config["updates"], "rebaseWhen" | "rebaseAfterDays">,
  now: number,
): RebuildDecision {
  if (metadata.base === headSha) return { rebuild: false };
  const builtAt = metadata.builtAt === undefined ? NaN : Date.parse(metadata.builtAt);
  const days = updates.rebaseAfterDays;
  if (days !== undefined && !Number.isNaN(builtAt) && now - builtAt > days * DAY_MS) {
    return {
      rebuild: true,
      why: `it was built more than ${plural(days, "day")} ago (updates.rebaseAfterDays)`,
    };
  }
  return updates.rebaseWhen === "conflicted" ? { rebuild: "if-conflicted" } : { rebuild: false };
}

/** Why a PR whose mergeability GitHub reported is rebuilt (said after "rebuilt because"); undefined when it merges (or GitHub does not know yet). */
export function conflictRebuild(mergeable: boolean | null | undefined): string | undefined {
  return mergeable === false ? "it no longer merges cleanly" : undefined;
}

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? "" : "s"}`;

/** The commits of a branch that are not the app's own. */
export function foreignCommits<Commit extends CommitAuthorship>(
  commits: readonly Commit[],
  appLogin: string,
): Commit[] {
  return commits.filter((c) => !isAppCommit(c, appLogin));
}

/** An existing branch with a proposal's name, no open PR of the app, and commits of someone else. */
export function branchLeftAlone(
  proposal: Pick<Proposal, "key">,
  foreign: readonly BranchCommitAuthorship[],
): ProposalOutcome {
  return {
    action: "left-alone",
    reason: `the branch \`${proposal.key}\` exists with commits that are not Promoter's (${shortShas(foreign)}); Promoter does not overwrite it`,
  };
}

/** The app's open PR whose branch a person pushed to. */
export function openPullRequestLeftAlone(open: Pick<PullRequestInfo, "number">): ProposalOutcome {
  return {
    action: "left-alone",
    pullRequest: open.number,
    reason: "a person pushed to the branch",
  };
}

/**
 * When a person pushed to an open promotion PR's branch, the app says so once: the comment to write
 * and the PR body that remembers it was written. Undefined when it was said already (or the PR has
 * no metadata to remember it in).
 */
export function humanCommitsNotice(
  proposal: Pick<Proposal, "to"> | Pick<GroupProposal, "group">,
  open: Pick<PullRequestInfo, "body">,
  foreign: readonly BranchCommitAuthorship[],
  rebuild?: string,
): { comment: string; body: string } | undefined {
  const metadata = parseMetadata(open.body);
  if (!metadata || metadata.humanCommits) return undefined;
  const what = rebuild
    ? `rebuild this branch on the default branch's head (${rebuild})`
    : "group" in proposal
      ? `update this branch to the group's new versions`
      : `update this branch to ${code(proposal.to)}`;
  return {
    comment: `Promoter did not ${what}: it has commits that are not Promoter's (${shortShas(foreign)}). Close this pull request, or delete the branch, for Promoter to open it again.`,
    body: withMetadata(open.body, { ...metadata, humanCommits: true }),
  };
}

/** The labels of a proposal's PR, as they are created when missing: its environment's, then the config's. */
export function proposalLabels(
  environment: string,
  config: Pick<Config, "labels">,
): { name: string; color: string; description: string }[] {
  return [environmentLabel(environment), ...config.labels].map((name) => ({
    name,
    color: LABEL_COLOR,
    description: name.startsWith(PROMOTER_LABEL_PREFIX)
      ? `Promoter: promotions to ${environment}`
      : "",
  }));
}

/**
 * Where the release notes of a proposal come from: the git repository of its dependency and the
 * version it moves from; undefined for a registry module (or a proposal from no version).
 */
export function releaseNotesRange(
  inventory: Inventory,
  proposal: Pick<Proposal, "dependency" | "from">,
): { origin: Extract<DependencyOrigin, { type: "git" }>; from: string } | undefined {
  const dependency = inventory.environments
    .flatMap((e) => e.dependencies)
    .find((d) => d.id === proposal.dependency);
  const from = proposal.from[0];
  if (dependency?.origin.type !== "git" || from === undefined) return undefined;
  return { origin: dependency.origin, from };
}

/** The branches that must stay: the current proposals', and those of open PRs of the repository itself. */
export function neededBranches(
  proposals: readonly Pick<Proposal, "key">[],
  pullRequests: readonly PullRequestInfo[],
): Set<string> {
  return new Set([
    ...proposals.map((p) => p.key),
    ...pullRequests.filter((pr) => pr.state === "open" && !pr.fromFork).map((pr) => pr.headRef),
  ]);
}

/**
 * What becomes of a branch under `promoter/` that a check found: kept (needed), left alone with a
 * warning (not of the app's form), or a candidate for deletion once its commits are known to be all
 * the app's.
 */
export function strayBranchStatus(
  branch: string,
  needed: ReadonlySet<string>,
  environments: readonly string[],
  artifacts?: ReadonlySet<string>,
): { status: "needed" } | { status: "candidate" } | { status: "left-alone"; warning: string } {
  // The onboarding branch is the onboarding PR's to keep (a closed one's branch says "not now").
  if (needed.has(branch) || branch === ONBOARDING_BRANCH) return { status: "needed" };
  if (!isPromotionBranchName(branch, environments, artifacts)) {
    return {
      status: "left-alone",
      warning: leftAloneWarning(
        "this branch is not one Promoter creates (`promoter/<environment>/<dependency>`)",
      ),
    };
  }
  return { status: "candidate" };
}

/** The warning for a stray branch of the app's form with commits of someone else. */
export function foreignStrayBranchWarning(foreign: readonly BranchCommitAuthorship[]): string {
  return leftAloneWarning(
    `this branch has commits that are not Promoter's (${shortShas(foreign)})`,
  );
}

function leftAloneWarning(why: string): string {
  return `${why}: Promoter leaves it alone`;
}
