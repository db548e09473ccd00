/**
 * The promotion dashboard issue: found again by its hidden marker and the app's authorship (so a
 * renamed or re-labelled issue is still the one), created once, edited in place.
 */
import { DASHBOARD_MARKER } from "../promotion/dashboard.js";
import { errorStatus } from "./errors.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

const PER_PAGE = 100;
/** The app's issues and PRs listed at most, oldest first, to find the dashboard when its number is not known. */
const MAX_PAGES = 10;

/** The dashboard issue as the app reads it. */
export interface DashboardIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  locked: boolean;
}

interface IssueData {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  locked?: boolean;
  user: { login: string } | null;
  pull_request?: unknown;
}

/** Whether an issue is a dashboard of the app's: opened by it, its body starting with the marker. */
function asDashboard(issue: IssueData, appLogin: string): DashboardIssue | undefined {
  const body = issue.body ?? "";
  if (issue.pull_request || issue.user?.login !== appLogin) return undefined;
  if (!body.startsWith(DASHBOARD_MARKER)) return undefined;
  return {
    number: issue.number,
    title: issue.title,
    body,
    state: issue.state === "open" ? "open" : "closed",
    locked: issue.locked ?? false,
  };
}

/** Issue `number` when it is the app's dashboard: `GET /repos/{owner}/{repo}/issues/{n}`. 1 request; a deleted one is none. */
async function readDashboard(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
  appLogin: string,
): Promise<DashboardIssue | undefined> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
      owner: repo.owner,
      repo: repo.repo,
      issue_number: number,
    });
    return asDashboard(data, appLogin);
  } catch (error) {
    const status = errorStatus(error);
    if (status === 404 || status === 410) return undefined;
    throw error;
  }
}

/**
 * The app's dashboard issue, by listing the issues it opened, oldest first
 * (`GET /repos/{owner}/{repo}/issues?creator=<app>&state=all&sort=created&direction=asc&per_page=100`):
 * of those carrying the marker, the newest open and unlocked one, else the newest. 1 to 10 requests
 * (until a short page); pull requests are skipped.
 */
async function findDashboard(
  octokit: Octokit,
  repo: RepoRef,
  appLogin: string,
): Promise<DashboardIssue | undefined> {
  const found: DashboardIssue[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues", {
      owner: repo.owner,
      repo: repo.repo,
      creator: appLogin,
      state: "all",
      sort: "created",
      direction: "asc",
      per_page: PER_PAGE,
      page,
    });
    for (const issue of data) {
      const dashboard = asDashboard(issue, appLogin);
      if (dashboard) found.push(dashboard);
    }
    if (data.length < PER_PAGE) break;
  }
  const usable = found.filter((d) => d.state === "open" && !d.locked);
  return usable.at(-1) ?? found.at(-1);
}

/** What {@link writeDashboard} did. */
export interface DashboardWrite {
  number: number;
  action: "created" | "updated" | "unchanged";
}

/** The dashboard to write. */
export interface DashboardSpec {
  appLogin: string;
  title: string;
  body: string;
  /** The number it had at the last write, if this process knows it: one read instead of a listing. */
  known?: number;
}

/**
 * Makes sure the app's dashboard issue is open with this title and body:
 * - the known number read (`GET /issues/{n}`), else the app's issues listed ({@link findDashboard});
 * - none, or a locked one: `POST /issues` (a locked one is left as it is, and the new one is found next time);
 * - one that differs (its body, or closed): `PATCH /issues/{n}` with what differs; the same: no write.
 *   Its title is the one it was created with: a person may rename it.
 * Costs: unchanged and known 1 request; edited and known 2; created 2 (listing + create) or more with
 * many pages of the app's issues.
 */
export async function writeDashboard(
  octokit: Octokit,
  repo: RepoRef,
  spec: DashboardSpec,
): Promise<DashboardWrite> {
  const known =
    spec.known === undefined
      ? undefined
      : await readDashboard(octokit, repo, spec.known, spec.appLogin);
  const current = known ?? (await findDashboard(octokit, repo, spec.appLogin));
  if (!current || current.locked) {
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues", {
      owner: repo.owner,
      repo: repo.repo,
      title: spec.title,
      body: spec.body,
    });
    return { number: data.number, action: "created" };
  }
  const changes = {
    ...(current.body === spec.body ? {} : { body: spec.body }),
    ...(current.state === "open" ? {} : { state: "open" as const }),
  };
  if (Object.keys(changes).length === 0) return { number: current.number, action: "unchanged" };
  await editIssue(octokit, repo, current.number, changes);
  return { number: current.number, action: "updated" };
}

/**
 * Closes the app's open dashboard issue, if there is one (`dashboard: false`): the known number read,
 * else the listing, then `PATCH /issues/{n}` with `state: closed`. 1 to 11 requests; returns its number.
 */
export async function closeDashboard(
  octokit: Octokit,
  repo: RepoRef,
  spec: Pick<DashboardSpec, "appLogin" | "known">,
): Promise<number | undefined> {
  const known =
    spec.known === undefined
      ? undefined
      : await readDashboard(octokit, repo, spec.known, spec.appLogin);
  const current = known ?? (await findDashboard(octokit, repo, spec.appLogin));
  if (!current || current.state === "closed") return undefined;
  await editIssue(octokit, repo, current.number, { state: "closed" });
  return current.number;
}

/** Edits issue `number`: `PATCH /repos/{owner}/{repo}/issues/{n}`. 1 request. */
async function editIssue(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
  changes: { body?: string; state?: "open" | "closed" },
): Promise<void> {
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
    owner: repo.owner,
    repo: repo.repo,
    issue_number: number,
    ...changes,
  });
}

/**
 * Rewrites the body of the app's dashboard issue `number` as it is now: reads it (`GET /issues/{n}`)
 * and, when `edit` changes its body, `PATCH /issues/{n}`. 1 or 2 requests; nothing is written to an
 * issue that is not the app's dashboard. Returns whether it wrote.
 */
export async function editDashboardBody(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
  appLogin: string,
  edit: (body: string) => string,
): Promise<boolean> {
  const current = await readDashboard(octokit, repo, number, appLogin);
  if (!current) return false;
  const body = edit(current.body);
  if (body === current.body) return false;
  await editIssue(octokit, repo, number, { body });
  return true;
}
