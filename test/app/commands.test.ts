import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { metadataComment } from "../../src/promotion/pull-request-content.js";
import { API, capture, mockRepositoryRead, testApp, webhook, type RepoFixture } from "./helpers.js";
import { useNock } from "../support/nock-github.js";

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

/** The body of the app's stage promotion PR #6. */
function stageBody(env = "stage") {
  return `Stage promotion\n\n${metadataComment({ v: 1, env, dependency: VPC, from: ["v1.0.0"], to: "v1.1.0" })}`;
}

/** A new comment on the stage promotion PR #6 (or a plain issue), opened by the app unless `opener` says otherwise. */
function commentOn(
  body: string,
  options: {
    user?: string;
    type?: string;
    pullRequest?: boolean;
    opener?: string;
    env?: string;
  } = {},
) {
  const payload = webhook("issue_comment", "created", { owner: "acme", repo: "live" });
  const user = { login: options.user ?? "alice", type: options.type ?? "User", id: 1 };
  payload.comment = { ...(payload.comment as object), id: 77, body, user };
  payload.sender = user;
  payload.issue = {
    ...(payload.issue as object),
    number: 6,
    user: { login: options.opener ?? "promoter[bot]", type: "Bot", id: 2 },
    labels: [{ name: `promoter:${options.env ?? "stage"}` }],
    body: stageBody(options.env),
    ...(options.pullRequest === false
      ? { pull_request: undefined }
      : { pull_request: { url: "x" } }),
  };
  return payload;
}

/** Answers the read of PR #6: the app's, from its branch in the repository itself, unless told otherwise. */
function mockPullRequest(
  options: { env?: string; headRef?: string; fork?: boolean; author?: string } = {},
) {
  const env = options.env ?? "stage";
  return nock(API)
    .get(`${repo}/pulls/6`)
    .reply(200, {
      number: 6,
      state: "open",
      merged_at: null,
      merge_commit_sha: null,
      title: `[promoter] ${env}: ${VPC} v1.0.0 → v1.1.0`,
      body: stageBody(env),
      user: { login: options.author ?? "promoter[bot]" },
      labels: [{ name: `promoter:${env}` }],
      head: {
        ref: options.headRef ?? `promoter/${env}/${VPC}`,
        sha: "h".repeat(40),
        repo: { full_name: options.fork ? "mallory/live" : "acme/live" },
      },
      base: { ref: "main", repo: { full_name: "acme/live" } },
    });
}

