import { errorStatus } from "./errors.js";
import type { Permission } from "../promotion/github-facts.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

const ROLES = new Set<Permission>(["admin", "maintain", "write", "triage", "read", "none"]);

/**
 * The user's role in the repository: `GET /repos/{owner}/{repo}/collaborators/{username}/permission`
 * (`role_name` tells maintain and triage apart, which `permission` does not). 1 request.
 */
export async function permissionOf(
  octokit: Octokit,
  repo: RepoRef,
  username: string,
): Promise<Permission> {
  try {
    const { data } = await octokit.request(
      "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
      {
        owner: repo.owner,
        repo: repo.repo,
        username,
      },
    );
    const role = (data.role_name ?? data.permission) as Permission;
    return ROLES.has(role) ? role : "none";
  } catch (error) {
    if (errorStatus(error) === 404) return "none";
    throw error;
  }
}

/** Whether the user is an active member of `org/team`: `GET /orgs/{org}/teams/{team}/memberships/{username}`. 1 request. */
export async function isTeamMember(
  octokit: Octokit,
  org: string,
  team: string,
  username: string,
): Promise<boolean> {
  try {
    const { data } = await octokit.request(
      "GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
      {
        org,
        team_slug: team,
        username,
      },
    );
    return data.state === "active";
  } catch (error) {
    if (errorStatus(error) === 404) return false;
    throw error;
  }
}
