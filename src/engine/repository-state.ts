/**
 * The repository as a job reads it: the default branch's tree (or one of its commits), its config and
 * the files a scan needs, and that state scanned. Shared by every job that reads a repository.
 */
import {
  DEFAULT_CONFIG_FILE,
  checkConfigAgainstFiles,
  createEnvironmentMatcher,
  formatProblem,
  parseConfig,
  type Config,
} from "../config/index.js";
import { readBlobs, readTree, readTreeAt, type TreeEntry } from "../github/read-repository.js";
import { readFromTarball } from "../github/read-tarball.js";
import type { Octokit, RepoRef } from "../github/repo-ref.js";
import { isIacFile, scan, type ScanCache } from "../iac/scanner.js";
import type { Inventory, SourceFile } from "../iac/types.js";
import type { Services } from "./services.js";

/** A repository to check, as the events and the scheduler know it. */
export interface CheckTarget extends RepoRef {
  defaultBranch: string;
}

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

/** The repository as a promotion needs it: its state on the default branch, scanned. */
export interface ScannedRepository extends RepositoryState {
  inventory: Inventory;
  scanCache: ScanCache;
}

/** Reads and scans the default branch (or one of its commits); undefined without a usable config. */
export async function readScannedRepository(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  commitSha?: string,
): Promise<ScannedRepository | undefined> {
  const state = await readRepositoryState(octokit, target, services, commitSha);
  if (!state || "problems" in state) return undefined;
  const scanCache = services.scanCache(`${target.owner}/${target.repo}`);
  const { inventory, conflicts } = scan(state.files, state.config, scanCache);
  if (conflicts.length > 0) return undefined;
  return { ...state, inventory, scanCache };
}
