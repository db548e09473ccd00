import nock from "nock";
import { describe, expect, it } from "vitest";
import { blobSha } from "../../src/iac/blob-sha.js";
import { promotionBranch, promotionBranches, sharedPrefix } from "../../src/promotion/branches.js";
import {
  metadataComment,
  parseMetadata,
  type PromotionMetadata,
} from "../../src/promotion/pull-request-content.js";
import {
  API,
  capture,
  mockBranches,
  mockPullRequests,
  mockRepositoryRead,
  mockTags,
  mockTarball,
  testApp,
  webhook,
  type RepoFixture,
} from "./helpers.js";
import { useNock } from "../support/nock-github.js";

const CONFIG = `environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
  - name: prod
    paths: ["prod/**"]
    promotion: manual
`;
const VPC = "acme/terraform-aws-vpc/vpc";
const SQS = "acme/terraform-aws-sqs";
const vpc = (version: string) =>
  `terraform {\n  source = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc?ref=${version}"\n}\n`;
const sqs = (version: string) =>
  `terraform {\n  source = "git::https://github.com/acme/terraform-aws-sqs.git?ref=${version}"\n}\n`;

const MERGE_SHA = "m".repeat(40);
const repo = "/repos/acme/live";

function live(versions: {
  dev?: [string, string];
  stage?: [string, string];
  prod?: [string, string];
}): RepoFixture {
  const files: Record<string, string> = { ".github/promoter.yml": CONFIG };
  for (const [env, pair] of Object.entries(versions)) {
    if (!pair) continue;
    files[`${env}/vpc/terragrunt.hcl`] = vpc(pair[0]);
    files[`${env}/sqs/terragrunt.hcl`] = sqs(pair[1]);
  }
  return { owner: "acme", repo: "live", headSha: MERGE_SHA, files };
}

/**
 * The reads of a merge follow-up: the merge commit's tree (1 request) and its blobs, but those of
 * `unread` files (not IaC, or cached).
 */
function mockMergeRead(fixture: RepoFixture, unread: string[] = []) {
  const tree = Object.entries(fixture.files).map(([path, content]) => ({
    path,
    mode: "100644",
    type: "blob",
    sha: blobSha(content),
  }));
  const scope = nock(API)
    .get(`${repo}/git/trees/${fixture.headSha}`)
    .query({ recursive: "1" })
    .reply(200, { sha: `tree-${fixture.headSha}`, truncated: false, tree });
  const read = tree.filter((t) => !unread.includes(t.path));
  for (const sha of new Set(read.map((t) => t.sha))) {
    const content = Object.values(fixture.files).find((c) => blobSha(c) === sha) as string;
    scope.get(`${repo}/git/blobs/${sha}`).reply(200, content);
  }
  return scope;
}

/** A new promotion PR: its branches' lookup, label, tree, commit, ref, release notes, PR, its labels. */
function mockPromotionWrite(
  bodies: ReturnType<typeof capture>,
  {
    environment,
    dependency,
    module,
    number,
    label = true,
    listed = sharedPrefix(promotionBranches(environment, dependency)),
  }: {
    environment: string;
    dependency: string;
    module: string;
    number: number;
    label?: boolean;
    /** The prefix of the branches listed first; false: listed with another write's. */
    listed?: string | false;
  },
) {
  const scope = nock(API);
  if (listed !== false)
    scope.get(`${repo}/git/matching-refs/${encodeURIComponent(`heads/${listed}`)}`).reply(200, []);
  if (label) scope.post(`${repo}/labels`, bodies.as("label")).reply(201, {});
  scope
    .post(`${repo}/git/trees`, bodies.as("tree"))
    .reply(201, { sha: `tree-${number}` })
    .post(`${repo}/git/commits`, bodies.as("commit"))
    .reply(201, { sha: `commit-${number}` })
    .post(`${repo}/git/refs`, bodies.as("ref"))
    .reply(201, {})
    .get(`/repos/acme/${module}/releases`)
    .query(true)
    .reply(200, [])
    .post(`${repo}/pulls`, bodies.as("pull"))
    .reply(201, { number })
    .post(`${repo}/issues/${number}/labels`, bodies.as("pullLabels"))
    .reply(200, []);
  return scope;
}

