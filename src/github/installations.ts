/** The app's installations and the repositories each can reach. */
import { observeResponses, type ResponseObserver } from "./rate-limit.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

/** A repository of the installation, as the jobs that check it need it. */
export interface InstallationRepository extends RepoRef {
  /** GitHub's id of the repository (kept across renames). */
  id: number;
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
    id: repository.id,
    owner: repository.owner.login,
    repo: repository.name,
    fullName: repository.full_name,
    defaultBranch: repository.default_branch,
  }));
}

/** The app's installations and their repositories, each read with the right credentials. */
export interface InstallationDirectory {
  /** The ids of the app's installations ({@link listInstallations}). */
  installations(): Promise<number[]>;
  /** The repositories installation `id` can reach ({@link listInstallationRepositories}). */
  repositories(installationId: number): Promise<InstallationRepository[]>;
}

/** What of a Probot app the directory needs: its clients, as the app or as one installation. */
export interface AppAuth {
  auth(installationId?: number): Promise<Octokit>;
}

/**
 * The {@link InstallationDirectory} of a Probot app: the app's client, then each installation's. `observe`
 * sees every answer of an installation's client, so its listings count in that installation's budget
 * (the app's own listing of installations is limited apart, as the app).
 */
export function installationDirectory(
  app: AppAuth,
  observe?: (installationId: number) => ResponseObserver,
): InstallationDirectory {
  return {
    installations: async () => listInstallations(await app.auth()),
    repositories: async (installationId) => {
      const octokit = await app.auth(installationId);
      if (observe) observeResponses(octokit, observe(installationId));
      return listInstallationRepositories(octokit);
    },
  };
}
