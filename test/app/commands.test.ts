import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataComment } from "../../src/promotion/pull-request-content.js";
import { API, capture, mockRepositoryRead, testApp, webhook, type RepoFixture } from "./helpers.js";

const VPC = "acme/terraform-aws-vpc/vpc";
const vpc = (version: string) =>
  `terraform {\n  source = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc?ref=${version}"\n}\n`;
const repo = "/repos/acme/live";

function live(config = ""): RepoFixture {
  return {
    owner: "acme",
    repo: "live",
    headSha: "d".repeat(40),
    files: {
      ".github/promoter.yml": `environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
  - name: prod
    paths: ["prod/**"]
    promotion: manual
${config}`,
      "dev/vpc/terragrunt.hcl": vpc("v1.1.0"),
      "stage/vpc/terragrunt.hcl": vpc("v1.1.0"),
      "prod/vpc/terragrunt.hcl": vpc("v1.0.0"),
    },
  };
}

/** A new comment on the stage promotion PR #6 (or a plain issue). */
function commentOn(
  body: string,
  options: { user?: string; type?: string; pullRequest?: boolean } = {},
) {
  const payload = webhook("issue_comment", "created", { owner: "acme", repo: "live" });
  const user = { login: options.user ?? "alice", type: options.type ?? "User", id: 1 };
  payload.comment = { ...(payload.comment as object), id: 77, body, user };
  payload.sender = user;
  payload.issue = {
    ...(payload.issue as object),
    number: 6,
    labels: [{ name: "promoter:stage" }],
    body: `Stage promotion\n\n${metadataComment({ v: 1, env: "stage", dependency: VPC, from: ["v1.0.0"], to: "v1.1.0" })}`,
    ...(options.pullRequest === false
      ? { pull_request: undefined }
      : { pull_request: { url: "x" } }),
  };
  return payload;
}

function mockAcknowledge(permission?: string) {
  const scope = nock(API)
    .post(`${repo}/issues/comments/77/reactions`, { content: "eyes" })
    .reply(201, {});
  if (permission) {
    scope.get(`${repo}/collaborators/alice/permission`).reply(200, {
      permission: permission === "maintain" ? "write" : permission,
      role_name: permission,
    });
  }
  return scope;
}

function mockReply(bodies: ReturnType<typeof capture>) {
  return nock(API).post(`${repo}/issues/6/comments`, bodies.as("reply")).reply(201, { id: 78 });
}

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(pending).toEqual([]);
});

