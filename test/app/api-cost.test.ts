import nock from "nock";
import { beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { blobSha } from "../../src/iac/blob-sha.js";
import { metadataComment } from "../../src/promotion/pull-request-content.js";
import {
  API,
  capture,
  mockBranches,
  mockDashboard,
  mockPullRequests,
  mockReleaseDate,
  mockRepositoryRead,
  mockTags,
  mockTarball,
  testApp,
  webhook,
  type RepoFixture,
} from "./helpers.js";
import { useNock } from "../support/nock-github.js";

/**
 * What a check costs in GitHub API requests, for 0, 1 and 5 pull requests and for a re-check of an
 * unchanged repository: every request is answered by an interceptor here and counted.
 */

const modules = ["vpc", "sqs", "rds", "eks", "iam"];
const fixture: RepoFixture = {
  owner: "acme",
  repo: "live",
  headSha: "c".repeat(40),
  ownDashboard: true,
  files: {
    ".github/promoter.yml": 'environments:\n  - name: dev\n    paths: ["dev/**"]\n',
    ...Object.fromEntries(
      modules.map((m) => [
        `dev/${m}/terragrunt.hcl`,
        `terraform {\n  source = "git::https://github.com/acme/terraform-aws-${m}.git?ref=v1.0.0"\n}\n`,
      ]),
    ),
  },
};

/**
 * How a check lists tags: `listed` (cold), `revalidated` (a 304 for each ETag, past the listing
 * window) or `shared` (within the window: no request).
 */
type Tags = "listed" | "revalidated" | "shared";

/**
 * Answers every request of a check; `newer` modules have v1.0.1. Counts the requests, unanswered
 * ones too. `tags` other than `listed`: a re-check, its repository read from the caches.
 */
function github(newer: string[], openPulls: string[] = [], tags: Tags = "listed") {
  let requests = 0;
  const scopes: nock.Scope[] = [];
  const count = (scope: nock.Scope) => {
    scope.on("request", () => requests++);
    scopes.push(scope);
    return scope;
  };
  const unanswered = () => requests++;
  nock.emitter.on("no match", unanswered);
  onTestFinished(() => void nock.emitter.off("no match", unanswered));
  count(mockRepositoryRead(fixture, tags === "listed" ? Object.keys(fixture.files) : []));
  for (const m of tags === "shared" ? [] : modules) {
    const names = newer.includes(m) ? ["v1.0.1", "v1.0.0"] : ["v1.0.0"];
    const scope = nock(API).get(`/repos/acme/terraform-aws-${m}/tags`).query(true);
    count(
      tags === "revalidated"
        ? scope.matchHeader("if-none-match", `"${m}"`).reply(304, "")
        : scope.reply(
            200,
            names.map((name) => ({ name })),
            { etag: `"${m}"` },
          ),
    );
  }
  const pulls = openPulls.map((m, i) => ({
    number: 100 + i,
    state: "open",
    merged_at: null,
    merge_commit_sha: null,
    title: `[promoter] dev: acme/terraform-aws-${m} v1.0.0 → v1.0.1`,
    body: metadataComment({
      v: 1,
      env: "dev",
      dependency: `acme/terraform-aws-${m}`,
      from: ["v1.0.0"],
      to: "v1.0.1",
      // Built on the head: no read of its mergeability.
      base: fixture.headSha,
    }),
    user: { login: "promoter[bot]" },
    labels: [{ name: "promoter:dev" }],
    head: {
      ref: `promoter/dev/acme/terraform-aws-${m}`,
      sha: "h",
      repo: { full_name: "acme/live" },
    },
    base: { ref: "main", repo: { full_name: "acme/live" } },
  }));
  // The dashboard's release date of each module's newest version: read once per process.
  for (const m of tags === "listed" ? modules : [])
    count(mockReleaseDate("acme", `terraform-aws-${m}`, newer.includes(m) ? "v1.0.1" : "v1.0.0"));
  const repo = "/repos/acme/live";
  count(nock(API).get(`${repo}/pulls`).query(true).reply(200, pulls));
  const writes = newer.filter((m) => !openPulls.includes(m)).length;
  if (writes > 0) {
    count(nock(API).post(`${repo}/labels`).reply(201, {}));
    count(nock(API).post(`${repo}/git/trees`).times(writes).reply(201, { sha: "t" }));
    count(nock(API).post(`${repo}/git/commits`).times(writes).reply(201, { sha: "c" }));
    count(nock(API).post(`${repo}/git/refs`).times(writes).reply(201, {}));
    count(
      nock(API)
        .get(/\/repos\/acme\/terraform-aws-\w+\/releases/)
        .times(writes)
        .reply(200, []),
    );
    count(nock(API).post(`${repo}/pulls`).times(writes).reply(201, { number: 7 }));
    count(nock(API).post(`${repo}/issues/7/labels`).times(writes).reply(200, []));
  }
  count(
    nock(API)
      .get(`${repo}/git/matching-refs/heads%2Fpromoter%2F`)
      .reply(
        200,
        openPulls.map((m) => ({ ref: `refs/heads/promoter/dev/acme/terraform-aws-${m}` })),
      ),
  );
  // The dashboard: listed and created at a first check, read again (and unchanged) at a re-check.
  const last = dashboards.bodies.get("dashboard")?.at(-1) as { body: string } | undefined;
  count(
    mockDashboard(
      fixture,
      dashboards,
      tags === "listed" ? undefined : { number: 50, body: last?.body ?? "" },
    ),
  );
  count(nock(API).post(`${repo}/check-runs`).reply(201, { id: 1 }));
  return { requests: () => requests };
}

useNock();

let dashboards = capture();
beforeEach(() => {
  dashboards = capture();
});

const dispatch = () =>
  webhook(
    "repository_dispatch",
    undefined,
    { owner: "acme", repo: "live" },
    { action: "new_module_release" },
  );

describe("API requests of a check of a repository with 5 module repositories", () => {
  it.each([
    [0, 2 + 6 + 5 + 5 + 1 + 1 + 2 + 1],
    [1, 2 + 6 + 5 + 5 + 1 + 1 + 2 + 1 + 1 + 6],
    [5, 2 + 6 + 5 + 5 + 1 + 1 + 2 + 1 + 1 + 5 * 6],
  ])("opening %i pull requests costs %i requests (cold caches)", async (opened, expected) => {
    const app = testApp();
    const cost = github(modules.slice(0, opened));
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(cost.requests()).toBe(expected);
  });

  it("re-checking it unchanged within the listing window, with its 5 PRs open, costs 2 + 0 + 3 requests, and 1 for the dashboard", async () => {
    const app = testApp();
    let now = Date.parse("2026-06-01T12:00:00Z");
    app.services.now = () => now;
    github(modules);
    await app.receive("repository_dispatch", dispatch());
    nock.cleanAll();
    // A first re-check sees the 5 PRs open: the dashboard links them, and is read and edited: 2 requests.
    now += 30_000;
    const edited = github(modules, modules, "shared");
    await app.receive("repository_dispatch", dispatch());
    expect(edited.requests()).toBe(2 + 0 + 3 + 2);
    nock.cleanAll();
    now += 30_000;
    const cost = github(modules, modules, "shared");
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(cost.requests()).toBe(2 + 0 + 3 + 1);
  });

  it("re-checking it unchanged after the listing window, with its 5 PRs open, costs 2 + 5 (304, free) + 3 requests, and 1 for the dashboard", async () => {
    const app = testApp();
    let now = Date.parse("2026-06-01T12:00:00Z");
    app.services.now = () => now;
    github(modules);
    await app.receive("repository_dispatch", dispatch());
    nock.cleanAll();
    now += 30_000;
    github(modules, modules, "shared");
    await app.receive("repository_dispatch", dispatch());
    nock.cleanAll();
    now += 11 * 60_000;
    const cost = github(modules, modules, "revalidated");
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(cost.requests()).toBe(2 + 5 + 3 + 1);
  });
});

describe("API requests of reading a repository of 50 files", () => {
  const unit = (i: number, note = "") =>
    `terraform {\n  source = "git::https://github.com/acme/terraform-aws-vpc.git?ref=v1.0.0"\n}\n# unit ${i}${note}\n`;
  const big = (headSha: string, changed: number[] = []): RepoFixture => ({
    owner: "acme",
    repo: "live",
    headSha,
    ownDashboard: true,
    files: {
      ".github/promoter.yml": 'environments:\n  - name: dev\n    paths: ["dev/**"]\n',
      ...Object.fromEntries(
        Array.from({ length: 49 }, (_, i) => [
          `dev/u${i}/terragrunt.hcl`,
          unit(i, changed.includes(i) ? " (changed)" : ""),
        ]),
      ),
    },
  });

  /**
   * The requests of a check after the repository's read, when it has nothing to propose; without
   * `tags`, the listing is the one shared within the window.
   */
  function rest(fixture: RepoFixture, tags?: nock.Scope): nock.Scope[] {
    const last = dashboards.bodies.get("dashboard")?.at(-1) as { body: string } | undefined;
    return [
      ...(tags ? [tags] : []),
      mockPullRequests(fixture),
      mockBranches(fixture),
      mockDashboard(fixture, dashboards, last && { number: 50, body: last.body }),
      nock(API).post("/repos/acme/live/check-runs").reply(201, { id: 1 }),
    ];
  }

  /** The requests answered by `scopes`, and any left unanswered. */
  function counted(scopes: nock.Scope[]): () => string[] {
    const requests: string[] = [];
    const push = (req: { method: string; path: string }) =>
      requests.push(`${req.method} ${req.path.split("?")[0]}`);
    for (const scope of scopes) scope.on("request", push);
    nock.emitter.on("no match", push);
    onTestFinished(() => void nock.emitter.off("no match", push));
    return () => requests;
  }

  it("cold: the tree and one tarball, no blob", async () => {
    const app = testApp();
    const fixture = big("a".repeat(40));
    const requests = counted([
      mockRepositoryRead(fixture, []),
      await mockTarball(fixture),
      ...rest(fixture, mockTags("acme", "terraform-aws-vpc", ["v1.0.0"])),
      mockReleaseDate("acme", "terraform-aws-vpc", "v1.0.0"),
    ]);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(requests()).toEqual([
      "GET /repos/acme/live/git/ref/heads%2Fmain",
      `GET /repos/acme/live/git/trees/${fixture.headSha}`,
      `GET /repos/acme/live/tarball/${fixture.headSha}`,
      "GET /repos/acme/terraform-aws-vpc/tags",
      "GET /repos/acme/live/pulls",
      "GET /repos/acme/live/git/matching-refs/heads%2Fpromoter%2F",
      "GET /repos/acme/terraform-aws-vpc/releases/tags/v1.0.0",
      "GET /repos/acme/live/issues",
      "POST /repos/acme/live/issues",
      "POST /repos/acme/live/check-runs",
    ]);
  });

  it("with 2 files changed since (within the listing window): the tree and those 2 blobs, no tags", async () => {
    const app = testApp();
    const before = big("a".repeat(40));
    mockRepositoryRead(before, []);
    await mockTarball(before);
    rest(before, mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]));
    mockReleaseDate("acme", "terraform-aws-vpc", "v1.0.0");
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);

    const after = big("b".repeat(40), [3, 7]);
    const requests = counted([
      mockRepositoryRead(after, ["dev/u3/terragrunt.hcl", "dev/u7/terragrunt.hcl"]),
      ...rest(after),
    ]);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    const blob = (i: number) =>
      `GET /repos/acme/live/git/blobs/${blobSha(after.files[`dev/u${i}/terragrunt.hcl`]!)}`;
    expect(requests().sort()).toEqual(
      [
        "GET /repos/acme/live/git/ref/heads%2Fmain",
        `GET /repos/acme/live/git/trees/${after.headSha}`,
        blob(3),
        blob(7),
        "GET /repos/acme/live/pulls",
        "GET /repos/acme/live/git/matching-refs/heads%2Fpromoter%2F",
        "GET /repos/acme/live/issues/50",
        "POST /repos/acme/live/check-runs",
      ].sort(),
    );
  });
});
