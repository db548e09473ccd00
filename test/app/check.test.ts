import nock from "nock";
import { describe, expect, it } from "vitest";
import { installationDirectory } from "../../src/github/installations.js";
import { Scheduler } from "../../src/queue/scheduler.js";
import { metadataComment, parseMetadata } from "../../src/promotion/pull-request-content.js";
import {
  API,
  INSTALLATION_ID,
  capture,
  mockBranches,
  mockPullRequests,
  mockReleaseDate,
  mockRepositoryRead,
  mockTags,
  mockTarball,
  testApp,
  treeShaOf,
  webhook,
  type RepoFixture,
} from "./helpers.js";
import { useNock } from "../support/nock-github.js";

const CONFIG = `environments:
  - name: dev
    paths: ["dev/**"]
  - name: prod
    paths: ["prod/**"]
    promotion: manual
`;
const VPC_UNIT = `# the network
terraform {
  source = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc?ref=v1.0.0"
}
`;
const SQS_UNIT = `terraform {
  source = "git::https://github.com/acme/terraform-aws-sqs.git?ref=v0.8.0" # queue
}
`;

const NOW = Date.parse("2026-06-01T12:00:00Z");
const NOW_ISO = new Date(NOW).toISOString();

const live = (files: Record<string, string> = {}): RepoFixture => ({
  owner: "acme",
  repo: "live",
  headSha: "a".repeat(40),
  files: {
    ".github/promoter.yml": CONFIG,
    "dev/vpc/terragrunt.hcl": VPC_UNIT,
    "dev/sqs/terragrunt.hcl": SQS_UNIT,
    "prod/vpc/terragrunt.hcl": VPC_UNIT,
    "README.md": "# live\n",
    ...files,
  },
});
const IAC = ["dev/vpc/terragrunt.hcl", "dev/sqs/terragrunt.hcl", "prod/vpc/terragrunt.hcl"];

/** The writes of one new proposal: label (first one only), tree, commit, ref, release notes, PR, PR labels. */
function mockProposalWrite(
  fixture: RepoFixture,
  bodies: ReturnType<typeof capture>,
  {
    branch,
    module,
    number,
    label = true,
  }: { branch: string; module: string; number: number; label?: boolean },
) {
  const scope = nock(API);
  const repo = `/repos/${fixture.owner}/${fixture.repo}`;
  if (label) scope.post(`${repo}/labels`, bodies.as("label")).reply(201, {});
  scope
    .post(`${repo}/git/trees`, bodies.as("tree"))
    .reply(201, { sha: `tree-${number}` })
    .post(`${repo}/git/commits`, bodies.as("commit"))
    .reply(201, { sha: `commit-${number}` })
    .post(`${repo}/git/refs`, bodies.as("ref"))
    .reply(201, { ref: `refs/heads/${branch}` })
    .get(`/repos/acme/${module}/releases`)
    .query(true)
    .reply(200, [])
    .post(`${repo}/pulls`, bodies.as("pull"))
    .reply(201, { number })
    .post(`${repo}/issues/${number}/labels`, bodies.as("pullLabels"))
    .reply(200, []);
  return scope;
}

function mockCheckRun(
  fixture: RepoFixture,
  bodies: ReturnType<typeof capture>,
  branches = true,
  listed: string[] = [],
) {
  if (branches) mockBranches(fixture, listed);
  return nock(API)
    .post(`/repos/${fixture.owner}/${fixture.repo}/check-runs`, bodies.as("checkRun"))
    .reply(201, { id: 7 });
}

useNock();

