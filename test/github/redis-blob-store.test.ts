import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisBlobStore } from "../../src/github/redis-blob-store.js";
import { useTestRedis } from "../queue/redis-server.js";

const clients: Redis[] = [];
const prefix = `promoter-test-${randomUUID().slice(0, 8)}`;
/* Against a real Redis: REDIS_URL when set (.ci/run starts one), else a redis-server of its own. */
const testRedis = useTestRedis(() => [prefix]);
const warnings: string[] = [];
const log = { warn: (_: object, msg: string) => warnings.push(msg) };
const bytes = (text: string) => Buffer.from(text, "utf8");

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
    ? "RedisBlobStore"
    : "RedisBlobStore (skipped: no Redis; set REDIS_URL or install redis-server)",
  () => {
    it("serves to a second client (a restarted or other replica) what the first stored, bytes exactly", async () => {
      const latin1 = Buffer.from("# Gr\u00fc\u00dfe\r\n", "latin1");
      await new RedisBlobStore(client(), { prefix, log }).setMany(
        new Map([
          ["a", bytes("locals {}\n")],
          ["l", latin1],
        ]),
      );
      const other = new RedisBlobStore(client(), { prefix, log });
      const found = await other.getMany(["a", "missing", "l"]);
      expect([...found.keys()]).toEqual(["a", "l"]);
      expect(found.get("l")?.equals(latin1)).toBe(true);
      const redis = client();
      const ttl = await redis.ttl(`${prefix}:cache:blob:a`);
      expect(ttl).toBeGreaterThan(6 * 24 * 3600);
    });

    it("never stores a blob over its size bound, nor more bytes than its budget", async () => {
      const store = new RedisBlobStore(client(), {
        prefix: `${prefix}:bounded`,
        log,
        maxBlobBytes: 10,
        maxBytes: 12,
      });
      await store.setMany(new Map([["huge", Buffer.alloc(11)]]));
      await store.setMany(new Map([["first", Buffer.alloc(8)]]));
      await store.setMany(new Map([["second", Buffer.alloc(8)]]));
      const found = await store.getMany(["huge", "first", "second"]);
      expect([...found.keys()]).toEqual(["first"]);
      // The budget is per 7 days from its first bytes: it gets a TTL once (without Redis 7's EXPIRE NX).
      const budgetTtl = await client().ttl(`${prefix}:bounded:cache:blob-bytes`);
      expect(budgetTtl).toBeGreaterThan(6 * 24 * 3600);
    });

    it("degrades to no cache when Redis fails: a miss, a warning, no error", async () => {
      const broken = new Redis("redis://127.0.0.1:1", {
        maxRetriesPerRequest: 0,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      broken.on("error", () => undefined);
      clients.push(broken);
      const store = new RedisBlobStore(broken, { prefix, log });
      await expect(store.setMany(new Map([["a", bytes("x")]]))).resolves.toBeUndefined();
      await expect(store.getMany(["a"])).resolves.toEqual(new Map());
      expect(warnings).toEqual([
        "Redis blob cache unwritable: not cached",
        "Redis blob cache unreadable: reading from GitHub",
      ]);
    });
  },
);
