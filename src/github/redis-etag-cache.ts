/**
 * The ETag cache shared by replicas and kept across restarts: each listed page (its ETag and names) in
 * Redis under a hash of its key, with a time to live and a byte cap per entry. A Redis that fails, or
 * an entry that does not parse, makes a miss (a full request), never a failed check.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { CachedPage, EtagCache } from "./tags.js";

/** How long a page stays unless rewritten: a week. */
const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;

/** The largest entry stored: 256 KiB (100 tag names, or a registry's version list, fit many times). */
const DEFAULT_MAX_ENTRY_BYTES = 256 * 1024;

/** Bounds of a {@link RedisEtagCache}. */
export interface RedisEtagCacheOptions {
  /** Key prefix, e.g. `promoter` (`PROMOTER_REDIS_PREFIX`): keys are `<prefix>:cache:etag:<sha256 of key>`. */
  prefix: string;
  ttlSeconds?: number;
  /** The largest entry stored, in bytes of JSON; a larger one is not cached. */
  maxEntryBytes?: number;
  log: { warn(obj: object, msg: string): void };
}

function parsePage(text: string): CachedPage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { etag, data, next, commits } = value as Record<string, unknown>;
  if (typeof etag !== "string" || typeof next !== "boolean" || !Array.isArray(data))
    return undefined;
  if (!data.every((item): item is string => typeof item === "string")) return undefined;
  if (commits === undefined) return { etag, data, next };
  if (!Array.isArray(commits) || commits.length !== data.length) return undefined;
  if (!commits.every((item): item is string => typeof item === "string")) return undefined;
  return { etag, data, commits, next };
}

/** An {@link EtagCache} in Redis. */
export class RedisEtagCache implements EtagCache {
  readonly #ttl: number;
  readonly #maxEntryBytes: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisEtagCacheOptions,
  ) {
    this.#ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  }

  #key(key: string): string {
    // Hashed: the key holds outside text (URLs, owner and repository names) of any length.
    const digest = createHash("sha256").update(key).digest("hex");
    return `${this.options.prefix}:cache:etag:${digest}`;
  }

  async get(key: string): Promise<CachedPage | undefined> {
    try {
      const text = await this.redis.get(this.#key(key));
      return text === null ? undefined : parsePage(text);
    } catch (error) {
      this.options.log.warn({ err: error }, "Redis ETag cache unreadable: a full request");
      return undefined;
    }
  }

  async set(key: string, value: CachedPage): Promise<void> {
    const { etag, data, commits, next } = value;
    const text = JSON.stringify({ etag, data, ...(commits && { commits }), next });
    if (Buffer.byteLength(text, "utf8") > this.#maxEntryBytes) return;
    try {
      await this.redis.set(this.#key(key), text, "EX", this.#ttl);
    } catch (error) {
      this.options.log.warn({ err: error }, "Redis ETag cache unwritable: not cached");
    }
  }
}
