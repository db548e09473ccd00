import type { Logger } from "probot";
import { readCommitEvidence } from "../github/commit-evidence.js";
import { failureReason } from "../github/errors.js";
import type { Octokit, RepoRef } from "../github/repo-ref.js";
import { comment, listComments } from "../github/comments.js";
import {
  evidenceKey,
  evidenceReads,
  failureComment,
  saidAlready,
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
 * Says once, on the merged PR that brought it, that a failed verification stopped a version: per
 * failed gate with such a PR, a read of its comments (1 request), and the comment when it is not
 * there yet (1 more). A failure to say it is logged: the check still reports it.
 */
export async function commentOnFailedGates(
  octokit: Octokit,
  repo: RepoRef,
  results: readonly GateResult[],
  appLogin: string,
  log: Logger,
): Promise<void> {
  for (const { gate, verification } of results) {
    if (verification.state !== "failed" || !gate.mergedPullRequest) continue;
    const { number } = gate.mergedPullRequest;
    const notice = failureComment({ gate, verification });
    try {
      if (saidAlready(await listComments(octokit, repo, number), appLogin, notice.marker)) continue;
      await comment(octokit, repo, number, notice.body);
    } catch (error) {
      log.warn({ err: error, pullRequest: number }, "the failed verification was not commented");
    }
  }
}
