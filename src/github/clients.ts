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

/** How often one request is retried after a rate limit (primary or secondary) before it fails. */
const RATE_LIMIT_RETRIES = 3;

/** What the app's throttling may be tuned with (tests shorten the waits). */
export interface ThrottleTuning {
  /** Milliseconds per second of `retry-after` (default 1,000). */
  retryAfterBaseValue?: number;
}

/**
 * Probot's Octokit for the app's installations, with retries on rate limits. Probot's throttling
 * (@octokit/plugin-throttling) already sends an installation's writes one at a time, a second apart,
 * and waits out a primary limit; its app options do not retry a secondary limit. Here both are waited
 * out (`retry-after`, or 60 s without one) and retried up to 3 times, so a proposal is not failed for it.
 */
export function promoterOctokit(tuning: ThrottleTuning = {}): typeof ProbotOctokit {
  const retry =
    (kind: string) =>
    (
      retryAfter: number,
      options: { method: string; url: string },
      octokit: { log: { warn(message: string): void } },
      retryCount: number,
    ): boolean => {
      const again = retryCount < RATE_LIMIT_RETRIES;
      octokit.log.warn(
        `${kind} rate limit on ${options.method} ${options.url}: ${again ? `retried in ${retryAfter} s` : "given up"}`,
      );
      return again;
    };
  // A function: applied after Probot's defaults, which would otherwise replace these handlers.
  return ProbotOctokit.defaults((options: { throttle?: object }) => ({
    ...options,
    throttle: {
      ...options.throttle,
      ...tuning,
      onRateLimit: retry("primary"),
      onSecondaryRateLimit: retry("secondary"),
    },
  }));
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
