import type { Logger } from "probot";
import type { PullRequestInfo } from "../promotion/github-facts.js";
import { comment } from "../github/comments.js";
import { ensureLabels } from "../github/labels.js";
import {
  findOpenPullRequest,
  readPullRequest,
  upsertPullRequest,
} from "../github/pull-requests.js";
import { failureReason } from "../github/errors.js";
import type { BlobMode, Octokit } from "../github/repo-ref.js";
import { deleteBranch, moveBranch, readBranch } from "../github/branches.js";
import { commitsOnBranch, writeCommit, type BranchCommit } from "../github/commits.js";
import { applyVerifiedEdits } from "../iac/edits.js";
import type { WriteOutcome } from "../promotion/check-report.js";
import type { Deferral, Proposal } from "../promotion/plan.js";
import {
  heldBackMembers,
  isGroupProposal,
  membersOf,
  type PullRequestProposal,
} from "../promotion/groups.js";
import {
  branchLeftAlone,
  conflictRebuild,
  rebuildDecision,
  foreignCommits,
  foreignStrayBranchWarning,
  humanCommitsNotice,
  neededBranches,
  openPullRequestLeftAlone,
  openPullRequestOf,
  openPullRequestOutcome,
  proposalLabels,
  releaseNotesRange,
  strayBranchStatus,
  type ProposalOutcome,
} from "../promotion/proposal-writing.js";
import {
  groupPullRequestBody,
  parseMetadata,
  pullRequestBody,
  titleOf,
} from "../promotion/pull-request-content.js";
import { releaseNotes } from "../versions/release-notes.js";
import { gitApiBaseUrl, gitHtmlBaseUrl } from "../versions/source-hosts.js";
import type { CheckTarget, ScannedRepository } from "./repository-state.js";
import type { Services } from "./services.js";

interface WriteContext {
  octokit: Octokit;
  target: CheckTarget;
  services: Services;
  log: Logger;
  state: ScannedRepository;
  proposals: PullRequestProposal[];
  pullRequests: PullRequestInfo[];
  /** The branches under `promoter/` as the check listed them before writing; unknown when absent. */
  branches?: ReadonlySet<string>;
  /** What the plan held back: a group's PR names its members that do not move. */
  deferred?: readonly Deferral[];
}

/** The release notes between the versions of a git dependency; empty for registry modules or on any error. */
async function notesFor(context: WriteContext, proposal: Proposal): Promise<string> {
  const range = releaseNotesRange(context.state.inventory, proposal);
  if (!range) return "";
  const { host, owner, repo } = range.origin;
  const apiBaseUrl = gitApiBaseUrl(host, context.services.sourceHosts, context.services.appBaseUrl);
  const client = context.services.clientFor(context.octokit)(apiBaseUrl);
  return releaseNotes(
    client,
    { owner, repo, htmlBaseUrl: gitHtmlBaseUrl(host) },
    range.from,
    proposal.to,
    {
      log: context.log,
    },
  );
}

/** Each member's release notes, one member after the other. */
async function memberNotes(
  context: WriteContext,
  members: readonly Proposal[],
): Promise<{ dependency: string; notes: string }[]> {
  const notes: { dependency: string; notes: string }[] = [];
  for (const m of members)
    notes.push({ dependency: m.dependency, notes: await notesFor(context, m) });
  return notes;
}

/**
 * Writes each proposal as one commit on its branch and one PR, skipping writes that would change
 * nothing. A failure is reported for that proposal and the others still go ahead; the next check
 * repairs it (the branch name is the key, so nothing is ever created twice). A group's PR gives an
 * outcome for each member it moves.
 */
export async function writeProposals(context: WriteContext): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  for (const proposal of context.proposals) {
    const bases = membersOf(proposal).map((member) => ({
      key: proposal.key,
      environment: proposal.environment,
      dependency: member.dependency,
      to: member.to,
    }));
    const log = context.log.child({
      environment: proposal.environment,
      ...(isGroupProposal(proposal)
        ? { group: proposal.group }
        : { dependency: proposal.dependency }),
    });
    try {
      const outcome = await writeProposal(context, proposal, log);
      outcomes.push(...bases.map((base) => ({ ...base, ...outcome })));
    } catch (error) {
      log.warn({ err: error }, "writing the proposal failed");
      const reason = failureReason(error);
      outcomes.push(...bases.map((base) => ({ ...base, action: "failed" as const, reason })));
    }
  }
  return outcomes;
}

/**
 * Why the app's open PR, which proposes exactly this already, is rebuilt on the default branch's head;
 * undefined when it stays. Costs a read of the PR when the default branch moved since it was built
 * (and `rebaseWhen` is `conflicted`), else nothing.
 */
