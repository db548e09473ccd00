/**
 * The blob store shared by replicas and kept across restarts: files' bytes by blob SHA in Redis, each
 * key with a time to live, each value and the bytes stored per time to live bounded. A Redis that
 * fails makes a miss, never a failed check.
 */
import type { Redis } from "ioredis";
import { MAX_SOURCE_FILE_BYTES } from "../iac/limits.js";
import type { BlobStore } from "./blob-cache.js";

/** How long a blob stays: a week, refreshed by nothing (content by SHA never changes). */
const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;

/** The bytes stored per time to live, across replicas: 256 MiB. */
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** Keys read or written per Redis command. */
const BATCH = 500;

/** Bounds of a {@link RedisBlobStore}. */
export interface RedisBlobStoreOptions {
  /** Key prefix, e.g. `promoter` (`PROMOTER_REDIS_PREFIX`): keys are `<prefix>:cache:blob:<sha>`. */
  prefix: string;
  ttlSeconds?: number;
  /** The bytes stored per time to live; past it, nothing more is stored until the window ends. */
  maxBytes?: number;
  /** The largest blob stored: a larger one (a hostile huge file) is never stored. */
  maxBlobBytes?: number;
  log: { warn(obj: object, msg: string): void };
}

/** A {@link BlobStore} in Redis. */
export class RedisBlobStore implements BlobStore {
  readonly #ttl: number;
  readonly #maxBytes: number;
  readonly #maxBlobBytes: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisBlobStoreOptions,
  ) {
    this.#ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#maxBlobBytes = options.maxBlobBytes ?? MAX_SOURCE_FILE_BYTES;
  }

  #key(sha: string): string {
    return `${this.options.prefix}:cache:blob:${sha}`;
  }

  /** The key counting the bytes stored in the current window. */
  get #budgetKey(): string {
    return `${this.options.prefix}:cache:blob-bytes`;
  }

  async getMany(shas: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    try {
      for (let i = 0; i < shas.length; i += BATCH) {
        const batch = shas.slice(i, i + BATCH);
        const values = await this.redis.mgetBuffer(...batch.map((sha) => this.#key(sha)));
        batch.forEach((sha, j) => {
          const value = values[j];
          if (value) found.set(sha, value);
        });
      }
    } catch (error) {
      this.options.log.warn({ err: error }, "Redis blob cache unreadable: reading from GitHub");
    }
    return found;
  }

  async setMany(blobs: ReadonlyMap<string, Buffer>): Promise<void> {
    const kept = [...blobs].filter(([, bytes]) => bytes.length <= this.#maxBlobBytes);
    if (kept.length === 0) return;
    try {
      for (let i = 0; i < kept.length; i += BATCH) {
        const batch = kept.slice(i, i + BATCH);
        const bytes = batch.reduce((sum, [, b]) => sum + b.length, 0);
        const [[, stored] = [], [, ttl] = []] =
          (await this.redis.multi().incrby(this.#budgetKey, bytes).ttl(this.#budgetKey).exec()) ??
          [];
        // EXPIRE's NX needs Redis 7; the README promises 5: a budget without a TTL yet (-1) gets one.
        if (ttl === -1) await this.redis.expire(this.#budgetKey, this.#ttl);
        if (Number(stored) > this.#maxBytes) return;
        const pipeline = this.redis.pipeline();
        for (const [sha, b] of batch) pipeline.set(this.#key(sha), b, "EX", this.#ttl);
        await pipeline.exec();
      }
    } catch (error) {
      this.options.log.warn({ err: error }, "Redis blob cache unwritable: not cached");
    }
  }
}