describe("a scheduled check", () => {
  it("opens one PR per dependency with a newer version, and reports in the check run", async () => {
    const app = testApp();
    app.services.now = () => NOW;
    const fixture = live();
    const bodies = capture();
    nock(API)
      .get("/app/installations")
      .query(true)
      .reply(200, [{ id: INSTALLATION_ID, account: { login: "acme" } }])
      .get("/installation/repositories")
      .query(true)
      .reply(200, {
        total_count: 1,
        repositories: [
          {
            id: 101,
            name: "live",
            full_name: "acme/live",
            owner: { login: "acme" },
            default_branch: "main",
          },
        ],
      });
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0", "v1.1.0", "v2.0.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.2", "v0.9.0"]);
    mockPullRequests(fixture);
    mockProposalWrite(fixture, bodies, {
      branch: "promoter/dev/acme+terraform-aws-sqs",
      module: "terraform-aws-sqs",
      number: 11,
    });
    mockProposalWrite(fixture, bodies, {
      branch: "promoter/dev/acme+terraform-aws-vpc+vpc",
      module: "terraform-aws-vpc",
      number: 12,
      label: false,
    });
    mockCheckRun(fixture, bodies);

    const sources = {
      directory: installationDirectory(app.probot),
      repositories: app.services.repositories,
      log: app.probot.log,
    };
    const scheduler = new Scheduler(app.queue, sources, {
      intervalMs: 60_000,
      jitterMs: 0,
      firstCheckSpreadMs: 0,
    });
    expect(await scheduler.tick()).toBe(1);
    await app.queue.onIdle();
    expect(app.errors).toEqual([]);

    expect(bodies.one("label")).toEqual({
      name: "promoter:dev",
      color: "5319e7",
      description: "Promoter: promotions to dev",
    });
    expect(bodies.one("tree")).toEqual({
      base_tree: treeShaOf(fixture),
      tree: [
        {
          path: "dev/sqs/terragrunt.hcl",
          mode: "100644",
          type: "blob",
          content: SQS_UNIT.replace("ref=v0.8.0", "ref=v0.8.2"),
        },
      ],
    });
    expect(bodies.one("commit")).toEqual({
      message: "[promoter] dev: acme/terraform-aws-sqs v0.8.0 → v0.8.2",
      tree: "tree-11",
      parents: [fixture.headSha],
    });
    expect(bodies.one("ref")).toEqual({
      ref: "refs/heads/promoter/dev/acme+terraform-aws-sqs",
      sha: "commit-11",
    });
    const pull = bodies.one<{ title: string; head: string; base: string; body: string }>("pull");
    expect(pull).toMatchObject({
      title: "[promoter] dev: acme/terraform-aws-sqs v0.8.0 → v0.8.2",
      head: "promoter/dev/acme+terraform-aws-sqs",
      base: "main",
    });
    expect(pull.body).toContain("| `dev/sqs/terragrunt.hcl` | 2 | `v0.8.0` | `v0.8.2` |");
    expect(pull.body).toContain(
      metadataComment({
        v: 1,
        env: "dev",
        dependency: "acme/terraform-aws-sqs",
        from: ["v0.8.0"],
        to: "v0.8.2",
        base: fixture.headSha,
        builtAt: NOW_ISO,
      }),
    );
    expect(bodies.one("pullLabels")).toEqual({ labels: ["promoter:dev"] });
    expect(bodies.one("tree", 1)).toMatchObject({
      tree: [
        { path: "dev/vpc/terragrunt.hcl", content: VPC_UNIT.replace("ref=v1.0.0", "ref=v1.1.0") },
      ],
    });

    const checkRun = bodies.one<{
      name: string;
      head_sha: string;
      conclusion: string;
      output: Record<string, string>;
    }>("checkRun");
    expect(checkRun).toMatchObject({
      name: "promoter",
      head_sha: fixture.headSha,
      conclusion: "success",
    });
    expect(checkRun.output.title).toBe("2 pull requests opened");
    expect(checkRun.output.summary).toContain("- dev: `acme/terraform-aws-sqs` → `v0.8.2` (#11)");
    // The dashboard's matrix: the newest version, how far behind, the PR just opened.
    expect(checkRun.output.text).toContain(
      "| `acme/terraform-aws-vpc/vpc` | `v2.0.0` | **`v1.0.0`** ⚠️ 2 versions behind · #12 → `v1.1.0` | `v1.0.0` |",
    );
    expect(checkRun.output.text).toContain(
      "| `acme/terraform-aws-sqs` | `v0.9.0` | **`v0.8.0`** ⚠️ 2 versions behind · #11 → `v0.8.2` | — |",
    );
  });

  it("with nothing to do writes only the check run; a re-check downloads nothing, lists no tags within the listing window and lists them with 304s after it", async () => {
    const app = testApp();
    let now = NOW;
    app.services.now = () => now;
    const fixture = live();
    const bodies = capture();
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"], '"vpc"');
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0"], '"sqs"');
    // The dashboard's dates of the newest versions: read once, not at the re-checks.
    mockReleaseDate("acme", "terraform-aws-vpc", "v1.0.0");
    mockReleaseDate("acme", "terraform-aws-sqs", "v0.8.0");
    mockPullRequests(fixture);
    mockCheckRun(fixture, bodies);
    const dispatch = webhook(
      "repository_dispatch",
      undefined,
      { owner: "acme", repo: "live" },
      {
        action: "new_module_release",
      },
    );
    await app.receive("repository_dispatch", dispatch);
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ output: { title: string } }>("checkRun").output.title).toBe("Up to date");

    let requests = 0;
    const count = () => requests++;
    nock.emitter.on("no match", count);
    // Within the window: the listings of a minute ago are reused, without a request.
    now += 60_000;
    const shared = [
      mockRepositoryRead(fixture, []),
      mockPullRequests(fixture),
      mockBranches(fixture),
      mockCheckRun(fixture, bodies, false),
    ];
    for (const scope of shared) scope.on("request", count);
    await app.receive("repository_dispatch", dispatch);
    expect(app.errors).toEqual([]);
    // ref + tree, pulls, branches, check run: no tag listing.
    expect(requests).toBe(5);
    expect(bodies.one<{ output: { title: string } }>("checkRun", 1).output.title).toBe(
      "Up to date",
    );

    // After the window: each listing revalidated with its ETag.
    requests = 0;
    now += 10 * 60_000;
    const recheck = [
      mockRepositoryRead(fixture, []),
      nock(API, { reqheaders: { "if-none-match": '"vpc"' } })
        .get("/repos/acme/terraform-aws-vpc/tags")
        .query(true)
        .reply(304, ""),
      nock(API, { reqheaders: { "if-none-match": '"sqs"' } })
        .get("/repos/acme/terraform-aws-sqs/tags")
        .query(true)
        .reply(304, ""),
      mockPullRequests(fixture),
      mockBranches(fixture),
      mockCheckRun(fixture, bodies, false),
    ];
    for (const scope of recheck) scope.on("request", count);
    await app.receive("repository_dispatch", dispatch);
    nock.emitter.off("no match", count);
    expect(app.errors).toEqual([]);
    // ref + tree, two conditional tag listings (free), pulls, branches, check run: nothing downloaded again.
    expect(requests).toBe(7);
    expect(bodies.one<{ output: { title: string } }>("checkRun", 2).output.title).toBe(
      "Up to date",
    );
  });

  it("with an invalid config writes a failing check run with every problem and its line, and opens nothing", async () => {
    const app = testApp();
    const fixture = live({
      ".github/promoter.yml":
        "environments:\n  - name: dev\n    paths: []\n    promotion: sometimes\n",
    });
    const bodies = capture();
    mockRepositoryRead(fixture, [".github/promoter.yml"]);
    mockCheckRun(fixture, bodies, false);
    await app.receive(
      "repository_dispatch",
      webhook(
        "repository_dispatch",
        undefined,
        { owner: "acme", repo: "live" },
        { action: "new_module_release" },
      ),
    );
    expect(app.errors).toEqual([]);
    const checkRun = bodies.one<{ conclusion: string; output: { title: string; summary: string } }>(
      "checkRun",
    );
    expect(checkRun.conclusion).toBe("failure");
    expect(checkRun.output.title).toBe("Invalid configuration: 2 problems");
    expect(checkRun.output.summary).toContain(
      ".github/promoter.yml:3:12: environments[0].paths: must list at least one glob",
    );
    expect(checkRun.output.summary).toContain(
      '.github/promoter.yml:4:16: environments[0].promotion: must be one of "auto", "manual"',
    );
  });

  it("writes no check run in a repository without a config file: its onboarding PR is what it gets", async () => {
    const app = testApp();
    const fixture = live();
    delete fixture.files[".github/promoter.yml"];
    mockRepositoryRead(fixture, []);
    // The onboarding PR is open and previews its branch's head: nothing more to do (test/app/onboarding.test.ts).
    nock(API)
      .get("/repos/acme/live/pulls")
      .query({ head: "acme:promoter/configure", state: "all", sort: "created", direction: "desc" })
      .reply(200, [
        {
          number: 4,
          state: "open",
          merged_at: null,
          merge_commit_sha: null,
          title: "Configure Promoter",
          body: `<!-- promoter-onboarding: ${"e".repeat(40)} -->`,
          user: { login: "promoter[bot]" },
          labels: [],
          head: {
            ref: "promoter/configure",
            sha: "e".repeat(40),
            repo: { full_name: "acme/live" },
          },
          base: { ref: "main", repo: { full_name: "acme/live" } },
        },
      ]);
    await app.receive(
      "repository_dispatch",
      webhook(
        "repository_dispatch",
        undefined,
        { owner: "acme", repo: "live" },
        { action: "new_module_release" },
      ),
    );
    expect(app.errors).toEqual([]);
  });
});

