import type { ApplicationFunctionOptions, Probot } from "probot";
import { continueAfterMerge } from "./engine/after-merge.js";
import { checkModuleUsers } from "./engine/check-module-users.js";
import { checkRepository } from "./engine/check-repository.js";
import { runCommand } from "./engine/run-command.js";
import { runDashboardTicks } from "./engine/run-dashboard-ticks.js";
import { budgetGate } from "./engine/defer-check.js";
import { appBotLogin } from "./github/app-identity.js";
import { observeResponses, type ResponseObserver } from "./github/rate-limit.js";
import { RedisBlobStore } from "./github/redis-blob-store.js";
import { RedisEtagCache } from "./github/redis-etag-cache.js";
import { RedisKnownLabels } from "./github/redis-known-labels.js";
import { RedisListingCache } from "./versions/redis-listing-cache.js";
import { readDefaultBranch } from "./github/repositories.js";
import { Services } from "./engine/services.js";
import { onPullRequestHead } from "./handlers/config-check.js";
import { onInstallation } from "./handlers/installation.js";
import { onIssueComment } from "./handlers/issue-comment.js";
import { onIssueEdited } from "./handlers/issues.js";
import { onModuleRelease } from "./handlers/module-release.js";
import { onPullRequestClosed } from "./handlers/pull-request-closed.js";
import { onPush } from "./handlers/push.js";
import { onVerificationEvent } from "./handlers/verification-event.js";
import { onRepositoryDispatch } from "./handlers/repository-dispatch.js";
import { DEFAULT_RATE_LIMIT_FLOOR } from "./queue/budget-decision.js";
import { countApiRequest, countWebhook, measureJob, metricsRegistry } from "./metrics.js";
import { createBudget, createQueue, type QueueSettings } from "./queue/create-queue.js";
import type { RateLimitBudget } from "./queue/rate-limit-budget.js";
import type { CheckJob, Job, JobGate, JobQueue } from "./queue/job-queue.js";
import { RedisQueue } from "./queue/redis-queue.js";

/** What the app runs on: shared caches and the queue its handlers feed. */
export interface PromoterRuntime {
  services: Services;
  queue: JobQueue;
  /** Records each answer of installation `installationId`'s client in its budget, for clients made outside jobs. */
  observe?: (installationId: number) => ResponseObserver;
}

/**
 * Runs one job: authenticates as the installation, then checks, follows up a merge, answers a command
 * (or the boxes ticked on the dashboard), or queues (with `enqueueCheck`) the checks a module release
 * calls for. `observe` sees every answer of the installation's client (its rate-limit headers). A job
 * that leaves its repository due before its schedule (a soak ends) queues a check at that time with
 * `enqueueCheckAt`.
 */
export function jobRunner(
  app: Probot,
  services: Services,
  enqueueCheck: (job: CheckJob) => Promise<void>,
  observe?: (installationId: number) => ResponseObserver,
  enqueueCheckAt?: (job: CheckJob, at: number) => Promise<void>,
): (job: Job) => Promise<void> {
  return async (job) => {
    const log = app.log.child({ repo: `${job.owner}/${job.repo}`, reason: job.reason });
    const octokit = await app.auth(job.installationId);
    if (observe) observeResponses(octokit, observe(job.installationId));
    if (job.kind === "module-released") {
      // The checks it queues must see the release, not a listing read minutes before it.
      await services.forgetListing(job.installationId, job.module);
      await checkModuleUsers(octokit, services, log, job, enqueueCheck);
      return;
    }
    const defaultBranch = job.defaultBranch ?? (await readDefaultBranch(octokit, job));
    const target = {
      owner: job.owner,
      repo: job.repo,
      defaultBranch,
      ...(job.repositoryId === undefined ? {} : { repositoryId: job.repositoryId }),
    };
    if (job.kind === "merged") await continueAfterMerge(octokit, target, services, log, job);
    else if (job.kind === "command") await runCommand(octokit, target, services, log, job);
    else if (job.kind === "dashboard-tick")
      await runDashboardTicks(octokit, target, services, log, job, enqueueCheck);
    else await checkRepository(octokit, target, services, log, job.installationId);
    // A soak that ends before the next scheduled check: a check at its end.
    const dueAt = services.repositories.get(`${job.owner}/${job.repo}`)?.dueAt;
    if (enqueueCheckAt && dueAt !== undefined && dueAt > services.now()) {
      const { installationId, owner, repo, defaultBranch: branch, repositoryId } = job;
      await enqueueCheckAt(
        {
          installationId,
          owner,
          repo,
          defaultBranch: branch ?? defaultBranch,
          ...(repositoryId === undefined ? {} : { repositoryId }),
          reason: "a soak ends",
        },
        dueAt,
      );
    }
  };
}

