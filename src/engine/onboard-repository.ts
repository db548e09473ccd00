import type { Logger } from "probot";
import { DEFAULT_CONFIG_FILE, formatProblem, parseConfig, type Config } from "../config/index.js";
import { moveBranch, readBranch } from "../github/branches.js";
import { commitsOnBranch, writeCommit } from "../github/commits.js";
import { errorStatus } from "../github/errors.js";
import { comment } from "../github/comments.js";
import {
  closePullRequest,
  listPullRequestsFrom,
  upsertPullRequest,
} from "../github/pull-requests.js";
import { readTreeAt, type RepositoryTree, type TreeEntry } from "../github/read-repository.js";
import type { Octokit } from "../github/repo-ref.js";
import { isIacFile, scan } from "../iac/scanner.js";
import { conflictProblems } from "../promotion/check-report.js";
import { inferConfig } from "../promotion/infer-config.js";
import type { PullRequestInfo } from "../promotion/github-facts.js";
import { ONBOARDING_BRANCH } from "../promotion/names.js";
import {
  ONBOARDING_COMMIT_MESSAGE,
  ONBOARDING_TITLE,
  onboardingBody,
  onboardingStep,
  supersededOnboarding,
  supersededOnboardingComment,
  type OnboardingPreview,
} from "../promotion/onboarding.js";
import { checkCommitPins } from "../promotion/commit-pins.js";
import { dependenciesToList, plan } from "../promotion/plan.js";
import { foreignCommits } from "../promotion/proposal-writing.js";
import { groupedProposals, membersOf } from "../promotion/groups.js";
import { withPullRequestLimits } from "../promotion/pull-request-limits.js";
import {
  openSnapshot,
  wantedEntries,
  type CheckTarget,
  type Snapshot,
} from "./repository-state.js";
import type { Services } from "./services.js";

/** What {@link onboardRepository} did. */
export type OnboardingResult =
  | { action: "opened" | "updated" | "unchanged"; pullRequest: number }
  | { action: "declined"; pullRequest: number }
  | { action: "left-alone"; pullRequest?: number; reason: string }
  | { action: "no-iac" }
  | { action: "no-access"; reason: string };

/** Terragrunt's value files that name an environment (`env.hcl`, `account.hcl`): inference reads them. */
const VALUE_FILE = /(^|\/)(env|account)\.hcl$/;

/**
 * The onboarding of a repository without `.github/promoter.yml` (`tree`, its default branch): opens the
 * `Configure Promoter` PR with an inferred config and a preview of what it will do, renders the preview
 * again when someone pushed to its branch, and leaves it closed when it was declined (unless `requested`).
 * A repository without Terraform/OpenTofu/Terragrunt files, or where the app may not write, gets nothing.
 */