describe("limits on new pull requests", () => {
  it("opens at most updates.maxNewPullRequests per check and names what waits in the check run", async () => {
    const app = testApp();
    const fixture = live({
      ".github/promoter.yml": `${CONFIG}updates:\n  maxNewPullRequests: 1\n`,
    });
    const bodies = capture();
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0", "v1.1.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.2"]);
    mockPullRequests(fixture);
    mockProposalWrite(fixture, bodies, {
      branch: "promoter/dev/acme+terraform-aws-sqs",
      module: "terraform-aws-sqs",
      number: 11,
    });
    mockCheckRun(fixture, bodies);
    await app.receive(
      "repository_dispatch",
      webhook(
        "repository_dispatch",
        undefined,
        { owner: "acme", repo: "live" },
        { action: "new_module_release" },
      ),
    );
    expect(app.errors).toEqual([]);
    const run = bodies.one<{ output: { title: string; text: string } }>("checkRun");
    expect(run.output.title).toBe("1 pull request opened");
    expect(run.output.text).toContain(
      "- dev: `acme/terraform-aws-vpc/vpc`: v1.1.0 waits: this check opened 1 new pull request already (updates.maxNewPullRequests)",
    );
  });
});

describe("commit-SHA pins", () => {
  const V120 = "3f2a9c1d4e5b6a7980123456789abcdef0123456";
  const V130 = "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c";
  const OTHER = "0123456789abcdef0123456789abcdef01234567";
  const iamUnit = (sha: string, version: string) =>
    `locals {\r\n  ref = "${sha}" # ${version}\r\n}\r\n\r\nterraform {\r\n  source = "git::https://github.com/acme/terraform-aws-iam.git?ref=\${local.ref}"\r\n}\r\n`;

  it("updates dev's SHA and comment to the next tag's commit from one tag listing, and reports prod's lying comment", async () => {
    const app = testApp();
    const fixture: RepoFixture = {
      owner: "acme",
      repo: "live",
      headSha: "a".repeat(40),
      files: {
        ".github/promoter.yml": CONFIG,
        "dev/iam/terragrunt.hcl": iamUnit(V120, "v1.2.0"),
        "prod/iam/terragrunt.hcl": iamUnit(OTHER, "v1.2.0"),
      },
    };
    const bodies = capture();
    mockRepositoryRead(fixture);
    nock(API)
      .get("/repos/acme/terraform-aws-iam/tags")
      .query({ per_page: "100", page: "1" })
      .once()
      .reply(200, [
        { name: "v1.3.0", commit: { sha: V130 } },
        { name: "v1.2.0", commit: { sha: V120 } },
      ]);
    mockPullRequests(fixture);
    mockProposalWrite(fixture, bodies, {
      branch: "promoter/dev/acme+terraform-aws-iam",
      module: "terraform-aws-iam",
      number: 11,
    });
    mockCheckRun(fixture, bodies);
    await app.receive(
      "repository_dispatch",
      webhook(
        "repository_dispatch",
        undefined,
        { owner: "acme", repo: "live" },
        { action: "new_module_release" },
      ),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one("tree")).toEqual({
      base_tree: treeShaOf(fixture),
      tree: [
        {
          path: "dev/iam/terragrunt.hcl",
          mode: "100644",
          type: "blob",
          content: iamUnit(V130, "v1.3.0"),
        },
      ],
    });
    expect(bodies.one("commit")).toMatchObject({
      message: "[promoter] dev: acme/terraform-aws-iam v1.2.0 → v1.3.0",
    });
    const run = bodies.one<{ output: { title: string; text: string } }>("checkRun");
    expect(run.output.title).toBe("1 pull request opened");
    expect(run.output.text).toContain(
      `prod/iam/terragrunt.hcl:2: the comment says v1.2.0 but the SHA is ${OTHER}, and v1.2.0 is ${V120.slice(0, 12)}; the pin is not edited`,
    );
  });
});