/**
 * What the runtime records of each answer of installation `installationId`'s client: its rate-limit
 * reading, in `budget`, and the request in the metrics.
 */
export function recordRateLimits(
  budget: RateLimitBudget,
  log: Probot["log"],
): (installationId: number) => ResponseObserver {
  return (installationId) => (status, reading) => {
    countApiRequest(installationId, status, reading);
    if (!reading) return;
    budget.record(installationId, reading).catch((error: unknown) => {
      log.warn({ err: error, installationId }, "rate-limit reading not recorded");
    });
  };
}

/**
 * The app's runtime: the in-process queue by default, the Redis one with `settings.redisUrl`. Checks of
 * an installation whose rate limit is under `settings.rateLimitFloor` wait for its reset ({@link budgetGate}).
 */
export function createRuntime(
  app: Probot,
  services = new Services(),
  settings: QueueSettings = {},
): PromoterRuntime {
  services.appLogin = async () => appBotLogin(await app.auth());
  const log = app.log.child({ name: "queue" });
  const gate: JobGate = (job) =>
    budgetGate({
      auth: (installationId) => app.auth(installationId),
      budget,
      floor: settings.rateLimitFloor ?? DEFAULT_RATE_LIMIT_FLOOR,
      repositories: services.repositories,
      log,
    })(job);
  const observe = (id: number) => recordRateLimits(budget, log)(id);
  const run = jobRunner(
    app,
    services,
    (job) => queue.enqueueCheck(job),
    observe,
    (job, at) => queue.enqueueCheckAt(job, at),
  );
  // Jobs run only once the queue exists: a module release's job queues checks on it.
  const queue: JobQueue = createQueue(
    (job) => measureJob(job, () => run(job)),
    log,
    services.repositories,
    settings,
    gate,
  );
  // Beside the queue (in Redis with a Redis queue); the gate and the runner read it only once jobs run.
  const budget = createBudget(queue);
  // With Redis, what one replica (or the app before a restart) read is not downloaded again, nor labels created again.
  if (queue instanceof RedisQueue) {
    const cache = { prefix: queue.prefix, log: app.log.child({ name: "cache" }) };
    services.shareBlobs(new RedisBlobStore(queue.redis, cache));
    services.shareEtags(new RedisEtagCache(queue.redis, cache));
    services.shareLabels(new RedisKnownLabels(queue.redis, cache));
    services.shareListings(
      new RedisListingCache(queue.redis, { ...cache, ttlSeconds: services.listingTtlSeconds }),
    );
  }
  return { services, queue, observe };
}

/** The Probot app: wires events to handlers, `/healthz` and `/metrics`. Nothing else. */
export function promoterApp(runtime?: (app: Probot) => PromoterRuntime) {
  return (app: Probot, options?: ApplicationFunctionOptions): PromoterRuntime => {
    const made = runtime ? runtime(app) : createRuntime(app);
    const { queue } = made;
    app.onAny((context) => countWebhook(context.name));
    app.on(["installation.created", "installation_repositories.added"], (context) =>
      onInstallation(context, queue),
    );
    app.on(["release.published", "create"], (context) => onModuleRelease(context, queue));
    app.on("repository_dispatch", (context) => onRepositoryDispatch(context, queue));
    app.on("push", (context) => onPush(context, queue));
    app.on("pull_request.closed", (context) => onPullRequestClosed(context, queue));
    app.on("issue_comment.created", (context) => onIssueComment(context, queue));
    app.on("issues.edited", (context) => onIssueEdited(context, queue));
    app.on(["check_run.completed", "status", "deployment_status"], (context) =>
      onVerificationEvent(context, queue, made.services.repositories),
    );
    app.on(
      ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"],
      (context) => onPullRequestHead(context),
    );
    options?.addHandler?.(async (request, response) => {
      if (request.url === "/metrics" && request.method === "GET") {
        const body = await metricsRegistry.metrics();
        response.writeHead(200, { "content-type": metricsRegistry.contentType }).end(body);
        return true;
      }
      if (request.url !== "/healthz") return false;
      // 503 while the queue cannot take jobs (Redis unreachable), so the replica is taken out of rotation.
      const health = (await queue.health?.()) ?? { healthy: true };
      const body = health.healthy
        ? { status: "ok" }
        : { status: "unavailable", reason: health.reason };
      response
        .writeHead(health.healthy ? 200 : 503, { "content-type": "application/json" })
        .end(JSON.stringify(body));
      return true;
    });
    return made;
  };
}

export default promoterApp();
