import type { Logger } from "probot";
import { comment } from "../github/comments.js";
import { ensureLabels } from "../github/labels.js";
import {
  findOpenPullRequest,
  upsertPullRequest,
  type PullRequestInfo,
} from "../github/pull-requests.js";
import type { TreeEntry } from "../github/read-repository.js";
import { failureReason } from "../github/errors.js";
import type { BlobMode, Octokit } from "../github/repo-ref.js";
import { deleteBranch, moveBranch, readBranch } from "../github/branches.js";
import { commitsOnBranch, writeCommit, type BranchCommit } from "../github/commits.js";
import { applyVerifiedEdits } from "../iac/edits.js";
import type { ScanCache } from "../iac/scanner.js";
import type { Inventory, SourceFile } from "../iac/types.js";
import { isAppCommit, isPromotionBranchName } from "../promotion/branches.js";
import { PROMOTER_LABEL_PREFIX } from "../promotion/names.js";
import type { WriteOutcome } from "../promotion/check-report.js";
import { code } from "../promotion/markdown.js";
import { proposalKey, type Proposal, type PromotionPullRequest } from "../promotion/plan.js";
import {
  HOLD_LABEL,
  environmentLabel,
  parseMetadata,
  pullRequestBody,
  pullRequestTitle,
  withMetadata,
} from "../promotion/pull-request-content.js";
import { releaseNotes } from "../versions/release-notes.js";
import { gitApiBaseUrl, gitHtmlBaseUrl } from "../versions/source-hosts.js";
import type { Config } from "../config/index.js";
import type { CheckTarget } from "./check-repository.js";
import type { Services } from "./services.js";

/** The colour of the environment labels the app creates. */
const LABEL_COLOR = "5319e7";

/**
 * Whether a PR is one of the app's own: opened by its bot from a branch of the repository itself. Its
 * metadata is the only one worth reading; anyone can write a metadata comment into another PR's body.
 */
export function isAppPullRequest(pr: PullRequestInfo, appLogin: string): boolean {
  return pr.author === appLogin && !pr.fromFork;
}

/**
 * The app's PRs as the planner needs them (declined versions, holds): only the app's own, and only
 * when their metadata names their branch.
 */
export function existingPromotions(
  pullRequests: readonly PullRequestInfo[],
  appLogin: string,
): PromotionPullRequest[] {
  const promotions: PromotionPullRequest[] = [];
  for (const pr of pullRequests) {
    if (!isAppPullRequest(pr, appLogin)) continue;
    const metadata = parseMetadata(pr.body);
    if (!metadata || pr.headRef !== proposalKey(metadata.env, metadata.dependency)) continue;
    promotions.push({
      environment: metadata.env,
      dependency: metadata.dependency,
      to: metadata.to,
      state: pr.state === "open" ? "open" : pr.merged ? "merged" : "closed",
      number: pr.number,
      hold: pr.labels.includes(HOLD_LABEL),
    });
  }
  return promotions;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

interface WriteContext {
  octokit: Octokit;
  target: CheckTarget;
  services: Services;
  log: Logger;
  state: {
    headSha: string;
    treeSha: string;
    entries: TreeEntry[];
    config: Config;
    files: SourceFile[];
    inventory: Inventory;
    scanCache: ScanCache;
  };
  proposals: Proposal[];
  pullRequests: PullRequestInfo[];
  /** The branches under `promoter/` as the check listed them before writing; unknown when absent. */
  branches?: ReadonlySet<string>;
}

/** The release notes between the versions of a git dependency; empty for registry modules or on any error. */
async function notesFor(context: WriteContext, proposal: Proposal): Promise<string> {
  const { inventory } = context.state;
  const dependency = inventory.environments
    .flatMap((e) => e.dependencies)
    .find((d) => d.id === proposal.dependency);
  const from = proposal.from[0];
  if (dependency?.origin.type !== "git" || from === undefined) return "";
  const { host, owner, repo } = dependency.origin;
  const apiBaseUrl = gitApiBaseUrl(host, context.services.sourceHosts, context.services.appBaseUrl);
  const client = context.services.clientFor(context.octokit)(apiBaseUrl);
  return releaseNotes(
    client,
    { owner, repo, htmlBaseUrl: gitHtmlBaseUrl(host) },
    from,
    proposal.to,
    {
      log: context.log,
    },
  );
}

/**
 * Writes each proposal as one commit on its branch and one PR, skipping writes that would change
 * nothing. A failure is reported for that proposal and the others still go ahead; the next check
 * repairs it (the branch name is the key, so nothing is ever created twice).
 */
export async function writeProposals(context: WriteContext): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  for (const proposal of context.proposals) {
    const base = {
      key: proposal.key,
      environment: proposal.environment,
      dependency: proposal.dependency,
      to: proposal.to,
    };
    const log = context.log.child({
      environment: proposal.environment,
      dependency: proposal.dependency,
    });
    try {
      outcomes.push({ ...base, ...(await writeProposal(context, proposal, log)) });
    } catch (error) {
      log.warn({ err: error }, "writing the proposal failed");
      outcomes.push({ ...base, action: "failed", reason: failureReason(error) });
    }
  }
  return outcomes;
}