function mockComment(number: number, bodies: ReturnType<typeof capture>) {
  return nock(API)
    .post(`${repo}/issues/${number}/comments`, bodies.as("comment"))
    .reply(201, { id: 99 });
}

/** Who opened a merged PR, and from where. */
interface MergedFrom {
  /** The app (its bot login, its branch `promoter/<env>/<dependency>`) or a person's login. */
  author?: string;
  /** The head branch; for the app, its own branch by default. */
  head?: string;
  /** The head branch lives in a fork. */
  fork?: boolean;
  body?: string;
  number?: number;
}

/**
 * The `pull_request.closed` payload of a merged PR. With metadata it is by default one of the app's
 * own PRs (authored by its bot, from its branch for that environment and dependency); without, a
 * person's PR from a branch of the repository.
 */
function merged(labels: string[], metadata?: PromotionMetadata, from: MergedFrom = {}) {
  const payload = webhook("pull_request", "closed", { owner: "acme", repo: "live" });
  const pr = payload.pull_request as Record<string, Record<string, unknown>>;
  const author = from.author ?? (metadata ? "app" : "carol");
  const byApp = author === "app";
  const repository = { ...(pr.base?.repo as object), full_name: "acme/live", id: 1296269 };
  const fork = { ...(pr.head?.repo as object), full_name: "mallory/live", id: 999 };
  payload.pull_request = {
    ...pr,
    number: from.number ?? 5,
    merged: true,
    merge_commit_sha: MERGE_SHA,
    body: from.body ?? (metadata ? `A promotion\n\n${metadataComment(metadata)}` : "Bump by hand"),
    labels: labels.map((name, id) => ({ id, name, color: "5319e7", default: false })),
    user: {
      ...pr.user,
      login: byApp ? "promoter[bot]" : author,
      type: byApp ? "Bot" : "User",
    },
    head: {
      ...pr.head,
      ref:
        from.head ??
        (byApp && metadata ? promotionBranch(metadata.env, metadata.dependency) : "changes"),
      repo: from.fork ? fork : repository,
    },
    base: { ...pr.base, ref: "main", repo: repository },
  };
  return payload;
}

const metadata = (
  env: string,
  dependency: string,
  from: string,
  to: string,
): PromotionMetadata => ({
  v: 1,
  env,
  dependency,
  from: [from],
  to,
});

useNock();

