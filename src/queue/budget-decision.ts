import type { RateLimitReading } from "../github/rate-limit.js";
import { isCheck, type Job } from "./job-queue.js";

/** The share of an installation's rate limit kept for merges and commands by default (`PROMOTER_RATE_LIMIT_FLOOR`). */
export const DEFAULT_RATE_LIMIT_FLOOR = 0.1;

/** Whether a job may run now, or until when it waits. */
export type RunDecision = { run: true } | { run: false; until: number };

/**
 * Whether `job` may run now given its installation's last rate-limit `reading`: merges, commands and
 * module releases always run; a check waits for the window's reset while fewer than `floor` × limit
 * requests remain, so what is left goes to the jobs people wait for. A reading whose window has passed,
 * or none, lets every job run.
 */
export function mayRunNow(
  job: Job,
  reading: RateLimitReading | undefined,
  now: number,
  floor: number,
): RunDecision {
  if (!isCheck(job) || !reading || reading.resetAt <= now) return { run: true };
  if (reading.remaining >= reading.limit * floor) return { run: true };
  return { run: false, until: reading.resetAt };
}

/**
 * The newer of two readings of one installation: the later window, or in the same window the one with
 * fewer requests left (answers can arrive out of order, from several replicas).
 */
export function newerReading(
  known: RateLimitReading | undefined,
  reading: RateLimitReading,
): RateLimitReading {
  if (!known) return reading;
  if (known.resetAt !== reading.resetAt) return known.resetAt > reading.resetAt ? known : reading;
  return known.remaining <= reading.remaining ? known : reading;
}

/**
 * The floor in `PROMOTER_RATE_LIMIT_FLOOR`: a fraction of the limit from 0 (never defer) to 1, default
 * {@link DEFAULT_RATE_LIMIT_FLOOR}.
 */
export function rateLimitFloor(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return DEFAULT_RATE_LIMIT_FLOOR;
  const floor = Number(value);
  if (!Number.isFinite(floor) || floor < 0 || floor > 1) {
    throw new Error("PROMOTER_RATE_LIMIT_FLOOR must be a fraction of the rate limit, from 0 to 1");
  }
  return floor;
}