describe("artifacts", () => {
  it("promotes dev's artifact version to stage exactly, with no listing and no release notes", async () => {
    const app = testApp();
    const fixture: RepoFixture = {
      owner: "acme",
      repo: "live",
      headSha: "a".repeat(40),
      files: {
        ".github/promoter.yml": `environments:\n  - name: dev\n    paths: ["dev/**"]\n  - name: stage\n    paths: ["stage/**"]\nartifacts:\n  - name: payments-api\n    key: payments_api_version\n    files: ["**/*.tfvars", "**/env.hcl"]\n`,
        "dev/env.hcl": `locals {\n  payments_api_version = "1.5.0"\n}\n`,
        "stage/stage.tfvars": `region = "eu-west-1"\npayments_api_version = "1.4.2" # by hand\n`,
        "stage/README.md": "not read\n",
      },
    };
    const bodies = capture();
    mockRepositoryRead(fixture, [".github/promoter.yml", "dev/env.hcl", "stage/stage.tfvars"]);
    mockPullRequests(fixture);
    const repo = "/repos/acme/live";
    nock(API)
      .post(`${repo}/labels`, bodies.as("label"))
      .reply(201, {})
      .post(`${repo}/git/trees`, bodies.as("tree"))
      .reply(201, { sha: "tree-11" })
      .post(`${repo}/git/commits`, bodies.as("commit"))
      .reply(201, { sha: "commit-11" })
      .post(`${repo}/git/refs`, bodies.as("ref"))
      .reply(201, { ref: "refs/heads/promoter/stage/payments-api" })
      .post(`${repo}/pulls`, bodies.as("pull"))
      .reply(201, { number: 11 })
      .post(`${repo}/issues/11/labels`, bodies.as("pullLabels"))
      .reply(200, []);
    mockCheckRun(fixture, bodies);
    await app.receive(
      "repository_dispatch",
      webhook(
        "repository_dispatch",
        undefined,
        { owner: "acme", repo: "live" },
        { action: "new_module_release" },
      ),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one("tree")).toMatchObject({
      tree: [
        {
          path: "stage/stage.tfvars",
          content: `region = "eu-west-1"\npayments_api_version = "1.5.0" # by hand\n`,
        },
      ],
    });
    expect(bodies.one("ref")).toEqual({
      ref: "refs/heads/promoter/stage/payments-api",
      sha: "commit-11",
    });
    expect(bodies.one<{ title: string }>("pull").title).toBe(
      "[promoter] stage: payments-api 1.4.2 → 1.5.0",
    );
    expect(bodies.one<{ body: string }>("pull").body).toContain(
      "| `stage/stage.tfvars` | 2 | `1.4.2` | `1.5.0` |",
    );
    expect(bodies.one("pullLabels")).toEqual({ labels: ["promoter:stage"] });
  });
});

