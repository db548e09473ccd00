import type { DashboardTick } from "../promotion/dashboard.js";
import type { MergedPullRequest } from "../promotion/merged-pull-request.js";

/** What every job names: the repository, its installation, and why the job runs (for the logs). */
interface RepositoryJob {
  installationId: number;
  owner: string;
  repo: string;
  /** Known from the webhook payload; read from the API when absent. */
  defaultBranch?: string;
  /** GitHub's id of the repository, when known: where its scheduled checks fall ({@link spreadCheckAt}). */
  repositoryId?: number;
  reason: string;
}

/** Check the repository: scan, plan, write every proposal, report. */
export interface CheckJob extends RepositoryJob {
  kind?: "check";
}

/**
 * A merged PR, the app's own or one labelled `promoter:<env>`: promote what it brought to the next
 * environment. It carries no body: what a merge promotes is read from the merge commit.
 */
export interface MergedJob extends RepositoryJob {
  kind: "merged";
  pullRequest: MergedPullRequest;
}

/**
 * A comment that may hold a `/promote` or `/help` command: read it, acknowledge it with 👀, check the
 * author's permission, do it and reply.
 */
export interface CommandJob extends RepositoryJob {
  kind: "command";
  /** The comment: its id, and the part of its body where a command is looked for. */
  comment: { id: number; body: string };
  /** Login of the comment's author. */
  author: string;
  issue: {
    number: number;
    isPullRequest: boolean;
    /** Login of whoever opened the issue or pull request (the app's PR metadata is trusted only in its own PRs). */
    author: string;
  };
}

/**
 * A release published (or a tag pushed) in a module repository (`owner`/`repo`): check every repository
 * of the installation that uses the module.
 */
export interface ModuleReleasedJob extends RepositoryJob {
  kind: "module-released";
  /** The module repository, `owner/repo`, lower-case. */
  module: string;
}

/**
 * Boxes a person newly ticked on the app's dashboard issue: each a command from them, with the same
 * permission rules as `/promote`, answered in one comment there; the boxes are unticked again.
 */
export interface DashboardTickJob extends RepositoryJob {
  kind: "dashboard-tick";
  /** The dashboard issue: its number, and who opened it (only the app's own counts). */
  issue: { number: number; author: string };
  /** Login of the person who edited the issue. */
  author: string;
  ticks: DashboardTick[];
}

/** The work the app does for a repository. */
export type Job = CheckJob | MergedJob | CommandJob | ModuleReleasedJob | DashboardTickJob;

/** Whether the queue can take jobs now (`/healthz`). */
export interface QueueHealth {
  healthy: boolean;
  /** Why not, when not. */
  reason?: string;
}

/**
 * The work the app does, serialized per repository. Handlers enqueue and return at once, so webhook
 * deliveries are answered quickly; the implementation decides where and when jobs run.
 *
 * `enqueue` resolves once the job is stored (at once in process; when Redis has it with `REDIS_URL`) and
 * rejects when it cannot be: a handler awaits it, so a webhook whose job was not queued is answered 5xx
 * and GitHub can deliver it again.
 */
export interface JobQueue {
  /** Queues a job; a check is dropped when one for the same repository is already waiting. */
  enqueue(job: Job): Promise<void>;
  /** Queues a check (a `Job` of kind "check"). */
  enqueueCheck(job: CheckJob): Promise<void>;
  /**
   * Queues a check to run at `at` (ms since the epoch; a soak ends then), besides any other; asked
   * twice for the same time, it runs once. In process it is lost on restart (the scheduler's next tick
   * repairs it: the repository's memory says it is due).
   */
  enqueueCheckAt(job: CheckJob, at: number): Promise<void>;
  /** Resolves when no job is waiting or running. */
  onIdle(): Promise<void>;
  /** Takes no more jobs and resolves when the running ones have finished. */
  close(): Promise<void>;
  /** Whether jobs can be queued now; a queue without it is always healthy. */
  health?(): Promise<QueueHealth>;
}

/**
 * Asked before a job runs: `undefined` lets it run now; a time (ms since the epoch) sends it back to
 * wait until then, queued (not failed, not an attempt), e.g. a check while its installation's
 * rate limit is low.
 */
export type JobGate = (job: Job) => Promise<number | undefined>;

/** The key that serializes jobs: one repository. */
export function repositoryKey(job: Pick<RepositoryJob, "owner" | "repo">): string {
  return `${job.owner}/${job.repo}`.toLowerCase();
}

/**
 * The order in which waiting jobs start, lower first (BullMQ's convention): a merge's follow-up and a
 * command (a dashboard tick too) first, as a person waits for them; a module release next, as it only lists the repositories
 * that use the module and queues their checks (at check priority); checks, scheduled or not, last.
 */
export function jobPriority(job: Job): number {
  if (job.kind === "merged" || job.kind === "command" || job.kind === "dashboard-tick") return 1;
  if (job.kind === "module-released") return 2;
  return 3;
}

/** Whether a job is a check. */
export function isCheck(job: Job): job is CheckJob {
  return job.kind === undefined || job.kind === "check";
}