describe("merging a promotion PR", () => {
  it("opens the next environment's PR with exactly the merged version (no tag is even read), in 10 requests", async () => {
    const app = testApp();
    const fixture = live({
      dev: ["v1.1.0", "v0.9.0"],
      stage: ["v1.0.0", "v0.9.0"],
      prod: ["v1.0.0", "v0.9.0"],
    });
    const bodies = capture();
    // Caches as an earlier check leaves them: every blob but the file the merge changed, and the label.
    await app.services.blobs.setMany(
      new Map(
        Object.entries(fixture.files)
          .filter(([path]) => path !== "dev/vpc/terragrunt.hcl")
          .map(([, content]) => [blobSha(content), Buffer.from(content)]),
      ),
    );
    await app.services.knownLabels.add("acme/live", ["promoter:stage"]);
    let requests = 0;
    const read = nock(API)
      .get(`${repo}/git/trees/${fixture.headSha}`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "tree",
        truncated: false,
        tree: Object.entries(fixture.files).map(([path, content]) => ({
          path,
          mode: "100644",
          type: "blob",
          sha: blobSha(content),
        })),
      })
      .get(`${repo}/git/blobs/${blobSha(vpc("v1.1.0"))}`)
      .reply(200, vpc("v1.1.0"));
    const scopes = [
      read,
      mockPromotionWrite(bodies, {
        environment: "stage",
        dependency: VPC,
        module: "terraform-aws-vpc",
        number: 6,
        label: false,
      }),
      mockComment(5, bodies),
    ];
    for (const scope of scopes) scope.on("request", () => requests++);
    await app.receive(
      "pull_request",
      merged(["promoter:dev"], metadata("dev", VPC, "v1.0.0", "v1.1.0")),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one("tree")).toMatchObject({
      tree: [{ path: "stage/vpc/terragrunt.hcl", content: vpc("v1.1.0") }],
    });
    expect(bodies.one<{ title: string }>("pull").title).toBe(
      `[promoter] stage: ${VPC} v1.0.0 → v1.1.0`,
    );
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      `Opened #6 to promote \`${VPC}\` \`v1.1.0\` to stage.`,
    );
    // The merge commit's tree, the one changed blob, the PR lookup, tree + commit + ref, the release
    // notes, the PR and its labels, the comment.
    expect(requests).toBe(10);
  });

  it("follows up one of its own PRs merged before its labels were added, by its author and branch", async () => {
    const app = testApp();
    const fixture = live({ dev: ["v1.1.0", "v0.9.0"], stage: ["v1.0.0", "v0.9.0"] });
    const bodies = capture();
    mockMergeRead(fixture);
    mockPromotionWrite(bodies, {
      environment: "stage",
      dependency: VPC,
      module: "terraform-aws-vpc",
      number: 6,
    });
    mockComment(5, bodies);
    // Known by its author and branch: its body (and metadata) may be anything by then.
    await app.receive(
      "pull_request",
      merged([], metadata("dev", VPC, "v1.0.0", "v1.1.0"), { body: "edited by a person" }),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      `Opened #6 to promote \`${VPC}\` \`v1.1.0\` to stage.`,
    );
  });

  it("waits for /promote where the next environment is manual", async () => {
    const app = testApp();
    const fixture = live({
      dev: ["v1.1.0", "v0.9.0"],
      stage: ["v1.1.0", "v0.9.0"],
      prod: ["v1.0.0", "v0.9.0"],
    });
    const bodies = capture();
    mockMergeRead(fixture);
    mockComment(5, bodies);
    await app.receive(
      "pull_request",
      merged(["promoter:stage"], metadata("stage", VPC, "v1.0.0", "v1.1.0")),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      `prod is promoted by hand: comment \`/promote prod ${VPC}@v1.1.0\` to open its pull request.`,
    );
  });

  it("holds a PR labelled promoter:hold", async () => {
    const app = testApp();
    const fixture = live({ dev: ["v1.1.0", "v0.9.0"], stage: ["v1.0.0", "v0.9.0"] });
    const bodies = capture();
    mockMergeRead(fixture);
    mockComment(5, bodies);
    await app.receive(
      "pull_request",
      merged(["promoter:dev", "promoter:hold"], metadata("dev", VPC, "v1.0.0", "v1.1.0")),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      `\`${VPC}\` \`v1.1.0\` is on hold (\`promoter:hold\`): comment \`/promote stage ${VPC}@v1.1.0\` to promote it to stage.`,
    );
  });

  it("says so when the version reached the last environment", async () => {
    const app = testApp();
    const fixture = live({
      dev: ["v1.1.0", "v0.9.0"],
      stage: ["v1.1.0", "v0.9.0"],
      prod: ["v1.1.0", "v0.9.0"],
    });
    const bodies = capture();
    mockMergeRead(fixture);
    mockComment(5, bodies);
    await app.receive(
      "pull_request",
      merged(["promoter:prod"], metadata("prod", VPC, "v1.0.0", "v1.1.0")),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      `\`${VPC}\` \`v1.1.0\` has reached prod, the end of the chain.`,
    );
  });

  it("opens nothing when the next environment already runs that version or a newer one", async () => {
    const app = testApp();
    const fixture = live({ dev: ["v1.1.0", "v0.9.0"], stage: ["v1.2.0", "v0.9.0"] });
    const bodies = capture();
    mockMergeRead(fixture);
    mockComment(5, bodies);
    await app.receive(
      "pull_request",
      merged(["promoter:dev"], metadata("dev", VPC, "v1.0.0", "v1.1.0")),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      "stage already runs `acme/terraform-aws-vpc/vpc` `v1.2.0`: nothing to promote.",
    );
  });

  it("opens nothing again when a check's PR for that version was merged before the follow-up ran on the merge commit", async () => {
    const app = testApp();
    // The merge commit still has stage at v1.0.0: a check opened #7 for v1.1.0, and a person merged it.
    const fixture = live({ dev: ["v1.1.0", "v0.9.0"], stage: ["v1.0.0", "v0.9.0"] });
    const bodies = capture();
    const branch = promotionBranch("stage", VPC);
    const body = `A promotion\n\n${metadataComment(metadata("stage", VPC, "v1.0.0", "v1.1.0"))}`;
    mockMergeRead(fixture);
    nock(API)
      .get(
        `${repo}/git/matching-refs/${encodeURIComponent(`heads/${sharedPrefix(promotionBranches("stage", VPC))}`)}`,
      )
      .reply(200, [{ ref: `refs/heads/${branch}`, object: { sha: "b", type: "commit" } }])
      .get(`${repo}/pulls`)
      .query({ head: `acme:${branch}`, state: "all", sort: "created", direction: "desc" })
      .reply(200, [
        {
          number: 7,
          state: "closed",
          merged_at: "2026-12-04T10:00:00Z",
          merge_commit_sha: "m7",
          title: "t",
          body,
          user: { login: "promoter[bot]", type: "Bot" },
          labels: [],
          head: { ref: branch, sha: "s", repo: { full_name: "acme/live" } },
          base: { ref: "main", repo: { full_name: "acme/live" } },
        },
      ]);
    mockComment(5, bodies);
    await app.receive(
      "pull_request",
      merged(["promoter:dev"], metadata("dev", VPC, "v1.0.0", "v1.1.0")),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      "`acme/terraform-aws-vpc/vpc` `v1.1.0` was promoted to stage already, by #7 (merged).",
    );
  });

  it("ignores PRs closed without merging, PRs without a promoter label, and merges into other branches", async () => {
    const app = testApp();
    const declined = merged(["promoter:dev"], metadata("dev", VPC, "v1.0.0", "v1.1.0"));
    (declined.pull_request as Record<string, unknown>).merged = false;
    await app.receive("pull_request", declined);
    await app.receive("pull_request", merged(["dependencies"]));
    const elsewhere = merged(["promoter:dev"], metadata("dev", VPC, "v1.0.0", "v1.1.0"));
    const pr = elsewhere.pull_request as Record<string, Record<string, unknown>>;
    pr.base = { ...pr.base, ref: "release-1.x" };
    await app.receive("pull_request", elsewhere);
    expect(app.errors).toEqual([]);
  });

  it("promotes both dependencies a person's labelled PR changed, diffing the merge against its parent", async () => {
    const app = testApp();
    const after = live({ dev: ["v1.1.0", "v0.9.1"], stage: ["v1.0.0", "v0.9.0"] });
    const before = live({ dev: ["v1.0.0", "v0.9.0"], stage: ["v1.0.0", "v0.9.0"] });
    const bodies = capture();
    mockMergeRead(after);
    const treeOf = (fixture: RepoFixture) =>
      Object.entries(fixture.files).map(([path, content]) => ({
        path,
        mode: "100644",
        type: "blob",
        sha: blobSha(content),
      }));
    nock(API)
      // The merge commit is scanned already: only its parent's tree is read.
      .get(`${repo}/git/commits/${MERGE_SHA}`)
      .reply(200, { sha: MERGE_SHA, tree: { sha: "t-after" }, parents: [{ sha: "p".repeat(40) }] })
      .get(`${repo}/git/trees/${"p".repeat(40)}`)
      .query({ recursive: "1" })
      // Every file of the parent is a blob the merge commit's read already cached: nothing to download.
      .reply(200, { sha: "t-before", truncated: false, tree: treeOf(before) });
    // One listing of the branches both promotions may have: their names share `promoter/stage/acme`.
    mockPromotionWrite(bodies, {
      environment: "stage",
      dependency: SQS,
      module: "terraform-aws-sqs",
      number: 7,
      listed: "promoter/stage/acme",
    });
    mockPromotionWrite(bodies, {
      environment: "stage",
      dependency: VPC,
      module: "terraform-aws-vpc",
      number: 8,
      label: false,
      listed: false,
    });
    mockComment(5, bodies);
    await app.receive("pull_request", merged(["promoter:dev"]));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      [
        `Opened #7 to promote \`${SQS}\` \`v0.9.1\` to stage.`,
        `Opened #8 to promote \`${VPC}\` \`v1.1.0\` to stage.`,
      ].join("\n"),
    );
  });
});