describe("an existing promotion PR", () => {
  /** The app's open PR for sqs `to`, built on `built` (default: the default branch's head, now). */
  const existing = (
    to: string,
    number = 21,
    built: { base?: string; builtAt?: string } = { base: "a".repeat(40), builtAt: NOW_ISO },
  ) => ({
    number,
    state: "open",
    merged_at: null,
    title: `[promoter] dev: acme/terraform-aws-sqs v0.8.0 → ${to}`,
    body: `old body\n\n${metadataComment({ v: 1, env: "dev", dependency: "acme/terraform-aws-sqs", from: ["v0.8.0"], to, ...built })}`,
    merge_commit_sha: null,
    head: {
      ref: "promoter/dev/acme+terraform-aws-sqs",
      sha: "branch-head",
      repo: { full_name: "acme/live" },
    },
    base: { ref: "main", repo: { full_name: "acme/live" } },
    labels: [{ name: "promoter:dev" }],
    user: { login: "promoter[bot]" },
  });

  function readWithSqsRelease(fixture: RepoFixture, tags: string[], pulls: unknown[]) {
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]);
    mockTags("acme", "terraform-aws-sqs", tags);
    mockPullRequests(fixture, pulls);
  }

  const dispatch = () =>
    webhook(
      "repository_dispatch",
      undefined,
      { owner: "acme", repo: "live" },
      { action: "new_module_release" },
    );

  it("is not one from a fork that named its branch and wrote its body like the app's: the app opens its own", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    const fork = {
      ...existing("v0.8.1", 22),
      user: { login: "mallory" },
      head: {
        ref: "promoter/dev/acme+terraform-aws-sqs",
        sha: "f",
        repo: { full_name: "mallory/live" },
      },
    };
    readWithSqsRelease(fixture, ["v0.8.0", "v0.8.1"], [fork]);
    mockProposalWrite(fixture, bodies, {
      branch: "promoter/dev/acme+terraform-aws-sqs",
      module: "terraform-aws-sqs",
      number: 23,
    });
    mockCheckRun(fixture, bodies);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ head: string }>("pull").head).toBe("promoter/dev/acme+terraform-aws-sqs");
  });

  it("declines nothing when a person's closed PR carries metadata: only the app's PRs count", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    const forged = {
      ...existing("v0.8.1", 24),
      state: "closed",
      user: { login: "mallory" },
      head: {
        ref: "promoter/dev/acme+terraform-aws-sqs",
        sha: "m",
        repo: { full_name: "acme/live" },
      },
    };
    readWithSqsRelease(fixture, ["v0.8.0", "v0.8.1"], [forged]);
    mockProposalWrite(fixture, bodies, {
      branch: "promoter/dev/acme+terraform-aws-sqs",
      module: "terraform-aws-sqs",
      number: 25,
    });
    mockCheckRun(fixture, bodies);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ title: string }>("pull").title).toBe(
      "[promoter] dev: acme/terraform-aws-sqs v0.8.0 → v0.8.1",
    );
    expect(bodies.one<{ output: { text: string } }>("checkRun").output.text).not.toContain(
      "declined",
    );
  });

  it("is left as it is when it already carries the version: a redelivered webhook writes nothing", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    readWithSqsRelease(fixture, ["v0.8.0", "v0.8.1"], [existing("v0.8.1")]);
    mockCheckRun(fixture, bodies);
    const payload = webhook(
      "repository_dispatch",
      undefined,
      { owner: "acme", repo: "live" },
      {
        action: "new_module_release",
      },
    );
    await app.receive("repository_dispatch", payload);
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ output: { summary: string } }>("checkRun").output.summary).toContain(
      "1 open pull request already up to date.",
    );
  });

  it("is updated in place, force-pushing the branch, when a newer version comes out", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    readWithSqsRelease(fixture, ["v0.8.0", "v0.8.1", "v0.8.3"], [existing("v0.8.1")]);
    // The check's listing shows the branch: no request to read it.
    mockRebuild(fixture, bodies);
    mockCheckRun(fixture, bodies, false);
    await app.receive(
      "repository_dispatch",
      webhook(
        "repository_dispatch",
        undefined,
        { owner: "acme", repo: "live" },
        { action: "new_module_release" },
      ),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one("forcePush")).toEqual({ sha: "commit-2", force: true });
    const update = bodies.one<{ title: string; body: string }>("pullUpdate");
    expect(update.title).toBe("[promoter] dev: acme/terraform-aws-sqs v0.8.0 → v0.8.3");
    expect(update.body).toContain('"to":"v0.8.3"');
    expect(bodies.one<{ output: { title: string } }>("checkRun").output.title).toBe(
      "1 pull request updated",
    );
  });

  /** The sqs branch of #21, listed, with only the app's commit on it. */
  function mockAppBranch(fixture: RepoFixture) {
    mockBranches(fixture, ["promoter/dev/acme+terraform-aws-sqs"]);
    return nock(API)
      .get(
        `/repos/acme/live/compare/${fixture.headSha}...promoter%2Fdev%2Facme%2Bterraform-aws-sqs`,
      )
      .reply(200, {
        commits: [
          {
            sha: "b1",
            author: { login: "promoter[bot]" },
            committer: { login: "web-flow" },
            commit: { verification: { verified: true } },
          },
        ],
      });
  }

  /** The reads and writes of rebuilding #21 on the default branch's head, the listed branch all the app's. */
  function mockRebuild(
    fixture: RepoFixture,
    bodies: ReturnType<typeof capture>,
    { label = true } = {},
  ) {
    const repo = "/repos/acme/live";
    const scope = mockAppBranch(fixture);
    if (label) scope.post(`${repo}/labels`).reply(201, {});
    return scope
      .post(`${repo}/git/trees`, bodies.as("tree"))
      .reply(201, { sha: "tree-2" })
      .post(`${repo}/git/commits`, bodies.as("commit"))
      .reply(201, { sha: "commit-2" })
      .patch(
        `${repo}/git/refs/heads%2Fpromoter%2Fdev%2Facme%2Bterraform-aws-sqs`,
        bodies.as("forcePush"),
      )
      .reply(200, {})
      .get("/repos/acme/terraform-aws-sqs/releases")
      .query(true)
      .reply(200, [])
      .patch(`${repo}/pulls/21`, bodies.as("pullUpdate"))
      .reply(200, {});
  }

  it("is rebuilt on the default branch's new head, same version, when it no longer merges cleanly", async () => {
    const app = testApp();
    app.services.now = () => NOW;
    const fixture = live();
    const bodies = capture();
    const stale = existing("v0.8.1", 21, { base: "c".repeat(40), builtAt: NOW_ISO });
    readWithSqsRelease(fixture, ["v0.8.0", "v0.8.1"], [stale]);
    // The environment's label is known from an earlier check.
    await app.services.knownLabels.add("acme/live", ["promoter:dev"]);
    const read = nock(API)
      .get("/repos/acme/live/pulls/21")
      .reply(200, { ...stale, mergeable: false });
    const rebuild = mockRebuild(fixture, bodies, { label: false });
    mockCheckRun(fixture, bodies, false);
    let requests = 0;
    for (const scope of [read, rebuild]) scope.on("request", () => requests++);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one("commit")).toMatchObject({ parents: [fixture.headSha] });
    expect(bodies.one("tree")).toMatchObject({
      base_tree: `tree-${fixture.headSha}`,
      tree: [{ path: "dev/sqs/terragrunt.hcl", content: SQS_UNIT.replace("v0.8.0", "v0.8.1") }],
    });
    expect(bodies.one("forcePush")).toEqual({ sha: "commit-2", force: true });
    const update = bodies.one<{ title?: string; body: string }>("pullUpdate");
    expect(update.title).toBeUndefined();
    expect(parseMetadata(update.body)).toMatchObject({ to: "v0.8.1", base: fixture.headSha });
    const run = bodies.one<{ output: { title: string; summary: string } }>("checkRun");
    expect(run.output.title).toBe("1 pull request updated");
    expect(run.output.summary).toContain(
      "rebuilt on the default branch's head: it no longer merges cleanly",
    );
    // The PR's read, the branch's commits, tree, commit, force-push, release notes, PR body.
    expect(requests).toBe(7);
  });

  it("is read, not rebuilt, when the default branch moved but it still merges cleanly", async () => {
    const app = testApp();
    app.services.now = () => NOW;
    const fixture = live();
    const bodies = capture();
    const behind = existing("v0.8.1", 21, { base: "c".repeat(40), builtAt: NOW_ISO });
    readWithSqsRelease(fixture, ["v0.8.0", "v0.8.1"], [behind]);
    nock(API)
      .get("/repos/acme/live/pulls/21")
      .reply(200, { ...behind, mergeable: true });
    mockCheckRun(fixture, bodies);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ output: { summary: string } }>("checkRun").output.summary).toContain(
      "1 open pull request already up to date.",
    );
  });

  it("is rebuilt without asking GitHub once it was built longer ago than updates.rebaseAfterDays", async () => {
    const app = testApp();
    app.services.now = () => NOW;
    const fixture = live({
      ".github/promoter.yml": `${CONFIG}updates:\n  rebaseWhen: never\n  rebaseAfterDays: 7\n`,
    });
    const bodies = capture();
    const old = existing("v0.8.1", 21, {
      base: "c".repeat(40),
      builtAt: new Date(NOW - 8 * 86_400_000).toISOString(),
    });
    readWithSqsRelease(fixture, ["v0.8.0", "v0.8.1"], [old]);
    mockRebuild(fixture, bodies);
    mockCheckRun(fixture, bodies, false);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ output: { summary: string } }>("checkRun").output.summary).toContain(
      "it was built more than 7 days ago (updates.rebaseAfterDays)",
    );
  });

  it("is closed, with one comment, and its branch deleted, once the environment runs its version", async () => {
    const app = testApp();
    const fixture = live({ "dev/sqs/terragrunt.hcl": SQS_UNIT.replace("v0.8.0", "v0.8.1") });
    const bodies = capture();
    readWithSqsRelease(fixture, ["v0.8.0", "v0.8.1"], [existing("v0.8.1")]);
    const repo = "/repos/acme/live";
    const close = mockAppBranch(fixture)
      .post(`${repo}/issues/21/comments`, bodies.as("comment"))
      .reply(201, { id: 1 })
      .patch(`${repo}/pulls/21`, bodies.as("close"))
      .reply(200, {})
      .delete(`${repo}/git/refs/heads%2Fpromoter%2Fdev%2Facme%2Bterraform-aws-sqs`)
      .reply(204);
    mockCheckRun(fixture, bodies, false);
    let requests = 0;
    close.on("request", () => requests++);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      "Promoter closed this pull request and deleted its branch: dev already runs `acme/terraform-aws-sqs` `v0.8.1`.",
    );
    expect(bodies.one("close")).toEqual({ state: "closed" });
    const run = bodies.one<{ output: { title: string; summary: string } }>("checkRun");
    expect(run.output.title).toBe("1 pull request closed");
    expect(run.output.summary).toContain("- dev: `acme/terraform-aws-sqs` (#21): dev already runs");
    expect(requests).toBe(4);
  });

  it("is left open, with one comment, when nothing proposes it any more but a person pushed to it", async () => {
    const app = testApp();
    const fixture = live({ "dev/sqs/terragrunt.hcl": SQS_UNIT.replace("v0.8.0", "v0.8.1") });
    const bodies = capture();
    readWithSqsRelease(fixture, ["v0.8.0", "v0.8.1"], [existing("v0.8.1")]);
    const repo = "/repos/acme/live";
    nock(API)
      .get(`${repo}/compare/${fixture.headSha}...promoter%2Fdev%2Facme%2Bterraform-aws-sqs`)
      .reply(200, {
        commits: [
          {
            sha: "c2bbbbbbb",
            author: { login: "octocat" },
            commit: { verification: { verified: false } },
          },
        ],
      })
      .post(`${repo}/issues/21/comments`, bodies.as("comment"))
      .reply(201, { id: 1 })
      .patch(`${repo}/pulls/21`, bodies.as("pullUpdate"))
      .reply(200, {});
    mockCheckRun(fixture, bodies, true, ["promoter/dev/acme+terraform-aws-sqs"]);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toContain(
      "it is left open for you to close or merge",
    );
    expect(bodies.one<{ body: string }>("pullUpdate").body).toContain('"obsolete":true');
  });

  it("is left alone, with one comment, when a person pushed to its branch", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    readWithSqsRelease(fixture, ["v0.8.0", "v0.8.1", "v0.8.3"], [existing("v0.8.1")]);
    const repo = "/repos/acme/live";
    // The check's listing shows the branch: no request to read it.
    mockBranches(fixture, ["promoter/dev/acme+terraform-aws-sqs"]);
    nock(API)
      .get(`${repo}/compare/${fixture.headSha}...promoter%2Fdev%2Facme%2Bterraform-aws-sqs`)
      .reply(200, {
        commits: [
          {
            sha: "b1aaaaaaa",
            author: { login: "promoter[bot]" },
            commit: { verification: { verified: true } },
          },
          {
            sha: "c2bbbbbbb",
            author: { login: "octocat" },
            commit: { verification: { verified: false } },
          },
        ],
      })
      .post(`${repo}/issues/21/comments`, bodies.as("comment"))
      .reply(201, { id: 1 })
      .patch(`${repo}/pulls/21`, bodies.as("pullUpdate"))
      .reply(200, {});
    mockCheckRun(fixture, bodies, false);
    await app.receive(
      "repository_dispatch",
      webhook(
        "repository_dispatch",
        undefined,
        { owner: "acme", repo: "live" },
        { action: "new_module_release" },
      ),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toContain(
      "commits that are not Promoter's (c2bbbbb)",
    );
    expect(bodies.one<{ body: string }>("pullUpdate").body).toContain('"humanCommits":true');
    const checkRun = bodies.one<{ output: { summary: string } }>("checkRun");
    expect(checkRun.output.summary).toContain("**Left alone**");
    expect(checkRun.output.summary).toContain("a person pushed to the branch");
  });
});