export async function onboardRepository(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  tree: RepositoryTree,
  options: { requested?: boolean; installationId?: number } = {},
): Promise<OnboardingResult> {
  if (!tree.entries.some((e) => isIacFile(e.path))) return { action: "no-iac" };
  // 1. Read the app's PRs from the onboarding branch (and whether the branch is there, when that decides).
  const appLogin = await services.appLogin();
  const facts = {
    pullRequests: await listPullRequestsFrom(octokit, target, ONBOARDING_BRANCH),
    appLogin,
    requested: options.requested ?? false,
  };
  let step = onboardingStep(facts);
  if (step.kind === "read-branch") {
    const branchExists = (await readBranch(octokit, target, ONBOARDING_BRANCH)) !== undefined;
    step = onboardingStep({ ...facts, branchExists });
  }
  switch (step.kind) {
    case "up-to-date":
      return { action: "unchanged", pullRequest: step.pullRequest.number };
    case "declined":
      log.info({ pullRequest: step.pullRequest.number }, "onboarding declined: not opened again");
      return { action: "declined", pullRequest: step.pullRequest.number };
    case "left-alone":
      return {
        action: "left-alone",
        pullRequest: step.pullRequest.number,
        reason: `#${step.pullRequest.number} from ${ONBOARDING_BRANCH} is not Promoter's`,
      };
  }
  try {
    if (step.kind === "refresh") {
      // 2. A push to the branch: preview the config as it is there, on the branch's files.
      const { pullRequest } = step;
      const headTree = await readTreeAt(octokit, target, pullRequest.headSha);
      const snapshot = await openRepository(octokit, target, services, headTree);
      const preview = await previewOf(
        octokit,
        target,
        services,
        log,
        snapshot,
        undefined,
        options.installationId,
      );
      await upsertPullRequest(octokit, target, {
        existing: pullRequest,
        head: ONBOARDING_BRANCH,
        base: target.defaultBranch,
        title: pullRequest.title,
        body: onboardingBody({ ...preview, commitSha: pullRequest.headSha }),
        labels: [],
        ownLogin: appLogin,
      });
      log.info({ pullRequest: pullRequest.number }, "onboarding preview rendered again");
      return { action: "updated", pullRequest: pullRequest.number };
    }
    // 2. Infer the config and preview it on the default branch's files.
    const snapshot = await openRepository(octokit, target, services, tree);
    const inferred = await inferredConfig(snapshot);
    const preview = await previewOf(
      octokit,
      target,
      services,
      log,
      snapshot,
      inferred,
      options.installationId,
    );
    // 3. Write the commit and its PR; the branch only moves when everything on it is the app's.
    const written = await writeCommit(octokit, target, {
      branch: ONBOARDING_BRANCH,
      baseCommitSha: tree.headSha,
      baseTreeSha: tree.treeSha,
      message: ONBOARDING_COMMIT_MESSAGE,
      files: [{ path: DEFAULT_CONFIG_FILE, bytes: Buffer.from(inferred.text), mode: "100644" }],
      whenBranchExists: "keep",
    });
    if (written.branch === "exists") {
      const commits = await commitsOnBranch(octokit, target, tree.headSha, ONBOARDING_BRANCH);
      if (foreignCommits(commits, appLogin).length > 0) {
        return {
          action: "left-alone",
          reason: `the branch ${ONBOARDING_BRANCH} has commits that are not Promoter's`,
        };
      }
      await moveBranch(octokit, target, ONBOARDING_BRANCH, written.commitSha);
    }
    const upserted = await upsertPullRequest(octokit, target, {
      head: ONBOARDING_BRANCH,
      base: target.defaultBranch,
      title: ONBOARDING_TITLE,
      body: onboardingBody({ ...preview, commitSha: written.commitSha }),
      labels: [],
      ownLogin: appLogin,
    });
    log.info(
      { pullRequest: upserted.number, environments: inferred.config.environments.length },
      "onboarding pull request opened",
    );
    return {
      action: upserted.action === "created" ? "opened" : "updated",
      pullRequest: upserted.number,
    };
  } catch (error) {
    const status = errorStatus(error);
    // Without write access the app can do nothing here: say so once in the log, never retry in a loop.
    if (status === 403 || status === 404) {
      log.info({ status }, "onboarding skipped: the app may not write to this repository");
      return { action: "no-access", reason: `GitHub answered ${status} to a write` };
    }
    throw error;
  }
}

/**
 * Closes the app's open onboarding PR once the default branch has a config of its own (added by hand):
 * a comment saying why, then the close. 2 requests; none when there is no such PR.
 */
export async function closeSupersededOnboarding(
  octokit: Octokit,
  target: CheckTarget,
  pullRequests: readonly PullRequestInfo[],
  appLogin: string,
  log: Logger,
): Promise<void> {
  const superseded = supersededOnboarding(pullRequests, appLogin);
  if (!superseded) return;
  await comment(
    octokit,
    target,
    superseded.number,
    supersededOnboardingComment(target.defaultBranch),
  );
  await closePullRequest(octokit, target, superseded.number);
  log.info({ pullRequest: superseded.number }, "onboarding pull request closed: a config exists");
}

/**
 * `tree` opened for everything onboarding reads (its IaC files and the config): one tarball when many
 * are not held yet, so inferring and previewing read nothing more.
 */
