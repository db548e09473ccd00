import { afterEach, describe, expect, it } from "vitest";
import { nextCheckAt } from "../../src/queue/schedule.js";

const HOUR = 60 * 60 * 1000;
const utc = (iso: string) => new Date(`${iso}Z`).getTime();
const iso = (ms: number) => new Date(ms).toISOString();

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