describe("GitHub failing", () => {
  it("retries a 502 on a write and then succeeds", async () => {
    const app = testApp({ retry: true });
    const fixture = live();
    const bodies = capture();
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.1"]);
    mockPullRequests(fixture);
    nock(API).post("/repos/acme/live/labels").reply(502, "Bad Gateway");
    mockProposalWrite(fixture, bodies, {
      branch: "promoter/dev/acme+terraform-aws-sqs",
      module: "terraform-aws-sqs",
      number: 31,
    });
    mockCheckRun(fixture, bodies);
    await app.receive(
      "repository_dispatch",
      webhook(
        "repository_dispatch",
        undefined,
        { owner: "acme", repo: "live" },
        { action: "new_module_release" },
      ),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ output: { title: string } }>("checkRun").output.title).toBe(
      "1 pull request opened",
    );
  });

  it("reports a write that keeps failing in the check run; the other proposals still go ahead", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0", "v1.0.1"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.1"]);
    mockPullRequests(fixture);
    const repo = "/repos/acme/live";
    nock(API)
      .post(`${repo}/labels`)
      .reply(201, {})
      .post(`${repo}/git/trees`)
      .reply(500, { message: "Server Error" });
    mockProposalWrite(fixture, bodies, {
      branch: "promoter/dev/acme+terraform-aws-vpc+vpc",
      module: "terraform-aws-vpc",
      number: 41,
      label: false,
    });
    mockCheckRun(fixture, bodies);
    await app.receive(
      "repository_dispatch",
      webhook(
        "repository_dispatch",
        undefined,
        { owner: "acme", repo: "live" },
        { action: "new_module_release" },
      ),
    );
    expect(app.errors).toEqual([]);
    const checkRun = bodies.one<{ conclusion: string; output: { title: string; summary: string } }>(
      "checkRun",
    );
    expect(checkRun.conclusion).toBe("neutral");
    expect(checkRun.output.title).toBe("1 pull request could not be written");
    expect(checkRun.output.summary).toContain("**Failed** (retried at the next check)");
    expect(checkRun.output.summary).toContain(
      "- dev: `acme/terraform-aws-vpc/vpc` → `v1.0.1` (#41)",
    );
  });
});

