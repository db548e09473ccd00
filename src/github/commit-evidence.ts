/**
 * What GitHub says of a commit for a verification gate: its check runs, its commit statuses and, when
 * one is named, its latest deployment to a deployment environment.
 */
import type {
  CheckEvidence,
  CommitEvidence,
  DeploymentEvidence,
} from "../promotion/verification.js";
import type { Octokit, RepoRef } from "./repo-ref.js";

const PER_PAGE = 100;

interface CheckRunData {
  name: string;
  status: string;
  conclusion: string | null;
  completed_at: string | null;
  html_url: string | null;
  app: { slug?: string } | null;
}

interface StatusData {
  context: string;
  state: string;
  updated_at: string;
  target_url: string | null;
}

const SUCCEEDED = new Set(["success", "neutral"]);

/** A check run as evidence: pending until completed; only success and neutral count as success. */
function checkRunEvidence(run: CheckRunData): CheckEvidence {
  const state =
    run.status !== "completed"
      ? "pending"
      : SUCCEEDED.has(run.conclusion ?? "")
        ? "success"
        : "failure";
  return {
    name: run.name,
    kind: "check run",
    state,
    ...(run.completed_at ? { at: run.completed_at } : {}),
    ...(run.html_url ? { url: run.html_url } : {}),
  };
}

/** A commit status as evidence: `error` and `failure` fail. */
function statusEvidence(status: StatusData): CheckEvidence {
  const state =
    status.state === "success" ? "success" : status.state === "pending" ? "pending" : "failure";
  return {
    name: status.context,
    kind: "status",
    state,
    ...(state === "pending" ? {} : { at: status.updated_at }),
    ...(status.target_url ? { url: status.target_url } : {}),
  };
}

/**
 * The evidence of commit `sha`: its check runs (the latest of each name, but the app's own, whose
 * slug is `ownApp`) and its combined status, 2 requests:
 * `GET /repos/{owner}/{repo}/commits/{sha}/check-runs?per_page=100` and
 * `GET /repos/{owner}/{repo}/commits/{sha}/status?per_page=100`; with `deployment`, also its latest
 * deployment to that environment and that deployment's latest status, 1 or 2 more:
 * `GET /repos/{owner}/{repo}/deployments?sha=…&environment=…&per_page=1` and
 * `GET /repos/{owner}/{repo}/deployments/{id}/statuses?per_page=1`.
 */
export async function readCommitEvidence(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
  options: { ownApp: string; deployment?: string },
): Promise<CommitEvidence> {
  const base = { owner: repo.owner, repo: repo.repo, ref: sha, per_page: PER_PAGE };
  const runs = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", base);
  const status = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/status", base);
  const checks = [
    ...(runs.data.check_runs as CheckRunData[])
      .filter((run) => run.app?.slug !== options.ownApp)
      .map(checkRunEvidence),
    ...(status.data.statuses as StatusData[]).map(statusEvidence),
  ];
  if (options.deployment === undefined) return { sha, checks };
  return {
    sha,
    checks,
    deployment: await readDeployment(octokit, repo, sha, options.deployment),
  };
}

async function readDeployment(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
  environment: string,
): Promise<DeploymentEvidence> {
  const { data: deployments } = await octokit.request("GET /repos/{owner}/{repo}/deployments", {
    owner: repo.owner,
    repo: repo.repo,
    sha,
    environment,
    per_page: 1,
  });
  const [latest] = deployments;
  if (!latest) return { state: "none" };
  const { data: statuses } = await octokit.request(
    "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
    { owner: repo.owner, repo: repo.repo, deployment_id: Number(latest.id), per_page: 1 },
  );
  const [status] = statuses;
  if (!status) return { state: "pending" };
  // "inactive": a later deployment replaced this successful one.
  const state = ["success", "inactive"].includes(status.state)
    ? "success"
    : ["error", "failure"].includes(status.state)
      ? "failure"
      : "pending";
  const url = status.log_url || status.target_url || undefined;
  return {
    state,
    ...(state === "pending" ? {} : { at: status.created_at }),
    ...(url ? { url } : {}),
  };
}