describe("merging a group's PR", () => {
  const GROUPED = `${CONFIG}groups:\n  - name: acme\n    dependencies: ["acme/**"]\n`;
  const grouped = (fixture: RepoFixture): RepoFixture => ({
    ...fixture,
    files: { ...fixture.files, ".github/promoter.yml": GROUPED },
  });

  it("opens the next environment's group PR with exactly what the merge changed among its members, in 14 requests", async () => {
    const app = testApp();
    const after = grouped(live({ dev: ["v1.1.0", "v0.9.1"], stage: ["v1.0.0", "v0.9.0"] }));
    const before = grouped(live({ dev: ["v1.0.0", "v0.9.0"], stage: ["v1.0.0", "v0.9.0"] }));
    const bodies = capture();
    // Caches as the check before the merge leaves them: the parent's blobs, and the label.
    await app.services.blobs.setMany(
      new Map(
        Object.values(before.files).map((content) => [blobSha(content), Buffer.from(content)]),
      ),
    );
    await app.services.knownLabels.add("acme/live", ["promoter:stage"]);
    const treeOf = (fixture: RepoFixture) =>
      Object.entries(fixture.files).map(([path, content]) => ({
        path,
        mode: "100644",
        type: "blob",
        sha: blobSha(content),
      }));
    const parent = "p".repeat(40);
    const scope = nock(API)
      .get(`${repo}/git/trees/${MERGE_SHA}`)
      .query({ recursive: "1" })
      .reply(200, { sha: "t-after", truncated: false, tree: treeOf(after) })
      .get(`${repo}/git/blobs/${blobSha(vpc("v1.1.0"))}`)
      .reply(200, vpc("v1.1.0"))
      .get(`${repo}/git/blobs/${blobSha(sqs("v0.9.1"))}`)
      .reply(200, sqs("v0.9.1"))
      .get(`${repo}/git/commits/${MERGE_SHA}`)
      .reply(200, { sha: MERGE_SHA, tree: { sha: "t-after" }, parents: [{ sha: parent }] })
      .get(`${repo}/git/trees/${parent}`)
      .query({ recursive: "1" })
      .reply(200, { sha: "t-before", truncated: false, tree: treeOf(before) })
      .get(`${repo}/git/matching-refs/${encodeURIComponent("heads/promoter/stage/group-acme")}`)
      .reply(200, [])
      .post(`${repo}/git/trees`, bodies.as("tree"))
      .reply(201, { sha: "tree-6" })
      .post(`${repo}/git/commits`, bodies.as("commit"))
      .reply(201, { sha: "commit-6" })
      .post(`${repo}/git/refs`, bodies.as("ref"))
      .reply(201, {})
      .get("/repos/acme/terraform-aws-sqs/releases")
      .query(true)
      .reply(200, [])
      .get("/repos/acme/terraform-aws-vpc/releases")
      .query(true)
      .reply(200, [])
      .post(`${repo}/pulls`, bodies.as("pull"))
      .reply(201, { number: 6 })
      .post(`${repo}/issues/6/labels`, bodies.as("pullLabels"))
      .reply(200, [])
      .post(`${repo}/issues/5/comments`, bodies.as("comment"))
      .reply(201, { id: 99 });
    let requests = 0;
    scope.on("request", () => requests++);
    const members = [
      { dependency: SQS, from: ["v0.9.0"], to: "v0.9.1" },
      { dependency: VPC, from: ["v1.0.0"], to: "v1.1.0" },
    ];
    // The body claims another version: what counts is the merge commit.
    const body = `A group\n\n${metadataComment({ v: 1, env: "dev", group: "acme", members: members.map((m) => ({ ...m, to: "v9.9.9" })) })}`;
    await app.receive(
      "pull_request",
      merged(["promoter:dev"], undefined, {
        author: "app",
        head: "promoter/dev/group-acme",
        body,
      }),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one("ref")).toMatchObject({ ref: "refs/heads/promoter/stage/group-acme" });
    expect(bodies.one("tree")).toMatchObject({
      tree: [
        { path: "stage/vpc/terragrunt.hcl", content: vpc("v1.1.0") },
        { path: "stage/sqs/terragrunt.hcl", content: sqs("v0.9.1") },
      ],
    });
    const pull = bodies.one<{ title: string; body: string; head: string }>("pull");
    expect(pull.title).toBe(`[promoter] stage: acme (${SQS} v0.9.1, ${VPC} v1.1.0)`);
    expect(parseMetadata(pull.body)).toMatchObject({ env: "stage", group: "acme", members });
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      [
        `Opened #6 to promote \`${SQS}\` \`v0.9.1\` to stage.`,
        `Opened #6 to promote \`${VPC}\` \`v1.1.0\` to stage.`,
      ].join("\n"),
    );
    // The merge commit's tree and its 2 changed blobs, its parent commit and tree, one branch listing,
    // tree + commit + ref, 2 release notes, the PR and its labels, the comment: 14, where a PR per
    // dependency costs 10 each.
    expect(requests).toBe(14);
  });
});

