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
