/** A check of one repository, as events and the scheduler ask for it. */
export interface CheckJob {
  installationId: number;
  owner: string;
  repo: string;
  /** Known from the webhook payload; read from the API when absent. */
  defaultBranch?: string;
  /** Why the check runs (for the logs): schedule, release, push, ... */
  reason: string;
}

/**
 * The work the app does, serialized per repository. Handlers enqueue and return at once, so webhook
 * deliveries are answered quickly; the implementation decides where and when jobs run.
 */
export interface JobQueue {
  /** Queues a check unless one for the same repository is already waiting. */
  enqueueCheck(job: CheckJob): void;
  /** Resolves when no job is waiting or running. */
  onIdle(): Promise<void>;
  /** Takes no more jobs and resolves when the running ones have finished. */
  close(): Promise<void>;
}

/** The key that serializes jobs: one repository. */
export function repositoryKey(job: Pick<CheckJob, "owner" | "repo">): string {
  return `${job.owner}/${job.repo}`.toLowerCase();
}
