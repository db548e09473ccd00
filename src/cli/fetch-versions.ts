import type { Config } from "../config/index.js";
import { createGitHubClient } from "../github/clients.js";
import type { Dependency } from "../iac/types.js";
import { createEtagCache } from "../github/tags.js";
import type { GitHubClient } from "../github/clients.js";
import { outboundFetch } from "../versions/outbound-fetch.js";
import {
  ALLOW_HTTP_HOSTS_VARIABLE,
  GITHUB_API_URL,
  SOURCE_HOSTS_VARIABLE,
  isAllowedGitApi,
  isAppApi,
  parseAllowHttpHosts,
  parseSourceHosts,
  readHostCredentials,
  refusingClient,
} from "../versions/source-hosts.js";
import { resolveVersions, type ResolvedVersions } from "../versions/version-sources.js";

/**
 * The available versions of the dependencies: from GitHub (or the API in `GITHUB_API_URL`, as GitHub
 * Actions sets it) with the personal token, from the other hosts allowed in `PROMOTER_SOURCE_HOSTS`
 * and from the module registries without it, with the operator's credentials of those hosts
 * (`PROMOTER_GIT_CREDENTIALS`, `TF_TOKEN_<host>`). Each credential goes to its own host only; a host
 * nobody allowed is not asked (its dependencies get a warning).
 */
export async function fetchVersions(
  dependencies: readonly Dependency[],
  config: Config,
  token: string,
): Promise<ResolvedVersions> {
  const hosts = parseSourceHosts(process.env[SOURCE_HOSTS_VARIABLE]);
  const appBaseUrl = (process.env.GITHUB_API_URL || GITHUB_API_URL).replace(/\/+$/, "");
  const clients = new Map<string, GitHubClient>();
  return resolveVersions(dependencies, {
    clientFor: (baseUrl) => {
      let client = clients.get(baseUrl);
      if (!client) {
        if (isAppApi(baseUrl, appBaseUrl)) {
          client = createGitHubClient(baseUrl, outboundFetch(), token);
        } else if (isAllowedGitApi(baseUrl, hosts, appBaseUrl)) {
          client = createGitHubClient(baseUrl, outboundFetch());
        } else {
          client = refusingClient(baseUrl);
        }
        clients.set(baseUrl, client);
      }
      return client;
    },
    hosts,
    httpHosts: parseAllowHttpHosts(process.env[ALLOW_HTTP_HOSTS_VARIABLE]),
    credentials: readHostCredentials(process.env),
    appBaseUrl,
    registry: config.updates.registry,
    etags: createEtagCache(),
  });
}
