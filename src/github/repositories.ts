/** The repositories an installation can reach, and what a job needs to know of one. */
import type { Octokit, RepoRef } from "./repo-ref.js";

/** A repository of the installation, as the jobs that check it need it. */
export interface InstallationRepository extends RepoRef {
  /** `owner/repo`, as GitHub spells it. */
  fullName: string;
  defaultBranch: string;
}

/**
 * Every repository the installation can reach: `GET /installation/repositories?per_page=100`, page after
 * page: 1 request per 100 repositories.
 */
export async function listInstallationRepositories(
  octokit: Octokit,
): Promise<InstallationRepository[]> {
  const repositories = await octokit.paginate("GET /installation/repositories", { per_page: 100 });
  return repositories.map((repository) => ({
    owner: repository.owner.login,
    repo: repository.name,
    fullName: repository.full_name,
    defaultBranch: repository.default_branch,
  }));
}

/** The repository's default branch: `GET /repos/{owner}/{repo}`. 1 request. */
export async function readDefaultBranch(octokit: Octokit, repo: RepoRef): Promise<string> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}", {
    owner: repo.owner,
    repo: repo.repo,
  });
  return data.default_branch;
}
