import type { Logger } from "probot";
import { readCommitEvidence } from "../github/commit-evidence.js";
import { failureReason } from "../github/errors.js";
import type { Octokit, RepoRef } from "../github/repo-ref.js";
import type { CheckTarget, ScannedRepository } from "./repository-state.js";
import type { Services } from "./services.js";
import { comment, listComments } from "../github/comments.js";
import { listPromoterPullRequests } from "../github/pull-requests.js";
import type { PromotionRequest } from "../promotion/requested-promotion.js";
import {
  commandGateRefusal,
  gatedPlan,
  promotionGates,
  evidenceKey,
  evidenceReads,
  failureComment,
  saidAlready,
  unreportedComment,
  type CommitEvidence,
  type GateResult,
  type PromotionGate,
} from "../promotion/verification.js";

/**
 * The evidence the gates need, by {@link evidenceKey}: each commit read once (2 requests, 4 with a
 * deployment). A read that fails is kept as its error: the promotions that need it wait, the others go on.
 */
export async function readGateEvidence(
  octokit: Octokit,
  repo: RepoRef,
  gates: readonly PromotionGate[],
  appLogin: string,
  log: Logger,
): Promise<Map<string, CommitEvidence | { error: string }>> {
  const evidence = new Map<string, CommitEvidence | { error: string }>();
  const ownApp = appLogin.replace(/\[bot\]$/, "");
  for (const read of evidenceReads(gates)) {
    try {
      evidence.set(
        evidenceKey(read),
        await readCommitEvidence(octokit, repo, read.sha, {
          ownApp,
          ...(read.deployment ? { deployment: read.deployment } : {}),
        }),
      );
    } catch (error) {
      log.warn({ err: error, sha: read.sha }, "the evidence of a gate could not be read");
      evidence.set(evidenceKey(read), { error: failureReason(error) });
    }
  }
  return evidence;
}

/**
 * Says once, on the merged PR that brought it, that a failed verification stopped a version, or that
 * a named check was never reported an hour after the merge: per such gate, a read of the PR's comments
 * (1 request), and the comment when it is not there yet (1 more). A failure to say it is logged: the
 * check still reports it.
 */
export async function commentOnGates(
  octokit: Octokit,
  repo: RepoRef,
  results: readonly GateResult[],
  appLogin: string,
  log: Logger,
  now: number,
): Promise<void> {
  for (const result of results) {
    const { gate, verification } = result;
    if (!gate.mergedPullRequest) continue;
    const notice =
      verification.state === "failed"
        ? failureComment({ gate, verification })
        : unreportedComment(result, now);
    if (!notice) continue;
    const { number } = gate.mergedPullRequest;
    try {
      if (saidAlready(await listComments(octokit, repo, number), appLogin, notice.marker)) continue;
      await comment(octokit, repo, number, notice.body);
    } catch (error) {
      log.warn({ err: error, pullRequest: number }, "the failed verification was not commented");
    }
  }
}

/**
 * Whether `/promote` may move the version now, by the gate of the environment before (see
 * {@link commandGateRefusal}): nothing to read without `verify` there; else the app's PRs (1 request)
 * and the evidence of the merge commit that brought the version and of the head (2 requests each).
 */
export async function commandGate(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  repository: ScannedRepository,
  request: PromotionRequest,
  log: Logger,
): Promise<string | undefined> {
  const proposal = { ...request, to: request.version, reason: "promotion" as const };
  const appLogin = await services.appLogin();
  const needed = promotionGates([proposal], repository.config, [], appLogin, repository.headSha);
  if (needed.length === 0) return undefined;
  const pullRequests = await listPromoterPullRequests(octokit, target, { maxPages: 1 });
  const gates = promotionGates(
    [proposal],
    repository.config,
    pullRequests,
    appLogin,
    repository.headSha,
  );
  const evidence = await readGateEvidence(octokit, target, gates, appLogin, log);
  const gated = gatedPlan({ proposals: [proposal], deferred: [] }, gates, evidence, services.now());
  const waiting = gated.plan.deferred[0]?.reason.slice(request.version.length + 1);
  return commandGateRefusal(request, gated.results[0], waiting);
}
