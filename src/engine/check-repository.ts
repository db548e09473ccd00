import type { Logger } from "probot";
import {
  DEFAULT_CONFIG_FILE,
  checkConfigAgainstFiles,
  createEnvironmentMatcher,
  formatProblem,
  parseConfig,
  type Config,
} from "../config/index.js";
import { writeCheckRun } from "../github/check-runs.js";
import { readBlobs, readTree, readTreeAt, type TreeEntry } from "../github/read-repository.js";
import { readFromTarball } from "../github/read-tarball.js";
import type { Octokit, RepoRef } from "../github/repo-ref.js";
import { isIacFile, scan } from "../iac/scanner.js";
import type { Inventory, SourceFile } from "../iac/types.js";
import { checkReport, invalidConfigReport, type CheckReport } from "../promotion/check-report.js";
import { dependenciesToList, plan, type Plan } from "../promotion/plan.js";
import type { Services } from "./services.js";
import { existingPromotions, removeStrayBranches, writeProposals } from "./write-proposals.js";
import { listPromoterPullRequests } from "../github/pull-requests.js";
import { PROMOTER_BRANCH_PREFIX } from "../promotion/names.js";
import { listBranches } from "../github/branches.js";

/** A repository to check, as the events and the scheduler know it. */
export interface CheckTarget extends RepoRef {
  defaultBranch: string;
}

/** What a check did. */
export type CheckResult =
  | { status: "no-config" }
  | { status: "invalid-config"; problems: string[] }
  | { status: "checked"; report: CheckReport; plan: Plan };

/** The repository as of the default branch's head: its tree and the files the scan needs. */
export interface RepositoryState {
  headSha: string;
  treeSha: string;
  entries: TreeEntry[];
  config: Config;
  configWarnings: string[];
  files: SourceFile[];
}

/**
 * The files a scan needs: Terraform/OpenTofu/Terragrunt files of the environments, and every .hcl file,
 * since units read those from outside the environments too (root.hcl, _envcommon/*.hcl). Symlinks are not files.
 */
export function wantedEntries(entries: readonly TreeEntry[], config: Config): TreeEntry[] {
  const inEnvironment = createEnvironmentMatcher(config);
  return entries.filter(
    (e) =>
      e.mode !== "120000" &&
      isIacFile(e.path) &&
      (e.path.endsWith(".hcl") || inEnvironment(e.path).length > 0),
  );
}

/**
 * Reads the tree of the default branch (or of a commit of it) and its config. Returns the problems of an invalid config,
 * or nothing when there is no config file (the repository does not use Promoter).
 */
export async function readRepositoryState(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  commitSha?: string,
): Promise<RepositoryState | { problems: string[]; headSha: string } | undefined> {
  const tree = commitSha
    ? await readTreeAt(octokit, target, commitSha)
    : await readTree(octokit, target, target.defaultBranch);
  let entries = tree.entries;
  let tarball: SourceFile[] | undefined;
  if (tree.truncated) {
    const read = await readFromTarball(
      octokit,
      target,
      tree.headSha,
      (path) => isIacFile(path) || path === DEFAULT_CONFIG_FILE,
    );
    entries = read.entries;
    tarball = read.files;
  }
  const configEntry = entries.find((e) => e.path === DEFAULT_CONFIG_FILE);
  if (!configEntry) return undefined;
  const fetch = async (wanted: TreeEntry[]): Promise<SourceFile[]> => {
    if (tarball) {
      const paths = new Set(wanted.map((e) => e.path));
      return tarball.filter((f) => paths.has(f.path));
    }
    return (await readBlobs(octokit, target, wanted, services.blobs)).files;
  };
  const [configFile] = await fetch([configEntry]);
  const parsed = parseConfig(configFile?.content ?? "", DEFAULT_CONFIG_FILE);
  if (!parsed.ok) return { problems: parsed.errors.map(formatProblem), headSha: tree.headSha };
  const { config } = parsed;
  const wanted = wantedEntries(entries, config);
  const files = await fetch(wanted);
  const configWarnings = [
    ...parsed.warnings,
    ...checkConfigAgainstFiles(
      config,
      entries.map((e) => e.path),
      parsed.source,
    ),
  ].map(formatProblem);
  return { headSha: tree.headSha, treeSha: tree.treeSha, entries, config, configWarnings, files };
}

