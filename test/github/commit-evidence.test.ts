import nock from "nock";
import { describe, expect, it } from "vitest";
import { readCommitEvidence } from "../../src/github/commit-evidence.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "live" };
const SHA = "c".repeat(40);

useNock();

const runs = [
  {
    name: "apply",
    status: "completed",
    conclusion: "success",
    completed_at: "2026-06-01T10:00:00Z",
    html_url: "https://ci/a",
    app: { slug: "ci" },
  },
  {
    name: "plan",
    status: "completed",
    conclusion: "neutral",
    completed_at: "2026-06-01T10:01:00Z",
    html_url: null,
    app: { slug: "ci" },
  },
  {
    name: "lint",
    status: "completed",
    conclusion: "timed_out",
    completed_at: "2026-06-01T10:02:00Z",
    html_url: null,
    app: { slug: "ci" },
  },
  {
    name: "smoke",
    status: "in_progress",
    conclusion: null,
    completed_at: null,
    html_url: null,
    app: { slug: "ci" },
  },
  {
    name: "promoter",
    status: "completed",
    conclusion: "success",
    completed_at: "2026-06-01T10:03:00Z",
    html_url: null,
    app: { slug: "promoter" },
  },
];
const statuses = [
  {
    context: "deploy/dev",
    state: "success",
    updated_at: "2026-06-01T11:00:00Z",
    target_url: "https://ci/d",
  },
  { context: "e2e", state: "error", updated_at: "2026-06-01T11:01:00Z", target_url: null },
  { context: "audit", state: "pending", updated_at: "2026-06-01T11:02:00Z", target_url: null },
];

function mockChecks() {
  return nock(API)
    .get(`/repos/acme/live/commits/${SHA}/check-runs`)
    .query({ per_page: "100" })
    .reply(200, { total_count: runs.length, check_runs: runs })
    .get(`/repos/acme/live/commits/${SHA}/status`)
    .query({ per_page: "100" })
    .reply(200, { state: "failure", statuses });
}

describe("readCommitEvidence", () => {
  it("maps check runs (not the app's own) and statuses, in 2 requests", async () => {
    mockChecks();
    const evidence = await readCommitEvidence(testOctokit(), REPO, SHA, { ownApp: "promoter" });
    expect(
      evidence.checks.map((c) => `${c.kind} ${c.name} ${c.state} ${c.at ?? "-"} ${c.url ?? "-"}`),
    ).toEqual([
      "check run apply success 2026-06-01T10:00:00Z https://ci/a",
      "check run plan success 2026-06-01T10:01:00Z -",
      "check run lint failure 2026-06-01T10:02:00Z -",
      "check run smoke pending - -",
      "status deploy/dev success 2026-06-01T11:00:00Z https://ci/d",
      "status e2e failure 2026-06-01T11:01:00Z -",
      "status audit pending - -",
    ]);
    expect(evidence.deployment).toBeUndefined();
  });

  it.each([
    ["no deployment", [], undefined, { state: "none" }],
    ["a deployment without a status yet", [{ id: 9 }], [], { state: "pending" }],
    [
      "a deployment in progress",
      [{ id: 9 }],
      [{ state: "in_progress", created_at: "t", log_url: "", target_url: "" }],
      { state: "pending" },
    ],
    [
      "a successful deployment",
      [{ id: 9 }],
      [
        {
          state: "success",
          created_at: "2026-06-01T12:00:00Z",
          log_url: "https://d/log",
          target_url: "",
        },
      ],
      { state: "success", at: "2026-06-01T12:00:00Z", url: "https://d/log" },
    ],
    [
      "a failed deployment",
      [{ id: 9 }],
      [{ state: "failure", created_at: "2026-06-01T12:00:00Z", log_url: "", target_url: "" }],
      { state: "failure", at: "2026-06-01T12:00:00Z" },
    ],
  ])(
    "reads the latest deployment to the environment: %s",
    async (_what, deployments, deploymentStatuses, expected) => {
      mockChecks();
      const scope = nock(API)
        .get("/repos/acme/live/deployments")
        .query({ sha: SHA, environment: "dev", per_page: "1" })
        .reply(200, deployments);
      if (deploymentStatuses)
        scope
          .get("/repos/acme/live/deployments/9/statuses")
          .query({ per_page: "1" })
          .reply(200, deploymentStatuses);
      const evidence = await readCommitEvidence(testOctokit(), REPO, SHA, {
        ownApp: "promoter",
        deployment: "dev",
      });
      expect(evidence.deployment).toEqual(expected);
    },
  );
});
