import type { Redis } from "ioredis";
import type { RateLimitReading } from "../github/rate-limit.js";
import { newerReading } from "./budget-decision.js";

/** The last rate-limit reading of each installation, as every replica sees it. */
export interface RateLimitBudget {
  /** Keeps `reading` unless a newer one of the installation is known ({@link newerReading}). */
  record(installationId: number, reading: RateLimitReading): Promise<void>;
  /** The newest reading of the installation, if any. */
  read(installationId: number): Promise<RateLimitReading | undefined>;
}

/** The budget of one process (the in-process queue). */
export class InProcessBudget implements RateLimitBudget {
  private readonly readings = new Map<number, RateLimitReading>();

  record(installationId: number, reading: RateLimitReading): Promise<void> {
    this.readings.set(installationId, newerReading(this.readings.get(installationId), reading));
    return Promise.resolve();
  }

  read(installationId: number): Promise<RateLimitReading | undefined> {
    return Promise.resolve(this.readings.get(installationId));
  }
}

/** {@link newerReading} in Redis: keeps the later window, or in the same one the fewer requests left. */
const RECORD = `
local reset = tonumber(redis.call('HGET', KEYS[1], 'resetAt'))
local remaining = tonumber(redis.call('HGET', KEYS[1], 'remaining'))
local newReset = tonumber(ARGV[3])
if reset and (reset > newReset or (reset == newReset and remaining <= tonumber(ARGV[1]))) then
  return 0
end
redis.call('HSET', KEYS[1], 'remaining', ARGV[1], 'limit', ARGV[2], 'resetAt', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], newReset + 60000)
return 1`;

/**
 * The budget shared by the replicas (with `REDIS_URL`): one hash per installation, which expires a
 * minute after its window's reset, so that every replica defers and resumes the same checks.
 */
export class RedisBudget implements RateLimitBudget {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(installationId: number): string {
    return `${this.prefix}:rate-limit:${installationId}`;
  }

  async record(installationId: number, reading: RateLimitReading): Promise<void> {
    const { remaining, limit, resetAt } = reading;
    await this.redis.eval(RECORD, 1, this.key(installationId), remaining, limit, resetAt);
  }

  async read(installationId: number): Promise<RateLimitReading | undefined> {
    const stored = await this.redis.hgetall(this.key(installationId));
    const reading = {
      remaining: Number(stored.remaining),
      limit: Number(stored.limit),
      resetAt: Number(stored.resetAt),
    };
    if (stored.resetAt === undefined || !Object.values(reading).every(Number.isFinite)) {
      return undefined;
    }
    return reading;
  }
}