/**
 * The module repositories an inventory's environments use, as `owner/repo` (lower-case). Hosts are left
 * out: a source's host may be mapped to the app's own GitHub (PROMOTER_SOURCE_HOSTS), where its releases happen.
 */
export function modulesOf(inventory: Inventory): Set<string> {
  const modules = new Set<string>();
  for (const env of inventory.environments) {
    for (const d of env.dependencies) {
      if (d.origin.type === "git") modules.add(`${d.origin.owner}/${d.origin.repo}`.toLowerCase());
    }
  }
  return modules;
}

/**
 * Checks one repository: reads its default branch, scans it, resolves versions, plans, writes one
 * commit and one PR per proposal, and reports everything in the `promoter` check run.
 */
export async function checkRepository(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
): Promise<CheckResult> {
  const fullName = `${target.owner}/${target.repo}`;
  const state = await readRepositoryState(octokit, target, services);
  if (!state) {
    log.debug("no config file: nothing to do");
    return { status: "no-config" };
  }
  if ("problems" in state) {
    const report = invalidConfigReport(state.problems);
    await writeCheckRun(octokit, target, { headSha: state.headSha, ...report });
    log.info({ problems: state.problems.length }, "invalid config");
    return { status: "invalid-config", problems: state.problems };
  }
  const { config } = state;
  const scanCache = services.scanCache(fullName);
  const { inventory, conflicts } = scan(state.files, config, scanCache);
  services.repositories.set(fullName, {
    checkedAt: Date.now(),
    schedule: config.updates.schedule,
    modules: modulesOf(inventory),
  });
  if (conflicts.length > 0) {
    const problems = conflicts.map(
      (c) => `${DEFAULT_CONFIG_FILE}: ${c.file} is in environments ${c.environments.join(" and ")}`,
    );
    await writeCheckRun(octokit, target, {
      headSha: state.headSha,
      ...invalidConfigReport(problems),
    });
    return { status: "invalid-config", problems };
  }

  const versions = await services.listVersions(
    octokit,
    dependenciesToList(inventory, config),
    config.updates.registry,
    log,
  );
  const pullRequests = await listPromoterPullRequests(octokit, target, {});
  const decided = plan(
    inventory,
    versions.versions,
    config,
    existingPromotions(pullRequests, await services.appLogin()),
  );
  // Listed before writing: which proposals' branches exist already is then known without a request.
  const listed = await listBranches(octokit, target, PROMOTER_BRANCH_PREFIX);
  const outcomes = await writeProposals({
    octokit,
    target,
    services,
    log,
    state: { ...state, inventory, scanCache },
    proposals: decided.proposals,
    pullRequests,
    branches: new Set(listed),
  });
  const branches = await removeStrayBranches({
    octokit,
    target,
    services,
    headSha: state.headSha,
    environments: config.environments.map((e) => e.name),
    branches: listed,
    proposals: decided.proposals,
    pullRequests,
    log,
  });
  const report = checkReport({
    inventory,
    outcomes,
    deferred: decided.deferred,
    warnings: [
      ...versions.warnings.map((w) => ({ subject: w.dependency, message: w.message })),
      ...state.configWarnings.map((message) => ({ subject: DEFAULT_CONFIG_FILE, message })),
      ...branches.warnings,
    ],
  });
  await writeCheckRun(octokit, target, { headSha: state.headSha, ...report });
  log.info(
    { proposals: decided.proposals.length, outcomes: outcomes.map((o) => `${o.key}:${o.action}`) },
    report.title,
  );
  return { status: "checked", report, plan: decided };
}
