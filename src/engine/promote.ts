import type { Logger } from "probot";
import { listPullRequestsFrom } from "../github/pull-requests.js";
import type { Octokit } from "../github/repo-ref.js";
import { listBranches } from "../github/branches.js";
import { promotionBranches, sharedPrefix } from "../promotion/branches.js";
import { appPullRequestMetadata, mergedSince } from "../promotion/existing-promotions.js";
import type { PullRequestInfo } from "../promotion/github-facts.js";
import {
  groupedProposals,
  groupProposal,
  isGroupProposal,
  membersOf,
  type PullRequestProposal,
} from "../promotion/groups.js";
import { isGroupMetadata } from "../promotion/pull-request-content.js";
import {
  promotionFor,
  type PromotionDecision,
  type PromotionRequest,
  type PromotionResult,
} from "../promotion/requested-promotion.js";
import type { CheckTarget, ScannedRepository } from "./repository-state.js";
import type { Services } from "./services.js";
import { writeProposals } from "./write-proposals.js";

/**
 * Opens (or updates) the PRs that set each requested dependency in its environment to exactly the
 * requested version, as the scheduled check would write them; one result per request, in order.
 * Nothing is written for an environment that already runs that version or a newer one. Members of a
 * group (`groups`) in one environment go into the group's one PR, with the members its open PR
 * carries already. Following a merge (`after`, its PR's number), a proposal that the app's PR from
 * its branch, opened after that one, carried and was merged with is not written again.
 */
export async function promote(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  repository: ScannedRepository,
  requests: readonly PromotionRequest[],
  options: { after?: number } = {},
): Promise<PromotionResult[]> {
  // 1. Decide on the repository already read: a refusal or a version already there costs no request.
  const decisions = requests.map((request) =>
    promotionFor(repository.inventory, repository.config, request),
  );
  const proposals = decisions.flatMap((d) => (d.status === "propose" ? [d.proposal] : []));
  if (proposals.length === 0) return decisions.map(settled);
  const grouped = groupedProposals(proposals, repository.config);

  // 2. Read which of the proposals' branches exist (their names share a prefix: one listing), then the
  //    PRs of each that does: an open one is updated, never opened twice; a group's keeps its other
  //    members. One merged since the PR followed carried the proposal already: the snapshot predates it.
  const branchesOf = (p: PullRequestProposal) =>
    isGroupProposal(p) ? [p.key] : promotionBranches(p.environment, p.dependency);
  const names = grouped.flatMap(branchesOf);
  const branches = new Set(await listBranches(octokit, target, sharedPrefix(names)));
  const listed: PullRequestInfo[] = [];
  for (const branch of names.filter((name) => branches.has(name)))
    listed.push(...(await listPullRequestsFrom(octokit, target, branch)));
  const open = listed.filter((pr) => pr.state === "open");
  const appLogin = await services.appLogin();
  const merged = new Map<PullRequestProposal, number>();
  for (const p of grouped) {
    const from = listed.filter((pr) => branchesOf(p).includes(pr.headRef));
    const versions = membersOf(p).map((m) => `${m.dependency}@${m.to}`);
    const done =
      options.after === undefined
        ? undefined
        : mergedSince(from, versions, appLogin, options.after);
    if (done) merged.set(p, done.number);
  }
  const written = grouped
    .filter((p) => !merged.has(p))
    .map((p) => (isGroupProposal(p) ? withOpenMembers(p, open, repository, appLogin) : p));

  // 3. Write the proposals as the check would.
  const outcomes = await writeProposals({
    octokit,
    target,
    services,
    log,
    state: repository,
    proposals: written,
    pullRequests: open,
    branches,
  });
  return decisions.map((decision) => {
    if (decision.status !== "propose") return settled(decision);
    const { proposal } = decision;
    const mergedIn = [...merged].find(([p]) =>
      membersOf(p).some(
        (m) => m.environment === proposal.environment && m.dependency === proposal.dependency,
      ),
    )?.[1];
    if (mergedIn !== undefined) return { status: "merged", pullRequest: mergedIn };
    const outcome = outcomes.find(
      (o) => o.environment === proposal.environment && o.dependency === proposal.dependency,
    );
    if (!outcome) throw new Error("no outcome for the proposal");
    return { status: "written", outcome, proposal };
  });
}

function settled(decision: PromotionDecision): PromotionResult {
  if (decision.status === "propose") throw new Error("a proposal is written, not settled");
  return decision;
}

/**
 * A group's proposal with the members its open PR carries already and that were not asked for, each
 * at the version that PR proposes, so that writing the PR drops none of them.
 */
function withOpenMembers(
  proposal: Extract<PullRequestProposal, { group: string }>,
  open: readonly PullRequestInfo[],
  repository: ScannedRepository,
  appLogin: string,
): PullRequestProposal {
  const pr = open.find((p) => p.headRef === proposal.key);
  const metadata = pr && appPullRequestMetadata(pr, appLogin);
  if (!metadata || !isGroupMetadata(metadata)) return proposal;
  const asked = new Set(proposal.members.map((m) => m.dependency));
  const kept = metadata.members
    .filter((m) => !asked.has(m.dependency))
    .map((m) =>
      promotionFor(repository.inventory, repository.config, {
        environment: proposal.environment,
        dependency: m.dependency,
        version: m.to,
      }),
    )
    .flatMap((d) => (d.status === "propose" ? [d.proposal] : []));
  return kept.length === 0
    ? proposal
    : groupProposal(proposal.environment, proposal.group, [...proposal.members, ...kept]);
}
