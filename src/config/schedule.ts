import { createRequire } from "node:module";
import type * as CronParser from "cron-parser";

const require = createRequire(import.meta.url);
let cronParser: typeof CronParser | undefined;

/** cron-parser, loaded at the first cron expression: most configs name a keyword, and the CLI starts ~50 ms sooner without it. */
function cron(): typeof CronParser {
  return (cronParser ??= require("cron-parser") as typeof CronParser);
}

/** The words `updates.schedule` accepts besides cron expressions. */
const SCHEDULE_KEYWORDS = ["hourly", "daily", "weekly"] as const;

/** Whether a schedule is one of {@link SCHEDULE_KEYWORDS} rather than a cron expression. */
export function isScheduleKeyword(schedule: string): boolean {
  return (SCHEDULE_KEYWORDS as readonly string[]).includes(schedule);
}

const CRON_FIELD = String.raw`[0-9A-Za-z*/,?#-]+`;

/** `hourly`, `daily`, `weekly`, or five cron fields made of the characters cron allows. */
export const SCHEDULE_PATTERN = new RegExp(
  String.raw`^(?:${SCHEDULE_KEYWORDS.join("|")}|${CRON_FIELD}(?:[ \t]+${CRON_FIELD}){4})$`,
);

/** A hashed field item (`H`, `H/5`): cron-parser picks it at random unless given a seed. */
const HASHED = /^H(?:$|\/)/i;

/** cron-parser's message for a day of the month that none of the months has (`30 2`). */
const NO_SUCH_DAY = "Invalid explicit day of month definition";

/**
 * Why a cron expression (five fields, as {@link SCHEDULE_PATTERN} accepts) cannot schedule checks,
 * or `undefined` when it can: cron-parser must read it, and it must fire at least once.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/[ \t]+/);
  if (fields.some((field) => field.split(",").some((item) => HASHED.test(item)))) {
    return 'H (a hashed value) is not supported: write the minute or hour, e.g. "17 6 * * *"';
  }
  try {
    cron()
      .CronExpressionParser.parse(expression, {
        currentDate: new Date(Date.UTC(2000, 0, 1)),
        tz: "UTC",
      })
      .next();
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith(NO_SUCH_DAY)) return "never fires: no month it names has that day";
    return `is not a valid cron expression: ${message}`;
  }
}
