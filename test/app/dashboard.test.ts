import nock from "nock";
import { describe, expect, it } from "vitest";
import { DASHBOARD_MARKER } from "../../src/promotion/dashboard.js";
import { metadataComment } from "../../src/promotion/pull-request-content.js";
import { spreadCheckAt } from "../../src/queue/schedule.js";
import {
  API,
  capture,
  dashboardIssue,
  mockBranches,
  mockDashboard,
  mockPullRequests,
  mockReleaseDate,
  mockRepositoryRead,
  mockTags,
  testApp,
  webhook,
  type RepoFixture,
} from "./helpers.js";
import { useNock } from "../support/nock-github.js";

const VPC = "acme/terraform-aws-vpc/vpc";
const vpc = (version: string) =>
  `terraform {\n  source = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc?ref=${version}"\n}\n`;
const repo = "/repos/acme/live";
/** v1.1.0 came out three days ago (and a bit): prod has lacked it for 3 days. */
const RELEASED = new Date(Date.now() - 3 * 24 * 60 * 60 * 1000 - 60_000).toISOString();
const RELEASED_DAY = RELEASED.slice(0, 10);

/** dev runs the newest vpc, prod (manual) lags behind it: nothing to propose, one box to tick. */
export function live(config = ""): RepoFixture {
  return {
    owner: "acme",
    repo: "live",
    headSha: "e".repeat(40),
    ownDashboard: true,
    files: {
      ".github/promoter.yml": `environments:
  - name: dev
    paths: ["dev/**"]
  - name: prod
    paths: ["prod/**"]
    promotion: manual
${config}`,
      "dev/vpc/terragrunt.hcl": vpc("v1.1.0"),
      "prod/vpc/terragrunt.hcl": vpc("v1.0.0"),
    },
  };
}

/**
 * Every request of a check of `fixture` but the dashboard's, the check run's body captured as `check`;
 * cold, with the release date of the newest version when the dashboard is on.
 */
function mockCheck(
  fixture: RepoFixture,
  bodies: ReturnType<typeof capture>,
  cold = true,
  pulls: unknown[] = [],
  dashboard = true,
) {
  mockRepositoryRead(fixture, cold ? Object.keys(fixture.files) : []);
  // Again within the listing window: the tags listed a moment ago are shared, and the date read.
  if (cold) mockTags("acme", "terraform-aws-vpc", ["v1.1.0", "v1.0.0"]);
  if (cold && dashboard) mockReleaseDate("acme", "terraform-aws-vpc", "v1.1.0", RELEASED);
  mockPullRequests(fixture, pulls);
  mockBranches(
    fixture,
    pulls.map((p) => (p as { head: { ref: string } }).head.ref),
  );
  nock(API).post(`${repo}/check-runs`, bodies.as("check")).reply(201, { id: 1 });
}

const dispatch = () =>
  webhook(
    "repository_dispatch",
    undefined,
    { owner: "acme", repo: "live" },
    { action: "new_module_release" },
  );

useNock();