describe("a write failing for a reason that is not an HTTP answer", () => {
  async function checkWithSqsRelease(app: ReturnType<typeof testApp>, fixture: RepoFixture) {
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.1"]);
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

  it("reports a network error with its message", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockPullRequests(fixture);
    nock(API)
      .post("/repos/acme/live/labels")
      .reply(201, {})
      .post("/repos/acme/live/git/trees")
      .replyWithError("socket hang up");
    mockCheckRun(fixture, bodies);
    await checkWithSqsRelease(app, fixture);
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ output: { summary: string } }>("checkRun").output.summary).toContain(
      "- dev: `acme/terraform-aws-sqs` → `v0.8.1`: socket hang up",
    );
  });

  it("reports a thrown error with its own message", async () => {
    const app = testApp();
    let asked = 0;
    // The check's own read of the login works, the write's fails: a plain Error in the middle of a write.
    app.services.appLogin = () =>
      asked++ === 0
        ? Promise.resolve("promoter[bot]")
        : Promise.reject(new Error("the app's login is not known"));
    const fixture = live();
    const bodies = capture();
    const pull = {
      number: 21,
      state: "open",
      merged_at: null,
      title: "[promoter] dev: acme/terraform-aws-sqs v0.8.0 → v0.8.0-rc.1",
      body: metadataComment({
        v: 1,
        env: "dev",
        dependency: "acme/terraform-aws-sqs",
        from: ["v0.8.0"],
        to: "v0.8.0-rc.1",
      }),
      merge_commit_sha: null,
      head: {
        ref: "promoter/dev/acme+terraform-aws-sqs",
        sha: "branch-head",
        repo: { full_name: "acme/live" },
      },
      base: { ref: "main", repo: { full_name: "acme/live" } },
      labels: [{ name: "promoter:dev" }],
      user: { login: "promoter[bot]" },
    };
    mockPullRequests(fixture, [pull]);
    mockCheckRun(fixture, bodies);
    await checkWithSqsRelease(app, fixture);
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ output: { summary: string } }>("checkRun").output.summary).toContain(
      "- dev: `acme/terraform-aws-sqs` → `v0.8.1`: the app's login is not known",
    );
  });
});

