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
