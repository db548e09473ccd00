import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import { installationDirectory } from "../../src/github/installations.js";
import { Scheduler } from "../../src/queue/scheduler.js";
import { API, INSTALLATION_ID, testApp } from "./helpers.js";
import { useNock } from "../support/nock-github.js";

const owner = "acme";
const repo = "live";
const job = {
  installationId: INSTALLATION_ID,
  owner,
  repo,
  defaultBranch: "main",
  reason: "schedule",
};
const rateLimit = (remaining: number, resetAt: number) => ({
  "x-ratelimit-limit": "5000",
  "x-ratelimit-remaining": String(remaining),
  "x-ratelimit-reset": String(Math.ceil(resetAt / 1000)),
  "x-ratelimit-resource": "core",
});

/** The reads of a check of a repository without config: its ref and its tree, nothing else. */
function mockCheckWithoutConfig(headers: Record<string, string> = {}) {
  return nock(API)
    .get(`/repos/${owner}/${repo}/git/ref/heads%2Fmain`)
    .reply(200, { ref: "refs/heads/main", object: { sha: "head-1", type: "commit" } }, headers)
    .get(`/repos/${owner}/${repo}/git/trees/head-1`)
    .query({ recursive: "1" })
    .reply(200, { sha: "tree-1", truncated: false, tree: [] }, headers);
}

describe("the rate-limit budget of an installation", () => {
  useNock();

  it("a check after answers reporting less than the floor left waits for the reset, then runs", async () => {
    const app = testApp({ rateLimitFloor: 0.1 });
    const resetAt = Date.now() + 1_500;
    mockCheckWithoutConfig(rateLimit(499, resetAt));
    await app.queue.enqueueCheck(job);
    await app.queue.onIdle();
    expect(await app.budget.read(INSTALLATION_ID)).toEqual({
      remaining: 499,
      limit: 5000,
      resetAt: Math.ceil(resetAt / 1000) * 1000,
    });

    // Deferred: no request now (the repository has no config: no check run is written for it).
    await app.queue.enqueueCheck(job);
    await app.queue.onIdle();
    expect(nock.pendingMocks()).toEqual([]);

    // At the reset it runs.
    const later = mockCheckWithoutConfig();
    await vi.waitFor(() => expect(later.isDone()).toBe(true), { timeout: 5_000, interval: 50 });
    await app.queue.onIdle();
    expect(app.errors).toEqual([]);
  });

  it("the scheduler's listing of an installation's repositories counts in its budget", async () => {
    const app = testApp({ rateLimitFloor: 0.1 });
    const resetAt = Date.now() + 30 * 60_000;
    const listing = nock(API)
      .get("/app/installations")
      .query(true)
      .reply(200, [{ id: INSTALLATION_ID }], rateLimit(4_900, resetAt))
      .get("/installation/repositories")
      .query(true)
      .reply(
        200,
        {
          total_count: 1,
          repositories: [
            { id: 101, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } },
          ],
        },
        rateLimit(400, resetAt),
      );
    const sources = {
      directory: installationDirectory(app.probot, app.observe),
      repositories: app.services.repositories,
      log: app.probot.log,
    };
    const scheduler = new Scheduler(app.queue, sources, {
      intervalMs: 60_000,
      jitterMs: 0,
      firstCheckSpreadMs: 0,
    });
    expect(await scheduler.tick()).toBe(1);
    await app.queue.onIdle();

    expect(listing.isDone()).toBe(true);
    // The installation's reading (not the app's, from the listing of installations).
    expect(await app.budget.read(INSTALLATION_ID)).toEqual({
      remaining: 400,
      limit: 5000,
      resetAt: Math.ceil(resetAt / 1000) * 1000,
    });
    // So the check it queued waits for the reset: not one request of the repository.
    expect(nock.pendingMocks()).toEqual([]);
    expect(app.errors).toEqual([]);
  });

  it("a deferred check writes 'Deferred: rate limit until HH:MM UTC' on the commit its last check read", async () => {
    const app = testApp({ rateLimitFloor: 0.1 });
    const resetAt = Date.now() + 30 * 60_000;
    const unmatched: string[] = [];
    nock.emitter.on("no match", (request: { path: string }) => unmatched.push(request.path));
    app.services.repositories.set(`${owner}/${repo}`, {
      checkedAt: Date.now() - 86_400_000,
      schedule: "daily",
      headSha: "head-0",
      modules: new Set(),
    });
    await app.budget.record(INSTALLATION_ID, { remaining: 3, limit: 5000, resetAt });
    let body: {
      name?: string;
      head_sha?: string;
      conclusion?: string;
      output?: { title?: string };
    } = {};
    nock(API)
      .post(`/repos/${owner}/${repo}/check-runs`, (b: typeof body) => {
        body = b;
        return true;
      })
      .reply(201, { id: 7 });
    await app.queue.enqueueCheck(job);
    await app.queue.onIdle();
    expect(body).toMatchObject({
      name: "promoter",
      head_sha: "head-0",
      conclusion: "neutral",
      output: {
        title: `Deferred: rate limit until ${new Date(resetAt).toISOString().slice(11, 16)} UTC`,
      },
    });

    // Asked for again while it waits: folded into the deferred one, no second check run.
    await app.queue.enqueueCheck(job);
    await app.queue.onIdle();
    await app.queue.close();
    nock.emitter.removeAllListeners("no match");
    expect(unmatched).toEqual([]);
  });
});
