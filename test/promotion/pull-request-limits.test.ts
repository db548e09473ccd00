import { describe, expect, it } from "vitest";
import {
  groupProposal,
  membersOf,
  type PullRequestPlan,
  type PullRequestProposal,
} from "../../src/promotion/groups.js";
import type { Proposal } from "../../src/promotion/plan.js";
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
const planOf = (...proposals: PullRequestProposal[]): PullRequestPlan => ({
  proposals,
  deferred: [],
});
const keys = (p: PullRequestPlan) =>
  p.proposals.map(
    (x) =>
      `${x.environment} ${membersOf(x)
        .map((m) => m.dependency)
        .join("+")}`,
  );
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

  it("counts a group's PR once, and holds back the whole group with each member named", () => {
    const group = groupProposal("dev", "acme", [
      proposal("dev", "acme/a"),
      proposal("dev", "acme/b"),
    ]);
    const openGroup = [
      { ...openPr("dev", "acme/x"), number: 7, group: "other" },
      { ...openPr("dev", "acme/y"), number: 7, group: "other" },
    ];
    const limited = withPullRequestLimits(planOf(group, proposal("dev", "acme/c")), openGroup, {
      maxOpenPullRequests: 2,
    });
    expect(keys(limited)).toEqual(["dev acme/a+acme/b"]);
    expect(limited.deferred.map((d) => `${d.dependency}: ${d.reason}`)).toEqual([
      "acme/c: v1.1.0 waits: 2 of Promoter's pull requests are open in dev (updates.maxOpenPullRequests: 2)",
    ]);
    const full = withPullRequestLimits(planOf(group), openGroup, { maxOpenPullRequests: 1 });
    expect(full.proposals).toEqual([]);
    expect(full.deferred.map((d) => d.dependency)).toEqual(["acme/a", "acme/b"]);
  });

  it("updates a group's open PR whatever the limits", () => {
    const group = groupProposal("dev", "acme", [proposal("dev", "acme/a")]);
    const limited = withPullRequestLimits(
      planOf(group),
      [{ ...openPr("dev", "acme/z"), number: 3, group: "acme" }],
      { maxOpenPullRequests: 1, maxNewPullRequests: 0 },
    );
    expect(limited.proposals).toEqual([group]);
  });
});
