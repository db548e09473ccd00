import { createHash } from "node:crypto";
import { CronExpressionParser } from "cron-parser";

const HOUR = 60 * 60 * 1000;
const INTERVALS: Record<string, number> = { hourly: HOUR, daily: 24 * HOUR, weekly: 7 * 24 * HOUR };

/**
 * When a repository checked at `checkedAt` is due again under `updates.schedule`: an interval for
 * `hourly`, `daily` and `weekly`, the first cron occurrence after the last check for a cron expression (UTC).
 */
export function nextCheckAt(schedule: string, checkedAt: number): number {
  const interval = INTERVALS[schedule];
  if (interval !== undefined) return checkedAt + interval;
  const next = CronExpressionParser.parse(schedule, {
    currentDate: new Date(checkedAt),
    tz: "UTC",
  }).next();
  return next.getTime();
}

/**
 * Where in every interval of `intervalMs` a repository's checks fall: an offset from 0 to `intervalMs`
 * (exclusive) derived from its `key` (GitHub's repository id) by SHA-256, so the same in every process
 * and after every restart, and close to uniform over many repositories.
 */
export function scheduleOffset(key: string, intervalMs: number): number {
  if (intervalMs <= 0) return 0;
  const hash = createHash("sha256").update(key).digest();
  // 48 bits: exact in a double, far more than any interval in ms.
  return hash.readUIntBE(0, 6) % intervalMs;
}

/**
 * When a repository checked at `checkedAt` is due again, spread by its `key`: for `hourly`, `daily` and
 * `weekly`, the first moment after the last check at the repository's own offset
 * ({@link scheduleOffset}) in the interval, counted from the epoch, so that each repository is checked
 * once per interval and repositories on one schedule do not all come due together. A cron expression
 * names its own times ({@link nextCheckAt}).
 */
export function spreadCheckAt(schedule: string, checkedAt: number, key: string): number {
  const interval = INTERVALS[schedule];
  if (interval === undefined) return nextCheckAt(schedule, checkedAt);
  const offset = scheduleOffset(key, interval);
  return (Math.floor((checkedAt - offset) / interval) + 1) * interval + offset;
}
