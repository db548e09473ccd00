import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisKnownLabels } from "../../src/github/redis-known-labels.js";
import { useTestRedis } from "../queue/redis-server.js";

const clients: Redis[] = [];
const prefix = `promoter-test-${randomUUID().slice(0, 8)}`;
/* Against a real Redis: REDIS_URL when set (.ci/run starts one), else a redis-server of its own. */
const testRedis = useTestRedis(() => [prefix]);
const warnings: string[] = [];
const log = { warn: (_: object, msg: string) => warnings.push(msg) };

afterAll(() => {
  for (const client of clients) client.disconnect();
});

function client(): Redis {
  const redis = new Redis(testRedis.url, { maxRetriesPerRequest: 1 });
  clients.push(redis);
  return redis;
}

describe.skipIf(!testRedis.available)(
  testRedis.available
    ? "RedisKnownLabels"
    : "RedisKnownLabels (skipped: no Redis; set REDIS_URL or install redis-server)",
  () => {
    it("tells a second client (a restarted or other replica) the labels the first added, per repository", async () => {
      const first = new RedisKnownLabels(client(), { prefix, log });
      await first.add("Acme/Live", ["promoter:dev", "promoter:hold"]);
      await first.add("acme/other", ["promoter:prod"]);
      const second = new RedisKnownLabels(client(), { prefix, log });
      await expect(second.read("acme/live")).resolves.toEqual(
        new Set(["promoter:dev", "promoter:hold"]),
      );
      await expect(second.read("acme/unknown")).resolves.toEqual(new Set());
      expect(warnings).toEqual([]);
    });

    it("forgets a repository's labels a day after its first one, not later for later ones", async () => {
      const redis = client();
      const labels = new RedisKnownLabels(redis, { prefix, log });
      const key = `${prefix}:cache:labels:acme/ttl`;
      await labels.add("acme/ttl", ["promoter:dev"]);
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(23 * 3600);
      expect(ttl).toBeLessThanOrEqual(24 * 3600);
      await redis.expire(key, 60);
      await labels.add("acme/ttl", ["promoter:stage"]);
      expect(await redis.ttl(key)).toBeLessThanOrEqual(60);
      await expect(labels.read("acme/ttl")).resolves.toEqual(
        new Set(["promoter:dev", "promoter:stage"]),
      );
    });

    it("knows no label when Redis fails: a warning, no error", async () => {
      warnings.length = 0;
      const broken = new Redis("redis://127.0.0.1:1", {
        maxRetriesPerRequest: 0,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      broken.on("error", () => undefined);
      clients.push(broken);
      const labels = new RedisKnownLabels(broken, { prefix, log });
      await expect(labels.add("acme/live", ["promoter:dev"])).resolves.toBeUndefined();
      await expect(labels.read("acme/live")).resolves.toEqual(new Set());
      expect(warnings).toEqual([
        "Redis label cache unwritable: not cached",
        "Redis label cache unreadable: labels are checked",
      ]);
    });
  },
);
