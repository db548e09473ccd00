/**
 * The app's Prometheus metrics (`GET /metrics`, prom-client). Labels carry only job kinds, event names,
 * cache names, statuses and installation ids: never a token, a repository's content or a person's text.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** The registry `/metrics` answers with: this process's metrics (each replica is scraped on its own). */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: "promoter_" });

const registers = [metricsRegistry];

const jobsQueued = new Counter({
  name: "promoter_jobs_queued_total",
  help: "Jobs queued, by kind (check, merged, command, module-released).",
  labelNames: ["kind"],
  registers,
});
const jobsRunning = new Gauge({
  name: "promoter_jobs_running",
  help: "Jobs running in this process, by kind.",
  labelNames: ["kind"],
  registers,
});
const jobsFailed = new Counter({
  name: "promoter_jobs_failed_total",
  help: "Job runs that threw, by kind (a Redis job may be retried after it).",
  labelNames: ["kind"],
  registers,
});
const jobsRetried = new Counter({
  name: "promoter_jobs_retried_total",
  help: "Failed job runs queued again for a retry (Redis queue), by kind.",
  labelNames: ["kind"],
  registers,
});
const jobDuration = new Histogram({
  name: "promoter_job_duration_seconds",
  help: "How long a job ran, by kind and outcome (ok, failed).",
  labelNames: ["kind", "outcome"],
  buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
  registers,
});
const webhooksReceived = new Counter({
  name: "promoter_webhooks_received_total",
  help: "Webhook deliveries received, by event name.",
  labelNames: ["event"],
  registers,
});
const apiRequests = new Counter({
  name: "promoter_github_requests_total",
  help: "GitHub API requests of installation clients, by installation id and answer status.",
  labelNames: ["installation_id", "status"],
  registers,
});
const rateLimitRemaining = new Gauge({
  name: "promoter_github_rate_limit_remaining",
  help: "Requests left in the installation's rate-limit window, as its last answer said.",
  labelNames: ["installation_id"],
  registers,
});
const rateLimitLimit = new Gauge({
  name: "promoter_github_rate_limit_limit",
  help: "Requests of the installation's rate-limit window, as its last answer said.",
  labelNames: ["installation_id"],
  registers,
});
const cacheLookups = new Counter({
  name: "promoter_cache_lookups_total",
  help: "Cache lookups, by cache and result (hit, miss).",
  labelNames: ["cache", "result"],
  registers,
});
const checksDeferred = new Counter({
  name: "promoter_checks_deferred_total",
  help: "Checks sent back to wait for their installation's rate-limit reset, by installation id.",
  labelNames: ["installation_id"],
  registers,
});

/** The job kind as a label: a check job has no `kind` field. */
const kindOf = (job: { kind?: string }) => job.kind ?? "check";

/** A job was queued. */
export function countJobQueued(job: { kind?: string }): void {
  jobsQueued.inc({ kind: kindOf(job) });
}

/** A job's run failed and is queued again for a retry. */
export function countJobRetried(job: { kind?: string }): void {
  jobsRetried.inc({ kind: kindOf(job) });
}

/** Runs `run`, counted as a running job, timed, and counted as failed when it throws. */
export async function measureJob<T>(job: { kind?: string }, run: () => Promise<T>): Promise<T> {
  const kind = kindOf(job);
  jobsRunning.inc({ kind });
  const end = jobDuration.startTimer({ kind });
  try {
    const result = await run();
    end({ outcome: "ok" });
    return result;
  } catch (error) {
    end({ outcome: "failed" });
    jobsFailed.inc({ kind });
    throw error;
  } finally {
    jobsRunning.dec({ kind });
  }
}

/** A webhook delivery of `event` arrived. */
export function countWebhook(event: string): void {
  webhooksReceived.inc({ event });
}

/** An installation client's request got its answer (`status`, 0 for none), with its rate-limit reading. */
export function countApiRequest(
  installationId: number,
  status: number,
  reading: { remaining: number; limit: number } | undefined,
): void {
  const installation_id = String(installationId);
  apiRequests.inc({ installation_id, status: String(status) });
  if (!reading) return;
  rateLimitRemaining.set({ installation_id }, reading.remaining);
  rateLimitLimit.set({ installation_id }, reading.limit);
}

/** `count` lookups in `cache` (blob, tags) that found (`hit`) or did not find what they asked for. */
export function countCacheLookup(cache: string, hit: boolean, count = 1): void {
  if (count > 0) cacheLookups.inc({ cache, result: hit ? "hit" : "miss" }, count);
}

/** A check of installation `installationId` waits for the rate-limit reset. */
export function countCheckDeferred(installationId: number): void {
  checksDeferred.inc({ installation_id: String(installationId) });
}
