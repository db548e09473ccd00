/** Branches as git refs: read, moved, deleted and listed, one request each. */
import { errorStatus, isUnprocessable } from "./errors.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

/**
 * Points the existing `branch` at `commitSha`, whatever it pointed to (its commits not in `commitSha`
 * are dropped): `PATCH /repos/{owner}/{repo}/git/refs/heads/{branch}` with `force`. 1 request. Only
 * for a branch known to be the app's.
 */
export async function moveBranch(
  octokit: Octokit,
  repo: RepoRef,
  branch: string,
  commitSha: string,
): Promise<void> {
  await octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
    owner: repo.owner,
    repo: repo.repo,
    ref: `heads/${branch}`,
    sha: commitSha,
    force: true,
  });
}

/**
 * The commit `branch` points to, or undefined when there is no such branch:
 * `GET /repos/{owner}/{repo}/git/ref/heads/{branch}`. 1 request.
 */
export async function readBranch(
  octokit: Octokit,
  repo: RepoRef,
  branch: string,
): Promise<{ sha: string } | undefined> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
      owner: repo.owner,
      repo: repo.repo,
      ref: `heads/${branch}`,
    });
    return { sha: data.object.sha };
  } catch (error) {
    if (errorStatus(error) === 404) return undefined;
    throw error;
  }
}

/**
 * Deletes `branch`: `DELETE /repos/{owner}/{repo}/git/refs/heads/{branch}`. 1 request. A branch that
 * is already gone (404, or 422 "Reference does not exist") is fine; any other 422 (such as a
 * protected branch) throws. Whether this call deleted it.
 */
export async function deleteBranch(
  octokit: Octokit,
  repo: RepoRef,
  branch: string,
): Promise<boolean> {
  try {
    await octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", {
      owner: repo.owner,
      repo: repo.repo,
      ref: `heads/${branch}`,
    });
    return true;
  } catch (error) {
    if (errorStatus(error) === 404 || isUnprocessable(error, /does not exist/i)) return false;
    throw error;
  }
}

/**
 * The branches whose names start with `prefix` (e.g. `promoter/`), by name:
 * `GET /repos/{owner}/{repo}/git/matching-refs/heads/{prefix}`. 1 request.
 */
export async function listBranches(
  octokit: Octokit,
  repo: RepoRef,
  prefix: string,
): Promise<string[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/git/matching-refs/{ref}", {
    owner: repo.owner,
    repo: repo.repo,
    ref: `heads/${prefix}`,
  });
  return data.map((ref) => ref.ref.replace(/^refs\/heads\//, ""));
}