/** The commits of `branch` (those not on the default branch's head) that are not the app's own. */
async function foreignCommits(
  context: WriteContext,
  branch: string,
  appLogin: string,
): Promise<BranchCommit[]> {
  const { octokit, target, state } = context;
  const commits = await commitsOnBranch(octokit, target, state.headSha, branch);
  return commits.filter((c) => !isAppCommit(c, appLogin));
}

const shortShas = (commits: readonly BranchCommit[]) =>
  commits.map((c) => c.sha.slice(0, 7)).join(", ");

/**
 * When a person pushed to an open promotion PR's branch, the app does not force-push over their work: it
 * says so once in a comment (remembered in the PR's metadata) and leaves the PR alone.
 */
async function leaveOpenPullRequestAlone(
  context: WriteContext,
  proposal: Proposal,
  open: PullRequestInfo,
  foreign: readonly BranchCommit[],
  appLogin: string,
): Promise<Pick<WriteOutcome, "action" | "pullRequest" | "reason">> {
  const { octokit, target } = context;
  const metadata = parseMetadata(open.body);
  if (metadata && !metadata.humanCommits) {
    await comment(
      octokit,
      target,
      open.number,
      `Promoter did not update this branch to ${code(proposal.to)}: it has commits that are not Promoter's (${shortShas(foreign)}). Close this pull request, or delete the branch, for Promoter to open it again.`,
    );
    await upsertPullRequest(octokit, target, {
      existing: open,
      head: proposal.key,
      base: target.defaultBranch,
      title: open.title,
      body: withMetadata(open.body, { ...metadata, humanCommits: true }),
      labels: [],
      ownLogin: appLogin,
    });
  }
  return {
    action: "left-alone",
    pullRequest: open.number,
    reason: "a person pushed to the branch",
  };
}

/** An existing branch with a proposal's name, no open PR of the app, and commits of someone else. */
function leaveBranchAlone(
  proposal: Proposal,
  foreign: readonly BranchCommit[],
): Pick<WriteOutcome, "action" | "reason"> {
  return {
    action: "left-alone",
    reason: `the branch \`${proposal.key}\` exists with commits that are not Promoter's (${shortShas(foreign)}); Promoter does not overwrite it`,
  };
}