describe("the dashboard issue", () => {
  it("is created at the first check, then read with one request and left alone when nothing changed", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockCheck(fixture, bodies);
    mockDashboard(fixture, bodies);
    const payload = dispatch();
    const checkedAt = Date.now();
    await app.receive("repository_dispatch", payload);
    expect(app.errors).toEqual([]);
    const created = bodies.one<{ title: string; body: string }>("dashboard");
    // The moment the scheduler picks for this repository (by its id): the same until that check.
    const next = spreadCheckAt(
      "daily",
      checkedAt,
      String((payload.repository as { id: number }).id),
    );
    expect(created.body).toContain(
      `Next check: by ${new Date(next).toISOString().slice(0, 16).replace("T", " ")} UTC.`,
    );
    expect(created.title).toBe("Promoter: promotion dashboard");
    expect(created.body.startsWith(`${DASHBOARD_MARKER}\n`)).toBe(true);
    expect(created.body).toContain(
      `| \`${VPC}\` | \`v1.1.0\` (${RELEASED_DAY}) | \`v1.1.0\` | **\`v1.0.0\`** ⚠️ 1 version behind for 3 days |`,
    );
    expect(created.body).toContain(
      `- prod: \`${VPC}\`: v1.1.0 waits for \`/promote prod\` (promotion: manual)`,
    );
    expect(created.body).toContain(`- [ ] promote \`${VPC}\` \`v1.1.0\` to prod`);
    const run = bodies.one<{ output: { summary: string; text: string } }>("check").output;
    expect(run.summary).toContain("boxes that act: #50.");
    // The check run's matrix says the same as the dashboard's.
    expect(run.text).toContain(
      `| \`${VPC}\` | \`v1.1.0\` (${RELEASED_DAY}) | \`v1.1.0\` | **\`v1.0.0\`** ⚠️ 1 version behind for 3 days |`,
    );

    // Again: the dashboard is read (#50, as written) and not edited.
    let requests = 0;
    const count = () => requests++;
    nock.emitter.on("no match", count);
    mockCheck(fixture, bodies, false);
    mockDashboard(fixture, bodies, { number: 50, body: created.body }).on("request", count);
    await app.receive("repository_dispatch", dispatch());
    nock.emitter.off("no match", count);
    expect(app.errors).toEqual([]);
    expect(requests).toBe(1);
    expect(bodies.bodies.get("dashboard")).toHaveLength(1);
    expect(JSON.stringify(bodies.one("check", 1))).not.toContain("dashboard issue");
  });

  it("is found again among the app's issues by its marker and author, renamed and relabelled, and edited in place", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockCheck(fixture, bodies);
    nock(API)
      .get(`${repo}/issues`)
      .query(true)
      .reply(200, [
        // A PR of the app, and a person's issue, with the marker: neither is the dashboard.
        { ...dashboardIssue(3, `${DASHBOARD_MARKER}\nold`), pull_request: { url: "x" } },
        dashboardIssue(4, `${DASHBOARD_MARKER}\nforged`, { user: { login: "mallory" } }),
        dashboardIssue(31, `${DASHBOARD_MARKER}\nstale`, {
          title: "Our versions",
          labels: [{ name: "ops" }],
        }),
      ])
      .patch(`${repo}/issues/31`, bodies.as("edit"))
      .reply(200, {});
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    const edit = bodies.one<{ body: string; title?: string }>("edit");
    expect(edit.title).toBeUndefined();
    expect(edit.body).toContain(`- [ ] promote \`${VPC}\` \`v1.1.0\` to prod`);
  });

  it("is created again once when the app's one is locked, and the new one is used from then on", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockCheck(fixture, bodies);
    nock(API)
      .get(`${repo}/issues`)
      .query(true)
      .reply(200, [dashboardIssue(31, `${DASHBOARD_MARKER}\nstale`, { locked: true })])
      .post(`${repo}/issues`, bodies.as("dashboard"))
      .reply(201, { number: 32 });
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    mockCheck(fixture, bodies, false);
    nock(API)
      .get(`${repo}/issues/32`)
      .reply(200, dashboardIssue(32, bodies.one<{ body: string }>("dashboard").body));
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
  });

  it("says so when the config becomes unusable, on the dashboard this process knows", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockCheck(fixture, bodies);
    mockDashboard(fixture, bodies);
    await app.receive("repository_dispatch", dispatch());
    const broken = { ...live(), headSha: "f".repeat(40) };
    broken.files[".github/promoter.yml"] = "environments: []\n";
    mockRepositoryRead(broken, [".github/promoter.yml"]);
    nock(API)
      .get(`${repo}/issues/50`)
      .reply(200, dashboardIssue(50, bodies.one<{ body: string }>("dashboard").body))
      .patch(`${repo}/issues/50`, bodies.as("edit"))
      .reply(200, {})
      .post(`${repo}/check-runs`)
      .reply(201, { id: 2 });
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    const edit = bodies.one<{ body: string }>("edit").body;
    expect(edit).toContain(
      "Promoter did nothing: `.github/promoter.yml` on the default branch cannot be used.",
    );
    expect(edit).toContain("environments: must list at least one environment");
  });

  it("with dashboard: false, is closed once, and not asked for at the next checks", async () => {
    const app = testApp();
    const fixture = live("dashboard: false\n");
    const bodies = capture();
    mockCheck(fixture, bodies, true, [], false);
    nock(API)
      .get(`${repo}/issues`)
      .query(true)
      .reply(200, [dashboardIssue(31, `${DASHBOARD_MARKER}\nstale`)])
      .patch(`${repo}/issues/31`, bodies.as("close"))
      .reply(200, {});
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one("close")).toEqual({ state: "closed" });
    mockCheck(fixture, bodies, false);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
  });

  it("takes its title from the config, and a failure to write it is a warning of the check run", async () => {
    const app = testApp();
    const fixture = live('dashboard:\n  title: "Versions of acme/live"\n');
    const bodies = capture();
    mockCheck(fixture, bodies);
    nock(API)
      .get(`${repo}/issues`)
      .query(true)
      .reply(200, [])
      .post(`${repo}/issues`, bodies.as("dashboard"))
      .reply(410, { message: "Issues are disabled for this repo" });
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one("dashboard")).toMatchObject({ title: "Versions of acme/live" });
    expect(JSON.stringify(bodies.one("check"))).toContain(
      "the dashboard issue was not written: Issues are disabled for this repo",
    );
  });
});

