/**
 * Commits through the git database API: one commit on top of a known base, pointed to by a branch that
 * is created or moved (nothing is visible on the branch until its ref moves, the last step, so a
 * failure never leaves a half-written branch), and the commits a branch holds.
 */
import { isUtf8 } from "node:buffer";
import { moveBranch } from "./branches.js";
import { isUnprocessable } from "./errors.js";
import type { BlobMode, Octokit, RepoRef } from "./repo-ref.js";

/** One file of a commit: its full new bytes. */
export interface CommitFile {
  path: string;
  bytes: Buffer;
  mode: BlobMode;
}

/** The commit {@link writeCommit} writes. */
export interface CommitSpec {
  /** The branch to create or move (without `refs/heads/`). */
  branch: string;
  /** The parent commit. */
  baseCommitSha: string;
  /** The parent's tree, which the changed files are laid over. */
  baseTreeSha: string;
  message: string;
  files: readonly CommitFile[];
  /**
   * What to do when `branch` exists already: `move` it to the new commit (it is known to be the app's:
   * its old commits are replaced), or `keep` it as it is and leave the decision to the caller.
   */
  whenBranchExists: "move" | "keep";
  /** The caller knows `branch` exists (and is the app's): it is moved at once, without trying to create it. */
  branchExists?: boolean;
}

/** What {@link writeCommit} did with the branch. */
export interface CommitWritten {
  commitSha: string;
  /** `created`: a new branch; `moved`: an existing one now points to the commit; `exists`: kept as it was. */
  branch: "created" | "moved" | "exists";
}

/**
 * Writes `files` over the base tree as one commit whose only parent is `baseCommitSha`, and points
 * `branch` at it: `POST /git/trees`, `POST /git/commits` (no author or committer, so GitHub signs the
 * commit as the app and marks it verified), then `POST /git/refs`; when the branch exists already
 * (422 "Reference already exists"), with `whenBranchExists: "move"`, {@link moveBranch}; with `keep`,
 * nothing more (the commit is written, the branch untouched); a branch the caller knows exists is
 * moved at once. A file whose bytes are valid UTF-8 goes
 * inline in the tree (its `content` is a UTF-8 string); any other is first written with
 * `POST /git/blobs` in base64, one request each, so that its bytes arrive as they are. 3 requests for
 * a new or a kept branch or one known to exist, 4 for a moved one, plus one per file that is not UTF-8.
 */
export async function writeCommit(
  octokit: Octokit,
  repo: RepoRef,
  spec: CommitSpec,
): Promise<CommitWritten> {
  if (spec.files.length === 0) throw new Error(`nothing to commit on ${spec.branch}`);
  const { owner, repo: name } = repo;
  const entries = [];
  for (const file of spec.files) {
    const entry = { path: file.path, mode: file.mode, type: "blob" as const };
    if (isUtf8(file.bytes)) {
      entries.push({ ...entry, content: file.bytes.toString("utf8") });
      continue;
    }
    const { data: blob } = await octokit.request("POST /repos/{owner}/{repo}/git/blobs", {
      owner,
      repo: name,
      content: file.bytes.toString("base64"),
      encoding: "base64",
    });
    entries.push({ ...entry, sha: blob.sha });
  }
  const { data: tree } = await octokit.request("POST /repos/{owner}/{repo}/git/trees", {
    owner,
    repo: name,
    base_tree: spec.baseTreeSha,
    tree: entries,
  });
  const { data: commit } = await octokit.request("POST /repos/{owner}/{repo}/git/commits", {
    owner,
    repo: name,
    message: spec.message,
    tree: tree.sha,
    parents: [spec.baseCommitSha],
  });
  if (spec.branchExists) {
    await moveBranch(octokit, repo, spec.branch, commit.sha);
    return { commitSha: commit.sha, branch: "moved" };
  }
  try {
    await octokit.request("POST /repos/{owner}/{repo}/git/refs", {
      owner,
      repo: name,
      ref: `refs/heads/${spec.branch}`,
      sha: commit.sha,
    });
    return { commitSha: commit.sha, branch: "created" };
  } catch (error) {
    if (!isUnprocessable(error, /already exists/i)) throw error;
  }
  if (spec.whenBranchExists === "keep") return { commitSha: commit.sha, branch: "exists" };
  await moveBranch(octokit, repo, spec.branch, commit.sha);
  return { commitSha: commit.sha, branch: "moved" };
}

/** A commit of a branch, with who made it. */
export interface BranchCommit {
  sha: string;
  /** GitHub login of the author, when GitHub links the author's email to an account. */
  authorLogin?: string;
  /** GitHub login of the committer (`web-flow` for commits made in GitHub's web UI). */
  committerLogin?: string;
  /** Whether GitHub verified the commit's signature. */
  verified: boolean;
}

/**
 * The commits reachable from `head` (a branch or commit) but not from `base`, oldest first:
 * `GET /repos/{owner}/{repo}/compare/{base}...{head}`. 1 request; GitHub lists at most 250 commits.
 */
export async function commitsOnBranch(
  octokit: Octokit,
  repo: RepoRef,
  base: string,
  head: string,
): Promise<BranchCommit[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
    owner: repo.owner,
    repo: repo.repo,
    basehead: `${base}...${head}`,
  });
  return data.commits.map((commit) => {
    const authorLogin = commit.author?.login;
    const committerLogin = commit.committer?.login;
    return {
      sha: commit.sha,
      ...(authorLogin ? { authorLogin } : {}),
      ...(committerLogin ? { committerLogin } : {}),
      verified: commit.commit.verification?.verified === true,
    };
  });
}
