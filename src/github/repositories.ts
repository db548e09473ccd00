/** What a job reads of a repository itself. */
import type { Octokit, RepoRef } from "./repo-ref.js";

/** The repository's default branch: `GET /repos/{owner}/{repo}`. 1 request. */
export async function readDefaultBranch(octokit: Octokit, repo: RepoRef): Promise<string> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}", {
    owner: repo.owner,
    repo: repo.repo,
  });
  return data.default_branch;
}
