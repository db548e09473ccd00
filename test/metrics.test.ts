import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Services } from "../src/engine/services.js";
import { createRuntime, promoterApp } from "../src/index.js";
import { countCacheLookup, metricsRegistry } from "../src/metrics.js";
import { INSTALLATION_ID, webhook } from "./app/helpers.js";

const API = "https://api.github.com";
type Handler = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

/** The app with its real runtime (in-process queue, budget, metrics), its HTTP handlers on loopback. */
async function serve() {
  const probot = new Probot({
    githubToken: "installation-token",
    log: pino({ level: "silent" }),
    Octokit: ProbotOctokit.defaults((options: object) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  const handlers: Handler[] = [];
  const runtime = promoterApp((app) => createRuntime(app, new Services()))(probot, {
    addHandler: (handler: Handler) => handlers.push(handler),
  } as never);
  const server = createServer((request, response) => {
    void (async () => {
      for (const handler of handlers) if (await handler(request, response)) return;
      response.writeHead(404).end();
    })();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return { probot, runtime, server, url: `http://127.0.0.1:${port}` };
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(() => nock.enableNetConnect());

describe("GET /metrics", () => {
  it("answers in Prometheus' text format with the jobs, webhooks, API requests and budget after a job ran", async () => {
    const { probot, runtime, server, url } = await serve();
    const rateLimit = {
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4321",
      "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 3600),
    };
    const github = nock(API)
      .get("/repos/acme/live/git/ref/heads%2Fmain")
      .reply(200, { object: { sha: "head-1", type: "commit" } }, rateLimit)
      .get("/repos/acme/live/git/trees/head-1")
      .query({ recursive: "1" })
      .reply(200, { sha: "tree-1", truncated: false, tree: [] }, rateLimit);
    try {
      const repo = { owner: "acme", repo: "live" };
      await probot.receive({
        id: "delivery-1",
        name: "repository_dispatch",
        payload: webhook("repository_dispatch", undefined, repo, { action: "new_module_release" }),
      } as never);
      await runtime.queue.onIdle();
      expect(github.isDone()).toBe(true);

      const response = await fetch(`${url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/plain");
      const text = await response.text();
      const installation = `installation_id="${INSTALLATION_ID}"`;
      for (const line of [
        'promoter_webhooks_received_total{event="repository_dispatch"} 1',
        'promoter_jobs_queued_total{kind="check"} 1',
        'promoter_jobs_running{kind="check"} 0',
        'promoter_job_duration_seconds_count{kind="check",outcome="ok"} 1',
        `promoter_github_requests_total{${installation},status="200"} 2`,
        `promoter_github_rate_limit_remaining{${installation}} 4321`,
        `promoter_github_rate_limit_limit{${installation}} 5000`,
      ]) {
        expect(text).toContain(line);
      }
      for (const name of [
        "promoter_jobs_failed_total",
        "promoter_jobs_retried_total",
        "promoter_cache_lookups_total",
        "promoter_checks_deferred_total",
      ]) {
        expect(text).toContain(`# TYPE ${name} counter`);
      }
      expect(text).not.toContain("installation-token");
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await runtime.queue.close();
      server.close();
    }
  });
});

describe("countCacheLookup", () => {
  it("counts a whole batch of lookups at once, by cache and result, and nothing for an empty batch", async () => {
    const line = async (labels: string) =>
      (await metricsRegistry.metrics())
        .split("\n")
        .find((l) => l.startsWith(`promoter_cache_lookups_total{${labels}}`));
    const before = Number((await line('cache="blob",result="hit"'))?.split(" ")[1] ?? 0);
    countCacheLookup("blob", true, 3);
    countCacheLookup("blob", true, 0);
    countCacheLookup("tags", false);
    expect(await line('cache="blob",result="hit"')).toBe(
      `promoter_cache_lookups_total{cache="blob",result="hit"} ${before + 3}`,
    );
    expect(await line('cache="tags",result="miss"')).toMatch(/ [1-9]\d*$/);
  });
});
