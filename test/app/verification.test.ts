import nock from "nock";
import { describe, expect, it } from "vitest";
import { blobSha } from "../../src/iac/blob-sha.js";
import { metadataComment } from "../../src/promotion/pull-request-content.js";
import {
  API,
  capture,
  mockBranches,
  mockPullRequests,
  mockRepositoryRead,
  mockTags,
  testApp,
  webhook,
  type RepoFixture,
} from "./helpers.js";
import { useNock } from "../support/nock-github.js";

const CONFIG = `environments:
  - name: dev
    paths: ["dev/**"]
    verify:
      checks: ["terragrunt apply (dev)"]
      soak: 1h
  - name: stage
    paths: ["stage/**"]
`;
const sqs = (version: string) =>
  `terraform {\n  source = "git::https://github.com/acme/terraform-aws-sqs.git?ref=${version}"\n}\n`;
const NOW = Date.parse("2026-06-01T12:00:00Z");
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();
const HEAD = "a".repeat(40);
const MERGE = "m".repeat(40);
const repo = "/repos/acme/live";

const fixture: RepoFixture = {
  owner: "acme",
  repo: "live",
  headSha: HEAD,
  files: {
    ".github/promoter.yml": CONFIG,
    "dev/sqs/terragrunt.hcl": sqs("v0.9.0"),
    "stage/sqs/terragrunt.hcl": sqs("v0.8.0"),
  },
};

/** The app's dev PR for sqs v0.9.0, merged an hour and a half ago as MERGE. */
const mergedDevPull = {
  number: 20,
  state: "closed",
  merged_at: minutesAgo(90),
  merge_commit_sha: MERGE,
  title: "[promoter] dev: acme/terraform-aws-sqs v0.8.0 → v0.9.0",
  body: metadataComment({
    v: 1,
    env: "dev",
    dependency: "acme/terraform-aws-sqs",
    from: ["v0.8.0"],
    to: "v0.9.0",
  }),
  user: { login: "promoter[bot]" },
  labels: [{ name: "promoter:dev" }],
  head: { ref: "promoter/dev/acme+terraform-aws-sqs", sha: "h", repo: { full_name: "acme/live" } },
  base: { ref: "main", repo: { full_name: "acme/live" } },
};

type Run = { name: string; status: string; conclusion: string | null; completed_at: string | null };
const run = (status: string, conclusion: string | null, completedMinutesAgo?: number): Run => ({
  name: "terragrunt apply (dev)",
  status,
  conclusion,
  completed_at: completedMinutesAgo === undefined ? null : minutesAgo(completedMinutesAgo),
});

