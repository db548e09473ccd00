/** The app's installations and the repositories each can reach. */
import type { Octokit, RepoRef } from "./repo-ref.js";

/** A repository of the installation, as the jobs that check it need it. */
export interface InstallationRepository extends RepoRef {
  /** `owner/repo`, as GitHub spells it. */
  fullName: string;
  defaultBranch: string;
}

/**
 * The ids of every installation of the app, read with the app's own client (`app.auth()`):
 * `GET /app/installations?per_page=100`, page after page: 1 request per 100 installations.
 */
export async function listInstallations(appOctokit: Octokit): Promise<number[]> {
  const installations = await appOctokit.paginate("GET /app/installations", { per_page: 100 });
  return installations.map((installation) => installation.id);
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
