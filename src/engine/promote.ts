import type { Logger } from "probot";
import { findOpenPullRequest } from "../github/pull-requests.js";
import type { Octokit } from "../github/repo-ref.js";
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
  // 2. Read the open PR of the proposal's branch: it is updated, never opened twice.
  const open = await findOpenPullRequest(octokit, target, proposal.key);
  // 3. Write the proposal as the check would.
  const [outcome] = await writeProposals({
    octokit,
    target,
    services,
    log,
    state: repository,
    proposals: [proposal],
    pullRequests: open ? [open] : [],
  });
  if (!outcome) throw new Error("no outcome for the proposal");
  return { status: "written", outcome, proposal };
}