describe("the app's branches and a person's", () => {
  const repo = "/repos/acme/live";
  const appCommit = (sha: string) => ({
    sha,
    author: { login: "promoter[bot]" },
    committer: { login: "web-flow" },
    commit: { verification: { verified: true } },
  });
  const personCommit = (sha: string) => ({
    sha,
    author: { login: "alice" },
    committer: { login: "alice" },
    commit: { verification: { verified: false } },
  });
  const compare = (fixture: RepoFixture, branch: string) =>
    `${repo}/compare/${fixture.headSha}...${encodeURIComponent(branch)}`;
  const openPull = (branch: string, number: number, author: string, body = "") => ({
    number,
    state: "open",
    merged_at: null,
    merge_commit_sha: null,
    title: "t",
    body,
    user: { login: author },
    labels: [],
    head: { ref: branch, sha: "s", repo: { full_name: "acme/live" } },
    base: { ref: "main", repo: { full_name: "acme/live" } },
  });
  const dispatch = () =>
    webhook(
      "repository_dispatch",
      undefined,
      { owner: "acme", repo: "live" },
      { action: "new_module_release" },
    );
  function readWithoutUpdates(fixture: RepoFixture) {
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0"]);
    mockPullRequests(fixture);
  }

  it("deletes a stray branch of the app's form only when all its commits are the app's; warns about the others", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    readWithoutUpdates(fixture);
    mockBranches(fixture, [
      "promoter/dev/acme/gone/gone",
      "promoter/dev/acme/old-but-open/x",
      "promoter/dev/acme/wip/x",
      "promoter/rename-environments-wip",
    ]);
    nock(API)
      .get(`${repo}/pulls`)
      .query({ head: "acme:promoter/dev/acme/gone/gone", state: "open" })
      .reply(200, [])
      .get(compare(fixture, "promoter/dev/acme/gone/gone"))
      .reply(200, { commits: [appCommit("a1")] })
      .delete(`${repo}/git/refs/heads%2Fpromoter%2Fdev%2Facme%2Fgone%2Fgone`)
      .reply(204)
      .get(compare(fixture, "promoter/dev/acme/old-but-open/x"))
      .reply(200, { commits: [appCommit("a4")] })
      .get(`${repo}/pulls`)
      .query({ head: "acme:promoter/dev/acme/old-but-open/x", state: "open" })
      .reply(200, [openPull("promoter/dev/acme/old-but-open/x", 3, "someone")])
      .get(compare(fixture, "promoter/dev/acme/wip/x"))
      .reply(200, { commits: [appCommit("a2aaaaaaa"), personCommit("b3bbbbbbb")] });
    // No request at all about promoter/rename-environments-wip: it is not of the app's form.
    mockCheckRun(fixture, bodies, false);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    const run = bodies.one<{ conclusion: string; output: { title: string; text: string } }>(
      "checkRun",
    );
    expect(run.conclusion).toBe("success");
    expect(run.output.title).toBe("Up to date");
    expect(run.output.text).toContain(
      "- `promoter/dev/acme/wip/x`: this branch has commits that are not Promoter's (b3bbbbb): Promoter leaves it alone",
    );
    expect(run.output.text).toContain(
      "- `promoter/rename-environments-wip`: this branch is not one Promoter creates (`promoter/<environment>/<dependency>`): Promoter leaves it alone",
    );
    expect(run.output.text).not.toContain("gone");
    expect(run.output.text).not.toContain("old-but-open");
  });

  it("does not move an existing branch of a proposal's name with a person's commits, and says so", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.1"]);
    mockPullRequests(fixture);
    const branch = "promoter/dev/acme+terraform-aws-sqs";
    nock(API)
      .post(`${repo}/labels`)
      .reply(201, {})
      .post(`${repo}/git/trees`)
      .reply(201, { sha: "tree-1" })
      .post(`${repo}/git/commits`)
      .reply(201, { sha: "commit-1" })
      .post(`${repo}/git/refs`)
      .reply(422, { message: "Reference already exists" })
      .get(compare(fixture, branch))
      .reply(200, { commits: [personCommit("c4ccccccc")] });
    mockCheckRun(fixture, bodies);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    const run = bodies.one<{ conclusion: string; output: { summary: string } }>("checkRun");
    expect(run.conclusion).toBe("success");
    expect(run.output.summary).toContain(
      `**Left alone**\n- dev: \`acme/terraform-aws-sqs\` → \`v0.8.1\`: the branch \`${branch}\` exists with commits that are not Promoter's (c4ccccc); Promoter does not overwrite it`,
    );
  });

  it("writes nothing for a listed branch of a proposal's name with a person's commits", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.1"]);
    mockPullRequests(fixture);
    const branch = "promoter/dev/acme+terraform-aws-sqs";
    mockBranches(fixture, [branch]);
    // No label, tree, commit or ref: the comparison alone decides.
    nock(API)
      .get(compare(fixture, branch))
      .reply(200, { commits: [appCommit("a6"), personCommit("c7ccccccc")] });
    mockCheckRun(fixture, bodies, false);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ output: { summary: string } }>("checkRun").output.summary).toContain(
      `the branch \`${branch}\` exists with commits that are not Promoter's (c7ccccc); Promoter does not overwrite it`,
    );
  });

  it("moves an existing branch of a proposal's name whose commits are all the app's, and opens the PR", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.1"]);
    mockPullRequests(fixture);
    const branch = "promoter/dev/acme+terraform-aws-sqs";
    nock(API)
      .post(`${repo}/labels`)
      .reply(201, {})
      .post(`${repo}/git/trees`)
      .reply(201, { sha: "tree-1" })
      .post(`${repo}/git/commits`)
      .reply(201, { sha: "commit-1" })
      .post(`${repo}/git/refs`)
      .reply(422, { message: "Reference already exists" })
      .get(compare(fixture, branch))
      .reply(200, { commits: [appCommit("a5")] })
      .patch(`${repo}/git/refs/heads%2F${encodeURIComponent(branch)}`, bodies.as("forcePush"))
      .reply(200, {})
      .get("/repos/acme/terraform-aws-sqs/releases")
      .query(true)
      .reply(200, [])
      .post(`${repo}/pulls`)
      .reply(201, { number: 51 })
      .post(`${repo}/issues/51/labels`)
      .reply(200, []);
    mockCheckRun(fixture, bodies);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    expect(bodies.one("forcePush")).toEqual({ sha: "commit-1", force: true });
    expect(bodies.one<{ output: { title: string } }>("checkRun").output.title).toBe(
      "1 pull request opened",
    );
  });

  it("leaves alone a person's open PR from a proposal's branch: no push, no edit", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    mockRepositoryRead(fixture, [".github/promoter.yml", ...IAC]);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0", "v0.8.1"]);
    const branch = "promoter/dev/acme+terraform-aws-sqs";
    // Even with metadata in its body: only the app's own PRs are the app's.
    const body = metadataComment({
      v: 1,
      env: "dev",
      dependency: "acme/terraform-aws-sqs",
      from: ["v0.8.0"],
      to: "v0.7.0",
    });
    mockPullRequests(fixture, [openPull(branch, 61, "alice", body)]);
    mockCheckRun(fixture, bodies);
    await app.receive("repository_dispatch", dispatch());
    expect(app.errors).toEqual([]);
    const run = bodies.one<{ conclusion: string; output: { summary: string } }>("checkRun");
    expect(run.output.summary).toContain(
      "- dev: `acme/terraform-aws-sqs` → `v0.8.1` (#61): the open pull request from its branch is alice's, not Promoter's; Promoter leaves it alone",
    );
  });
});

describe("repository state", () => {
  it("reads a very large repository from its tarball when GitHub truncates the tree", async () => {
    const app = testApp();
    const fixture = live();
    const bodies = capture();
    const repo = "/repos/acme/live";
    nock(API)
      .get(`${repo}/git/ref/heads%2Fmain`)
      .reply(200, { object: { sha: fixture.headSha, type: "commit" } })
      .get(`${repo}/git/trees/${fixture.headSha}`)
      .query({ recursive: "1" })
      .reply(200, { sha: "big-tree", truncated: true, tree: [] });
    await mockTarball(fixture);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.8.0"]);
    mockPullRequests(fixture);
    mockCheckRun(fixture, bodies);
    await app.receive(
      "repository_dispatch",
      webhook(
        "repository_dispatch",
        undefined,
        { owner: "acme", repo: "live" },
        { action: "new_module_release" },
      ),
    );
    expect(app.errors).toEqual([]);
    const checkRun = bodies.one<{ output: { title: string; text: string } }>("checkRun");
    expect(checkRun.output.title).toBe("Up to date");
    expect(checkRun.output.text).toMatch(
      /\| `acme\/terraform-aws-sqs` \| [^|]+ \| `v0\.8\.0` \| — \|/,
    );
  });
});
