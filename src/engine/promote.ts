import type { Logger } from "probot";
import { findOpenPullRequest } from "../github/pull-requests.js";
import { commitParents, readBlobs, readTreeAt } from "../github/read-repository.js";
import type { Octokit } from "../github/repo-ref.js";
import { scan } from "../iac/scanner.js";
import type { Inventory } from "../iac/types.js";
import type { WriteOutcome } from "../promotion/check-report.js";
import { proposalFor, tagPrefixFor, type Proposal } from "../promotion/plan.js";
import { parseVersionTag } from "../versions/strategies.js";
import { wantedEntries, type CheckTarget, type ScannedRepository } from "./repository-state.js";
import type { Services } from "./services.js";
import { writeProposals } from "./write-proposals.js";

/** What a promotion did. */
export type PromotionResult =
  | { status: "written"; outcome: WriteOutcome; proposal: Proposal }
  | { status: "already"; versions: string[] }
  | { status: "refused"; reason: string };

/** The versions of a dependency in an environment (empty when it does not use it). */
export function versionsIn(
  inventory: Inventory,
  environment: string,
  dependency: string,
): string[] {
  return (
    inventory.environments
      .find((e) => e.name === environment)
      ?.dependencies.find((d) => d.id === dependency)?.versions ?? []
  );
}

/** Whether every version the environment runs is `version` or newer. */
function atOrPast(
  repository: ScannedRepository,
  versions: string[],
  dependency: string,
  version: string,
): boolean {
  const prefix = tagPrefixFor(repository.config)(dependency);
  const target = parseVersionTag(version, prefix)?.version;
  if (!target || versions.length === 0) return false;
  return versions.every((v) => {
    const parsed = parseVersionTag(v, prefix)?.version;
    return parsed !== undefined && parsed.compare(target) >= 0;
  });
}

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
  request: { environment: string; dependency: string; version: string },
): Promise<PromotionResult> {
  const { environment, dependency, version } = request;
  const current = versionsIn(repository.inventory, environment, dependency);
  if (current.length === 0) {
    return { status: "refused", reason: `${environment} does not use ${dependency}` };
  }
  if (atOrPast(repository, current, dependency, version))
    return { status: "already", versions: current };
  const proposal = proposalFor(repository.inventory, environment, dependency, version, "promotion");
  if ("refused" in proposal) return { status: "refused", reason: proposal.refused };
  const open = await findOpenPullRequest(octokit, target, proposal.key);
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

/**
 * What a merge changed in an environment: the dependencies whose versions there differ between the
 * merge commit (`repository`, read at it) and its first parent, with the version they have after it.
 */
export async function changedVersions(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  repository: ScannedRepository,
  mergeCommitSha: string,
  environment: string,
): Promise<{ dependency: string; version: string }[]> {
  // `repository` is the merge commit already scanned: only its first parent is read.
  const [parentSha] = await commitParents(octokit, target, mergeCommitSha);
  if (!parentSha) return [];
  const parent = await readTreeAt(octokit, target, parentSha);
  const wanted = wantedEntries(parent.entries, repository.config);
  const { files } = await readBlobs(octokit, target, wanted, services.blobs);
  const historyCache = services.scanCache(`${target.owner}/${target.repo}@history`);
  const before = scan(files, repository.config, historyCache).inventory;
  const after = repository.inventory;
  const changes: { dependency: string; version: string }[] = [];
  for (const dependency of after.environments.find((e) => e.name === environment)?.dependencies ??
    []) {
    const now = dependency.versions;
    const then = versionsIn(before, environment, dependency.id);
    const newest = now[now.length - 1];
    if (newest !== undefined && now.join() !== then.join())
      changes.push({ dependency: dependency.id, version: newest });
  }
  return changes;
}