function mockAcknowledge(permission?: string, reaction = 201) {
  const scope = nock(API)
    .post(`${repo}/issues/comments/77/reactions`, { content: "eyes" })
    .reply(reaction, reaction < 300 ? {} : { message: "Server Error" });
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

useNock();

describe("/promote", () => {
  it("on a promotion PR, by an admin, promotes its version to the next environment, even a manual one", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockAcknowledge("admin");
    mockPullRequest();
    mockRepositoryRead(fixture, [
      ".github/promoter.yml",
      "dev/vpc/terragrunt.hcl",
      "prod/vpc/terragrunt.hcl",
    ]);
    nock(API)
      .get(`${repo}/git/matching-refs/heads%2Fpromoter%2Fprod%2Facme`)
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
    expect(bodies.one("ref")).toMatchObject({
      ref: "refs/heads/promoter/prod/acme+terraform-aws-vpc+vpc",
    });
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      `@alice Opened #12 to promote \`${VPC}\` \`v1.1.0\` to prod.`,
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
    mockPullRequest();
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
      `@alice \`${VPC}\` \`v1.2.0\` has not run in stage (it runs \`v1.1.0\`), so it cannot go to prod. Promote it to stage first, or set \`allowSkipping: true\` in .github/promoter.yml.`,
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

describe("permission first, for every command", () => {
  const REFUSAL =
    "@alice `/promote` needs write, maintain or admin permission on this repository; you have read.";

  it.each([
    ["/promoter with a mention", "/promoter @org/team"],
    ["/promoter with a breakout", "/promoter x` @org/team"],
    ["/help", "/help"],
    ["/promoter", "/promoter"],
    ["an invalid /promote", "/promote @org/team"],
    ["an invalid dependency", "/promote prod not-a-dependency"],
    ["/promote on the PR", "/promote"],
  ])(
    "a reader's %s gets one fixed refusal, echoing nothing, and the repository is not read",
    async (_, body) => {
      const app = testApp();
      const bodies = capture();
      mockAcknowledge("read");
      mockReply(bodies);
      await app.receive("issue_comment", commentOn(body));
      expect(app.errors).toEqual([]);
      expect(bodies.one<{ body: string }>("reply").body).toBe(REFUSAL);
    },
  );

  it("a writer's invalid command is quoted back as code only: no mention, link or image comes alive", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    const hostile = "x`@org/team&#64;org/team";
    mockAcknowledge("write");
    mockRepositoryRead(fixture, [
      ".github/promoter.yml",
      "dev/vpc/terragrunt.hcl",
      "prod/vpc/terragrunt.hcl",
    ]);
    mockReply(bodies);
    await app.receive("issue_comment", commentOn(`/promote ${hostile}`));
    expect(app.errors).toEqual([]);
    const reply = bodies.one<{ body: string }>("reply").body;
    const tree = fromMarkdown(reply, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
    const alive: string[] = [];
    const walk = (node: { type: string; value?: string; children?: unknown[] }) => {
      if (node.type === "image" || node.type === "link") alive.push(node.type);
      if (node.type === "text" && node.value?.includes("@org")) alive.push(node.value);
      for (const child of node.children ?? []) walk(child as typeof node);
    };
    walk(tree);
    expect(alive).toEqual([]);
    expect(reply).toMatch(/^@alice /);
    expect(reply).toContain("is not an environment name");
  });
});

describe("commands hidden in code or HTML", () => {
  it.each([
    ["a ~~~ fence", "~~~\n/promote prod\n~~~"],
    ["indented code", "Run this:\n\n    /promote prod"],
    ["<pre>", "<pre>\n/promote prod\n</pre>"],
    ["<code>", "<code>\n/promote prod\n</code>"],
    ["an HTML comment", "<!--\n/promote prod\n-->"],
    ["a short fence inside a longer one", "````\n```\n/promote prod\n```\n````"],
    ["a line with an image", "/promote x`![i](https://evil.example/i.png)"],
  ])("are not obeyed, nor even acknowledged: %s", async (_, body) => {
    const app = testApp();
    await app.receive("issue_comment", commentOn(body));
    expect(app.errors).toEqual([]);
  });
});

describe("the pull request's metadata", () => {
  it("naming an environment the config does not have, is refused (not read as the first environment)", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockAcknowledge("admin");
    mockPullRequest({ env: "qa" });
    mockRepositoryRead(fixture, [
      ".github/promoter.yml",
      "dev/vpc/terragrunt.hcl",
      "prod/vpc/terragrunt.hcl",
    ]);
    mockReply(bodies);
    await app.receive("issue_comment", commentOn("/promote", { env: "qa" }));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      "@alice this pull request promotes to `qa`, which is not an environment of .github/promoter.yml: nothing was promoted.",
    );
  });

  it.each([
    ["opened by someone else", { opener: "mallory" }, undefined],
    ["from a fork", {}, { fork: true }],
    ["from a branch that is not the app's", {}, { headRef: "feature/vpc" }],
    ["from the branch of another environment", {}, { headRef: `promoter/dev/${VPC}` }],
  ] as const)("is not trusted on a pull request %s", async (_, comment, pull) => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockAcknowledge("admin");
    if (pull) mockPullRequest(pull);
    mockRepositoryRead(fixture, [
      ".github/promoter.yml",
      "dev/vpc/terragrunt.hcl",
      "prod/vpc/terragrunt.hcl",
    ]);
    mockReply(bodies);
    await app.receive("issue_comment", commentOn("/promote", comment));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toBe(
      "@alice name the environment: `/promote <environment> <dependency-id>`.",
    );
  });
});

describe("the 👀 reaction", () => {
  it("is the job's: the handler answers without a request to GitHub", async () => {
    const app = testApp();
    const jobs: unknown[] = [];
    app.queue.enqueue = (job) => {
      jobs.push(job);
      return Promise.resolve();
    };
    // No interceptor: any request the handler made would fail the delivery.
    await app.receive("issue_comment", commentOn("/promote prod"));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: "command", comment: { id: 77 }, author: "alice" });
  });

  it("failing does not drop the command", async () => {
    const app = testApp();
    const bodies = capture();
    mockAcknowledge("read", 500);
    mockReply(bodies);
    await app.receive("issue_comment", commentOn("/promote prod"));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toContain("needs write, maintain or admin");
  });
});

describe("other comments", () => {
  it("/help and a command that cannot be read get the help text", async () => {
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
    await app.receive("issue_comment", commentOn("Thanks!\n/help"));
    expect(app.errors).toEqual([]);
    const reply = bodies.one<{ body: string }>("reply").body;
    expect(reply).toMatch(/^@alice \*\*Promoter's commands\*\*/);
    expect(reply).toContain("Environments: `dev` → `stage` → `prod`.");

    mockAcknowledge("write");
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
    // A bot's login, whatever its type says.
    await app.receive("issue_comment", commentOn("/promote prod", { user: "evil[bot]" }));
    await app.receive("issue_comment", commentOn("Looks good to me"));
    const edited = commentOn("/promote prod");
    edited.action = "edited";
    await app.receive("issue_comment", edited);
    expect(app.errors).toEqual([]);
  });
});
