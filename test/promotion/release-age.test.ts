import { describe, expect, it } from "vitest";
import type { Plan, Proposal } from "../../src/promotion/plan.js";
import { updatesToAge, versionKey, withReleaseAge } from "../../src/promotion/release-age.js";

const NOW = Date.parse("2026-06-10T12:00:00Z");
const daysAgo = (d: number) => new Date(NOW - d * 86_400_000).toISOString();
const proposal = (
  dependency: string,
  to: string,
  reason: Proposal["reason"] = "update",
): Proposal => ({
  key: `promoter/dev/${dependency.replace(/\//g, "+")}`,
  environment: reason === "update" ? "dev" : "stage",
  dependency,
  from: ["v1.0.0"],
  to,
  reason,
  edits: [],
  files: [],
  untouched: [],
});
const planOf = (...proposals: Proposal[]): Plan => ({ proposals, deferred: [] });

describe("withReleaseAge", () => {
  const fresh = proposal("acme/a", "v1.2.0");
  const old = proposal("acme/b", "v2.0.0");
  const promotion = proposal("acme/a", "v1.1.0", "promotion");
  const registry = proposal("hashicorp/consul/aws", "v0.12.0");
  const dates = new Map([
    [versionKey("acme/a", "v1.2.0"), daysAgo(1)],
    [versionKey("acme/b", "v2.0.0"), daysAgo(4)],
    [versionKey("hashicorp/consul/aws", "v0.12.0"), undefined],
  ]);

  it("holds back an update younger than minimumReleaseAge until it is old enough, and only updates", () => {
    const aged = withReleaseAge(
      planOf(fresh, old, promotion, registry),
      dates,
      { minimumReleaseAge: "3d" },
      NOW,
    );
    expect(aged.plan.proposals).toEqual([old, promotion, registry]);
    expect(aged.plan.deferred).toEqual([
      {
        environment: "dev",
        dependency: "acme/a",
        reason:
          "v1.2.0 came out 1d ago: it is proposed from 2026-06-12T12:00:00.000Z, once 3d old (updates.minimumReleaseAge)",
      },
    ]);
    expect(aged.dueAt).toBe(Date.parse("2026-06-12T12:00:00.000Z"));
    expect(aged.warnings).toEqual([
      {
        subject: "hashicorp/consul/aws",
        message:
          "the release date of `v0.12.0` is unknown: it is proposed without `updates.minimumReleaseAge`",
      },
    ]);
  });

  it("changes nothing without minimumReleaseAge, and asks for no dates", () => {
    const planned = planOf(fresh, old);
    expect(withReleaseAge(planned, dates, {}, NOW)).toEqual({ plan: planned, warnings: [] });
    expect(updatesToAge(planned.proposals, {})).toEqual([]);
    expect(updatesToAge([fresh, promotion], { minimumReleaseAge: "1h" })).toEqual([fresh]);
  });
});
