import nock from "nock";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { blobSha } from "../../src/iac/blob-sha.js";
import { renderedFor } from "../../src/promotion/onboarding.js";
import {
  API,
  capture,
  mockBranches,
  mockPullRequests,
  mockRepositoryRead,
  mockTags,
  testApp,
  treeAnswer,
  webhook,
  type RepoFixture,
} from "./helpers.js";
import { useNock } from "../support/nock-github.js";

const VPC_UNIT = `terraform {
  source = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc?ref=v1.0.0"
}
`;
const SQS_UNIT = `terraform {
  source = "git::https://github.com/acme/terraform-aws-sqs.git?ref=v0.8.0"
}
`;
const repo = "/repos/acme/live";
const HEAD = "a".repeat(40);
const BRANCH_HEAD = "e".repeat(40);

const live = (files: Record<string, string> = {}): RepoFixture => ({
  owner: "acme",
  repo: "live",
  headSha: HEAD,
  files: {
    "dev/vpc/terragrunt.hcl": VPC_UNIT,
    "dev/sqs/terragrunt.hcl": SQS_UNIT,
    "prod/vpc/terragrunt.hcl": VPC_UNIT,
    "README.md": "# live\n",
    ...files,
  },
});
const IAC = ["dev/vpc/terragrunt.hcl", "dev/sqs/terragrunt.hcl"];

/** A pull request from the onboarding branch, as GitHub lists it. */
function onboardingPull(overrides: Record<string, unknown> = {}) {
  return {
    number: 4,
    state: "open",
    merged_at: null,
    merge_commit_sha: null,
    title: "Configure Promoter",
    body: `preview\n\n<!-- promoter-onboarding: ${BRANCH_HEAD} -->`,
    user: { login: "promoter[bot]" },
    labels: [],
    head: { ref: "promoter/configure", sha: BRANCH_HEAD, repo: { full_name: "acme/live" } },
    base: { ref: "main", repo: { full_name: "acme/live" } },
    ...overrides,
  };
}

function mockOnboardingPulls(pulls: unknown[] = []) {
  return nock(API)
    .get(`${repo}/pulls`)
    .query({
      head: "acme:promoter/configure",
      state: "all",
      sort: "created",
      direction: "desc",
    })
    .reply(200, pulls);
}

function mockTagListings() {
  mockTags("acme", "terraform-aws-vpc", ["v1.0.0", "v1.1.0"]);
  mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.1", "v0.9.0"]);
}

function mockOnboardingWrite(bodies: ReturnType<typeof capture>, number = 4) {
  return nock(API)
    .post(`${repo}/git/trees`, bodies.as("tree"))
    .reply(201, { sha: "tree-1" })
    .post(`${repo}/git/commits`, bodies.as("commit"))
    .reply(201, { sha: "c".repeat(40) })
    .post(`${repo}/git/refs`, bodies.as("ref"))
    .reply(201, { ref: "refs/heads/promoter/configure" })
    .post(`${repo}/pulls`, bodies.as("pull"))
    .reply(201, { number });
}

/** A check of acme/live, as a module release or the scheduler starts one. */
async function check(app: ReturnType<typeof testApp>) {
  await app.receive(
    "repository_dispatch",
    webhook(
      "repository_dispatch",
      undefined,
      { owner: "acme", repo: "live" },
      { action: "new_module_release" },
    ),
  );
}

useNock();