describe("the follow-up of a big merge", () => {
  it("reads the merge commit and its parent each from one tarball, not blob by blob", async () => {
    const app = testApp();
    // A person's PR moved 30 dev units of one module from v1.0.0 to v1.1.0.
    const units = (env: string, version: string, count: number) =>
      Object.fromEntries(
        Array.from({ length: count }, (_, i) => [
          `${env}/u${i}/terragrunt.hcl`,
          `${vpc(version)}# ${env} unit ${i}\n`,
        ]),
      );
    const stage = units("stage", "v1.0.0", 1);
    const after: RepoFixture = {
      ...live({}),
      files: { ".github/promoter.yml": CONFIG, ...units("dev", "v1.1.0", 30), ...stage },
    };
    const before: RepoFixture = {
      ...after,
      headSha: "p".repeat(40),
      files: { ".github/promoter.yml": CONFIG, ...units("dev", "v1.0.0", 30), ...stage },
    };
    const bodies = capture();
    const requests: string[] = [];
    const scopes = [
      mockMergeRead(after, Object.keys(after.files)),
      await mockTarball(after),
      mockParentRead(before),
      await mockTarball(before),
      mockPromotionWrite(bodies, {
        environment: "stage",
        dependency: VPC,
        module: "terraform-aws-vpc",
        number: 7,
      }),
      mockComment(5, bodies),
    ];
    for (const scope of scopes)
      scope.on("request", (req: { method: string; path: string }) =>
        requests.push(`${req.method} ${req.path.split("?")[0]}`),
      );
    await app.receive("pull_request", merged(["promoter:dev"]));
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ body: string }>("comment").body).toBe(
      `Opened #7 to promote \`${VPC}\` \`v1.1.0\` to stage.`,
    );
    expect(requests.slice(0, 5)).toEqual([
      `GET ${repo}/git/trees/${MERGE_SHA}`,
      `GET ${repo}/tarball/${MERGE_SHA}`,
      `GET ${repo}/git/commits/${MERGE_SHA}`,
      `GET ${repo}/git/trees/${before.headSha}`,
      `GET ${repo}/tarball/${before.headSha}`,
    ]);
    expect(requests.filter((r) => r.includes("/git/blobs/"))).toEqual([]);
  });
});