describe("/promote", () => {
  it("on a promotion PR, by an admin, promotes its version to the next environment, even a manual one", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockAcknowledge("admin");
    mockRepositoryRead(fixture, [
      ".github/promoter.yml",
      "dev/vpc/terragrunt.hcl",
      "prod/vpc/terragrunt.hcl",
    ]);
    nock(API)
      .get(`${repo}/pulls`)
      .query({ head: `acme:promoter/prod/${VPC}`, state: "open" })
      .reply(200, [])
      .post(`${repo}/labels`)
      .reply(201, {})
      .post(`${repo}/git/trees`, bodies.as("tree"))
      .reply(201, { sha: "t" })
      .post(`${repo}/git/commits`)
      .reply(201, { sha: "c" })
      .post(`${repo}/git/refs`, bodies.as("ref"))
      .reply(201, {})
      .get("/repos/acme/terraform-aws-vpc/releases")
      .query(true)
      .reply(200, [])
      .post(`${repo}/pulls`, bodies.as("pull"))
      .reply(201, { number: 12 })
      .post(`${repo}/issues/12/labels`)
      .reply(200, []);
    mockReply(bodies);
    await app.receive("issue_comment", commentOn("/promote"));
    expect(app.errors).toEqual([]);
    expect(bodies.one("tree")).toMatchObject({
      tree: [{ path: "prod/vpc/terragrunt.hcl", content: vpc("v1.1.0") }],
    });
    expect(bodies.one("ref")).toMatchObject({ ref: `refs/heads/promoter/prod/${VPC}` });
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      `@alice Opened #12 to promote ${VPC} \`v1.1.0\` to prod.`,
    );
  });

  it("is refused, politely and without reading the repository, for a user with read permission", async () => {
    const app = testApp();
    const bodies = capture();
    mockAcknowledge("read");
    mockReply(bodies);
    await app.receive("issue_comment", commentOn("/promote prod"));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      "@alice `/promote` needs write, maintain or admin permission on this repository; you have read.",
    );
  });

  it("is refused to a writer who is not among the environment's promoters", async () => {
    const app = testApp();
    const fixture = live();
    fixture.files[".github/promoter.yml"] = (
      fixture.files[".github/promoter.yml"] as string
    ).replace("promotion: manual\n", 'promotion: manual\n    promoters: ["acme/sre", "bob"]\n');
    const bodies = capture();
    mockAcknowledge("write");
    mockRepositoryRead(fixture, [
      ".github/promoter.yml",
      "dev/vpc/terragrunt.hcl",
      "prod/vpc/terragrunt.hcl",
    ]);
    nock(API).get("/orgs/acme/teams/sre/memberships/alice").reply(404, { message: "Not Found" });
    mockReply(bodies);
    await app.receive("issue_comment", commentOn("/promote prod"));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      "@alice promotions to prod are for `acme/sre`, `bob` only.",
    );
  });

  it("refuses a version that never ran in the environment before", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockAcknowledge("maintain");
    mockRepositoryRead(fixture, [
      ".github/promoter.yml",
      "dev/vpc/terragrunt.hcl",
      "prod/vpc/terragrunt.hcl",
    ]);
    mockReply(bodies);
    await app.receive(
      "issue_comment",
      commentOn(`/promote prod ${VPC}@v1.2.0`, { pullRequest: false }),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      `@alice ${VPC} \`v1.2.0\` has not run in stage (it runs \`v1.1.0\`), so it cannot go to prod. Promote it to stage first, or set \`allowSkipping: true\` in .github/promoter.yml.`,
    );
  });

  it("names the environments when asked for one that does not exist", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockAcknowledge("write");
    mockRepositoryRead(fixture, [
      ".github/promoter.yml",
      "dev/vpc/terragrunt.hcl",
      "prod/vpc/terragrunt.hcl",
    ]);
    mockReply(bodies);
    await app.receive("issue_comment", commentOn("/promote qa"));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      "@alice there is no environment `qa`; the environments are `dev`, `stage`, `prod`.",
    );
  });
});

describe("other comments", () => {
  it("/help and a command that cannot be read get the help text", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockAcknowledge();
    mockRepositoryRead(fixture, [
      ".github/promoter.yml",
      "dev/vpc/terragrunt.hcl",
      "prod/vpc/terragrunt.hcl",
    ]);
    mockReply(bodies);
    await app.receive("issue_comment", commentOn("Thanks!\n/help"));
    expect(app.errors).toEqual([]);
    const reply = bodies.one<{ body: string }>("reply").body;
    expect(reply).toMatch(/^@alice \*\*Promoter's commands\*\*/);
    expect(reply).toContain("Environments: `dev` → `stage` → `prod`.");

    mockAcknowledge();
    mockRepositoryRead(fixture, []);
    mockReply(bodies);
    await app.receive("issue_comment", commentOn("/promote prod not-a-dependency"));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply", 1).body).toContain(
      "`not-a-dependency` is not a dependency id such as `acme/terraform-aws-vpc/vpc@v1.4.0`.",
    );
  });

  it("ignores bots, comments without a command, and edited comments", async () => {
    const app = testApp();
    await app.receive(
      "issue_comment",
      commentOn("/promote prod", { user: "renovate[bot]", type: "Bot" }),
    );
    await app.receive("issue_comment", commentOn("Looks good to me"));
    const edited = commentOn("/promote prod");
    edited.action = "edited";
    await app.receive("issue_comment", edited);
    expect(app.errors).toEqual([]);
  });
});