async function writeProposal(
  context: WriteContext,
  proposal: Proposal,
  log: Logger,
): Promise<Pick<WriteOutcome, "action" | "pullRequest" | "reason">> {
  const { octokit, target, state, services } = context;
  const appLogin = await services.appLogin();

  // A fork's branch of the same name is not this branch.
  const open = context.pullRequests.find(
    (pr) => pr.state === "open" && !pr.fromFork && pr.headRef === proposal.key,
  );
  if (open && open.author !== appLogin) {
    return {
      action: "left-alone",
      pullRequest: open.number,
      reason: `the open pull request from its branch is ${open.author}'s, not Promoter's; Promoter leaves it alone`,
    };
  }
  const metadata = parseMetadata(open?.body);
  if (open && metadata && metadata.to === proposal.to && sameList(metadata.from, proposal.from)) {
    return { action: "unchanged", pullRequest: open.number };
  }

  const verified = applyVerifiedEdits(
    state.files,
    state.config,
    state.inventory,
    proposal.edits,
    {
      dependencyId: proposal.dependency,
      environment: proposal.environment,
      targetVersion: proposal.to,
    },
    state.scanCache,
  );
  if (!verified.ok) return { action: "left-alone", reason: `refused: ${verified.reason}` };

  // A branch that exists is moved only once its commits are known to be all the app's. Without the
  // check's listing, only the branch of the app's open PR is looked up; a new branch costs nothing.
  const exists =
    context.branches?.has(proposal.key) ??
    (open !== undefined && (await readBranch(octokit, target, proposal.key)) !== undefined);
  if (exists) {
    const foreign = await foreignCommits(context, proposal.key, appLogin);
    if (foreign.length > 0) {
      return open
        ? leaveOpenPullRequestAlone(context, proposal, open, foreign, appLogin)
        : leaveBranchAlone(proposal, foreign);
    }
  }

  const labels = [environmentLabel(proposal.environment), ...state.config.labels];
  await ensureLabels(
    octokit,
    target,
    labels.map((name) => ({
      name,
      color: LABEL_COLOR,
      description: name.startsWith(PROMOTER_LABEL_PREFIX)
        ? `Promoter: promotions to ${proposal.environment}`
        : "",
    })),
    services.labels(`${target.owner}/${target.repo}`),
  );
  const modes = new Map(state.entries.map((e) => [e.path, e.mode]));
  const title = pullRequestTitle(proposal);
  const written = await writeCommit(octokit, target, {
    branch: proposal.key,
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
  });
  if (written.branch === "exists") {
    const foreign = await foreignCommits(context, proposal.key, appLogin);
    if (foreign.length > 0) return leaveBranchAlone(proposal, foreign);
    await moveBranch(octokit, target, proposal.key, written.commitSha);
  }
  const notes = await notesFor(context, proposal);
  const body = pullRequestBody(proposal, {
    config: state.config,
    inventory: state.inventory,
    releaseNotes: notes,
  });
  const pullRequest = await upsertPullRequest(octokit, target, {
    ...(open ? { existing: open } : {}),
    head: proposal.key,
    base: target.defaultBranch,
    title,
    body,
    labels,
    ownLogin: appLogin,
  });
  log.info({ pullRequest: pullRequest.number, action: pullRequest.action }, "proposal written");
  return {
    action: pullRequest.action === "created" ? "created" : "updated",
    pullRequest: pullRequest.number,
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
  /** The branches under `promoter/`, as listed before the proposals were written. */
  branches: Iterable<string>;
  proposals: Proposal[];
  pullRequests: PullRequestInfo[];
  log: Logger;
}): Promise<StrayBranches> {
  const { octokit, target } = context;
  const needed = new Set([
    ...context.proposals.map((p) => p.key),
    ...context.pullRequests
      .filter((pr) => pr.state === "open" && !pr.fromFork)
      .map((pr) => pr.headRef),
  ]);
  const result: StrayBranches = { deleted: [], warnings: [] };
  const leaveAlone = (branch: string, why: string) =>
    result.warnings.push({ subject: branch, message: `${why}: Promoter leaves it alone` });
  for (const branch of context.branches) {
    if (needed.has(branch)) continue;
    if (!isPromotionBranchName(branch, context.environments)) {
      leaveAlone(
        branch,
        "this branch is not one Promoter creates (`promoter/<environment>/<dependency>`)",
      );
      continue;
    }
    try {
      const appLogin = await context.services.appLogin();
      const commits = await commitsOnBranch(octokit, target, context.headSha, branch);
      const foreign = commits.filter((c) => !isAppCommit(c, appLogin));
      if (foreign.length > 0) {
        leaveAlone(
          branch,
          `this branch has commits that are not Promoter's (${shortShas(foreign)})`,
        );
        continue;
      }
      // The PR listing only goes back so far: make sure no open PR uses the branch before deleting it.
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
