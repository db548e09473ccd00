import type { Logger } from "probot";
import { findOpenPullRequest } from "../github/pull-requests.js";
import type { Octokit } from "../github/repo-ref.js";
import { listBranches } from "../github/branches.js";
import { promotionBranches, sharedPrefix } from "../promotion/branches.js";
import type { PullRequestInfo } from "../promotion/github-facts.js";
import {
  promotionFor,
  type PromotionRequest,
  type PromotionResult,
} from "../promotion/requested-promotion.js";
import type { CheckTarget, ScannedRepository } from "./repository-state.js";
import type { Services } from "./services.js";
import { writeProposals } from "./write-proposals.js";

/**
 * Opens (or updates) the PR that sets `dependency` in `environment` to exactly `version`, as the
 * scheduled check would write it. Nothing is written when the environment already runs that version
 * or a newer one.
 */
export async function promote(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  repository: ScannedRepository,
  request: PromotionRequest,
): Promise<PromotionResult> {
  // 1. Decide on the repository already read: a refusal or a version already there costs no request.
  const decided = promotionFor(repository.inventory, repository.config, request);
  if (decided.status !== "propose") return decided;
  const { proposal } = decided;
  // 2. Read which of the proposal's branches exist (its current and legacy names share a prefix: one
  //    listing), then the open PR of one that does: it is updated, never opened twice.
  const names = promotionBranches(proposal.environment, proposal.dependency);
  const branches = new Set(await listBranches(octokit, target, sharedPrefix(names)));
  let open: PullRequestInfo | undefined;
  for (const branch of names.filter((name) => branches.has(name))) {
    open ??= await findOpenPullRequest(octokit, target, branch);
  }
  // 3. Write the proposal as the check would.
  const [outcome] = await writeProposals({
    octokit,
    target,
    services,
    log,
    state: repository,
    proposals: [proposal],
    pullRequests: open ? [open] : [],
    branches,
  });
  if (!outcome) throw new Error("no outcome for the proposal");
  return { status: "written", outcome, proposal };
}
