/**
 * Promotion pull requests: list the app's, and create or update one by its head branch.
 */
import { PROMOTER_BRANCH_PREFIX, PROMOTER_LABEL_PREFIX } from "../promotion/names.js";
import type { PullRequestInfo } from "../promotion/github-facts.js";
import { isUnprocessable } from "./errors.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

const PER_PAGE = 100;

/** The fields of GitHub's pull request objects (in listings and single reads) that we map. */
interface PullRequestData {
  number: number;
  state: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  title: string;
  body: string | null;
  user: { login: string } | null;
  labels: { name?: string }[];
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  base: { ref: string; repo: { full_name: string } };
  /** Only in a read of one pull request. */
  mergeable?: boolean | null;
}

/** Maps GitHub's pull request object to a {@link PullRequestInfo}. */
function toPullRequestInfo(pull: PullRequestData): PullRequestInfo {
  const merged = pull.merged_at !== null;
  return {
    number: pull.number,
    state: pull.state === "open" ? "open" : "closed",
    merged,
    headRef: pull.head.ref,
    headSha: pull.head.sha,
    fromFork: pull.head.repo?.full_name !== pull.base.repo.full_name,
    baseRef: pull.base.ref,
    title: pull.title,
    body: pull.body ?? "",
    labels: pull.labels.flatMap((label) => (label.name === undefined ? [] : [label.name])),
    author: pull.user?.login ?? "ghost",
    ...(merged && pull.merge_commit_sha ? { mergeCommitSha: pull.merge_commit_sha } : {}),
    ...(pull.merged_at !== null ? { mergedAt: pull.merged_at } : {}),
    ...(pull.mergeable === undefined ? {} : { mergeable: pull.mergeable }),
  };
}

function isPromoterPullRequest(pull: PullRequestInfo): boolean {
  // A fork can name its branch `promoter/...`, but only the app pushes such branches to the repo itself.
  return (
    (!pull.fromFork && pull.headRef.startsWith(PROMOTER_BRANCH_PREFIX)) ||
    pull.labels.some((label) => label.startsWith(PROMOTER_LABEL_PREFIX))
  );
}

/**
 * The repository's promotion pull requests, open and closed, most recently updated first: those whose
 * head branch in the repository itself starts with `promoter/`, and any carrying a `promoter:` label.
 * Reads `GET /repos/{owner}/{repo}/pulls?state=all&sort=updated&direction=desc&per_page=100&page=N`
 * until a short page or `maxPages` pages (default 3): 1 to `maxPages` requests.
 */
export async function listPromoterPullRequests(
  octokit: Octokit,
  repo: RepoRef,
  options: { maxPages?: number } = {},
): Promise<PullRequestInfo[]> {
  const maxPages = options.maxPages ?? 3;
  const found: PullRequestInfo[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
      owner: repo.owner,
      repo: repo.repo,
      state: "all",
      sort: "updated",
      direction: "desc",
      per_page: PER_PAGE,
      page,
    });
    for (const pull of data) {
      const info = toPullRequestInfo(pull);
      if (isPromoterPullRequest(info)) found.push(info);
    }
    if (data.length < PER_PAGE) break;
  }
  return found;
}

/** The pull request {@link upsertPullRequest} makes sure of. */
export interface PullRequestSpec {
  /** The pull request already known for `head`, if any; only an open one is updated. */
  existing?: PullRequestInfo;
  /** Head branch, in the repository itself. */
  head: string;
  base: string;
  title: string;
  body: string;
  labels: readonly string[];
  /**
   * The app's login: an open pull request from `head` that someone else opened is never edited nor
   * labelled (the call throws, saying whose it is).
   */
  ownLogin?: string;
}

/** What {@link upsertPullRequest} did. */
export interface UpsertResult {
  number: number;
  action: "created" | "updated" | "unchanged";
}

