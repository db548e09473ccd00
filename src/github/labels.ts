/** Repository labels, created on first use. */
import { errorStatus, validationCodes } from "./errors.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

/** A label to have in the repository. */
export interface LabelSpec {
  name: string;
  /** Hex color without `#`, e.g. `5319e7`. */
  color: string;
  description: string;
}

/**
 * Makes sure the repository has `labels`. `known` is the caller's per-repository set of labels already
 * ensured: those are skipped without a request. Each other label costs one `POST /repos/{owner}/{repo}/labels`
 * (a 422 `already_exists` means it was there: fine) and is then added to `known`. Existing labels are
 * not recolored. Returns the names of the labels this call created.
 */
export async function ensureLabels(
  octokit: Octokit,
  repo: RepoRef,
  labels: readonly LabelSpec[],
  known: Set<string>,
): Promise<string[]> {
  const created: string[] = [];
  // One at a time: GitHub asks for content-creating requests to be serial (secondary rate limits).
  for (const label of labels) {
    if (known.has(label.name)) continue;
    try {
      await octokit.request("POST /repos/{owner}/{repo}/labels", {
        owner: repo.owner,
        repo: repo.repo,
        name: label.name,
        color: label.color.replace(/^#/, ""),
        description: label.description,
      });
      created.push(label.name);
    } catch (error) {
      if (errorStatus(error) !== 422 || !validationCodes(error).includes("already_exists"))
        throw error;
    }
    known.add(label.name);
  }
  return created;
}