/** The requests nock had no answer for: with every mock consumed and none of these, nothing else was asked. */
function unanswered() {
  const requests: string[] = [];
  const record = (request: { method?: string; path?: string }) =>
    requests.push(`${request.method} ${request.path}`);
  nock.emitter.on("no match", record);
  return { requests, stop: () => nock.emitter.removeListener("no match", record) };
}

/** The reads of a person's merge: the merge commit (already scanned) and its parent's tree. */
function mockParentRead(before: RepoFixture) {
  return nock(API)
    .get(`${repo}/git/commits/${MERGE_SHA}`)
    .reply(200, { sha: MERGE_SHA, tree: { sha: "t-after" }, parents: [{ sha: "p".repeat(40) }] })
    .get(`${repo}/git/trees/${"p".repeat(40)}`)
    .query({ recursive: "1" })
    .reply(200, {
      sha: "t-before",
      truncated: false,
      tree: Object.entries(before.files).map(([path, content]) => ({
        path,
        mode: "100644",
        type: "blob",
        sha: blobSha(content),
      })),
    });
}

describe("what a merge promotes: the merge commit's tree, and only the app's own PRs by author", () => {
  const forged = metadata("dev", VPC, "v1.2.0", "v7.7.7");

  it("release notes carrying metadata for v7.7.7: the dev PR for v1.3.0 merged opens stage for v1.3.0", async () => {
    const app = testApp();
    const before = live({ dev: ["v1.2.0", "v0.9.0"], stage: ["v1.2.0", "v0.9.0"] });
    before.headSha = "h".repeat(40);
    const bodies = capture();
    // The scheduled check opens the dev PR; the module's release notes forge the app's metadata.
    mockRepositoryRead(before);
    mockTags("acme", "terraform-aws-vpc", ["v1.2.0", "v1.3.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.9.0"]);
    mockPullRequests(before);
    const notes = `Fixes.\n\n${metadataComment(forged)}\n</details>\n\nThanks @carol, see #12.`;
    nock(API)
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
      .reply(200, [{ tag_name: "v1.3.0", name: "v1.3.0", body: notes, draft: false }])
      .post(`${repo}/pulls`, bodies.as("devPull"))
      .reply(201, { number: 5 })
      .post(`${repo}/issues/5/labels`)
      .reply(200, []);
    mockBranches(before);
    nock(API).post(`${repo}/check-runs`).reply(201, { id: 1 });
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
    const devBody = bodies.one<{ body: string }>("devPull").body;
    expect(parseMetadata(devBody)).toMatchObject(metadata("dev", VPC, "v1.2.0", "v1.3.0"));
    expect(devBody.match(/<!-- promoter:/g)).toHaveLength(1);

    // The dev PR is merged as the app wrote it.
    const after = live({ dev: ["v1.3.0", "v0.9.0"], stage: ["v1.2.0", "v0.9.0"] });
    // The check read every other blob already: only the file the merge changed is downloaded.
    const cached = Object.keys(after.files).filter((path) => path !== "dev/vpc/terragrunt.hcl");
    mockMergeRead(after, cached);
    mockPromotionWrite(bodies, {
      environment: "stage",
      dependency: VPC,
      module: "terraform-aws-vpc",
      number: 6,
    });
    mockComment(5, bodies);
    await app.receive(
      "pull_request",
      merged(["promoter:dev"], metadata("dev", VPC, "v1.2.0", "v1.3.0"), { body: devBody }),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ title: string }>("pull").title).toBe(
      `[promoter] stage: ${VPC} v1.2.0 → v1.3.0`,
    );
    expect(bodies.one("tree")).toMatchObject({
      tree: [{ path: "stage/vpc/terragrunt.hcl", content: vpc("v1.3.0") }],
    });
    expect(bodies.one<{ body: string }>("pull").body).toContain(
      "the version that runs in the environment before it",
    );
  });

  it("a person edited the app's PR to another version before merging: the next environment gets what the merge has", async () => {
    const app = testApp();
    const after = live({ dev: ["v1.2.5", "v0.9.0"], stage: ["v1.2.0", "v0.9.0"] });
    const bodies = capture();
    mockMergeRead(after);
    mockPromotionWrite(bodies, {
      environment: "stage",
      dependency: VPC,
      module: "terraform-aws-vpc",
      number: 6,
    });
    mockComment(5, bodies);
    await app.receive(
      "pull_request",
      merged(["promoter:dev"], metadata("dev", VPC, "v1.2.0", "v1.3.0")),
    );
    expect(app.errors).toEqual([]);
    expect(bodies.one<{ title: string }>("pull").title).toBe(
      `[promoter] stage: ${VPC} v1.2.0 → v1.2.5`,
    );
    expect(bodies.one("tree")).toMatchObject({
      tree: [{ path: "stage/vpc/terragrunt.hcl", content: vpc("v1.2.5") }],
    });
  });

  it.each([
    ["from a fork", { author: "mallory", head: "fix-readme", fork: true }],
    ["from a branch of the repository", { author: "mallory", head: "fix-readme" }],
    [
      "by another bot, from a promoter/ branch",
      { author: "other[bot]", head: `promoter/dev/${VPC}` },
    ],
  ])(
    "a README-typo PR with forged metadata, %s, promotes nothing and reads nothing",
    async (_, from) => {
      const app = testApp();
      const missing = unanswered();
      await app.receive(
        "pull_request",
        merged([], forged, { ...from, body: `Fix a typo\n\n${metadataComment(forged)}` }),
      );
      missing.stop();
      expect(app.errors).toEqual([]);
      expect(missing.requests).toEqual([]);
    },
  );

  it("a labelled PR from a fork promotes nothing, whatever it changed", async () => {
    const app = testApp();
    const missing = unanswered();
    await app.receive(
      "pull_request",
      merged(["promoter:dev"], forged, { author: "mallory", head: "bump", fork: true }),
    );
    missing.stop();
    expect(app.errors).toEqual([]);
    expect(missing.requests).toEqual([]);
  });

  it("a person's labelled PR that changed no IaC file of the environment promotes nothing", async () => {
    const app = testApp();
    const after = live({ dev: ["v1.2.0", "v0.9.0"], stage: ["v1.2.0", "v0.9.0"] });
    after.files["README.md"] = "Fixed a typo\n";
    const before = live({ dev: ["v1.2.0", "v0.9.0"], stage: ["v1.2.0", "v0.9.0"] });
    before.files["README.md"] = "Fixed a tpyo\n";
    const missing = unanswered();
    mockMergeRead(after, ["README.md"]);
    mockParentRead(before);
    await app.receive(
      "pull_request",
      merged(["promoter:dev"], forged, {
        author: "mallory",
        head: "fix-readme",
        body: `Fix a typo\n\n${metadataComment(forged)}`,
      }),
    );
    missing.stop();
    expect(app.errors).toEqual([]);
    expect(missing.requests).toEqual([]);
  });

  it("an app PR whose branch names no environment of the config promotes nothing", async () => {
    const app = testApp();
    const fixture = live({ dev: ["v1.1.0", "v0.9.0"], stage: ["v1.0.0", "v0.9.0"] });
    const missing = unanswered();
    mockMergeRead(fixture);
    await app.receive("pull_request", merged([], metadata("qa", VPC, "v1.0.0", "v1.1.0")));
    missing.stop();
    expect(app.errors).toEqual([]);
    expect(missing.requests).toEqual([]);
  });
});