/** A check of the repository up to its gate: the read, the tags, the PRs, the evidence of MERGE and HEAD. */
function mockCheck(atMerge: Run[], atHead: Run[] = [], again = false, command = false) {
  let requests = 0;
  const scopes = [
    // Checked again at once: the blobs and the tag listing come from the caches.
    mockRepositoryRead(fixture, again ? [] : Object.keys(fixture.files)),
    // A command lists no tags nor branches.
    ...(again || command ? [] : [mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.9.0"])]),
    mockPullRequests(fixture, [mergedDevPull]),
    ...(command ? [] : [mockBranches(fixture)]),
    nock(API)
      .get(`${repo}/commits/${MERGE}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: atMerge.length,
        check_runs: atMerge.map((r) => ({ ...r, html_url: "https://ci/1", app: { slug: "ci" } })),
      })
      .get(`${repo}/commits/${MERGE}/status`)
      .query(true)
      .reply(200, { state: "pending", statuses: [] })
      .get(`${repo}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: atHead.length + 1,
        check_runs: [
          ...atHead.map((r) => ({ ...r, html_url: "https://ci/2", app: { slug: "ci" } })),
          // The app's own check run is no evidence, whatever it is named.
          {
            ...run("completed", "success", 1),
            name: "terragrunt apply (dev)",
            app: { slug: "promoter" },
          },
        ],
      })
      .get(`${repo}/commits/${HEAD}/status`)
      .query(true)
      .reply(200, { state: "pending", statuses: [] }),
  ];
  // The dashboard issue's requests are counted in api-cost.test.ts, not among the evidence's.
  const dashboard = /\/issues(\/\d+)?(\?|$)/;
  for (const scope of scopes)
    scope.on("request", (request: { path: string }) => {
      if (!dashboard.test(request.path)) requests++;
    });
  return { requests: () => requests };
}

useNock();

const dispatch = () =>
  webhook(
    "repository_dispatch",
    undefined,
    { owner: "acme", repo: "live" },
    { action: "new_module_release" },
  );

describe("a promotion out of an environment with verify", () => {
  it.each([
    [
      "apply still running on the merge commit",
      [run("in_progress", null)],
      "v0.9.0 waits for verification in dev: `terragrunt apply (dev)` is in progress",
    ],
    [
      "apply passed 10 minutes ago: soaking",
      [run("completed", "success", 10)],
      "v0.9.0 soaks in dev until 2026-06-01T12:50:00.000Z (verify.soak)",
    ],
  ])(
    "holds the stage PR back while %s, and says so in the check run",
    async (_what, atMerge, said) => {
      const app = testApp();
      app.services.now = () => NOW;
      const bodies = capture();
      const cost = mockCheck(atMerge);
      nock(API).post(`${repo}/check-runs`, bodies.as("checkRun")).reply(201, { id: 1 });
      await app.receive("repository_dispatch", dispatch());
      expect(app.errors).toEqual([]);
      const { output } = bodies.one<{ output: { summary: string; text: string } }>("checkRun");
      const text = `${output.summary}\n${output.text}`;
      expect(text).toContain(said);
      // The read (ref, tree, 3 blobs), tags, PRs, branches, then 2 requests per commit of evidence.
      expect(cost.requests()).toBe(5 + 1 + 1 + 1 + 4);
    },
  );

  it("stops at a failure: said in the check run, and once on the merged PR, with the run's link", async () => {
    const app = testApp();
    app.services.now = () => NOW;
    const bodies = capture();
    let said: string | undefined;
    for (const round of [1, 2]) {
      const cost = mockCheck([run("completed", "failure", 30)], [], round === 2);
      const scope = nock(API)
        .get(`${repo}/issues/20/comments`)
        .query(true)
        .reply(200, said ? [{ id: 5, user: { login: "promoter[bot]" }, body: said }] : []);
      if (!said)
        scope.post(`${repo}/issues/20/comments`, bodies.as("comment")).reply(201, { id: 5 });
      scope.post(`${repo}/check-runs`, bodies.as("checkRun")).reply(201, { id: round });
      await app.receive("repository_dispatch", dispatch());
      expect(app.errors).toEqual([]);
      // The evidence (4), then the merged PR's comments; the comment only the first time.
      expect(cost.requests()).toBe(round === 1 ? 5 + 1 + 1 + 1 + 4 : 2 + 1 + 1 + 4);
      said = bodies.one<{ body: string }>("comment").body;
    }
    expect(said).toBe(
      [
        "Promoter stopped `acme/terraform-aws-sqs` `v0.9.0` on its way to stage: verification failed in dev on `mmmmmmm`: [`terragrunt apply (dev)`](https://ci/1).",
        "",
        "To go on, fix it and re-run what failed: once it passes (and `verify.soak` has passed), Promoter opens the stage pull request. Or promote a newer version.",
        "",
        '<!-- promoter-verification: {"env":"dev","dependency":"acme/terraform-aws-sqs","version":"v0.9.0","sha":"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm","failed":["terragrunt apply (dev)"]} -->',
      ].join("\n"),
    );
    expect(bodies.bodies.get("comment")).toHaveLength(1);
    const { output } = bodies.one<{ output: { text: string } }>("checkRun", 1);
    expect(output.text).toContain(
      "v0.9.0 stopped: verification failed in dev on `mmmmmmm`: `terragrunt apply (dev)`",
    );
  });

  it("says once on the merged PR when a named check was never reported an hour after the merge", async () => {
    const app = testApp();
    app.services.now = () => NOW;
    const bodies = capture();
    mockCheck([]);
    nock(API)
      .get(`${repo}/issues/20/comments`)
      .query(true)
      .reply(200, [])
      .post(`${repo}/issues/20/comments`, bodies.as("comment"))
      .reply(201, { id: 5 })
      .post(`${repo}/check-runs`, bodies.as("checkRun"))
      .reply(201, { id: 1 });
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toContain(
      "Promoter is holding `acme/terraform-aws-sqs` `v0.9.0` back from stage: no check named `terragrunt apply (dev)` has been reported on `mmmmmmm` since this pull request was merged (1h 30m ago).",
    );
    expect(bodies.one<{ output: { text: string } }>("checkRun").output.text).toContain(
      "no check named `terragrunt apply (dev)` reported on",
    );
  });

  it("remembers when the soak ends, and queues a check then", async () => {
    const app = testApp();
    app.services.now = () => NOW;
    mockCheck([run("completed", "success", 10)]);
    nock(API).post(`${repo}/check-runs`).reply(201, { id: 1 });
    await app.receive("repository_dispatch", dispatch());
    expect(app.services.repositories.get("acme/live")?.dueAt).toBe(NOW + 50 * 60_000);
  });

  it("opens the stage PR once apply passed on the merge commit and the soak is over", async () => {
    const app = testApp();
    app.services.now = () => NOW;
    const bodies = capture();
    mockCheck([run("completed", "success", 61)]);
    nock(API)
      .post(`${repo}/labels`)
      .reply(201, {})
      .post(`${repo}/git/trees`, bodies.as("tree"))
      .reply(201, { sha: "t" })
      .post(`${repo}/git/commits`)
      .reply(201, { sha: "c" })
      .post(`${repo}/git/refs`, bodies.as("ref"))
      .reply(201, {})
      .get("/repos/acme/terraform-aws-sqs/releases")
      .query(true)
      .reply(200, [])
      .post(`${repo}/pulls`, bodies.as("pull"))
      .reply(201, { number: 21 })
      .post(`${repo}/issues/21/labels`)
      .reply(200, [])
      .post(`${repo}/check-runs`, bodies.as("checkRun"))
      .reply(201, { id: 1 });
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one("ref")).toMatchObject({
      ref: "refs/heads/promoter/stage/acme+terraform-aws-sqs",
    });
    expect(bodies.one("tree")).toMatchObject({
      tree: [{ path: "stage/sqs/terragrunt.hcl", content: sqs("v0.9.0") }],
    });
    expect(app.services.repositories.get("acme/live")?.dueAt).toBeUndefined();
    expect(bodies.one<{ body: string }>("pull").body).toContain(
      [
        "### Verified in dev",
        "",
        "- check run `terragrunt apply (dev)` succeeded on `mmmmmmm` at 2026-06-01T10:59:00.000Z",
        "- soaked for 1h",
      ].join("\n"),
    );
  });
});

