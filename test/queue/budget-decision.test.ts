import { describe, expect, it } from "vitest";
import {
  mayRunNow,
  newerReading,
  rateLimitFloor,
  type RunDecision,
} from "../../src/queue/budget-decision.js";
import type { Job } from "../../src/queue/job-queue.js";

const NOW = Date.UTC(2024, 5, 7, 7, 0, 0);
const RESET = NOW + 20 * 60_000;
const base = { installationId: 1, owner: "acme", repo: "live", reason: "schedule" };
const check: Job = { ...base };
const merged: Job = {
  ...base,
  kind: "merged",
  pullRequest: { number: 1 } as never,
};
const command: Job = {
  ...base,
  kind: "command",
  comment: { id: 1, body: "/promote stage" },
  author: "octocat",
  issue: { number: 1, isPullRequest: true, author: "promoter[bot]" },
};
const released: Job = { ...base, kind: "module-released", module: "acme/vpc" };
const reading = (remaining: number, resetAt = RESET) => ({ remaining, limit: 5000, resetAt });
const wait: RunDecision = { run: false, until: RESET };
const run: RunDecision = { run: true };

describe("mayRunNow: a check waits for the reset while the budget is under the floor", () => {
  it.each([
    ["a check, no reading yet", check, undefined, run],
    ["a check, 4,000 of 5,000 left", check, reading(4000), run],
    ["a check, exactly the floor (500) left", check, reading(500), run],
    ["a check, 499 left", check, reading(499), wait],
    ["a check, 0 left", check, reading(0), wait],
    ["a check, 0 left but the window has reset", check, reading(0, NOW), run],
    ["a merge, 0 left", merged, reading(0), run],
    ["a command, 0 left", command, reading(0), run],
    ["a module release, 0 left", released, reading(0), run],
  ])("%s", (_name, job, known, expected) => {
    expect(mayRunNow(job, known, NOW, 0.1)).toEqual(expected);
  });

  it("a floor of 0 never defers; a floor of 1 defers as soon as one request is spent", () => {
    expect(mayRunNow(check, reading(0), NOW, 0)).toEqual(run);
    expect(mayRunNow(check, reading(4999), NOW, 1)).toEqual(wait);
    expect(mayRunNow(check, reading(5000), NOW, 1)).toEqual(run);
  });
});

describe("newerReading: the later window, or the fewer requests left in the same one", () => {
  it.each([
    ["nothing known", undefined, reading(10), reading(10)],
    ["same window, fewer left now", reading(100), reading(90), reading(90)],
    ["same window, an older answer arrives late", reading(90), reading(100), reading(90)],
    [
      "a new window",
      reading(3, RESET),
      reading(4999, RESET + 3_600_000),
      reading(4999, RESET + 3_600_000),
    ],
    [
      "an answer of the old window after the new one",
      reading(4999, RESET + 1),
      reading(3),
      reading(4999, RESET + 1),
    ],
  ])("%s", (_name, known, next, expected) => {
    expect(newerReading(known, next)).toEqual(expected);
  });
});

describe("rateLimitFloor (PROMOTER_RATE_LIMIT_FLOOR)", () => {
  it.each([
    [undefined, 0.1],
    ["", 0.1],
    ["0.25", 0.25],
    ["0", 0],
    ["1", 1],
  ])("%j is %d", (value, floor) => {
    expect(rateLimitFloor(value)).toBe(floor);
  });

  it.each(["10%", "-0.1", "1.5", "ten"])("%j is refused with a message", (value) => {
    expect(() => rateLimitFloor(value)).toThrow("PROMOTER_RATE_LIMIT_FLOOR must be a fraction");
  });
});