describe("onboarding a repository without .github/promoter.yml", () => {
  it("on installation, opens 'Configure Promoter' with an inferred config and a preview of the first PRs", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    nock(API).get(repo).reply(200, { default_branch: "main" });
    mockRepositoryRead(fixture, IAC);
    mockOnboardingPulls();
    mockTagListings();
    mockOnboardingWrite(bodies);
    await app.receive(
      "installation",
      webhook(
        "installation",
        "created",
        { owner: "acme", repo: "x" },
        { repositories: [{ id: 1, name: "live", full_name: "acme/live", private: true }] },
      ),
    );
    expect(app.errors).toEqual([]);

    const tree = bodies.one<{ base_tree: string; tree: { path: string; content: string }[] }>(
      "tree",
    );
    expect(tree.base_tree).toBe(`tree-${HEAD}`);
    expect(tree.tree.map((t) => t.path)).toEqual([".github/promoter.yml"]);
    const parsed = parseConfig(tree.tree[0]?.content ?? "", ".github/promoter.yml");
    expect(
      parsed.ok && parsed.config.environments.map((e) => [e.name, e.paths, e.promotion]),
    ).toEqual([
      ["dev", ["dev/**"], "auto"],
      ["prod", ["prod/**"], "manual"],
    ]);
    expect(bodies.one("commit")).toMatchObject({ parents: [HEAD], tree: "tree-1" });
    expect(bodies.one("ref")).toEqual({
      ref: "refs/heads/promoter/configure",
      sha: "c".repeat(40),
    });
    const pull = bodies.one<{ title: string; head: string; base: string; body: string }>("pull");
    expect(pull).toMatchObject({
      title: "Configure Promoter",
      head: "promoter/configure",
      base: "main",
    });
    expect(pull.body).toContain("- dev: `acme/terraform-aws-vpc/vpc` `v1.0.0` → `v1.1.0`");
    expect(pull.body).toContain("- dev: `acme/terraform-aws-sqs` `v0.8.0` → `v0.8.1`");
    expect(pull.body).toContain("| `acme/terraform-aws-vpc/vpc` | `v1.0.0` | `v1.0.0` |");
    expect(renderedFor(pull.body)).toBe("c".repeat(40));
  });

  it("does nothing more while its PR previews the branch's head: one listing", async () => {
    const app = testApp();
    mockRepositoryRead(live(), []);
    mockOnboardingPulls([onboardingPull()]);
    await check(app);
    expect(app.errors).toEqual([]);
  });

  it("closed without merging, its branch still there: not opened again", async () => {
    const app = testApp();
    mockRepositoryRead(live(), []);
    mockOnboardingPulls([onboardingPull({ state: "closed" })]);
    nock(API)
      .get(`${repo}/git/ref/heads%2Fpromoter%2Fconfigure`)
      .reply(200, { ref: "refs/heads/promoter/configure", object: { sha: BRANCH_HEAD } });
    await check(app);
    expect(app.errors).toEqual([]);
  });

  it("closed, and its branch deleted since: opened again", async () => {
    const app = testApp();
    const bodies = capture();
    mockRepositoryRead(live(), IAC);
    mockOnboardingPulls([onboardingPull({ state: "closed" })]);
    nock(API)
      .get(`${repo}/git/ref/heads%2Fpromoter%2Fconfigure`)
      .reply(404, { message: "Not Found" });
    mockTagListings();
    mockOnboardingWrite(bodies, 9);
    await check(app);
    expect(app.errors).toEqual([]);
    expect(bodies.one("pull")).toMatchObject({ title: "Configure Promoter" });
  });

  it("a person's push to its branch renders the preview again, with the config as edited there", async () => {
    const app = testApp();
    const bodies = capture();
    const edited = `environments:
  - name: development
    paths: ["dev/**"]
  - name: production
    paths: ["prod/**"]
`;
    const push = webhook(
      "push",
      undefined,
      { owner: "acme", repo: "live" },
      {
        ref: "refs/heads/promoter/configure",
        deleted: false,
        sender: { login: "alice", type: "User", id: 1 },
      },
    );
    const fixture = live();
    mockRepositoryRead(fixture, []);
    mockOnboardingPulls([
      onboardingPull({
        head: { ref: "promoter/configure", sha: "f".repeat(40), repo: { full_name: "acme/live" } },
      }),
    ]);
    const headFiles: Record<string, string> = { ...fixture.files, ".github/promoter.yml": edited };
    nock(API)
      .get(`${repo}/git/trees/${"f".repeat(40)}`)
      .query({ recursive: "1" })
      .reply(200, treeAnswer("tree-f", headFiles));
    for (const path of [".github/promoter.yml", ...IAC]) {
      const content = headFiles[path] ?? "";
      nock(API)
        .get(`${repo}/git/blobs/${blobSha(content)}`)
        .reply(200, content);
    }
    mockTagListings();
    nock(API).patch(`${repo}/pulls/4`, bodies.as("patch")).reply(200, {});
    await app.receive("push", push);
    expect(app.errors).toEqual([]);
    const { body } = bodies.one<{ body: string }>("patch");
    expect(body).toContain("as edited on this branch");
    expect(body).toContain("| 1 | development | `dev/**` | automatic |");
    expect(body).toContain("- development: `acme/terraform-aws-vpc/vpc` `v1.0.0` → `v1.1.0`");
    expect(renderedFor(body)).toBe("f".repeat(40));
  });

  it("an edit that breaks the config gets its problems in the PR body, and nothing is listed", async () => {
    const app = testApp();
    const bodies = capture();
    const fixture = live();
    const broken = "environments:\n  - name: dev\n    paths: []\n";
    mockRepositoryRead(fixture, []);
    mockOnboardingPulls([
      onboardingPull({
        head: { ref: "promoter/configure", sha: "f".repeat(40), repo: { full_name: "acme/live" } },
      }),
    ]);
    const headFiles = { ...fixture.files, ".github/promoter.yml": broken };
    nock(API)
      .get(`${repo}/git/trees/${"f".repeat(40)}`)
      .query({ recursive: "1" })
      .reply(200, treeAnswer("tree-f", headFiles))
      .get(`${repo}/git/blobs/${blobSha(broken)}`)
      .reply(200, broken);
    nock(API).patch(`${repo}/pulls/4`, bodies.as("patch")).reply(200, {});
    await check(app);
    expect(app.errors).toEqual([]);
    const { body } = bodies.one<{ body: string }>("patch");
    expect(body).toContain(
      ".github/promoter.yml:3:12: environments[0].paths: must list at least one glob",
    );
  });

  it("the app's own push to the branch, and a deleted branch, queue nothing", async () => {
    const app = testApp();
    for (const overrides of [
      { sender: { login: "promoter[bot]", type: "Bot", id: 2 }, deleted: false },
      { sender: { login: "alice", type: "User", id: 1 }, deleted: true },
    ]) {
      await app.receive(
        "push",
        webhook(
          "push",
          undefined,
          { owner: "acme", repo: "live" },
          {
            ref: "refs/heads/promoter/configure",
            ...overrides,
          },
        ),
      );
    }
    expect(app.errors).toEqual([]);
  });

  it("without write access: no PR, no error, no retry", async () => {
    const app = testApp();
    mockRepositoryRead(live(), IAC);
    mockOnboardingPulls();
    mockTagListings();
    nock(API)
      .post(`${repo}/git/trees`)
      .reply(403, { message: "Resource not accessible by integration" });
    await check(app);
    expect(app.errors).toEqual([]);
  });

  it("a branch of that name with someone else's commits is left alone", async () => {
    const app = testApp();
    mockRepositoryRead(live(), IAC);
    mockOnboardingPulls();
    mockTagListings();
    nock(API)
      .post(`${repo}/git/trees`)
      .reply(201, { sha: "tree-1" })
      .post(`${repo}/git/commits`)
      .reply(201, { sha: "c".repeat(40) })
      .post(`${repo}/git/refs`)
      .reply(422, { message: "Reference already exists" })
      .get(`${repo}/compare/${HEAD}...promoter%2Fconfigure`)
      .reply(200, {
        commits: [
          {
            sha: "1".repeat(40),
            author: { login: "alice" },
            committer: { login: "alice" },
            commit: { verification: { verified: false } },
          },
        ],
      });
    await check(app);
    expect(app.errors).toEqual([]);
  });

  it("someone else's open PR from the branch is left alone", async () => {
    const app = testApp();
    mockRepositoryRead(live(), []);
    mockOnboardingPulls([onboardingPull({ user: { login: "mallory" } })]);
    await check(app);
    expect(app.errors).toEqual([]);
  });

  it("a repository without Terraform, OpenTofu or Terragrunt files gets nothing: the tree alone is read", async () => {
    const app = testApp();
    mockRepositoryRead(
      { owner: "acme", repo: "live", headSha: HEAD, files: { "README.md": "# hi\n" } },
      [],
    );
    await check(app);
    expect(app.errors).toEqual([]);
  });
});