describe("events that may end a wait", () => {
  const checkRun = (fields: { name?: string; head_branch?: string }) =>
    webhook(
      "check_run",
      "completed",
      { owner: "acme", repo: "live" },
      {
        check_run: {
          ...(webhook("check_run", "completed", { owner: "acme", repo: "live" })
            .check_run as object),
          name: fields.name ?? "terragrunt apply (dev)",
          check_suite: { head_branch: fields.head_branch ?? "main" },
        },
      },
    );

  it("a check run completed on the default branch queues a check; the app's own, or one on another branch, nothing", async () => {
    const app = testApp();
    const checks: string[] = [];
    app.queue.enqueueCheck = (job) => {
      checks.push(job.reason);
      return Promise.resolve();
    };
    await app.receive("check_run", checkRun({}));
    await app.receive("check_run", checkRun({ name: "promoter" }));
    await app.receive("check_run", checkRun({ head_branch: "feature" }));
    expect(checks).toEqual(["a check run completed"]);
    // Its last check found no verify in the config: check runs do not matter there.
    app.services.repositories.set("acme/live", {
      checkedAt: 1,
      modules: new Set(),
      verifies: false,
    });
    await app.receive("check_run", checkRun({}));
    expect(checks).toHaveLength(1);
  });
});

describe("merging into an environment with verify", () => {
  it.each([
    [
      "apply still queued: no stage PR; the comment says what it waits for, after 2 requests of evidence",
      false,
    ],
    ["apply passed already (no soak): the stage PR at once, the comment with the evidence", true],
  ])("%s", async (_what, passed) => {
    const app = testApp();
    app.services.now = () => NOW;
    const bodies = capture();
    // Without a soak, a check that passed lets the promotion through at the merge.
    const files = passed
      ? { ...fixture.files, ".github/promoter.yml": CONFIG.replace("      soak: 1h\n", "") }
      : fixture.files;
    const payload = webhook("pull_request", "closed", { owner: "acme", repo: "live" });
    const pr = payload.pull_request as Record<string, Record<string, unknown>>;
    const repository = { ...(pr.base?.repo as object), full_name: "acme/live", id: 1296269 };
    payload.pull_request = {
      ...pr,
      number: 20,
      merged: true,
      merge_commit_sha: MERGE,
      body: mergedDevPull.body,
      labels: [{ id: 1, name: "promoter:dev", color: "5319e7", default: false }],
      user: { ...pr.user, login: "promoter[bot]", type: "Bot" },
      head: { ...pr.head, ref: "promoter/dev/acme+terraform-aws-sqs", repo: repository },
      base: { ...pr.base, ref: "main", repo: repository },
    };
    let requests = 0;
    const scope = nock(API)
      .get(`${repo}/git/trees/${MERGE}`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "t",
        truncated: false,
        tree: Object.entries(files).map(([path, content]) => ({
          path,
          mode: "100644",
          type: "blob",
          sha: blobSha(content),
        })),
      });
    for (const content of Object.values(files))
      scope.get(`${repo}/git/blobs/${blobSha(content)}`).reply(200, content);
    scope
      .get(`${repo}/commits/${MERGE}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: 1,
        check_runs: [
          {
            ...(passed ? run("completed", "success", 5) : run("queued", null)),
            html_url: null,
            app: { slug: "ci" },
          },
        ],
      })
      .get(`${repo}/commits/${MERGE}/status`)
      .query(true)
      .reply(200, { state: "pending", statuses: [] })
      .post(`${repo}/issues/20/comments`, bodies.as("comment"))
      .reply(201, { id: 1 });
    if (passed)
      scope
        .get(`${repo}/git/matching-refs/${encodeURIComponent("heads/promoter/stage/acme")}`)
        .reply(200, [])
        .post(`${repo}/labels`)
        .reply(201, {})
        .post(`${repo}/git/trees`)
        .reply(201, { sha: "t" })
        .post(`${repo}/git/commits`)
        .reply(201, { sha: "c" })
        .post(`${repo}/git/refs`)
        .reply(201, {})
        .get("/repos/acme/terraform-aws-sqs/releases")
        .query(true)
        .reply(200, [])
        .post(`${repo}/pulls`, bodies.as("pull"))
        .reply(201, { number: 21 })
        .post(`${repo}/issues/21/labels`)
        .reply(200, []);
    scope.on("request", () => requests++);
    await app.receive("pull_request", payload);
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      passed
        ? `Opened #21 to promote \`acme/terraform-aws-sqs\` \`v0.9.0\` to stage. Verified in dev: check run \`terragrunt apply (dev)\` succeeded on \`mmmmmmm\` at ${minutesAgo(5)}.`
        : "`acme/terraform-aws-sqs` v0.9.0 waits for verification in dev: `terragrunt apply (dev)` is in progress; its stage pull request opens once it passes (Promoter looks again when the checks or the deployment report, and when the soak ends).",
    );
    // The merge commit's tree and 3 blobs, its evidence (2), the comment; then the stage PR: a listing, labels, tree, commit, ref, notes, PR, its labels.
    expect(requests).toBe(1 + 3 + 2 + 1 + (passed ? 8 : 0));
  });
});