describe("a box ticked on the dashboard", () => {
  const before = () => {
    const bodies = capture();
    return (async () => {
      const app = testApp();
      const fixture = live();
      mockCheck(fixture, bodies);
      mockDashboard(fixture, bodies);
      await app.receive("repository_dispatch", dispatch());
      expect(app.errors).toEqual([]);
      return { app, fixture, body: bodies.one<{ body: string }>("dashboard").body };
    })();
  };
  const PROD_BOX = `promote \`${VPC}\` \`v1.1.0\` to prod`;
  const tick = (body: string, line: string) => body.replace(`- [ ] ${line}`, `- [x] ${line}`);

  function edited(from: string, body: string, user = { login: "alice", type: "User" }) {
    const payload = webhook("issues", "edited", { owner: "acme", repo: "live" });
    payload.issue = {
      ...(payload.issue as object),
      number: 50,
      body,
      updated_at: "2026-06-01T12:00:00Z",
      user: { login: "promoter[bot]", type: "Bot", id: 2 },
      pull_request: undefined,
    };
    payload.changes = { body: { from } };
    payload.sender = { ...user, id: 1 };
    return payload;
  }

  function mockPermission(permission: string) {
    return nock(API)
      .get(`${repo}/collaborators/alice/permission`)
      .reply(200, { permission, role_name: permission });
  }

  /** The read of the dashboard as the edit left it, and its edit unticking the boxes. */
  function mockUntick(body: string, bodies: ReturnType<typeof capture>) {
    return nock(API)
      .get(`${repo}/issues/50`)
      .reply(200, dashboardIssue(50, body))
      .patch(`${repo}/issues/50`, bodies.as("untick"))
      .reply(200, {});
  }

  it("by a promoter promotes the version, answers in a comment, and is unticked again", async () => {
    const { app, fixture, body } = await before();
    const bodies = capture();
    const ticked = tick(body, PROD_BOX);
    mockPermission("write");
    mockRepositoryRead(fixture, []);
    nock(API)
      .get(`${repo}/git/matching-refs/heads%2Fpromoter%2Fprod%2Facme`)
      .reply(200, [])
      .post(`${repo}/labels`)
      .reply(201, {})
      .post(`${repo}/git/trees`, bodies.as("tree"))
      .reply(201, { sha: "t" })
      .post(`${repo}/git/commits`)
      .reply(201, { sha: "c" })
      .post(`${repo}/git/refs`)
      .reply(201, {})
      .get("/repos/acme/terraform-aws-vpc/releases")
      .query(true)
      .reply(200, [])
      .post(`${repo}/pulls`)
      .reply(201, { number: 12 })
      .post(`${repo}/issues/12/labels`)
      .reply(200, []);
    mockUntick(ticked, bodies);
    nock(API).post(`${repo}/issues/50/comments`, bodies.as("reply")).reply(201, { id: 1 });
    // Then a check renders the dashboard again: it now links the PR, and offers no box for it.
    const branch = "promoter/prod/acme+terraform-aws-vpc+vpc";
    mockCheck(fixture, bodies, false, [
      {
        number: 12,
        state: "open",
        merged_at: null,
        merge_commit_sha: null,
        title: `[promoter] prod: ${VPC} v1.0.0 → v1.1.0`,
        body: metadataComment({
          v: 1,
          env: "prod",
          dependency: VPC,
          from: ["v1.0.0"],
          to: "v1.1.0",
          base: fixture.headSha,
        }),
        user: { login: "promoter[bot]" },
        labels: [{ name: "promoter:prod" }],
        head: { ref: branch, sha: "c", repo: { full_name: "acme/live" } },
        base: { ref: "main", repo: { full_name: "acme/live" } },
      },
    ]);
    mockDashboard(fixture, bodies, { number: 50, body });
    await app.receive("issues", edited(body, ticked));
    expect(app.errors).toEqual([]);
    expect(bodies.bodies.get("check")).toHaveLength(1);
    const again = bodies.one<{ body: string }>("dashboard").body;
    expect(again).toContain("**`v1.0.0`** ⚠️ 1 version behind for 3 days · #12 → `v1.1.0` |");
    expect(again).not.toContain(`- [ ] ${PROD_BOX}`);
    expect(bodies.one("tree")).toMatchObject({
      tree: [{ path: "prod/vpc/terragrunt.hcl", content: vpc("v1.1.0") }],
    });
    expect(bodies.one<{ body: string }>("untick").body).toBe(body);
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      `@alice \n- **promote** \`${VPC}\` \`v1.1.0\` to prod: Opened #12 to promote \`${VPC}\` \`v1.1.0\` to prod.`,
    );
  });

  it("by a reader is unticked again with a comment saying why, and reads nothing of the repository", async () => {
    const { app, body } = await before();
    const bodies = capture();
    const ticked = tick(tick(body, PROD_BOX), "check now");
    mockPermission("read");
    mockUntick(ticked, bodies);
    nock(API).post(`${repo}/issues/50/comments`, bodies.as("reply")).reply(201, { id: 1 });
    await app.receive("issues", edited(body, ticked));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("untick").body).toBe(body);
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      "@alice ticking a box of the dashboard needs write, maintain or admin permission on this repository; you have read. The boxes were unticked.",
    );
  });

  it("by a writer who is not among the environment's promoters is refused and unticked", async () => {
    const app = testApp();
    const fixture = live();
    fixture.files[".github/promoter.yml"] += '    promoters: ["bob"]\n';
    const first = capture();
    mockCheck(fixture, first);
    mockDashboard(fixture, first);
    await app.receive("repository_dispatch", dispatch());
    const body = first.one<{ body: string }>("dashboard").body;
    const bodies = capture();
    const ticked = tick(body, PROD_BOX);
    mockPermission("write");
    mockRepositoryRead(fixture, []);
    mockUntick(ticked, bodies);
    nock(API).post(`${repo}/issues/50/comments`, bodies.as("reply")).reply(201, { id: 1 });
    await app.receive("issues", edited(body, ticked));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      `@alice \n- **promote** \`${VPC}\` \`v1.1.0\` to prod: promotions to prod are for \`bob\` only.`,
    );
  });

  it("after a /promote comment, is rendered again from the last check with the PR it opened: 2 requests", async () => {
    const { app, fixture, body } = await before();
    const bodies = capture();
    mockPermission("write");
    mockRepositoryRead(fixture, []);
    nock(API)
      .post(`${repo}/issues/comments/77/reactions`)
      .reply(201, {})
      .get(`${repo}/git/matching-refs/heads%2Fpromoter%2Fprod%2Facme`)
      .reply(200, [])
      .post(`${repo}/labels`)
      .reply(201, {})
      .post(`${repo}/git/trees`)
      .reply(201, { sha: "t" })
      .post(`${repo}/git/commits`)
      .reply(201, { sha: "c" })
      .post(`${repo}/git/refs`)
      .reply(201, {})
      .get("/repos/acme/terraform-aws-vpc/releases")
      .query(true)
      .reply(200, [])
      .post(`${repo}/pulls`)
      .reply(201, { number: 12 })
      .post(`${repo}/issues/12/labels`)
      .reply(200, [])
      .post(`${repo}/issues/3/comments`, bodies.as("reply"))
      .reply(201, { id: 1 });
    mockDashboard(fixture, bodies, { number: 50, body });
    const payload = webhook("issue_comment", "created", { owner: "acme", repo: "live" });
    const user = { login: "alice", type: "User", id: 1 };
    payload.comment = {
      ...(payload.comment as object),
      id: 77,
      body: `/promote prod ${VPC}@v1.1.0`,
      user,
    };
    payload.sender = user;
    payload.issue = {
      ...(payload.issue as object),
      number: 3,
      user,
      labels: [],
      pull_request: undefined,
    };
    await app.receive("issue_comment", payload);
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toContain("Opened #12");
    // No check ran: the dashboard was rendered from the last one's facts with the new PR linked.
    const again = bodies.one<{ body: string }>("dashboard").body;
    expect(again).toContain("**`v1.0.0`** ⚠️ 1 version behind for 3 days · #12 → `v1.1.0` |");
    expect(again).not.toContain(`- [ ] ${PROD_BOX}`);
  });

  it("check now queues a check, which rewrites the dashboard", async () => {
    const { app, fixture, body } = await before();
    const bodies = capture();
    const ticked = tick(body, "check now");
    mockPermission("maintain");
    mockUntick(ticked, bodies);
    nock(API).post(`${repo}/issues/50/comments`, bodies.as("reply")).reply(201, { id: 1 });
    mockCheck(fixture, bodies, false);
    mockDashboard(fixture, bodies, { number: 50, body });
    await app.receive("issues", edited(body, ticked));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toContain(
      "- **check now**: a check is queued; this issue is rewritten when it ends.",
    );
    expect(bodies.bodies.get("check")).toHaveLength(1);
  });

  it("is ignored from a bot, on a box a person added, and when nothing was newly ticked", async () => {
    const { app, body } = await before();
    const ticked = tick(body, PROD_BOX);
    await app.receive("issues", edited(body, ticked, { login: "renovate[bot]", type: "Bot" }));
    await app.receive(
      "issues",
      edited(body, `${body}\n- [x] check now\n`.replace("- [ ] check now", "")),
    );
    await app.receive("issues", edited(ticked, ticked));
    await app.receive(
      "issues",
      edited(
        body,
        body.replace(
          "<!-- /promoter:actions -->",
          `- [x] promote \`${VPC}\` \`v9.0.0\` to prod\n<!-- /promoter:actions -->`,
        ),
      ),
    );
    expect(app.errors).toEqual([]);
  });
});
