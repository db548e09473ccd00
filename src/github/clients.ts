/** The Octokit clients the app builds itself (the installation's come from Probot). */
import { ProbotOctokit } from "probot";
import type { Octokit } from "./repo-ref.js";

/** How a client sends its requests: `fetch`-compatible (e.g. one that refuses redirects to another host). */
export type ClientFetch = typeof globalThis.fetch;

/**
 * A client of the GitHub API at `baseUrl`, with Probot's retry and throttling, sending its requests
 * through `fetch`: without credentials (the public rate limit), or with `token` when given.
 */
export function createGitHubClient(baseUrl: string, fetch: ClientFetch, token?: string): Octokit {
  return new ProbotOctokit({
    baseUrl,
    ...(token === undefined ? {} : { auth: { token } }),
    request: { fetch },
  });
}

/**
 * The part of an Octokit client the version sources use: `octokit.request`. The app's installation client
 * (`context.octokit`), a `ProbotOctokit` with a token (CLI) or any `@octokit/core` client fits.
 * Octokit answers 304 and every status >= 400 by throwing a `RequestError` with `status` and `response`.
 */
export interface GitHubClient {
  request(
    route: string,
    params?: Record<string, unknown>,
  ): Promise<{
    status: number;
    headers: Record<string, string | number | undefined>;
    data: unknown;
  }>;
}
