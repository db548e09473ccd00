import { createHash, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterAll, describe, expect, it } from "vitest";
import { Services } from "../../src/engine/services.js";
import { RedisBlobStore } from "../../src/github/redis-blob-store.js";
import { RedisEtagCache } from "../../src/github/redis-etag-cache.js";
import { createRuntime } from "../../src/index.js";
import { listTags, type ListingStats } from "../../src/github/tags.js";
import type { GitHubClient } from "../../src/github/clients.js";
import { useNock } from "../support/nock-github.js";
import { useTestRedis } from "../queue/redis-server.js";

const API = "https://api.github.com";
const clients: Redis[] = [];
const prefix = `promoter-test-${randomUUID().slice(0, 8)}`;
/* Against a real Redis: REDIS_URL when set (.ci/run starts one), else a redis-server of its own. */
const testRedis = useTestRedis(() => [prefix]);
const warnings: string[] = [];
const log = { warn: (_: object, msg: string) => warnings.push(msg) };

useNock();

afterAll(() => {
  for (const client of clients) client.disconnect();
});

function redis(): Redis {
  const client = new Redis(testRedis.url, { maxRetriesPerRequest: 1 });
  clients.push(client);
  return client;
}

function github(): GitHubClient {
  return new ProbotOctokit({
    baseUrl: API,
    auth: { token: "test" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

const page = { etag: 'W/"abc"', data: ["v1.0.0", "v1.1.0"], next: false };

describe.skipIf(!testRedis.available)(
  testRedis.available
    ? "RedisEtagCache"
    : "RedisEtagCache (skipped: no Redis; set REDIS_URL or install redis-server)",
  () => {
    it("serves to a second instance (a restarted or other replica) what the first stored, under a hashed key with a TTL", async () => {
      const key = `${API}/repos/acme/modules/tags?per_page=100&page=1`;
      await new RedisEtagCache(redis(), { prefix, log }).set(key, page);
      const other = new RedisEtagCache(redis(), { prefix, log });
      expect(await other.get(key)).toEqual(page);
      expect(await other.get(`${API}/repos/acme/other/tags?per_page=100&page=1`)).toBeUndefined();
      const digest = createHash("sha256").update(key).digest("hex");
      const ttl = await redis().ttl(`${prefix}:cache:etag:${digest}`);
      expect(ttl).toBeGreaterThan(6 * 24 * 3600);
      const withCommits = { ...page, commits: ["a".repeat(40), ""] };
      await new RedisEtagCache(redis(), { prefix, log }).set(`${key}&c`, withCommits);
      expect(await other.get(`${key}&c`)).toEqual(withCommits);
    });

    it("lets a restarted app answer an unchanged tag listing with a conditional request (304)", async () => {
      const keyPrefix = `${prefix}:restart`;
      const repository = { apiBaseUrl: API, owner: "acme", repo: "modules" };
      nock(API, { badheaders: ["if-none-match"] })
        .get("/repos/acme/modules/tags")
        .query({ per_page: "100", page: "1" })
        .reply(200, [{ name: "v1.0.0" }, { name: "v1.1.0" }], { etag: '"t1"' });
      const before = new RedisEtagCache(redis(), { prefix: keyPrefix, log });
      expect(await listTags(github(), repository, before)).toEqual(["v1.0.0", "v1.1.0"]);

      const scope = nock(API)
        .get("/repos/acme/modules/tags")
        .query({ per_page: "100", page: "1" })
        .matchHeader("if-none-match", '"t1"')
        .reply(304, "", { etag: '"t1"' });
      const stats: ListingStats = { requests: 0, notModified: 0 };
      const after = new RedisEtagCache(redis(), { prefix: keyPrefix, log });
      expect(await listTags(github(), repository, after, stats)).toEqual(["v1.0.0", "v1.1.0"]);
      expect(stats).toEqual({ requests: 1, notModified: 1 });
      expect(scope.isDone()).toBe(true);
    });

    it("never stores an entry over its byte cap", async () => {
      const cache = new RedisEtagCache(redis(), {
        prefix: `${prefix}:bounded`,
        log,
        maxEntryBytes: 100,
      });
      await cache.set("small", page);
      await cache.set("huge", { etag: '"x"', data: ["v".repeat(200)], next: false });
      expect(await cache.get("small")).toEqual(page);
      expect(await cache.get("huge")).toBeUndefined();
    });

    it("treats an entry that does not parse as a page as a miss", async () => {
      const keyPrefix = `${prefix}:corrupt`;
      const client = redis();
      const cache = new RedisEtagCache(client, { prefix: keyPrefix, log });
      const digest = (key: string) => createHash("sha256").update(key).digest("hex");
      await client.set(`${keyPrefix}:cache:etag:${digest("not-json")}`, "{");
      await client.set(
        `${keyPrefix}:cache:etag:${digest("wrong-shape")}`,
        JSON.stringify({ etag: '"e"', data: [1, 2], next: false }),
      );
      expect(await cache.get("not-json")).toBeUndefined();
      expect(await cache.get("wrong-shape")).toBeUndefined();
    });

    it("degrades to no cache when Redis fails: a miss, a warning, no error", async () => {
      warnings.length = 0;
      const broken = new Redis("redis://127.0.0.1:1", {
        maxRetriesPerRequest: 0,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      broken.on("error", () => undefined);
      clients.push(broken);
      const cache = new RedisEtagCache(broken, { prefix, log });
      await expect(cache.set("a", page)).resolves.toBeUndefined();
      await expect(cache.get("a")).resolves.toBeUndefined();
      expect(warnings).toEqual([
        "Redis ETag cache unwritable: not cached",
        "Redis ETag cache unreadable: a full request",
      ]);
    });

    it("is the app's ETag cache when the queue is in Redis", async () => {
      const probot = new Probot({ githubToken: "token", log: pino({ level: "silent" }) });
      const { services, queue } = createRuntime(probot, new Services(), {
        redisUrl: testRedis.url,
        redisPrefix: `${prefix}:app`,
      });
      try {
        expect(services.etags).toBeInstanceOf(RedisEtagCache);
        expect(services.blobs).toBeInstanceOf(RedisBlobStore);
      } finally {
        await queue.close();
      }
    });
  },
);
