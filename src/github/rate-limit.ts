/** GitHub's rate-limit headers, read from every answer of an installation's client. */
import type { Octokit } from "./repo-ref.js";

/** An installation's primary rate limit as one answer reported it. */
export interface RateLimitReading {
  /** `x-ratelimit-remaining`: requests left in the window. */
  remaining: number;
  /** `x-ratelimit-limit`: requests of the whole window. */
  limit: number;
  /** `x-ratelimit-reset`: when the window starts anew (ms since the epoch). */
  resetAt: number;
}

type Headers = Record<string, string | number | undefined>;

/**
 * The reading of an answer's headers, or `undefined` when they hold none or one of another resource
 * than `core` (search and GraphQL have limits of their own).
 */
export function rateLimitOf(headers: Headers | undefined): RateLimitReading | undefined {
  if (!headers) return undefined;
  const resource = headers["x-ratelimit-resource"];
  if (resource !== undefined && resource !== "core") return undefined;
  const remaining = Number(headers["x-ratelimit-remaining"]);
  const limit = Number(headers["x-ratelimit-limit"]);
  const reset = Number(headers["x-ratelimit-reset"]);
  if (headers["x-ratelimit-remaining"] === undefined || headers["x-ratelimit-reset"] === undefined)
    return undefined;
  if (![remaining, limit, reset].every(Number.isFinite) || limit <= 0) return undefined;
  return { remaining, limit, resetAt: reset * 1000 };
}

/** What the app learns of each answer of a client: its status and its rate-limit reading. */
export type ResponseObserver = (status: number, reading: RateLimitReading | undefined) => void;

/**
 * Calls `observe` after every request of `octokit` with its last answer, successful or not (a 304, a
 * 403 of the rate limit), once the retry and throttling plugins are done with it. Costs no request.
 */
export function observeResponses(octokit: Octokit, observe: ResponseObserver): void {
  octokit.hook.after("request", (response, options) => {
    if (isTokenRequest(options.url)) return;
    observe(response.status, rateLimitOf(response.headers));
  });
  octokit.hook.error("request", (error, options) => {
    if (isTokenRequest(options.url)) throw error;
    const { status, response } = error as { status?: number; response?: { headers?: Headers } };
    observe(status ?? 0, rateLimitOf(response?.headers));
    throw error;
  });
}

/** The installation token's request is made as the app: its headers tell the app's limit, not the installation's. */
function isTokenRequest(url: string): boolean {
  return /\/app\/installations\/[^/]+\/access_tokens$/.test(url);
}