describe("a declined PR and a missed merge event, at the next scheduled check", () => {
  it("does not propose a declined version again, and opens the promotion a lost merge webhook should have", async () => {
    const app = testApp();
    const fixture = live({ dev: ["v1.1.0", "v0.9.0"], stage: ["v1.0.0", "v0.9.0"] });
    fixture.headSha = "h".repeat(40);
    const bodies = capture();
    mockRepositoryRead(fixture);
    mockTags("acme", "terraform-aws-vpc", ["v1.0.0", "v1.1.0"]);
    mockTags("acme", "terraform-aws-sqs", ["v0.9.0", "v0.9.1"]);
    mockPullRequests(fixture, [
      {
        number: 3,
        state: "closed",
        merged_at: null,
        merge_commit_sha: null,
        title: "declined",
        body: metadataComment(metadata("dev", SQS, "v0.9.0", "v0.9.1")),
        user: { login: "promoter[bot]" },
        labels: [{ name: "promoter:dev" }],
        head: { ref: `promoter/dev/${SQS}`, sha: "x", repo: { full_name: "acme/live" } },
        base: { ref: "main", repo: { full_name: "acme/live" } },
      },
    ]);
    nock(API)
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
      .post(`${repo}/pulls`, bodies.as("pull"))
      .reply(201, { number: 9 })
      .post(`${repo}/issues/9/labels`)
      .reply(200, []);
    mockBranches(fixture);
    nock(API).post(`${repo}/check-runs`, bodies.as("checkRun")).reply(201, { id: 1 });
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
    expect(bodies.one<{ title: string }>("pull").title).toBe(
      `[promoter] stage: ${VPC} v1.0.0 → v1.1.0`,
    );
    const checkRun = bodies.one<{ output: { text: string } }>("checkRun");
    expect(checkRun.output.text).toContain(
      `- dev: \`${SQS}\`: v0.9.1 was declined: #3 was closed without merging`,
    );
  });
});
