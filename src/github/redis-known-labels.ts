/**
 * The labels known per repository in Redis, shared by replicas and kept across restarts: one set per
 * repository with a time to live, so that a label deleted by a person is created again a day later at
 * most. A Redis that fails knows no label (the label is created again, or found to exist), never a
 * failed check.
 */
import type { Redis } from "ioredis";
import type { KnownLabels } from "./known-labels.js";

/** How long a repository's set stays, counted from its first label (not refreshed by later ones). */
const DEFAULT_TTL_SECONDS = 24 * 3600;

/** Where a {@link RedisKnownLabels} keeps its sets. */
export interface RedisKnownLabelsOptions {
  /** Key prefix, e.g. `promoter` (`PROMOTER_REDIS_PREFIX`): keys are `<prefix>:cache:labels:<owner/repo>`. */
  prefix: string;
  ttlSeconds?: number;
  log: { warn(obj: object, msg: string): void };
}

/** A {@link KnownLabels} in Redis. */
export class RedisKnownLabels implements KnownLabels {
  readonly #ttl: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisKnownLabelsOptions,
  ) {
    this.#ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  }

  #key(fullName: string): string {
    return `${this.options.prefix}:cache:labels:${fullName.toLowerCase()}`;
  }

  async read(fullName: string): Promise<Set<string>> {
    try {
      return new Set(await this.redis.smembers(this.#key(fullName)));
    } catch (error) {
      this.options.log.warn({ err: error }, "Redis label cache unreadable: labels are checked");
      return new Set();
    }
  }

  async add(fullName: string, names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const key = this.#key(fullName);
    try {
      // EXPIRE's NX needs Redis 7; the README promises 5: a set without a TTL yet (-1) gets one.
      const results = await this.redis
        .multi()
        .sadd(key, ...names)
        .ttl(key)
        .exec();
      const failed = results?.find(([error]) => error)?.[0];
      if (failed) throw failed;
      if (results?.[1]?.[1] === -1) await this.redis.expire(key, this.#ttl);
    } catch (error) {
      this.options.log.warn({ err: error }, "Redis label cache unwritable: not cached");
    }
  }
}
