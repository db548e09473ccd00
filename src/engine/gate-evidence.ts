import type { Logger } from "probot";
import { readCommitEvidence } from "../github/commit-evidence.js";
import { failureReason } from "../github/errors.js";
import type { Octokit, RepoRef } from "../github/repo-ref.js";
import {
  evidenceKey,
  evidenceReads,
  type CommitEvidence,
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
