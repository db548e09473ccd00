/**
 * The {@link ListingCache} shared by replicas: each fresh listing in Redis under
 * `<prefix>:cache:listing:<installation id>:<sha256 of the listing key>`, expiring with the window.
 * A Redis that fails makes a miss (a request), never a failed check.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { ListingCache } from "./listing-cache.js";

/** The largest listing stored: 1 MiB of JSON (10,000 tags fit). */
const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

/** Bounds of a {@link RedisListingCache}. */
export interface RedisListingCacheOptions {
  /** Key prefix, e.g. `promoter` (`PROMOTER_REDIS_PREFIX`). */
  prefix: string;
  /** The window (`PROMOTER_LISTING_TTL_SECONDS`); 0 stores nothing. */
  ttlSeconds: number;
  maxEntryBytes?: number;
  log: { warn(obj: object, msg: string): void };
}

/** A {@link ListingCache} in Redis. */
export class RedisListingCache implements ListingCache {
  readonly #maxEntryBytes: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisListingCacheOptions,
  ) {
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  }

  #key(installationId: number, key: string): string {
    const digest = createHash("sha256").update(key).digest("hex");
    return `${this.options.prefix}:cache:listing:${installationId}:${digest}`;
  }

  async get(installationId: number, key: string): Promise<string[] | undefined> {
    let text: string | null;
    try {
      text = await this.redis.get(this.#key(installationId, key));
    } catch (error) {
      this.options.log.warn({ err: error }, "Redis listing cache unreadable: listing again");
      return undefined;
    }
    if (text === null) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
    } catch {
      // An entry that does not parse is a miss.
    }
    return undefined;
  }

  async set(installationId: number, key: string, versions: readonly string[]): Promise<void> {
    if (this.options.ttlSeconds <= 0) return;
    const text = JSON.stringify(versions);
    if (Buffer.byteLength(text, "utf8") > this.#maxEntryBytes) return;
    try {
      await this.redis.set(this.#key(installationId, key), text, "EX", this.options.ttlSeconds);
    } catch (error) {
      this.options.log.warn({ err: error }, "Redis listing cache unwritable: not shared");
    }
  }

  async delete(installationId: number, key: string): Promise<void> {
    try {
      await this.redis.del(this.#key(installationId, key));
    } catch (error) {
      this.options.log.warn({ err: error }, "Redis listing cache: a listing not dropped");
    }
  }
}
