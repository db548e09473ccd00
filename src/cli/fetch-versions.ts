import { ProbotOctokit } from "probot";
import type { Config } from "../config/index.js";
import type { Dependency } from "../iac/types.js";
import { createEtagCache, type GitHubClient } from "../versions/github-tags.js";
import { GITHUB_API_URL, parseSourceHosts } from "../versions/source-hosts.js";
import { resolveVersions, type ResolvedVersions } from "../versions/version-sources.js";

/**
 * The available versions of the dependencies, read with a personal token: from GitHub (or the API in
 * `GITHUB_API_URL`, as GitHub Actions sets it) and the module registries, through `PROMOTER_SOURCE_HOSTS`.
 */
export async function fetchVersions(
  dependencies: readonly Dependency[],
  config: Config,
  token: string,
): Promise<ResolvedVersions> {
  const clients = new Map<string, GitHubClient>();
  return resolveVersions(dependencies, {
    clientFor: (baseUrl) => {
      let client = clients.get(baseUrl);
      if (!client) {
        client = new ProbotOctokit({ baseUrl, auth: { token } });
        clients.set(baseUrl, client);
      }
      return client;
    },
    hosts: parseSourceHosts(process.env.PROMOTER_SOURCE_HOSTS),
    appBaseUrl: (process.env.GITHUB_API_URL ?? GITHUB_API_URL).replace(/\/$/, ""),
    registry: config.updates.registry,
    etags: createEtagCache(),
  });
}