function openRepository(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  tree: RepositoryTree,
): Promise<Snapshot> {
  const needed = tree.entries.filter(
    (e) => e.mode !== "120000" && (isIacFile(e.path) || e.path === DEFAULT_CONFIG_FILE),
  );
  return openSnapshot(octokit, target, services.blobs, tree, needed);
}

/** The inferred config: from every path of the tree and the environment names in `env.hcl`/`account.hcl`. */
async function inferredConfig(
  snapshot: Snapshot,
): Promise<ReturnType<typeof inferConfig> & { config: Config }> {
  const valueFiles = snapshot.entries.filter((e) => e.mode !== "120000" && VALUE_FILE.test(e.path));
  const texts = new Map(
    (await snapshot.read(valueFiles)).map((file) => [file.path, file.content] as const),
  );
  const inferred = inferConfig(
    snapshot.entries.map((e) => e.path),
    texts,
  );
  const parsed = parseConfig(inferred.text, DEFAULT_CONFIG_FILE);
  // inferConfig checks its own text loads; this only narrows the type.
  if (!parsed.ok) throw new Error("the inferred config does not load");
  return { ...inferred, config: parsed.config };
}

/**
 * What the config (`inferred`, or the one in `tree` when a person edited it) would do on `tree`'s files:
 * the scan, the versions available and the first check's plan.
 */
async function previewOf(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  snapshot: Snapshot,
  inferred: (ReturnType<typeof inferConfig> & { config: Config }) | undefined,
  /** Shares the tag listings with the installation's other repositories (see Services.listVersions). */
  installationId: number | undefined,
): Promise<Omit<OnboardingPreview, "commitSha">> {
  const iacFiles = snapshot.entries.filter((e) => isIacFile(e.path)).length;
  let config: Config;
  let summary: Pick<OnboardingPreview, "inferred" | "singleEnvironment" | "omittedFolders">;
  if (inferred) {
    config = inferred.config;
    summary = {
      inferred: true,
      singleEnvironment: inferred.singleEnvironment,
      omittedFolders: inferred.omittedFolders,
    };
  } else {
    const entry: TreeEntry | undefined = snapshot.entries.find(
      (e) => e.path === DEFAULT_CONFIG_FILE,
    );
    const [file] = entry ? await snapshot.read([entry]) : [];
    const parsed = parseConfig(file?.content ?? "", DEFAULT_CONFIG_FILE);
    if (!parsed.ok) {
      return {
        inferred: false,
        iacFiles,
        singleEnvironment: false,
        omittedFolders: 0,
        problems: entry
          ? parsed.errors.map(formatProblem)
          : [`${DEFAULT_CONFIG_FILE} is not on the branch any more`],
        environments: [],
        proposals: [],
        deferred: [],
        warnings: [],
      };
    }
    config = parsed.config;
    summary = {
      inferred: false,
      singleEnvironment: config.environments.length < 2,
      omittedFolders: 0,
    };
  }
  const files = await snapshot.read(wantedEntries(snapshot.entries, config));
  const { inventory, conflicts } = scan(
    files,
    config,
    services.scanCache(`${target.owner}/${target.repo}`),
  );
  const versions = await services.listVersions(
    octokit,
    installationId,
    dependenciesToList(inventory, config),
    config.updates.registry,
    log,
  );
  const planned = plan(
    checkCommitPins(inventory, versions.commits).inventory,
    versions.versions,
    config,
    [],
  );
  const decided = withPullRequestLimits(
    { proposals: groupedProposals(planned.proposals, config), deferred: planned.deferred },
    [],
    config.updates,
  );
  return {
    ...summary,
    iacFiles,
    environments: config.environments.map((e) => ({
      name: e.name,
      paths: e.paths,
      promotion: e.promotion === "manual" ? "manual" : "auto",
    })),
    inventory,
    proposals: decided.proposals.flatMap(membersOf),
    deferred: decided.deferred,
    warnings: [
      ...conflictProblems(conflicts).map((message) => ({ subject: DEFAULT_CONFIG_FILE, message })),
      ...versions.warnings.map((w) => ({ subject: w.dependency, message: w.message })),
    ],
  };
}