/**
 * Makes sure an open pull request from `head` into `base` has this title, body and labels.
 * - No open `existing`: `POST /pulls`. If GitHub answers 422 "A pull request already exists" (a PR the
 *   caller did not know of, e.g. opened by a concurrent delivery), `GET /pulls?head=owner:head&state=open`
 *   finds it and it is updated as an existing one.
 * - An open one: `PATCH /pulls/{n}` with only the fields that differ; no request when none do.
 * - Labels: `POST /issues/{n}/labels` with the labels it lacks; none when it has them all (labels it
 *   has beyond these are left alone).
 * - With `ownLogin`, an open PR opened by anyone else is left as it is: the call throws.
 * Costs: create 2 requests; create after a conflict 3 to 5; update 0 to 2; unchanged 0.
 */
export async function upsertPullRequest(
  octokit: Octokit,
  repo: RepoRef,
  spec: PullRequestSpec,
): Promise<UpsertResult> {
  let existing = spec.existing?.state === "open" ? spec.existing : undefined;
  let created = false;
  let number: number;
  if (existing === undefined) {
    try {
      const { data } = await octokit.request("POST /repos/{owner}/{repo}/pulls", {
        owner: repo.owner,
        repo: repo.repo,
        head: spec.head,
        base: spec.base,
        title: spec.title,
        body: spec.body,
      });
      created = true;
      number = data.number;
    } catch (error) {
      if (!isUnprocessable(error, /already exists/i)) throw error;
      existing = await findOpenPullRequest(octokit, repo, spec.head);
      if (existing === undefined) throw error;
      number = existing.number;
    }
  } else {
    number = existing.number;
  }
  if (existing !== undefined && spec.ownLogin !== undefined && existing.author !== spec.ownLogin) {
    throw new Error(
      `#${existing.number} from ${spec.head} was opened by ${existing.author}, not by ${spec.ownLogin}: it is left as it is`,
    );
  }

  let updated = false;
  if (existing !== undefined) {
    const changes = {
      ...(existing.title === spec.title ? {} : { title: spec.title }),
      ...(existing.body === spec.body ? {} : { body: spec.body }),
      ...(existing.baseRef === spec.base ? {} : { base: spec.base }),
    };
    if (Object.keys(changes).length > 0) {
      await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
        owner: repo.owner,
        repo: repo.repo,
        pull_number: number,
        ...changes,
      });
      updated = true;
    }
  }

  const present = new Set(existing?.labels ?? []);
  const missing = [...new Set(spec.labels)].filter((label) => !present.has(label));
  if (missing.length > 0) {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      owner: repo.owner,
      repo: repo.repo,
      issue_number: number,
      labels: missing,
    });
    updated = true;
  }
  return { number, action: created ? "created" : updated ? "updated" : "unchanged" };
}

/** The open pull request from `head` (a branch of the repository itself), if any. 1 request. */
export async function findOpenPullRequest(
  octokit: Octokit,
  repo: RepoRef,
  head: string,
): Promise<PullRequestInfo | undefined> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
    owner: repo.owner,
    repo: repo.repo,
    head: `${repo.owner}:${head}`,
    state: "open",
  });
  const pull = data[0];
  return pull === undefined ? undefined : toPullRequestInfo(pull);
}

/**
 * The pull requests from `head` (a branch of the repository itself), open and closed, most recent first:
 * `GET /repos/{owner}/{repo}/pulls?head=owner:head&state=all`. 1 request; the first 30 are enough for one branch.
 */
export async function listPullRequestsFrom(
  octokit: Octokit,
  repo: RepoRef,
  head: string,
): Promise<PullRequestInfo[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
    owner: repo.owner,
    repo: repo.repo,
    head: `${repo.owner}:${head}`,
    state: "all",
    sort: "created",
    direction: "desc",
  });
  return data.map(toPullRequestInfo);
}

/**
 * Pull request `number`, with whether it merges cleanly: `GET /repos/{owner}/{repo}/pulls/{number}`.
 * 1 request.
 */
export async function readPullRequest(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
): Promise<PullRequestInfo> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
    owner: repo.owner,
    repo: repo.repo,
    pull_number: number,
  });
  return toPullRequestInfo(data);
}

/** Closes pull request `number` without merging: `PATCH /repos/{owner}/{repo}/pulls/{number}`. 1 request. */
export async function closePullRequest(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
): Promise<void> {
  await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
    owner: repo.owner,
    repo: repo.repo,
    pull_number: number,
    state: "closed",
  });
}
