/**
 * What the pure decisions know of GitHub, as the adapters in github/ read it: a pull request, a
 * person's permission on a repository.
 */

/** A pull request as the handlers need it. */
export interface PullRequestInfo {
  number: number;
  state: "open" | "closed";
  merged: boolean;
  headRef: string;
  /** The commit the head branch pointed to when GitHub last saw it. */
  headSha: string;
  /** Whether the head branch lives in another repository (a fork). */
  fromFork: boolean;
  baseRef: string;
  title: string;
  /** The body, "" when empty. */
  body: string;
  labels: string[];
  /** Login of the user who opened it (`ghost` for a deleted account). */
  author: string;
  /** The merge commit (or squash / rebase result), only for a merged PR. */
  mergeCommitSha?: string;
  /** When it was merged (ISO 8601), only for a merged PR. */
  mergedAt?: string;
  /**
   * Whether it merges cleanly into its base, as GitHub says in a read of the one PR (not in
   * listings); null while GitHub is still working it out.
   */
  mergeable?: boolean | null;
}

/** A user's role in a repository, as GitHub names it. */
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
