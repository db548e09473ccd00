import { describe, expect, it } from "vitest";
import { durationMs, formatDuration, parseConfig } from "../../src/config/index.js";

describe("durationMs", () => {
  it.each([
    ["30s", 30_000],
    ["10m", 600_000],
    ["24h", 86_400_000],
    ["3d", 259_200_000],
    ["0s", 0],
    ["366d", 366 * 86_400_000],
  ])("reads %s", (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each(["", "3", "d", "1.5h", "-1h", "1w", "3 d", "3D", "367d", "1000000d"])(
    "refuses %j",
    (text) => {
      expect(durationMs(text)).toBeUndefined();
    },
  );
});

describe("formatDuration", () => {
  it.each([
    [45_000, "45s"],
    [5_400_000, "1h 30m"],
    [90_061_000, "1d 1h"],
    [0, "0s"],
  ])("writes %i ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("verify and minimumReleaseAge in the config", () => {
  const parse = (environment: string, updates = "") =>
    parseConfig(
      `environments:\n  - name: dev\n    paths: ["dev/**"]\n${environment}\n  - name: stage\n    paths: ["stage/**"]\n${updates}`,
    );

  it("accepts checks, a deployment and a soak, and a minimum release age", () => {
    const parsed = parse(
      '    verify:\n      checks: ["terragrunt apply (dev)", "smoke-*"]\n      deployment: dev\n      soak: 24h',
      "updates:\n  minimumReleaseAge: 3d\n",
    );
    expect(parsed.ok && parsed.config.environments[0]?.verify).toEqual({
      checks: ["terragrunt apply (dev)", "smoke-*"],
      deployment: "dev",
      soak: "24h",
    });
    expect(parsed.ok && parsed.config.updates.minimumReleaseAge).toBe("3d");
    const plain = parse("");
    expect(plain.ok && plain.config.environments[0]?.verify).toBeUndefined();
  });

  it("reports a duration that is not one, at its line and column", () => {
    const parsed = parse("    verify:\n      soak: 1 day", "updates:\n  minimumReleaseAge: 3w\n");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`)).toEqual([
      '5:13 environments[0].verify.soak: must be a duration: a whole number and s, m, h or d, e.g. "30s", "10m", "24h", "3d", of at most a year (got "1 day")',
      '9:22 updates.minimumReleaseAge: must be a duration: a whole number and s, m, h or d, e.g. "30s", "10m", "24h", "3d", of at most a year (got "3w")',
    ]);
  });

  it("reports an unknown key of verify", () => {
    const parsed = parse('    verify:\n      check: ["x"]');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]?.message).toContain('did you mean "checks"?');
  });
});