async function rebuildReason(
  context: WriteContext,
  open: PullRequestInfo,
): Promise<string | undefined> {
  const { octokit, target, state, services } = context;
  const metadata = parseMetadata(open.body);
  if (!metadata) return undefined;
  const decided = rebuildDecision(metadata, state.headSha, state.config.updates, services.now());
  if (decided.rebuild !== "if-conflicted") return decided.rebuild ? decided.why : undefined;
  return conflictRebuild((await readPullRequest(octokit, target, open.number)).mergeable);
}

/** The commits of `branch` (those not on the default branch's head) that are not the app's own. */
async function readForeignCommits(
  context: WriteContext,
  branch: string,
  appLogin: string,
): Promise<BranchCommit[]> {
  const { octokit, target, state } = context;
  return foreignCommits(await commitsOnBranch(octokit, target, state.headSha, branch), appLogin);
}

/**
 * Comments on the app's open PR, and rewrites its body to remember the comment was made (so it is made
 * once): 2 requests.
 */
export async function sayOnce(
  octokit: Octokit,
  target: CheckTarget,
  open: PullRequestInfo,
  notice: { comment: string; body: string },
  appLogin: string,
): Promise<void> {
  await comment(octokit, target, open.number, notice.comment);
  await upsertPullRequest(octokit, target, {
    existing: open,
    head: open.headRef,
    base: open.baseRef,
    title: open.title,
    body: notice.body,
    labels: [],
    ownLogin: appLogin,
  });
}

/**
 * When a person pushed to an open promotion PR's branch, the app does not force-push over their work: it
 * says so once in a comment (remembered in the PR's metadata) and leaves the PR alone.
 */
async function leaveOpenPullRequestAlone(
  context: WriteContext,
  proposal: PullRequestProposal,
  open: PullRequestInfo,
  foreign: readonly BranchCommit[],
  appLogin: string,
  rebuild?: string,
): Promise<ProposalOutcome> {
  const { octokit, target } = context;
  const notice = humanCommitsNotice(proposal, open, foreign, rebuild);
  if (notice) await sayOnce(octokit, target, open, notice, appLogin);
  return openPullRequestLeftAlone(open);
}

async function writeProposal(
  context: WriteContext,
  proposal: PullRequestProposal,
  log: Logger,
): Promise<ProposalOutcome> {
  const { octokit, target, state, services } = context;
  const appLogin = await services.appLogin();

  // 1. Decide what the PRs already listed settle, and verify the edits: neither costs a request. The
  //    app's PR that proposes this already is rebuilt when its base is stale (a read when it may conflict).
  const open = openPullRequestOf(proposal, context.pullRequests);
  const settled = openPullRequestOutcome(proposal, open, appLogin);
  const rebuild =
    settled?.action === "unchanged" && open ? await rebuildReason(context, open) : undefined;
  if (settled && rebuild === undefined) return settled;
  const [first, ...others] = membersOf(proposal);
  if (!first) return { action: "left-alone", reason: "the group's pull request moves nothing" };
  const verified = applyVerifiedEdits(
    state.files,
    state.config,
    state.inventory,
    proposal.edits,
    {
      dependencyId: first.dependency,
      environment: proposal.environment,
      targetVersion: first.to,
      withDependencies: others.map((m) => m.dependency),
    },
    state.scanCache,
  );
  if (!verified.ok) return { action: "left-alone", reason: `refused: ${verified.reason}` };

  // 2. Read whether the branch exists and whose its commits are: it is moved only when all are the app's.
  //    Without the check's listing, only the branch of the app's open PR is looked up; a new branch costs nothing.
  //    An open PR on the legacy branch name keeps its branch: it is updated, not opened again.
  const branch = open?.headRef ?? proposal.key;
  const exists =
    context.branches?.has(branch) ??
    (open !== undefined && (await readBranch(octokit, target, branch)) !== undefined);
  if (exists) {
    const foreign = await readForeignCommits(context, branch, appLogin);
    if (foreign.length > 0) {
      return open
        ? leaveOpenPullRequestAlone(context, proposal, open, foreign, appLogin, rebuild)
        : branchLeftAlone(proposal, foreign);
    }
  }

  // 3. Write the labels, the commit on the branch, and the PR.
  const labels = proposalLabels(proposal.environment, state.config);
  const fullName = `${target.owner}/${target.repo}`;
  const known = await services.knownLabels.read(fullName);
  const unknown = labels.filter((label) => !known.has(label.name));
  try {
    await ensureLabels(octokit, target, labels, known);
  } finally {
    // Also when a later label failed: those ensured before it need no request next time.
    await services.knownLabels.add(
      fullName,
      unknown.filter((label) => known.has(label.name)).map((label) => label.name),
    );
  }
  const modes = new Map(state.entries.map((e) => [e.path, e.mode]));
  const title = titleOf(proposal);
  const written = await writeCommit(octokit, target, {
    branch,
    baseCommitSha: state.headSha,
    baseTreeSha: state.treeSha,
    message: title,
    files: verified.files.map((f) => ({
      path: f.path,
      bytes: f.bytes,
      mode: (modes.get(f.path) ?? "100644") as BlobMode,
    })),
    // A branch that was not known to exist is checked before it moves.
    whenBranchExists: exists ? "move" : "keep",
    branchExists: exists,
  });
  if (written.branch === "exists") {
    const foreign = await readForeignCommits(context, branch, appLogin);
    if (foreign.length > 0) return branchLeftAlone(proposal, foreign);
    await moveBranch(octokit, target, branch, written.commitSha);
  }
  const bodyContext = {
    config: state.config,
    inventory: state.inventory,
    builtOn: { sha: state.headSha, at: new Date(services.now()).toISOString() },
  };
  const body = isGroupProposal(proposal)
    ? groupPullRequestBody(proposal, {
        ...bodyContext,
        releaseNotes: await memberNotes(context, proposal.members),
        heldBack: heldBackMembers(proposal, context.deferred ?? [], state.config),
      })
    : pullRequestBody(proposal, {
        ...bodyContext,
        releaseNotes: await notesFor(context, proposal),
      });
  const pullRequest = await upsertPullRequest(octokit, target, {
    ...(open ? { existing: open } : {}),
    head: branch,
    base: target.defaultBranch,
    title,
    body,
    labels: labels.map((l) => l.name),
    ownLogin: appLogin,
  });
  log.info(
    { pullRequest: pullRequest.number, action: pullRequest.action, rebuild },
    "proposal written",
  );
  return {
    action: pullRequest.action === "created" ? "created" : "updated",
    pullRequest: pullRequest.number,
    ...(rebuild ? { reason: `rebuilt on the default branch's head: ${rebuild}` } : {}),
  };
}