describe("a config added by hand while the onboarding PR is open", () => {
  it("closes the onboarding PR with a comment, and leaves its branch without a warning", async () => {
    const app = testApp();
    const bodies = capture();
    const fixture = live({
      ".github/promoter.yml": 'environments:\n  - name: dev\n    paths: ["dev/**"]\n',
    });
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0"]);
    mockPullRequests(fixture, [onboardingPull()]);
    mockBranches(fixture, ["promoter/configure"]);
    nock(API)
      .post(`${repo}/issues/4/comments`, bodies.as("comment"))
      .reply(201, { id: 1 })
      .patch(`${repo}/pulls/4`, { state: "closed" })
      .reply(200, {})
      .post(`${repo}/check-runs`, bodies.as("checkRun"))
      .reply(201, { id: 7 });
    await check(app);
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      "Promoter is configured now: `.github/promoter.yml` is on `main`. This pull request is no longer needed, so Promoter closed it.",
    );
    const run = bodies.one<{ output: { summary: string; text: string } }>("checkRun");
    expect(`${run.output.summary}${run.output.text}`).not.toContain("promoter/configure");
  });
});

describe("commands in a repository without config", () => {
  function comment(body: string) {
    const payload = webhook("issue_comment", "created", { owner: "acme", repo: "live" });
    const user = { login: "alice", type: "User", id: 1 };
    payload.comment = { ...(payload.comment as object), id: 77, body, user };
    payload.sender = user;
    payload.issue = { ...(payload.issue as object), number: 2, user, pull_request: undefined };
    return payload;
  }
  function mockAcknowledge() {
    return nock(API)
      .post(`${repo}/issues/comments/77/reactions`, { content: "eyes" })
      .reply(201, {})
      .get(`${repo}/collaborators/alice/permission`)
      .reply(200, { permission: "write", role_name: "write" });
  }

  it("/help points at the open onboarding PR", async () => {
    const app = testApp();
    const bodies = capture();
    mockAcknowledge();
    mockRepositoryRead(live(), []);
    mockOnboardingPulls([onboardingPull()]);
    nock(API).post(`${repo}/issues/2/comments`, bodies.as("reply")).reply(201, {});
    await app.receive("issue_comment", comment("/help"));
    expect(app.errors).toEqual([]);
    const { body } = bodies.one<{ body: string }>("reply");
    expect(body).toContain("Promoter is not set up here yet");
    expect(body).toContain("merge #4 (Configure Promoter)");
  });

  it("/promoter onboard opens it again after it was declined", async () => {
    const app = testApp();
    const bodies = capture();
    mockAcknowledge();
    mockRepositoryRead(live(), IAC);
    mockOnboardingPulls([onboardingPull({ state: "closed" })]);
    mockTagListings();
    nock(API)
      .post(`${repo}/git/trees`)
      .reply(201, { sha: "tree-1" })
      .post(`${repo}/git/commits`)
      .reply(201, { sha: "c".repeat(40) })
      .post(`${repo}/git/refs`)
      .reply(422, { message: "Reference already exists" })
      .get(`${repo}/compare/${HEAD}...promoter%2Fconfigure`)
      .reply(200, { commits: [] })
      .patch(`${repo}/git/refs/heads%2Fpromoter%2Fconfigure`, { sha: "c".repeat(40), force: true })
      .reply(200, {})
      .post(`${repo}/pulls`)
      .reply(201, { number: 11 })
      .post(`${repo}/issues/2/comments`, bodies.as("reply"))
      .reply(201, {});
    await app.receive("issue_comment", comment("/promoter onboard"));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("reply").body).toContain("#11 (Configure Promoter)");
  });
});
