import { afterAll, beforeAll } from "vitest";
import {
  deleteKeys,
  redisServerInstalled,
  startRedis,
  type TestRedis,
} from "../support/redis-process.js";

export {
  deleteKeys,
  redisServerInstalled,
  startRedis,
  type TestRedis,
} from "../support/redis-process.js";

/** The Redis a test file runs against; `url` is set once the file's `beforeAll` has run. */
export interface FileRedis {
  readonly available: boolean;
  readonly url: string;
}

/**
 * Registers the hooks of a test file against a real Redis: REDIS_URL when set (.ci/run starts one), else a
 * redis-server of its own when one is installed; the keys under `prefixes()` are deleted at the end.
 */
export function useTestRedis(prefixes: () => readonly string[]): FileRedis {
  const sharedUrl = process.env.REDIS_URL;
  const redis = { available: Boolean(sharedUrl) || redisServerInstalled(), url: "" };
  let own: TestRedis | undefined;
  beforeAll(async () => {
    if (sharedUrl) redis.url = sharedUrl;
    else if (redis.available) {
      own = await startRedis();
      redis.url = own.url;
    }
  }, 20_000);
  afterAll(async () => {
    if (redis.url) for (const prefix of prefixes()) await deleteKeys(redis.url, prefix);
    await own?.stop();
  });
  return redis;
}