describe("updates.minimumReleaseAge", () => {
  const young: RepoFixture = {
    owner: "acme",
    repo: "live",
    headSha: HEAD,
    files: {
      ".github/promoter.yml": `environments:\n  - name: dev\n    paths: ["dev/**"]\nupdates:\n  minimumReleaseAge: 3d\n`,
      "dev/sqs/terragrunt.hcl": sqs("v0.8.0"),
    },
  };

  it.each([
    [
      "a release a day old waits, named in the check run, due when it is 3 days old",
      minutesAgo(24 * 60),
      true,
    ],
    ["a release 4 days old is proposed", minutesAgo(4 * 24 * 60), false],
  ])("%s", async (_what, publishedAt, waits) => {
    const app = testApp();
    app.services.now = () => NOW;
    const bodies = capture();
    mockRepositoryRead(young);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.1"]);
    mockPullRequests(young);
    mockBranches(young);
    nock(API)
      .get("/repos/acme/terraform-aws-sqs/releases/tags/v0.8.1")
      .reply(200, { tag_name: "v0.8.1", published_at: publishedAt });
    if (!waits)
      nock(API)
        .post(`${repo}/labels`)
        .reply(201, {})
        .post(`${repo}/git/trees`)
        .reply(201, { sha: "t" })
        .post(`${repo}/git/commits`)
        .reply(201, { sha: "c" })
        .post(`${repo}/git/refs`)
        .reply(201, {})
        .get("/repos/acme/terraform-aws-sqs/releases")
        .query(true)
        .reply(200, [])
        .post(`${repo}/pulls`, bodies.as("pull"))
        .reply(201, { number: 3 })
        .post(`${repo}/issues/3/labels`)
        .reply(200, []);
    nock(API).post(`${repo}/check-runs`, bodies.as("checkRun")).reply(201, { id: 1 });
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    const { output } = bodies.one<{ output: { text: string } }>("checkRun");
    if (waits) {
      expect(output.text).toContain(
        "v0.8.1 came out 1d ago: it is proposed from 2026-06-03T12:00:00.000Z, once 3d old (updates.minimumReleaseAge)",
      );
      expect(app.services.repositories.get("acme/live")?.dueAt).toBe(
        Date.parse("2026-06-03T12:00:00Z"),
      );
    } else {
      expect(bodies.one<{ title: string }>("pull").title).toBe(
        "[promoter] dev: acme/terraform-aws-sqs v0.8.0 → v0.8.1",
      );
    }
  });
});

