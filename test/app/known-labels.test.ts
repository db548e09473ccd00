import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { Redis } from "ioredis";
import nock from "nock";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { Probot } from "probot";
import { Services } from "../../src/engine/services.js";
import { RedisKnownLabels } from "../../src/github/redis-known-labels.js";
import { createRuntime } from "../../src/index.js";
import type { RedisQueue } from "../../src/queue/redis-queue.js";
import {
  API,
  capture,
  mockBranches,
  mockPullRequests,
  mockRepositoryRead,
  mockTags,
  testApp,
  webhook,
  type RepoFixture,
} from "./helpers.js";
import { useNock } from "../support/nock-github.js";
import { useTestRedis } from "../queue/redis-server.js";

const prefix = `promoter-test-${randomUUID().slice(0, 8)}`;
/* Against a real Redis: REDIS_URL when set (.ci/run starts one), else a redis-server of its own. */
const testRedis = useTestRedis(() => [prefix]);
const clients: Redis[] = [];
const warnings: string[] = [];
const log = { warn: (_: object, msg: string) => warnings.push(msg) };

const fixture: RepoFixture = {
  owner: "acme",
  repo: "live",
  headSha: "a".repeat(40),
  files: {
    ".github/promoter.yml": 'environments:\n  - name: dev\n    paths: ["dev/**"]\n',
    "dev/sqs/terragrunt.hcl": `terraform {
  source = "git::https://github.com/acme/terraform-aws-sqs.git?ref=v0.8.0"
}
`,
  },
};
const repo = "/repos/acme/live";

afterAll(() => {
  for (const client of clients) client.disconnect();
});
afterEach(() => {
  warnings.length = 0;
});
useNock();

function client(): Redis {
  const redis = new Redis(testRedis.url, { maxRetriesPerRequest: 1 });
  clients.push(redis);
  return redis;
}

/**
 * Intercepts one check of acme/live proposing sqs v0.8.1 to dev: its reads (the blobs of `downloads`),
 * the label's creation (if it is made), the proposal's writes and the check run.
 */
function mockCheck(
  downloads: string[],
  listed = true,
): {
  labelsCreated: () => number;
  bodies: ReturnType<typeof capture>;
} {
  const bodies = capture();
  mockRepositoryRead(fixture, downloads);
  if (listed) mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.1"]);
  mockPullRequests(fixture);
  mockBranches(fixture);
  let created = 0;
  // Optional: whether the label is created is what the tests count.
  nock(API)
    .post(`${repo}/labels`)
    .optionally()
    .reply(201, {})
    .on("request", () => created++);
  nock(API)
    .post(`${repo}/git/trees`)
    .reply(201, { sha: "tree-1" })
    .post(`${repo}/git/commits`)
    .reply(201, { sha: "commit-1" })
    .post(`${repo}/git/refs`)
    .reply(201, { ref: "refs/heads/promoter/dev/acme+terraform-aws-sqs" })
    .get("/repos/acme/terraform-aws-sqs/releases")
    .query(true)
    .reply(200, [])
    .post(`${repo}/pulls`)
    .reply(201, { number: 11 })
    .post(`${repo}/issues/11/labels`)
    .reply(200, [])
    .post(`${repo}/check-runs`, bodies.as("checkRun"))
    .reply(201, { id: 7 });
  return { labelsCreated: () => created, bodies };
}

/** Runs one check of acme/live in `app`; returns the labels it created (`POST /repos/acme/live/labels`). */
async function check(app: ReturnType<typeof testApp>, blobsCached = false): Promise<number> {
  // A second check of the same process is within the listing window too: its tags are not listed again.
  const { labelsCreated, bodies } = mockCheck(
    blobsCached ? [] : Object.keys(fixture.files),
    !blobsCached,
  );
  await app.receive(
    "repository_dispatch",
    webhook(
      "repository_dispatch",
      undefined,
      { owner: "acme", repo: "live" },
      { action: "new_module_release" },
    ),
  );
  expect(app.errors).toEqual([]);
  expect(bodies.one<{ output: { title: string } }>("checkRun").output.title).toBe(
    "1 pull request opened",
  );
  // Every request of the check was made; an unused label interceptor must not serve the next check.
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
  return labelsCreated();
}

describe("labels known in memory (the default)", () => {
  it("are created once per process: its next check creates none, another process creates them again", async () => {
    const app = testApp();
    expect(await check(app)).toBe(1);
    expect(await check(app, true)).toBe(0);
    expect(await check(testApp())).toBe(1);
  });
});

describe.skipIf(!testRedis.available)(
  testRedis.available
    ? "labels known in Redis"
    : "labels known in Redis (skipped: no Redis; set REDIS_URL or install redis-server)",
  () => {
    it("are created once across processes sharing a Redis: the second one's check creates none", async () => {
      const first = testApp();
      first.services.shareLabels(new RedisKnownLabels(client(), { prefix, log }));
      expect(await check(first)).toBe(1);
      const second = testApp();
      second.services.shareLabels(new RedisKnownLabels(client(), { prefix, log }));
      expect(await check(second)).toBe(0);
      expect(warnings).toEqual([]);
    });

    it("are kept in Redis by the runtime of a Redis queue, under the deployment's prefix", async () => {
      const services = new Services();
      const probot = new Probot({ githubToken: "token", log: pino({ level: "silent" }) });
      const runtime = createRuntime(probot, services, {
        redisUrl: testRedis.url,
        redisPrefix: `${prefix}:runtime`,
      });
      try {
        // Its connection queues no command before it is up (it fails them, as when Redis is down).
        const { redis } = runtime.queue as RedisQueue;
        if (redis.status !== "ready") await once(redis, "ready");
        await services.knownLabels.add("Acme/Live", ["promoter:dev"]);
        expect(await client().smembers(`${prefix}:runtime:cache:labels:acme/live`)).toEqual([
          "promoter:dev",
        ]);
      } finally {
        await runtime.queue.close();
      }
    });

    it("are created, with a warning and no failure, when Redis fails", async () => {
      const broken = new Redis("redis://127.0.0.1:1", {
        maxRetriesPerRequest: 0,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      broken.on("error", () => undefined);
      clients.push(broken);
      const app = testApp();
      app.services.shareLabels(new RedisKnownLabels(broken, { prefix, log }));
      expect(await check(app)).toBe(1);
      expect(warnings).toEqual([
        "Redis label cache unreadable: labels are checked",
        "Redis label cache unwritable: not cached",
      ]);
    });
  },
);
