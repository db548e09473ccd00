/**
 * The types every GitHub adapter shares: the client and the repository it talks about.
 */
import type { ProbotOctokit } from "probot";

/**
 * An authenticated Octokit client as Probot builds it (`context.octokit`, `app.auth(id)`): typed
 * `request`, with the retry plugin (5xx and network errors are retried) and the throttling plugin
 * (primary and secondary rate limits are waited out).
 */
export type Octokit = InstanceType<typeof ProbotOctokit>;

/** A repository, by owner login and name. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** A git file mode GitHub accepts for a blob: regular, executable or symbolic link. */
export type BlobMode = "100644" | "100755" | "120000";

/**
 * The `message` of an Octokit `RequestError`'s answer (GitHub's JSON `message`), or "" when there is
 * none. Used to tell expected 422s ("Reference already exists") from other validation failures.
 */
export function errorMessage(error: unknown): string {
  const data = errorData(error);
  return typeof data?.message === "string" ? data.message : "";
}

/**
 * Why an operation failed, for people (a check run, a PR comment); never empty. For an answer from
 * GitHub: its `message` (or the error's) and the HTTP status, e.g. `Reference update failed (HTTP 422)`;
 * for anything else (a network error, a thrown Error): the error's own message.
 */
export function failureReason(error: unknown): string {
  const own =
    error instanceof Error ? error.message.trim() : typeof error === "string" ? error.trim() : "";
  const status = responseStatus(error);
  if (status !== undefined) return `${errorMessage(error) || own || "no message"} (HTTP ${status})`;
  if (own !== "") return own;
  return error instanceof Error ? `${error.name} without a message` : "an unknown error";
}

/** The `code`s of the `errors` array of a GitHub validation failure (e.g. `already_exists`). */
export function errorCodes(error: unknown): string[] {
  const errors = errorData(error)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((item: unknown) =>
    typeof item === "object" &&
    item !== null &&
    typeof (item as { code?: unknown }).code === "string"
      ? [(item as { code: string }).code]
      : [],
  );
}

function responseStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("response" in error)) return undefined;
  const status = (error as { response?: { status?: unknown } }).response?.status;
  return typeof status === "number" ? status : undefined;
}

function errorData(error: unknown): { message?: unknown; errors?: unknown } | undefined {
  if (typeof error !== "object" || error === null || !("response" in error)) return undefined;
  const data = (error as { response?: { data?: unknown } }).response?.data;
  return typeof data === "object" && data !== null ? data : undefined;
}
