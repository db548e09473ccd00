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
import type { BlobStore } from "../github/blob-cache.js";
import { countCacheLookup } from "../metrics.js";
import {
  readBlobs,
  readTree,
  readTreeAt,
  type RepositoryTree,
  type TreeEntry,
} from "../github/read-repository.js";
import { readFromTarball } from "../github/read-tarball.js";
import type { Octokit, RepoRef } from "../github/repo-ref.js";
import { artifactFileMatcher } from "../iac/artifact-usage.js";
import { isIacFile, scan, type ScanCache } from "../iac/scanner.js";
import { snapshotRead } from "../iac/snapshot-read.js";
import type { Inventory, SourceFile } from "../iac/types.js";
import type { Services } from "./services.js";

/** A repository to check, as the events and the scheduler know it. */
export interface CheckTarget extends RepoRef {
  defaultBranch: string;
  /** GitHub's id of the repository, when the job knew it. */
  repositoryId?: number;
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
 * since units read those from outside the environments too (root.hcl, _envcommon/*.hcl), and the
 * environments' files that may hold an artifact's version. Symlinks are not files.
 */
export function wantedEntries(entries: readonly TreeEntry[], config: Config): TreeEntry[] {
  const inEnvironment = createEnvironmentMatcher(config);
  const mayHoldArtifact = artifactFileMatcher(config);
  return entries.filter(
    (e) =>
      e.mode !== "120000" &&
      ((isIacFile(e.path) && (e.path.endsWith(".hcl") || inEnvironment(e.path).length > 0)) ||
        (mayHoldArtifact(e.path) && inEnvironment(e.path).length > 0)),
  );
}

/** A file a check may read before its config says which: every IaC file, and the config. */
function mayBeWanted(path: string): boolean {
  return isIacFile(path) || path === DEFAULT_CONFIG_FILE;
}

/** A snapshot's files as a job reads them: its entries, and the bytes of those it asks for. */
export interface Snapshot {
  /** Every file of the snapshot (from the tarball when GitHub truncated the tree). */
  entries: TreeEntry[];
  /** The files of `wanted`, from what is already held, else one blob request each. */
  read(wanted: readonly TreeEntry[]): Promise<SourceFile[]>;
}

/**
 * Opens `tree` for reading `needed` (its entries, or those it will most likely need): the blobs the
 * store already holds are taken from it; when more are missing than a few blob requests should fetch
 * (or GitHub truncated the tree), one tarball download brings every IaC file, and those go to the
 * store. A file the tarball holds with other bytes than the tree says (git attributes) is read by blob.
 */
export async function openSnapshot(
  octokit: Octokit,
  target: RepoRef,
  store: BlobStore,
  tree: RepositoryTree,
  needed: readonly TreeEntry[],
): Promise<Snapshot> {
  const held = await store.getMany([...new Set(needed.map((e) => e.sha))]);
  const uncached = new Set(needed.filter((e) => !held.has(e.sha)).map((e) => e.sha)).size;
  countCacheLookup("blob", true, held.size);
  countCacheLookup("blob", false, uncached);
  let entries = tree.entries;
  if (snapshotRead({ truncated: tree.truncated, uncached }) === "tarball") {
    const read = await readFromTarball(octokit, target, tree.headSha, mayBeWanted);
    if (tree.truncated) entries = read.entries;
    const inTree = new Set(entries.map((e) => e.sha));
    const fresh = new Map<string, Buffer>();
    for (const file of read.files) {
      if (!inTree.has(file.hash) || held.has(file.hash)) continue;
      held.set(file.hash, file.bytes);
      fresh.set(file.hash, file.bytes);
    }
    await store.setMany(fresh);
  }
  const layered: BlobStore = {
    async getMany(shas) {
      const found = new Map<string, Buffer>();
      const rest: string[] = [];
      for (const sha of shas) {
        const bytes = held.get(sha);
        if (bytes === undefined) rest.push(sha);
        else found.set(sha, bytes);
      }
      if (rest.length > 0)
        for (const [sha, bytes] of await store.getMany(rest)) found.set(sha, bytes);
      return found;
    },
    setMany: (blobs) => store.setMany(blobs),
  };
  return {
    entries,
    read: async (wanted) => (await readBlobs(octokit, target, wanted, layered)).files,
  };
}

/** A repository without `.github/promoter.yml`: its tree (every file), which onboarding reads. */
export interface UnconfiguredRepository {
  unconfigured: RepositoryTree;
}

/**
 * Reads the tree of the default branch (or of a commit of it) and its config. Returns the problems of an invalid config,
 * or the tree alone when there is no config file (the repository does not use Promoter yet).
 */
export async function readRepositoryState(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  commitSha?: string,
): Promise<RepositoryState | { problems: string[]; headSha: string } | UnconfiguredRepository> {
  const tree = commitSha
    ? await readTreeAt(octokit, target, commitSha)
    : await readTree(octokit, target, target.defaultBranch);
  const treeConfig = tree.entries.find((e) => e.path === DEFAULT_CONFIG_FILE);
  if (!treeConfig && !tree.truncated) return { unconfigured: tree };
  // With the config already held, exactly the files it wants are needed; else any IaC file may be.
  const [heldConfig] = treeConfig ? (await services.blobs.getMany([treeConfig.sha])).values() : [];
  const known = heldConfig
    ? parseConfig(heldConfig.toString("utf8"), DEFAULT_CONFIG_FILE)
    : undefined;
  const needed = known?.ok
    ? wantedEntries(tree.entries, known.config)
    : tree.entries.filter((e) => e.mode !== "120000" && mayBeWanted(e.path));
  const snapshot = await openSnapshot(octokit, target, services.blobs, tree, needed);
  const { entries } = snapshot;
  const configEntry = entries.find((e) => e.path === DEFAULT_CONFIG_FILE);
  if (!configEntry) return { unconfigured: { ...tree, entries, truncated: false } };
  const parsed =
    known && configEntry.sha === treeConfig?.sha
      ? known
      : parseConfig((await snapshot.read([configEntry]))[0]?.content ?? "", DEFAULT_CONFIG_FILE);
  if (!parsed.ok) return { problems: parsed.errors.map(formatProblem), headSha: tree.headSha };
  const { config } = parsed;
  const files = await snapshot.read(wantedEntries(entries, config));
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

/** Why a repository cannot be promoted in: it has no config yet, or one that cannot be used. */
export type UnusableRepository =
  { unusable: "no-config"; tree: RepositoryTree } | { unusable: "invalid-config" };

/** Reads and scans the default branch (or one of its commits), or says why there is nothing to use. */
export async function readScannedRepository(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  commitSha?: string,
): Promise<ScannedRepository | UnusableRepository> {
  const state = await readRepositoryState(octokit, target, services, commitSha);
  if ("unconfigured" in state) return { unusable: "no-config", tree: state.unconfigured };
  if ("problems" in state) return { unusable: "invalid-config" };
  const scanCache = services.scanCache(`${target.owner}/${target.repo}`);
  const { inventory, conflicts } = scan(state.files, state.config, scanCache);
  if (conflicts.length > 0) return { unusable: "invalid-config" };
  return { ...state, inventory, scanCache };
}