describe("/promote out of an environment with verify", () => {
  const comment = (body: string) => {
    const payload = webhook("issue_comment", "created", { owner: "acme", repo: "live" });
    const user = { login: "alice", type: "User", id: 1 };
    payload.comment = { ...(payload.comment as object), id: 77, body, user };
    payload.sender = user;
    payload.issue = {
      ...(payload.issue as object),
      number: 9,
      user,
      labels: [],
      body: "",
      pull_request: undefined,
    };
    return payload;
  };

  it.each([
    ["while dev soaks: refused, with the way to skip the soak", "", true],
    ["with --skip-soak: promoted", " --skip-soak", false],
  ])("%s", async (_what, option, refused) => {
    const app = testApp();
    app.services.now = () => NOW;
    const bodies = capture();
    nock(API)
      .post(`${repo}/issues/comments/77/reactions`, { content: "eyes" })
      .reply(201, {})
      .get(`${repo}/collaborators/alice/permission`)
      .reply(200, { permission: "write", role_name: "write" });
    const cost = mockCheck([run("completed", "success", 10)], [], false, true);
    if (!refused) {
      nock(API)
        .get(`${repo}/git/matching-refs/${encodeURIComponent("heads/promoter/stage/acme")}`)
        .reply(200, [])
        .post(`${repo}/labels`)
        .reply(201, {})
        .post(`${repo}/git/trees`)
        .reply(201, { sha: "t" })
        .post(`${repo}/git/commits`)
        .reply(201, { sha: "c" })
        .post(`${repo}/git/refs`)
        .reply(201, {})
        .get("/repos/acme/terraform-aws-sqs/releases")
        .query(true)
        .reply(200, [])
        .post(`${repo}/pulls`)
        .reply(201, { number: 21 })
        .post(`${repo}/issues/21/labels`)
        .reply(200, []);
    }
    nock(API).post(`${repo}/issues/9/comments`, bodies.as("reply")).reply(201, { id: 78 });
    await app.receive("issue_comment", comment(`/promote stage acme/terraform-aws-sqs${option}`));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      refused
        ? "@alice `acme/terraform-aws-sqs` `v0.9.0` cannot go to stage yet: it soaks in dev until 2026-06-01T12:50:00.000Z (verify.soak). Comment `/promote stage acme/terraform-aws-sqs@v0.9.0 --skip-soak` to promote it before the soak ends."
        : "@alice Opened #21 to promote `acme/terraform-aws-sqs` `v0.9.0` to stage.",
    );
    // The read of the repository (5), the app's PRs and the evidence of 2 commits.
    expect(cost.requests()).toBe(5 + 1 + 4);
  });
});

describe("status and deployment_status events", () => {
  it("a status set on the default branch, or a deployment that ended, queues a check; a pending one, nothing", async () => {
    const app = testApp();
    const checks: string[] = [];
    app.queue.enqueueCheck = (job) => {
      checks.push(job.reason);
      return Promise.resolve();
    };
    const repository = { owner: "acme", repo: "live" };
    const status = (state: string, branch: string) =>
      webhook("status", undefined, repository, {
        state,
        branches: [{ name: branch, commit: { sha: HEAD, url: "u" }, protected: false }],
      });
    await app.receive("status", status("success", "main"));
    await app.receive("status", status("pending", "main"));
    await app.receive("status", status("failure", "feature"));
    const deployment = (state: string) => {
      // GitHub's deployment_status payloads may carry the check run that deployed: still a deployment.
      const payload = webhook("deployment_status", "created", repository);
      payload.deployment_status = { ...(payload.deployment_status as object), state };
      payload.check_run = { name: "deploy", check_suite: { head_branch: "feature" } };
      return payload;
    };
    await app.receive("deployment_status", deployment("success"));
    await app.receive("deployment_status", deployment("in_progress"));
    expect(checks).toEqual(["status reported", "deployment_status reported"]);
  });
});
