import { describe, expect, it } from "vitest";
import type { Plan, Proposal } from "../../src/promotion/plan.js";
import { withPullRequestLimits } from "../../src/promotion/pull-request-limits.js";

const proposal = (environment: string, dependency: string): Proposal => ({
  key: `promoter/${environment}/${dependency.replace(/\//g, "+")}`,
  environment,
  dependency,
  from: ["v1.0.0"],
  to: "v1.1.0",
  reason: "update",
  edits: [],
  files: [],
  untouched: [],
});
const planOf = (...proposals: Proposal[]): Plan => ({ proposals, deferred: [] });
const keys = (p: Plan) => p.proposals.map((x) => `${x.environment} ${x.dependency}`);
const openPr = (environment: string, dependency: string) => ({
  environment,
  dependency,
  state: "open" as const,
});

describe("withPullRequestLimits", () => {
  const many = planOf(
    proposal("dev", "acme/a"),
    proposal("dev", "acme/b"),
    proposal("dev", "acme/c"),
    proposal("stage", "acme/d"),
  );

  it("changes nothing without limits", () => {
    expect(withPullRequestLimits(many, [], {})).toBe(many);
  });

  it("opens at most maxNewPullRequests per check, in the plan's order, and names what waits", () => {
    const limited = withPullRequestLimits(many, [], { maxNewPullRequests: 2 });
    expect(keys(limited)).toEqual(["dev acme/a", "dev acme/b"]);
    expect(limited.deferred).toEqual([
      {
        environment: "dev",
        dependency: "acme/c",
        reason:
          "v1.1.0 waits: this check opened 2 new pull requests already (updates.maxNewPullRequests)",
      },
      expect.objectContaining({ environment: "stage", dependency: "acme/d" }),
    ]);
  });

  it("keeps at most maxOpenPullRequests open per environment, counting those open already", () => {
    const limited = withPullRequestLimits(
      many,
      [openPr("dev", "acme/x"), { ...openPr("dev", "acme/y"), state: "closed" as const }],
      { maxOpenPullRequests: 2 },
    );
    expect(keys(limited)).toEqual(["dev acme/a", "stage acme/d"]);
    expect(limited.deferred.map((d) => d.reason)).toEqual([
      "v1.1.0 waits: 2 of Promoter's pull requests are open in dev (updates.maxOpenPullRequests: 2)",
      "v1.1.0 waits: 2 of Promoter's pull requests are open in dev (updates.maxOpenPullRequests: 2)",
    ]);
  });

  it("never holds back the update of a PR that is open already", () => {
    const limited = withPullRequestLimits(
      planOf(proposal("dev", "acme/a"), proposal("dev", "acme/b")),
      [openPr("dev", "acme/a"), openPr("dev", "acme/b")],
      { maxOpenPullRequests: 1, maxNewPullRequests: 1 },
    );
    expect(keys(limited)).toEqual(["dev acme/a", "dev acme/b"]);
    expect(limited.deferred).toEqual([]);
  });
});
