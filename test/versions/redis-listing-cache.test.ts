import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { afterAll, describe, expect, it } from "vitest";
import { Services } from "../../src/engine/services.js";
import { createRuntime } from "../../src/index.js";
import { RedisQueue } from "../../src/queue/redis-queue.js";
import type { DependencyOrigin } from "../../src/iac/types.js";
import { RedisListingCache } from "../../src/versions/redis-listing-cache.js";
import { testOctokit, useNock } from "../support/nock-github.js";
import { useTestRedis } from "../queue/redis-server.js";

const API = "https://api.github.com";
const KEY = `git ${API} acme/modules`;
const origin: DependencyOrigin = {
  type: "git",
  host: "github.com",
  owner: "acme",
  repo: "modules",
};
const deps = [{ id: "acme/modules//vpc", origin }];
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

const cache = (keyPrefix: string, ttlSeconds = 600, maxEntryBytes?: number) =>
  new RedisListingCache(redis(), {
    prefix: keyPrefix,
    ttlSeconds,
    log,
    ...(maxEntryBytes === undefined ? {} : { maxEntryBytes }),
  });

describe.skipIf(!testRedis.available)(
  testRedis.available
    ? "RedisListingCache"
    : "RedisListingCache (skipped: no Redis; set REDIS_URL or install redis-server)",
  () => {
    it("serves a second instance (another replica) what the first stored, under the installation and a hashed key, expiring with the window", async () => {
      await cache(prefix).set(1, KEY, ["v1.0.0", "v1.1.0"]);
      const other = cache(prefix);
      expect(await other.get(1, KEY)).toEqual(["v1.0.0", "v1.1.0"]);
      expect(await other.get(1, `git ${API} acme/other`)).toBeUndefined();
      const digest = createHash("sha256").update(KEY).digest("hex");
      const ttl = await redis().ttl(`${prefix}:cache:listing:1:${digest}`);
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);
    });

    it("never shows one installation's listing to another", async () => {
      const keyPrefix = `${prefix}:scoped`;
      await cache(keyPrefix).set(1, KEY, ["v1.0.0"]);
      expect(await cache(keyPrefix).get(2, KEY)).toBeUndefined();
      expect(await cache(keyPrefix).get(1, KEY)).toEqual(["v1.0.0"]);
    });

    it("has nothing after the window, and stores nothing with a window of 0", async () => {
      const keyPrefix = `${prefix}:expiry`;
      await cache(keyPrefix, 1).set(1, KEY, ["v1.0.0"]);
      expect(await cache(keyPrefix, 1).get(1, KEY)).toEqual(["v1.0.0"]);
      await sleep(1_200);
      expect(await cache(keyPrefix, 1).get(1, KEY)).toBeUndefined();

      await cache(keyPrefix, 0).set(1, KEY, ["v1.0.0"]);
      expect(await cache(keyPrefix, 600).get(1, KEY)).toBeUndefined();
    });

    it("drops a listing (a release) for every instance", async () => {
      const keyPrefix = `${prefix}:release`;
      await cache(keyPrefix).set(1, KEY, ["v1.0.0"]);
      await cache(keyPrefix).delete(1, KEY);
      expect(await cache(keyPrefix).get(1, KEY)).toBeUndefined();
    });

    it("never stores a listing over its byte cap, and treats an entry that is not a list of strings as a miss", async () => {
      const keyPrefix = `${prefix}:bounded`;
      const bounded = cache(keyPrefix, 600, 100);
      await bounded.set(1, "small", ["v1.0.0"]);
      await bounded.set(1, "huge", ["v".repeat(200)]);
      expect(await bounded.get(1, "small")).toEqual(["v1.0.0"]);
      expect(await bounded.get(1, "huge")).toBeUndefined();

      const client = redis();
      const digest = (key: string) => createHash("sha256").update(key).digest("hex");
      await client.set(`${keyPrefix}:cache:listing:1:${digest("not-json")}`, "[");
      await client.set(`${keyPrefix}:cache:listing:1:${digest("numbers")}`, "[1,2]");
      expect(await bounded.get(1, "not-json")).toBeUndefined();
      expect(await bounded.get(1, "numbers")).toBeUndefined();
    });

    it("degrades to no sharing when Redis fails: a miss, a warning, no error", async () => {
      warnings.length = 0;
      const broken = new Redis("redis://127.0.0.1:1", {
        maxRetriesPerRequest: 0,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      broken.on("error", () => undefined);
      clients.push(broken);
      const failing = new RedisListingCache(broken, { prefix, ttlSeconds: 600, log });
      await expect(failing.set(1, KEY, ["v1.0.0"])).resolves.toBeUndefined();
      await expect(failing.get(1, KEY)).resolves.toBeUndefined();
      await expect(failing.delete(1, KEY)).resolves.toBeUndefined();
      expect(warnings).toEqual([
        "Redis listing cache unwritable: not shared",
        "Redis listing cache unreadable: listing again",
        "Redis listing cache: a listing not dropped",
      ]);

      // A check through it still lists the tags.
      const services = new Services(API);
      services.shareListings(failing);
      nock(API)
        .get("/repos/acme/modules/tags")
        .query(true)
        .reply(200, [{ name: "v1.0.0" }]);
      const listed = await services.listVersions(testOctokit(), 1, deps, "terraform");
      expect(listed.versions.get("acme/modules//vpc")).toEqual(["v1.0.0"]);
      expect(listed.requests).toBe(1);
    });

    it("lets two replicas list a module repository once per installation within the window", async () => {
      const keyPrefix = `${prefix}:replicas`;
      const replica = () => {
        const services = new Services(API);
        services.shareListings(cache(keyPrefix));
        return services;
      };
      const [a, b] = [replica(), replica()];
      const scope = nock(API)
        .get("/repos/acme/modules/tags")
        .query(true)
        .times(2)
        .reply(200, [{ name: "v1.0.0" }], { etag: '"e1"' });
      const first = await a.listVersions(testOctokit(), 1, deps, "terraform");
      const second = await b.listVersions(testOctokit(), 1, deps, "terraform");
      // Installation 2, on the replica that has installation 1's listing: its own request.
      const other = await b.listVersions(testOctokit(), 2, deps, "terraform");
      expect([first.requests, second.requests, other.requests]).toEqual([1, 0, 1]);
      expect(second.versions.get("acme/modules//vpc")).toEqual(["v1.0.0"]);
      expect(scope.isDone()).toBe(true);
    });

    it("is the app's listing cache when the queue is in Redis, with the configured window", async () => {
      const probot = new Probot({ githubToken: "token", log: pino({ level: "silent" }) });
      const services = new Services(API, undefined, undefined, undefined, 1);
      const { queue } = createRuntime(probot, services, {
        redisUrl: testRedis.url,
        redisPrefix: `${prefix}:app`,
      });
      try {
        expect(services.listings).toBeInstanceOf(RedisListingCache);
        // The queue's connection queues no command while it connects (a miss, then).
        if (!(queue instanceof RedisQueue)) throw new Error("the queue is not in Redis");
        if (queue.redis.status !== "ready") await once(queue.redis, "ready");
        await services.listings.set(1, KEY, ["v1.0.0"]);
        const digest = createHash("sha256").update(KEY).digest("hex");
        expect(await redis().ttl(`${prefix}:app:cache:listing:1:${digest}`)).toBe(1);
      } finally {
        await queue.close();
      }
    });
  },
);
