/**
 * What a failed GitHub request says, read off Octokit's `RequestError`: Octokit throws one for every
 * answer >= 400 and for 304 (with `response`), and for a network error (status 500, no `response`).
 */
import { RequestError } from "@octokit/request-error";

/** Whether `error` is Octokit's `RequestError` (an answer >= 400, a 304, or a network error). */
export function isRequestError(error: unknown): error is RequestError {
  return error instanceof RequestError;
}

/** The HTTP status of GitHub's answer, or undefined when there was none (a network error) or no request. */
export function errorStatus(error: unknown): number | undefined {
  return isRequestError(error) ? error.response?.status : undefined;
}

/** Whether the request never got an answer (DNS, refused connection, reset): Octokit's status-500 error without `response`. */
export function isNetworkError(error: unknown): boolean {
  return isRequestError(error) && error.response === undefined;
}

/**
 * What went wrong, for logs and warnings; never empty. The error's own message (for an answer,
 * Octokit's: GitHub's `message` and its details), else GitHub's `message`, else the cause's message.
 */
export function errorMessage(error: unknown): string {
  const own = ownMessage(error);
  if (own !== "") return own;
  const github = githubMessage(error);
  if (github !== "") return github;
  const cause = ownMessage((error as { cause?: unknown } | null | undefined)?.cause);
  if (cause !== "") return cause;
  return fallbackMessage(error);
}

/**
 * Why an operation failed, for people (a check run, a PR comment); never empty. For an answer from
 * GitHub: its `message` (or the error's) and the HTTP status, e.g. `Reference update failed (HTTP 422)`;
 * for anything else (a network error, a thrown Error): the error's own message.
 */
export function failureReason(error: unknown): string {
  const status = errorStatus(error);
  if (status !== undefined)
    return `${githubMessage(error) || ownMessage(error) || "no message"} (HTTP ${status})`;
  return errorMessage(error);
}

/**
 * GitHub's `message` and the `message` of each item of its `errors` array (where it puts e.g.
 * "A pull request already exists for o:b."), non-empty ones only; [] when there was no answer.
 */
export function validationMessages(error: unknown): string[] {
  const data = responseData(error);
  const details = Array.isArray(data?.errors)
    ? data.errors.map((item: unknown) => stringField(item, "message"))
    : [];
  return [githubMessage(error), ...details].filter((message) => message !== "");
}

/** The `code`s of the `errors` array of a GitHub validation failure (e.g. `already_exists`). */
export function validationCodes(error: unknown): string[] {
  const errors = responseData(error)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((item: unknown) => stringField(item, "code")).filter((code) => code !== "");
}

/** Whether GitHub answered 422 with a validation message matching `pattern` (e.g. /already exists/i). */
export function isUnprocessable(error: unknown, pattern: RegExp): boolean {
  return errorStatus(error) === 422 && validationMessages(error).some((m) => pattern.test(m));
}

/** The seconds GitHub's `retry-after` header asks to wait, if the answer had a valid one. */
export function retryAfterSeconds(error: unknown): number | undefined {
  const value = responseHeader(error, "retry-after");
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Whether an answer is a (primary or secondary) rate limit rather than a denied access. */
export function isRateLimited(error: unknown): boolean {
  const status = errorStatus(error);
  if (status === 429) return true;
  if (status !== 403) return false;
  if (responseHeader(error, "x-ratelimit-remaining") === "0") return true;
  if (responseHeader(error, "retry-after") !== undefined) return true;
  return /rate limit/i.test(errorMessage(error));
}

function ownMessage(error: unknown): string {
  if (error instanceof Error) return error.message.trim();
  return typeof error === "string" ? error.trim() : "";
}

function fallbackMessage(error: unknown): string {
  if (isNetworkError(error)) {
    const { method, url } = (error as RequestError).request;
    return `no answer to ${method} ${url} (network error)`;
  }
  const status = errorStatus(error);
  if (status !== undefined) return `HTTP ${status}`;
  return error instanceof Error ? `${error.name} without a message` : "an unknown error";
}

function githubMessage(error: unknown): string {
  return stringField(responseData(error), "message").trim();
}

function responseData(error: unknown): { message?: unknown; errors?: unknown } | undefined {
  if (!isRequestError(error)) return undefined;
  const data = error.response?.data;
  return typeof data === "object" && data !== null ? data : undefined;
}

function responseHeader(error: unknown, name: string): string | undefined {
  if (!isRequestError(error)) return undefined;
  const value = (error.response?.headers as Record<string, unknown> | undefined)?.[name];
  return value === undefined || value === null ? undefined : String(value);
}

function stringField(item: unknown, field: string): string {
  if (typeof item !== "object" || item === null) return "";
  const value = (item as Record<string, unknown>)[field];
  return typeof value === "string" ? value : "";
}