/** What {@link removeStrayBranches} did, and the branches under `promoter/` it left alone, with why. */
export interface StrayBranches {
  deleted: string[];
  warnings: { subject: string; message: string }[];
}

/**
 * Deletes the app's branches that no open PR and no current proposal needs (left by a write that failed
 * half-way, or by a PR that was closed or merged), so no branch stays without its PR past one check.
 * Only a branch of the app's form (`promoter/<environment>/<dependency>`) whose commits are all the
 * app's is deleted; any other branch under `promoter/` is left alone with a warning. Costs, per
 * unneeded branch of the app's form, one comparison, then for one whose commits are all the app's
 * one PR look-up and the deletion; nothing for a branch of another form.
 */
export async function removeStrayBranches(context: {
  octokit: Octokit;
  target: CheckTarget;
  services: Services;
  /** The default branch's head, which the branches' commits are compared against. */
  headSha: string;
  environments: readonly string[];
  /** The config's artifact names: their branches name an id of one component. */
  artifacts?: ReadonlySet<string>;
  /** The branches under `promoter/`, as listed before the proposals were written. */
  branches: Iterable<string>;
  proposals: readonly Pick<Proposal, "key">[];
  pullRequests: PullRequestInfo[];
  log: Logger;
}): Promise<StrayBranches> {
  const { octokit, target } = context;
  const needed = neededBranches(context.proposals, context.pullRequests);
  const result: StrayBranches = { deleted: [], warnings: [] };
  for (const branch of context.branches) {
    // 1. Decide from the listing alone: a needed branch, or one not of the app's form, costs nothing.
    const stray = strayBranchStatus(branch, needed, context.environments, context.artifacts);
    if (stray.status === "needed") continue;
    if (stray.status === "left-alone") {
      result.warnings.push({ subject: branch, message: stray.warning });
      continue;
    }
    try {
      // 2. Read its commits: a person's work on it is never deleted.
      const appLogin = await context.services.appLogin();
      const commits = await commitsOnBranch(octokit, target, context.headSha, branch);
      const foreign = foreignCommits(commits, appLogin);
      if (foreign.length > 0) {
        result.warnings.push({ subject: branch, message: foreignStrayBranchWarning(foreign) });
        continue;
      }
      // 3. Delete it; the PR listing only goes back so far, so first make sure no open PR uses it.
      if (await findOpenPullRequest(octokit, target, branch)) continue;
      await deleteBranch(octokit, target, branch);
      result.deleted.push(branch);
    } catch (error) {
      context.log.warn({ err: error, branch }, "a stray branch could not be cleaned up");
      result.warnings.push({
        subject: branch,
        message: `this stray branch could not be cleaned up: ${failureReason(error)}`,
      });
    }
  }
  if (result.deleted.length > 0)
    context.log.info({ branches: result.deleted }, "stray branches deleted");
  return result;
}
