import { afterEach, describe, expect, it } from "vitest";
import { nextCheckAt, scheduleOffset, spreadCheckAt } from "../../src/queue/schedule.js";

const HOUR = 60 * 60 * 1000;
const utc = (iso: string) => new Date(`${iso}Z`).getTime();
const iso = (ms: number) => new Date(ms).toISOString();
/** SHA-256 of "123456", its first 48 bits modulo a day in ms (07:05:02.410). */
const OFFSET_OF_123456 = 25_502_410;

describe("nextCheckAt: keywords", () => {
  const checkedAt = utc("2024-06-07T07:23:45.678");

  it("hourly is an hour after the last check", () => {
    expect(nextCheckAt("hourly", checkedAt)).toBe(checkedAt + HOUR);
  });

  it("daily is 24 hours after the last check", () => {
    expect(nextCheckAt("daily", checkedAt)).toBe(checkedAt + 24 * HOUR);
  });

  it("weekly is 7 days after the last check", () => {
    expect(nextCheckAt("weekly", checkedAt)).toBe(checkedAt + 7 * 24 * HOUR);
  });
});

describe("nextCheckAt: cron expressions, in UTC", () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it("0 6 * * 1-5 from a Friday after 06:00 is the next Monday 06:00", () => {
    // 2024-06-07 is a Friday.
    expect(iso(nextCheckAt("0 6 * * 1-5", utc("2024-06-07T07:00:00")))).toBe(
      "2024-06-10T06:00:00.000Z",
    );
  });

  it("0 6 * * 1-5 from a Friday before 06:00 is the same day", () => {
    expect(iso(nextCheckAt("0 6 * * 1-5", utc("2024-06-07T05:59:59")))).toBe(
      "2024-06-07T06:00:00.000Z",
    );
  });

  it("is strictly after the last check, even when that was on an occurrence", () => {
    expect(iso(nextCheckAt("0 6 * * 1-5", utc("2024-06-10T06:00:00")))).toBe(
      "2024-06-11T06:00:00.000Z",
    );
  });

  it("*/15 * * * * is the next quarter hour", () => {
    expect(iso(nextCheckAt("*/15 * * * *", utc("2024-06-07T10:07:30")))).toBe(
      "2024-06-07T10:15:00.000Z",
    );
    expect(iso(nextCheckAt("*/15 * * * *", utc("2024-06-07T10:15:00")))).toBe(
      "2024-06-07T10:30:00.000Z",
    );
    expect(iso(nextCheckAt("*/15 * * * *", utc("2024-06-07T23:59:00")))).toBe(
      "2024-06-08T00:00:00.000Z",
    );
  });

  it("crosses months and years", () => {
    expect(iso(nextCheckAt("30 2 1 * *", utc("2024-12-15T00:00:00")))).toBe(
      "2025-01-01T02:30:00.000Z",
    );
  });

  it("does not depend on the time zone of the process", () => {
    for (const tz of ["America/New_York", "Asia/Kolkata", "UTC"]) {
      process.env.TZ = tz;
      expect(iso(nextCheckAt("0 6 * * 1-5", utc("2024-06-07T07:00:00"))), tz).toBe(
        "2024-06-10T06:00:00.000Z",
      );
      // Across a daylight-saving change of New York (2024-11-03).
      expect(iso(nextCheckAt("0 6 * * *", utc("2024-11-03T05:00:00"))), tz).toBe(
        "2024-11-03T06:00:00.000Z",
      );
    }
  });

  it("rejects an expression that is not cron", () => {
    expect(() => nextCheckAt("every tuesday", 0)).toThrow();
  });
});

describe("spreadCheckAt: each repository at its own moment of the interval", () => {
  const DAY = 24 * HOUR;
  const ids = Array.from({ length: 500 }, (_, i) => String(100_000 + i * 7919));

  it("is the same in every process: a function of the repository id only", () => {
    // A change here moves every installation's schedule: keep the hash.
    expect(scheduleOffset("123456", DAY)).toBe(OFFSET_OF_123456);
    expect(spreadCheckAt("daily", utc("2024-06-07T00:00:00"), "123456")).toBe(
      utc("2024-06-07T00:00:00") + OFFSET_OF_123456,
    );
  });

  it("spreads 500 repositories over the day: every hour has some, none has many", () => {
    const perHour = new Array<number>(24).fill(0);
    for (const id of ids) perHour[Math.floor(scheduleOffset(id, DAY) / HOUR)]! += 1;
    // 500 / 24 ≈ 21 an hour.
    expect(Math.min(...perHour)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...perHour)).toBeLessThanOrEqual(36);
    const perMinute = new Map<number, number>();
    for (const id of ids) {
      const minute = Math.floor(scheduleOffset(id, DAY) / 60_000);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    }
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(5);
  });

  it.each(["hourly", "daily", "weekly"])(
    "%s: checked at each moment it comes due, a repository fires once per interval",
    (schedule) => {
      const interval = { hourly: HOUR, daily: DAY, weekly: 7 * DAY }[schedule] ?? 0;
      const start = utc("2024-06-07T07:23:45.678");
      for (const id of ids.slice(0, 50)) {
        let at = spreadCheckAt(schedule, start, id);
        const fired: number[] = [];
        while (at < start + 10 * interval) {
          fired.push(at);
          at = spreadCheckAt(schedule, at, id);
        }
        expect(fired.length).toBeGreaterThanOrEqual(9);
        expect(fired.length).toBeLessThanOrEqual(10);
        for (let i = 1; i < fired.length; i++) expect(fired[i]! - fired[i - 1]!).toBe(interval);
        expect(fired[0]! - start).toBeLessThanOrEqual(interval);
      }
    },
  );

  it("a check at another moment (a push) does not move the repository's moment", () => {
    const moment = spreadCheckAt("daily", utc("2024-06-07T00:00:00"), "123456");
    expect(spreadCheckAt("daily", moment - 5 * 60_000, "123456")).toBe(moment);
    expect(spreadCheckAt("daily", moment, "123456")).toBe(moment + DAY);
  });

  it("a cron expression keeps its own times", () => {
    const checkedAt = utc("2024-06-07T07:00:00");
    expect(spreadCheckAt("0 6 * * 1-5", checkedAt, "123456")).toBe(
      nextCheckAt("0 6 * * 1-5", checkedAt),
    );
  });
});
