import { execFileSync } from "node:child_process";
import { createSign, generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhooks } from "@octokit/webhooks";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { comment as commentOn, react } from "../../../src/github/comments.js";
import { editDashboardBody, writeDashboard } from "../../../src/github/dashboard-issue.js";
import { writeCheckRun } from "../../../src/github/check-runs.js";
import { ensureLabels } from "../../../src/github/labels.js";
import { isTeamMember, permissionOf } from "../../../src/github/permissions.js";
import { listPromoterPullRequests, upsertPullRequest } from "../../../src/github/pull-requests.js";
import { readBlobs, readTree } from "../../../src/github/read-repository.js";
import { pathChange, readFileAt } from "../../../src/github/pull-request-files.js";
import { readFromTarball } from "../../../src/github/read-tarball.js";
import type { Octokit } from "../../../src/github/repo-ref.js";
import { listBranches, readBranch } from "../../../src/github/branches.js";
import { commitsOnBranch, writeCommit } from "../../../src/github/commits.js";
import { BlobCache } from "../../../src/github/blob-cache.js";
import { blobSha as appBlobSha } from "../../../src/iac/blob-sha.js";
import { createEtagCache, listTags } from "../../../src/github/tags.js";
import { blobSha, encodeCommit, encodeTree, GitStore, hashObject } from "../src/git.js";
import { GitHubSimulator } from "../src/simulator.js";

const APP_ID = 4242;
const SECRET = "webhook-secret";
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const LIVE = { owner: "acme", repo: "live" };

interface Received {
  event: string;
  id: string;
  body: string;
  signature: string;
  headers: Record<string, string | string[] | undefined>;
  payload: Record<string, unknown>;
}

/** A webhook receiver standing in for the app: records every delivery and answers `status`. */
async function startReceiver(): Promise<{
  server: Server;
  url: string;
  received: Received[];
  status: { code: number };
}> {
  const received: Received[] = [];
  const status = { code: 200 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({
        event: String(request.headers["x-github-event"]),
        id: String(request.headers["x-github-delivery"]),
        body,
        signature: String(request.headers["x-hub-signature-256"]),
        headers: request.headers,
        payload: JSON.parse(body) as Record<string, unknown>,
      });
      response.writeHead(status.code).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/api/github/webhooks`, received, status };
}

/** An app JWT as `universal-github-app-jwt` makes it, signed with `key`. */
function jwt(key: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${part({ alg: "RS256", typ: "JWT" })}.${part({ iat: now - 30, exp: now + 570, iss: APP_ID, ...claims })}`;
  return `${unsigned}.${createSign("RSA-SHA256").update(unsigned).sign(key, "base64url")}`;
}

function quietOctokit(options: Record<string, unknown> = {}): typeof ProbotOctokit {
  return ProbotOctokit.defaults((instanceOptions: object) => ({
    ...instanceOptions,
    retry: { enabled: false },
    throttle: { enabled: false },
    ...options,
  }));
}

let sim: GitHubSimulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let probot: Probot;
let octokit: Octokit;
let installationId: number;
/** Violations a test provoked on purpose (checked and cleared there). */
let expectedViolations = 0;

beforeAll(async () => {
  sim = await GitHubSimulator.start({
    appId: APP_ID,
    privateKey,
    webhookSecret: SECRET,
    validateResponses: true,
  });
  receiver = await startReceiver();
  sim.setWebhookUrl(receiver.url);
  installationId = sim.createInstallation("acme");
  sim.createRepository(installationId, "acme/live", {
    files: {
      ".github/promoter.yml": "environments:\n  - name: dev\n    paths: ['dev/**']\n",
      "dev/vpc/terragrunt.hcl":
        'terraform {\n  source = "git::https://example.com/acme/modules.git//vpc?ref=v1.0.0"\n}\n',
      "prod/vpc/terragrunt.hcl":
        'terraform {\n  source = "git::https://example.com/acme/modules.git//vpc?ref=v1.0.0"\n}\n',
      "README.md": "# live\n",
    },
  });
  sim.createRepository(undefined, "acme/modules", { files: { "vpc/main.tf": "# v1\n" } });
  probot = new Probot({
    appId: APP_ID,
    privateKey,
    baseUrl: sim.apiBaseUrl,
    log: pino({ level: "silent" }),
    Octokit: quietOctokit(),
  });
  octokit = await probot.auth(installationId);
});

afterEach(() => {
  const unexpected = sim.violations.slice(expectedViolations);
  sim.violations.length = 0;
  expectedViolations = 0;
  expect(unexpected).toEqual([]);
});

afterAll(async () => {
  await sim?.close();
  await new Promise((resolve) => receiver?.server.close(resolve));
});

describe("git objects", () => {
  it("names blobs, trees and commits as git does", () => {
    expect(blobSha("")).toBe("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    expect(blobSha("hello\n")).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
    expect(blobSha("module {}\n")).toBe(appBlobSha("module {}\n"));
    expect(hashObject("tree", encodeTree([]))).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");

    const store = new GitStore();
    const tree = store.writeFiles({
      "a.txt": "a\n",
      "dir/b.txt": "b\n",
      "dir.txt": "x\n",
      "dir-x/c": "c\n",
    });
    const entries = store.tree(tree) ?? [];
    // Git orders a subtree as if its name ended with "/": "dir-x" < "dir.txt" < "dir/".
    expect(entries.map((e) => e.name)).toEqual(["a.txt", "dir-x", "dir.txt", "dir"]);
    const commit = {
      tree,
      parents: [],
      author: { name: "A U Thor", email: "author@example.com", date: "2024-01-02T03:04:05Z" },
      committer: {
        name: "C O Mitter",
        email: "committer@example.com",
        date: "2024-01-02T03:04:05Z",
      },
      message: "Initial\n",
    };
    const sha = store.writeCommit(commit);

    // Git itself agrees (hash-object without -w writes nothing).
    const git = (type: string, body: Buffer): string =>
      execFileSync("git", ["hash-object", "-t", type, "--stdin"], { input: body })
        .toString()
        .trim();
    expect(git("blob", Buffer.from("hello\n"))).toBe(blobSha("hello\n"));
    expect(git("tree", encodeTree(entries))).toBe(tree);
    expect(git("commit", encodeCommit(commit))).toBe(sha);
    expect(store.readFiles(tree)).toEqual({
      "a.txt": "a\n",
      "dir/b.txt": "b\n",
      "dir.txt": "x\n",
      "dir-x/c": "c\n",
    });
  });
});

describe("installation tokens", () => {
  it("hands out installation tokens for a JWT signed with the app's key", async () => {
    const app = await probot.auth();
    const { data } = await app.request("GET /app");
    expect(data).toMatchObject({ id: APP_ID, slug: "promoter" });
    const installations = await app.paginate("GET /app/installations", { per_page: 100 });
    expect(installations.map((i) => i.id)).toContain(installationId);
    const repos = await octokit.paginate("GET /installation/repositories", { per_page: 100 });
    expect(repos.map((r) => r.full_name)).toEqual(["acme/live"]);
    expect(sim.requests.at(-1)).toMatchObject({
      installationId,
      status: 200,
      auth: "installation",
    });
    // Probot fetched the token on the first installation request, with the app's JWT.
    const token = sim.requests.find(
      (r) => r.route === "/app/installations/{installation_id}/access_tokens",
    );
    expect(token).toMatchObject({ method: "POST", status: 201, auth: "app" });
  });

  it("refuses a JWT signed with another key, for another app, or an unknown token", async () => {
    const other = generateKeyPairSync("rsa", {
      modulusLength: 1024,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey;
    const post = (authorization: string) =>
      fetch(`${sim.apiBaseUrl}/app/installations/${installationId}/access_tokens`, {
        method: "POST",
        headers: { authorization, accept: "application/vnd.github+json" },
      });
    expect((await post(`Bearer ${jwt(other)}`)).status).toBe(401);
    expect((await post(`Bearer ${jwt(privateKey, { iss: 1 })}`)).status).toBe(401);
    expect(
      (await post(`Bearer ${jwt(privateKey, { exp: Math.floor(Date.now() / 1000) - 5 })}`)).status,
    ).toBe(401);
    const good = await post(`Bearer ${jwt(privateKey)}`);
    expect(good.status).toBe(201);
    const { token } = (await good.json()) as { token: string };
    const read = (authorization: string) =>
      fetch(`${sim.apiBaseUrl}/repos/acme/live`, { headers: { authorization } });
    expect((await read(`token ${token}`)).status).toBe(200);
    expect((await read("token ghs_unknown")).status).toBe(401);
    // An installation token cannot call app routes, a JWT cannot read repositories.
    expect(
      (await fetch(`${sim.apiBaseUrl}/app`, { headers: { authorization: `token ${token}` } }))
        .status,
    ).toBe(401);
    expect((await read(`Bearer ${jwt(privateKey)}`)).status).toBe(403);
  });
});

describe("git data API", () => {
  it("creates a tree, a commit and a branch, and reads them back", async () => {
    const { data: main } = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
      ...LIVE,
      ref: "heads/main",
    });
    const { data: base } = await octokit.request(
      "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
      {
        ...LIVE,
        commit_sha: main.object.sha,
      },
    );
    const { data: tree } = await octokit.request("POST /repos/{owner}/{repo}/git/trees", {
      ...LIVE,
      base_tree: base.tree.sha,
      tree: [
        { path: "dev/vpc/terragrunt.hcl", mode: "100644", type: "blob", content: "# v2\n" },
        { path: "README.md", mode: "100644", type: "blob", sha: null },
      ],
    });
    const { data: commit } = await octokit.request("POST /repos/{owner}/{repo}/git/commits", {
      ...LIVE,
      message: "Update vpc",
      tree: tree.sha,
      parents: [main.object.sha],
    });
    expect(commit.author).toMatchObject({ name: "promoter[bot]" });
    expect(commit.verification?.verified).toBe(true);
    const branch = "promoter/dev/acme/vpc";
    await octokit.request("POST /repos/{owner}/{repo}/git/refs", {
      ...LIVE,
      ref: `refs/heads/${branch}`,
      sha: commit.sha,
    });
    await expect(
      octokit.request("POST /repos/{owner}/{repo}/git/refs", {
        ...LIVE,
        ref: `refs/heads/${branch}`,
        sha: commit.sha,
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Reference already exists" } },
    });
    await expect(
      octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
        ...LIVE,
        ref: `heads/${branch}`,
        sha: main.object.sha,
      }),
    ).rejects.toMatchObject({ status: 422 });
    await octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
      ...LIVE,
      ref: `heads/${branch}`,
      sha: commit.sha,
      force: true,
    });
    expect(sim.requests.at(-1)?.path).toBe(`/repos/acme/live/git/refs/heads/${branch}`);
    // As in git, a branch cannot be a "directory" of another one.
    for (const nested of [`${branch}/aws`, "promoter/dev/acme"])
      await expect(
        octokit.request("POST /repos/{owner}/{repo}/git/refs", {
          ...LIVE,
          ref: `refs/heads/${nested}`,
          sha: commit.sha,
        }),
      ).rejects.toMatchObject({
        status: 422,
        response: { data: { message: "Reference update failed" } },
      });

    // Read back through the app's own adapters (branch names with slashes are sent as %2F).
    expect(await readBranch(octokit, LIVE, branch)).toEqual({ sha: commit.sha });
    expect(await readBranch(octokit, LIVE, "nope")).toBeUndefined();
    expect(await listBranches(octokit, LIVE, "promoter/")).toEqual([branch]);
    const snapshot = await readTree(octokit, LIVE, branch);
    expect(snapshot.treeSha).toBe(tree.sha);
    expect(snapshot.entries.map((e) => e.path).sort()).toEqual([
      ".github/promoter.yml",
      "dev/vpc/terragrunt.hcl",
      "prod/vpc/terragrunt.hcl",
    ]);
    const { files } = await readBlobs(octokit, LIVE, snapshot.entries, new BlobCache());
    expect(files.find((f) => f.path === "dev/vpc/terragrunt.hcl")?.content).toBe("# v2\n");
    expect(sim.files("acme/live", branch)["dev/vpc/terragrunt.hcl"]).toBe("# v2\n");
    const { data: blob } = await octokit.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
      ...LIVE,
      file_sha: blobSha("# v2\n"),
    });
    expect(Buffer.from(blob.content, "base64").toString()).toBe("# v2\n");
    const { data: byName } = await octokit.request(
      "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
      { ...LIVE, tree_sha: "main" },
    );
    expect(byName.tree.map((e) => e.path)).toEqual([".github", "README.md", "dev", "prod"]);
    // The contents API: a file at a ref in base64 (what the config check reads), a directory, a miss.
    const file = await readFileAt(octokit, LIVE, "dev/vpc/terragrunt.hcl", branch, 65_536);
    expect(file).toEqual({ kind: "file", text: "# v2\n" });
    expect(await readFileAt(octokit, LIVE, "dev/vpc/terragrunt.hcl", "main", 65_536)).not.toEqual(
      file,
    );
    expect(await readFileAt(octokit, LIVE, "dev", "main", 65_536)).toEqual({
      kind: "not-a-file",
      type: "dir",
    });
    expect(await readFileAt(octokit, LIVE, "nope.txt", "main", 65_536)).toEqual({
      kind: "missing",
    });

    const commits = await commitsOnBranch(octokit, LIVE, "main", branch);
    expect(commits).toEqual([
      { sha: commit.sha, authorLogin: "promoter[bot]", committerLogin: "web-flow", verified: true },
    ]);

    await octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", {
      ...LIVE,
      ref: `heads/${branch}`,
    });
    expect(sim.branches("acme/live")).toEqual(["main"]);
    await sim.idle();
    const events = sim.deliveries.slice(-5).map((d) => d.event);
    expect(events).toEqual(expect.arrayContaining(["push", "create", "delete"]));
  });

  it("writes a branch with the app's writeCommit and serves the tarball", async () => {
    const head = sim.branchSha("acme/live") as string;
    const { data: headCommit } = await octokit.request(
      "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
      {
        ...LIVE,
        commit_sha: head,
      },
    );
    const spec = {
      branch: "promoter/dev/x",
      baseCommitSha: head,
      baseTreeSha: headCommit.tree.sha,
      message: "dev: x",
      files: [{ path: "dev/x.hcl", bytes: Buffer.from("x = 1\n"), mode: "100644" as const }],
      whenBranchExists: "move" as const,
    };
    expect(await writeCommit(octokit, LIVE, spec)).toMatchObject({ branch: "created" });
    expect(
      await writeCommit(octokit, LIVE, {
        ...spec,
        files: [{ ...spec.files[0]!, bytes: Buffer.from("x = 2\n") }],
      }),
    ).toMatchObject({
      branch: "moved",
    });
    expect(sim.files("acme/live", "promoter/dev/x")["dev/x.hcl"]).toBe("x = 2\n");
    const read = await readFromTarball(
      octokit,
      LIVE,
      sim.branchSha("acme/live", "promoter/dev/x") as string,
      (p) => p.endsWith(".hcl"),
    );
    expect(read.files.find((f) => f.path === "dev/x.hcl")).toMatchObject({
      content: "x = 2\n",
      hash: blobSha("x = 2\n"),
    });
    expect(read.entries).toHaveLength(Object.keys(sim.files("acme/live", "promoter/dev/x")).length);

    // Bytes that are not UTF-8 go through POST /git/blobs in base64 and come back as they were.
    const latin1 = Buffer.from("# Gr\u00fc\u00dfe\r\nx = 3\r\n", "latin1");
    await writeCommit(octokit, LIVE, {
      ...spec,
      files: [{ ...spec.files[0]!, bytes: latin1 }],
    });
    expect(sim.fileBytes("acme/live", "dev/x.hcl", "promoter/dev/x")?.equals(latin1)).toBe(true);
    const [back] = (
      await readBlobs(
        octokit,
        LIVE,
        [{ path: "dev/x.hcl", sha: appBlobSha(latin1) }],
        new BlobCache(),
      )
    ).files;
    expect(back?.bytes.equals(latin1)).toBe(true);
    await octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", {
      ...LIVE,
      ref: "heads/promoter/dev/x",
    });
  });
});

describe("pull requests", () => {
  it("creates, refuses a duplicate, lists by head, updates and labels", async () => {
    sim.createBranch("acme/live", "promoter/dev/acme/sqs", { "dev/sqs.hcl": "v = 2\n" });
    const spec = {
      head: "promoter/dev/acme/sqs",
      base: "main",
      title: "[promoter] dev: sqs",
      body: "body",
      labels: ["promoter:dev"],
    };
    const first = await upsertPullRequest(octokit, LIVE, spec);
    expect(first.action).toBe("created");
    // Its files, as the config check reads them: the path it adds, and none it does not touch.
    expect(await pathChange(octokit, LIVE, first.number, "dev/sqs.hcl", 1)).toBe("added");
    expect(
      await pathChange(octokit, LIVE, first.number, ".github/promoter.yml", 1),
    ).toBeUndefined();
    await expect(
      octokit.request("POST /repos/{owner}/{repo}/pulls", {
        ...LIVE,
        head: spec.head,
        base: "main",
        title: "again",
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: {
        data: {
          errors: [{ message: "A pull request already exists for acme:promoter/dev/acme/sqs." }],
        },
      },
    });
    // A concurrent opener finds it through the head filter and updates it.
    const second = await upsertPullRequest(octokit, LIVE, { ...spec, body: "new body" });
    expect(second).toEqual({ number: first.number, action: "updated" });
    const { data: byHead } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
      ...LIVE,
      head: `acme:${spec.head}`,
      state: "open",
    });
    expect(byHead.map((p) => p.number)).toEqual([first.number]);
    const { data: none } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
      ...LIVE,
      head: "acme:other",
    });
    expect(none).toEqual([]);
    const listed = await listPromoterPullRequests(octokit, LIVE);
    expect(listed[0]).toMatchObject({
      number: first.number,
      body: "new body",
      labels: ["promoter:dev"],
      author: "promoter[bot]",
    });
    expect(sim.pullRequest("acme/live", first.number)).toMatchObject({
      state: "open",
      labels: ["promoter:dev"],
      base: "main",
    });
    await sim.idle();
    expect(sim.deliveries.filter((d) => d.event === "pull_request").map((d) => d.action)).toEqual(
      expect.arrayContaining(["opened", "labeled", "edited"]),
    );
  });

  it("paginates pull requests with a link header", async () => {
    for (let i = 0; i < 3; i++) sim.createBranch("acme/live", `feature/${i}`, { [`f${i}`]: "x\n" });
    for (let i = 0; i < 3; i++)
      await octokit.request("POST /repos/{owner}/{repo}/pulls", {
        ...LIVE,
        head: `feature/${i}`,
        base: "main",
        title: `f${i}`,
      });
    const page = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
      ...LIVE,
      per_page: 2,
      state: "all",
    });
    expect(page.data).toHaveLength(2);
    expect(page.headers.link).toMatch(/page=2>; rel="next"/);
    const all = await octokit.paginate("GET /repos/{owner}/{repo}/pulls", {
      ...LIVE,
      per_page: 2,
      state: "all",
    });
    expect(all.length).toBe(sim.pullRequests("acme/live").length);
    for (const pull of sim.pullRequests("acme/live").filter((p) => p.head.startsWith("feature/")))
      await sim.closePullRequest("acme/live", pull.number);
  });

  it("merges a pull request onto the moved base and delivers a signed pull_request.closed", async () => {
    sim.createBranch(
      "acme/live",
      "promoter/dev/merge",
      { "dev/vpc/terragrunt.hcl": "# vpc v2\n" },
      { message: "dev: vpc v2" },
    );
    const { number } = await upsertPullRequest(octokit, LIVE, {
      head: "promoter/dev/merge",
      base: "main",
      title: "dev: vpc v2",
      body: "meta",
      labels: ["promoter:dev"],
    });
    // Main moves on after the branch was cut: the merge keeps both changes.
    expect(
      await sim.push(
        "acme/live",
        { "prod/other.hcl": "other\n" },
        { by: "alice", message: "other" },
      ),
    ).toBe(200);
    await sim.idle();
    const before = receiver.received.length;
    const status = await sim.mergePullRequest("acme/live", number, { by: "alice" });
    expect(status).toBe(200);
    const files = sim.files("acme/live");
    expect(files["dev/vpc/terragrunt.hcl"]).toBe("# vpc v2\n");
    expect(files["prod/other.hcl"]).toBe("other\n");
    const pull = sim.pullRequest("acme/live", number);
    expect(pull).toMatchObject({
      state: "closed",
      merged: true,
      mergeCommitSha: sim.branchSha("acme/live"),
    });
    expect(sim.commit("acme/live", pull.mergeCommitSha as string).parents).toHaveLength(2);

    const closed = receiver.received.slice(before).find((r) => r.event === "pull_request");
    expect(closed).toBeDefined();
    const webhooks = new Webhooks({ secret: SECRET });
    expect(await webhooks.verify(closed!.body, closed!.signature)).toBe(true);
    expect(await new Webhooks({ secret: "other" }).verify(closed!.body, closed!.signature)).toBe(
      false,
    );
    expect(closed!.headers["x-github-hook-installation-target-id"]).toBe(String(APP_ID));
    expect(closed!.payload).toMatchObject({
      action: "closed",
      number,
      installation: { id: installationId },
      repository: { full_name: "acme/live", default_branch: "main", owner: { login: "acme" } },
      sender: { login: "alice" },
      pull_request: {
        number,
        state: "closed",
        merged: true,
        merge_commit_sha: pull.mergeCommitSha,
        body: "meta",
        labels: [{ name: "promoter:dev" }],
        head: { ref: "promoter/dev/merge" },
        base: { ref: "main" },
        user: { login: "promoter[bot]" },
      },
    });
    const push = receiver.received.slice(before).find((r) => r.event === "push");
    expect((push?.payload.commits as unknown[]).at(-1)).toMatchObject({
      modified: ["dev/vpc/terragrunt.hcl"],
    });

    // A conflicting PR cannot be merged.
    sim.createBranch("acme/live", "conflict", { "prod/other.hcl": "mine\n" });
    await sim.push("acme/live", { "prod/other.hcl": "theirs\n" });
    const opened = await sim.openPullRequest("acme/live", {
      head: "conflict",
      title: "conflict",
      by: "bob",
    });
    await expect(sim.mergePullRequest("acme/live", opened.number)).rejects.toThrow(/conflict/i);
    await sim.closePullRequest("acme/live", opened.number);
  });
});

describe("comments, reactions, labels, permissions, check runs", () => {
  it("delivers issue_comment.created for a PR comment and takes the app's reaction", async () => {
    const number = sim.pullRequests("acme/live")[0]!.number;
    const { id, status } = await sim.comment("acme/live", number, "carol", "/promote stage");
    expect(status).toBe(200);
    const delivery = receiver.received.at(-1)!;
    expect(delivery.payload).toMatchObject({
      action: "created",
      comment: { id, body: "/promote stage", user: { login: "carol", type: "User" } },
      issue: {
        number,
        pull_request: { url: expect.stringContaining(`/pulls/${number}`) as string },
      },
      sender: { login: "carol" },
    });
    await react(octokit, LIVE, id, "eyes");
    await react(octokit, LIVE, id, "eyes");
    expect(sim.reactions("acme/live", id)).toEqual([{ user: "promoter[bot]", content: "eyes" }]);
    const reply = await commentOn(octokit, LIVE, number, "Promoting to stage");
    expect(sim.comments("acme/live", number).map((c) => [c.user, c.body])).toEqual([
      ["carol", "/promote stage"],
      ["promoter[bot]", "Promoting to stage"],
    ]);
    const { data } = await octokit.request(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      { ...LIVE, issue_number: number },
    );
    expect(data.map((c) => c.id)).toEqual([id, reply.id]);
    const issue = sim.createIssue("acme/live", { title: "plain", by: "carol", body: "text" });
    await sim.comment("acme/live", issue, "carol", "/help");
    expect(receiver.received.at(-1)!.payload.issue).not.toHaveProperty("pull_request");
  });

  it("lists, creates, reads and edits issues, and delivers issues.edited for a person's edit", async () => {
    const spec = {
      appLogin: "promoter[bot]",
      title: "Dashboard",
      body: "<!-- promoter:dashboard -->\nv1",
    };
    const first = await writeDashboard(octokit, LIVE, spec);
    expect(first.action).toBe("created");
    // Found again among the app's issues (its PRs are listed too, and skipped); unchanged: no write.
    await expect(writeDashboard(octokit, LIVE, spec)).resolves.toEqual({
      ...first,
      action: "unchanged",
    });
    const body = `${spec.body}\n- [ ] check now`;
    await expect(
      writeDashboard(octokit, LIVE, { ...spec, body, known: first.number }),
    ).resolves.toEqual({
      ...first,
      action: "updated",
    });
    const status = await sim.editIssue(
      "acme/live",
      first.number,
      "carol",
      body.replace("[ ]", "[x]"),
    );
    expect(status).toBe(200);
    expect(receiver.received.at(-1)!.payload).toMatchObject({
      action: "edited",
      changes: { body: { from: body } },
      issue: { number: first.number, user: { login: "promoter[bot]" } },
      sender: { login: "carol" },
    });
    expect(receiver.received.at(-1)!.payload.issue).not.toHaveProperty("pull_request");
    await editDashboardBody(octokit, LIVE, first.number, "promoter[bot]", (b) =>
      b.replace("[x]", "[ ]"),
    );
    expect(sim.issues("acme/live").find((i) => i.number === first.number)).toMatchObject({
      body,
      state: "open",
      user: "promoter[bot]",
    });
    await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...LIVE,
      issue_number: first.number,
      state: "closed",
    });
    await sim.idle();
    expect(receiver.received.at(-1)!.payload).toMatchObject({ action: "closed" });
  });

  it("creates labels once, answers permissions and team memberships", async () => {
    const known = new Set<string>();
    const labels = [{ name: "promoter:dev", color: "5319e7", description: "dev" }];
    expect(await ensureLabels(octokit, LIVE, labels, known)).toEqual([]); // exists (422 already_exists)
    expect(
      await ensureLabels(
        octokit,
        LIVE,
        [{ name: "promoter:hold", color: "#b60205", description: "hold" }],
        known,
      ),
    ).toEqual(["promoter:hold"]);
    sim.addCollaborator("acme/live", "dana", "maintain");
    sim.addCollaborator("acme/live", "erin", "triage");
    expect(await permissionOf(octokit, LIVE, "dana")).toBe("maintain");
    expect(await permissionOf(octokit, LIVE, "erin")).toBe("triage");
    expect(await permissionOf(octokit, LIVE, "nobody-at-all")).toBe("none");
    const { data } = await octokit.request(
      "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
      { ...LIVE, username: "dana" },
    );
    expect(data).toMatchObject({ permission: "write", role_name: "maintain" });
    sim.addTeamMember("acme", "platform", "dana");
    expect(await isTeamMember(octokit, "acme", "platform", "dana")).toBe(true);
    expect(await isTeamMember(octokit, "acme", "platform", "erin")).toBe(false);
  });

  it("records check runs and refuses an unknown head SHA", async () => {
    const head = sim.branchSha("acme/live") as string;
    const { id } = await writeCheckRun(octokit, LIVE, {
      headSha: head,
      conclusion: "success",
      title: "ok",
      summary: "all good",
    });
    expect(sim.checkRuns("acme/live").at(-1)).toMatchObject({
      id,
      name: "promoter",
      headSha: head,
      conclusion: "success",
      summary: "all good",
    });
    await expect(
      writeCheckRun(octokit, LIVE, {
        headSha: "0".repeat(40),
        conclusion: "success",
        title: "x",
        summary: "x",
      }),
    ).rejects.toMatchObject({ status: 422 });
  });
});

describe("tags and releases", () => {
  it("paginates tags with a link header and answers 304 to a matching If-None-Match", async () => {
    for (let i = 0; i < 150; i++) sim.createTag("acme/modules", `v1.${i}.0`);
    const page = await octokit.request("GET /repos/{owner}/{repo}/tags", {
      owner: "acme",
      repo: "modules",
      per_page: 100,
    });
    expect(page.data).toHaveLength(100);
    expect(page.headers.link).toContain('rel="next"');
    expect(page.headers.etag).toMatch(/^W\/"[0-9a-f]{40}"$/);
    await expect(
      octokit.request("GET /repos/{owner}/{repo}/tags", {
        owner: "acme",
        repo: "modules",
        per_page: 100,
        headers: { "if-none-match": page.headers.etag },
      }),
    ).rejects.toMatchObject({ status: 304 });

    const cache = createEtagCache();
    const repository = { apiBaseUrl: sim.apiBaseUrl, owner: "acme", repo: "modules" };
    const cold = { requests: 0, notModified: 0 };
    const tags = await listTags(octokit, repository, cache, cold);
    expect(tags).toHaveLength(150);
    expect(tags[0]).toBe("v1.149.0");
    const warm = { requests: 0, notModified: 0 };
    expect(await listTags(octokit, repository, cache, warm)).toEqual(tags);
    expect(warm).toEqual({ requests: 2, notModified: 2 });
    sim.createTag("acme/modules", "v2.0.0", { files: { "vpc/main.tf": "# v2\n" } });
    const after = { requests: 0, notModified: 0 };
    expect((await listTags(octokit, repository, cache, after))[0]).toBe("v2.0.0");
    expect(after.notModified).toBe(0);
    expect(sim.files("acme/modules", "v2.0.0")).toEqual({ "vpc/main.tf": "# v2\n" });
    // A public repository the app is not installed on is readable without a token.
    const anonymous = new (quietOctokit())({ baseUrl: sim.apiBaseUrl });
    expect(
      (
        await anonymous.request("GET /repos/{owner}/{repo}/tags", {
          owner: "acme",
          repo: "modules",
        })
      ).data,
    ).toHaveLength(30);
  });

  it("publishes a release: create (tag) and release.published, listed newest first", async () => {
    const before = receiver.received.length;
    const { id, status } = await sim.publishRelease("acme/modules", "v2.1.0", {
      body: "## Changes\n- faster",
    });
    expect(status).toBe(200);
    expect(
      receiver.received.slice(before).map((r) => [r.event, r.payload.action ?? r.payload.ref_type]),
    ).toEqual([
      ["create", "tag"],
      ["release", "published"],
    ]);
    expect(receiver.received.at(-1)!.payload).toMatchObject({
      release: { id, tag_name: "v2.1.0", body: "## Changes\n- faster", draft: false },
      repository: { full_name: "acme/modules" },
    });
    expect(receiver.received.at(-1)!.payload.installation).toBeUndefined();
    await sim.publishRelease("acme/modules", "v2.2.0");
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/releases", {
      owner: "acme",
      repo: "modules",
    });
    expect(data.map((r) => r.tag_name)).toEqual(["v2.2.0", "v2.1.0"]);
  });

  it("reads a tag's commit as the commits API does, by tags/<name>; an unknown tag is a 404", async () => {
    const sha = sim.createTag("acme/modules", "v3.0.0");
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", {
      owner: "acme",
      repo: "modules",
      ref: "tags/v3.0.0",
    });
    expect(data.sha).toBe(sha);
    expect(Number.isNaN(Date.parse(data.commit.committer?.date ?? ""))).toBe(false);
    await expect(
      octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", {
        owner: "acme",
        repo: "modules",
        ref: "tags/v9.9.9",
      }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("webhook scenarios", () => {
  it("pushes, dispatches, drops and redelivers", async () => {
    const before = receiver.received.length;
    await sim.push(
      "acme/live",
      { ".github/promoter.yml": "environments: []\n", "README.md": null },
      { by: "alice" },
    );
    const push = receiver.received.at(-1)!;
    expect(push.payload).toMatchObject({
      ref: "refs/heads/main",
      after: sim.branchSha("acme/live"),
      pusher: { name: "alice" },
      head_commit: { modified: [".github/promoter.yml"], removed: ["README.md"], added: [] },
      repository: { default_branch: "main", master_branch: "main" },
    });
    expect(typeof (push.payload.repository as { pushed_at: unknown }).pushed_at).toBe("number");
    expect(await sim.dispatch("acme/live", "new_module_release")).toBe(200);
    expect(receiver.received.at(-1)!.payload).toMatchObject({
      action: "new_module_release",
      branch: "main",
    });

    sim.dropWebhooks("repository_dispatch", 1);
    expect(await sim.dispatch("acme/live", "new_module_release")).toBe(0);
    expect(sim.deliveries.at(-1)).toMatchObject({ event: "repository_dispatch", dropped: true });
    const count = receiver.received.length;
    expect(await sim.dispatch("acme/live", "new_module_release")).toBe(200);
    expect(await sim.redeliverLast()).toBe(200);
    const [a, b] = receiver.received.slice(count);
    expect(a!.id).toBe(b!.id);
    expect(a!.body).toBe(b!.body);
    receiver.status.code = 500;
    expect(await sim.installationCreated(installationId)).toBe(500);
    receiver.status.code = 200;
    expect(receiver.received.at(-1)!.payload).toMatchObject({
      action: "created",
      installation: { id: installationId, account: { login: "acme" } },
      repositories: [{ full_name: "acme/live" }],
    });
    // push, dispatch, (dropped), dispatch, its redelivery, installation
    expect(receiver.received.length - before).toBe(5);
  });
});

describe("OpenAPI checks", () => {
  it("answers 422 to a body that does not fit the schema and records a violation", async () => {
    await expect(
      octokit.request("POST /repos/{owner}/{repo}/git/trees", {
        ...LIVE,
        tree: [{ path: "a", mode: "100600" as "100644", type: "blob", content: "x" }],
      }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      octokit.request("POST /repos/{owner}/{repo}/pulls", {
        ...LIVE,
        base: "main",
        title: "no head",
      } as never),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      octokit.request("GET /repos/{owner}/{repo}/pulls", { ...LIVE, state: "merged" as "all" }),
    ).rejects.toMatchObject({ status: 422 });
    expect(sim.violations).toHaveLength(3);
    expect(sim.violations[0]).toMatch(
      /POST \/repos\/acme\/live\/git\/trees .*body\.tree\.0\.mode must be equal to one of the allowed values/,
    );
    expect(sim.violations[1]).toMatch(/must have required property 'head'/);
    expect(sim.violations[2]).toMatch(
      /query parameter "state" must be one of open, closed, all \(got "merged"\)/,
    );
    expectedViolations = 3;
  });

  it("records a route that is not in GitHub's description", async () => {
    await expect(
      octokit.request("GET /repos/{owner}/{repo}/frobnicate", LIVE),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Not Found in GitHub's OpenAPI description" } },
    });
    expect(sim.violations).toEqual([
      "GET /repos/acme/live/frobnicate: no such operation in GitHub's OpenAPI description",
    ]);
    expectedViolations = 1;
    // A documented route the simulator does not implement is a plain 404 (and a warning).
    await expect(octokit.request("GET /repos/{owner}/{repo}/branches", LIVE)).rejects.toMatchObject(
      { status: 404 },
    );
    expect(sim.warnings.at(-1)).toMatch(
      /GET \/repos\/\{owner\}\/\{repo\}\/branches: not simulated/,
    );
  });

  it("gave answers that fit the 2xx response schemas of every route used", () => {
    // validateResponses is on: every 2xx answer above was checked, a mismatch would be a violation.
    expect(sim.openapi.uncompiled).toEqual([]);
    const used = new Set(
      sim.requests
        .filter((r) => r.status >= 200 && r.status < 300)
        .map((r) => `${r.method} ${r.route}`),
    );
    for (const route of [
      "POST /app/installations/{installation_id}/access_tokens",
      "GET /app",
      "GET /app/installations",
      "GET /installation/repositories",
      "GET /repos/{owner}/{repo}",
      "GET /repos/{owner}/{repo}/git/ref/{ref}",
      "GET /repos/{owner}/{repo}/git/matching-refs/{ref}",
      "POST /repos/{owner}/{repo}/git/refs",
      "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
      "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
      "POST /repos/{owner}/{repo}/git/trees",
      "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
      "POST /repos/{owner}/{repo}/git/commits",
      "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
      "GET /repos/{owner}/{repo}/compare/{basehead}",
      "GET /repos/{owner}/{repo}/tags",
      "GET /repos/{owner}/{repo}/releases",
      "GET /repos/{owner}/{repo}/pulls",
      "POST /repos/{owner}/{repo}/pulls",
      "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
      "POST /repos/{owner}/{repo}/labels",
      "GET /repos/{owner}/{repo}/issues",
      "POST /repos/{owner}/{repo}/issues",
      "GET /repos/{owner}/{repo}/issues/{issue_number}",
      "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
      "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
      "GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
      "POST /repos/{owner}/{repo}/check-runs",
    ])
      expect(used, route).toContain(route);
  });

  it("validates single answers against the schema directly", async () => {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...LIVE,
      pull_number: sim.pullRequests("acme/live")[0]!.number,
    });
    const operation = sim.openapi.operation("GET", "/repos/{owner}/{repo}/pulls/{pull_number}")!;
    expect(sim.openapi.validateResponse(operation, 200, data)).toEqual([]);
    const broken = { ...data } as Record<string, unknown>;
    delete broken.head;
    expect(sim.openapi.validateResponse(operation, 200, broken)).toEqual([
      "response must have required property 'head'",
    ]);
  });
});

describe("fault injection", () => {
  it("fails the next requests with 502, then answers; Octokit's retry gets through", async () => {
    const retrying = await new Probot({
      appId: APP_ID,
      privateKey,
      baseUrl: sim.apiBaseUrl,
      log: pino({ level: "silent" }),
      Octokit: quietOctokit({ retry: { enabled: true, retryAfterBaseValue: 1 } }),
    }).auth(installationId);
    sim.failNext({ method: "GET", path: /^\/repos\/acme\/live\/git\/ref\// }, 2, { status: 502 });
    expect(await readBranch(retrying, LIVE, "main")).toEqual({ sha: sim.branchSha("acme/live") });
    const statuses = sim.requests
      .filter((r) => r.route === "/repos/{owner}/{repo}/git/ref/{ref}")
      .slice(-3)
      .map((r) => r.status);
    expect(statuses).toEqual([502, 502, 200]);
  });

  it("answers a secondary rate limit with retry-after, which the throttling plugin waits out", async () => {
    sim.failNext({ path: "/repos/{owner}/{repo}" }, 1, {
      status: 403,
      secondaryRateLimit: true,
      retryAfterSeconds: 2,
    });
    const error = await octokit.request("GET /repos/{owner}/{repo}", LIVE).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, response: { headers: { "retry-after": "2" } } });
    expect((error as Error).message).toMatch(/secondary rate limit/);

    const waited: number[] = [];
    const throttled = new ProbotOctokit({
      baseUrl: sim.apiBaseUrl,
      auth: { token: await tokenOf() },
      retry: { enabled: false },
      throttle: {
        enabled: true,
        retryAfterBaseValue: 5, // ms per second of retry-after
        onSecondaryRateLimit: (retryAfter: number) => {
          waited.push(retryAfter);
          return true;
        },
        onRateLimit: () => false,
      },
    });
    sim.failNext({ method: "GET", path: "/repos/acme/live" }, 1, {
      status: 403,
      secondaryRateLimit: true,
      retryAfterSeconds: 3,
    });
    const { data } = await throttled.request("GET /repos/{owner}/{repo}", LIVE);
    expect(data.full_name).toBe("acme/live");
    expect(waited).toEqual([3]);
    expect(sim.requests.slice(-2).map((r) => [r.status, r.fault])).toEqual([
      [403, "secondary rate limit (retry-after 3)"],
      [200, undefined],
    ]);
  });

  it("delays an answer", async () => {
    sim.failNext({ method: "GET", path: /\/tags$/ }, 1, { delayMs: 150 });
    const t0 = performance.now();
    await octokit.request("GET /repos/{owner}/{repo}/tags", {
      owner: "acme",
      repo: "modules",
      per_page: 1,
    });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });
});

describe("rate limits", () => {
  it("counts an installation's requests, simulates a nearly spent window, refuses when none is left, resets", async () => {
    const token = await tokenOf();
    const get = () =>
      fetch(`${sim.apiBaseUrl}/installation/repositories`, {
        headers: { authorization: `token ${token}` },
      });
    const first = await get();
    const remaining = Number(first.headers.get("x-ratelimit-remaining"));
    expect(first.headers.get("x-ratelimit-limit")).toBe("5000");
    expect(Number((await get()).headers.get("x-ratelimit-remaining"))).toBe(remaining - 1);

    sim.setRateLimit(installationId, { remaining: 1, resetInSeconds: 1 });
    const last = await get();
    expect(last.status).toBe(200);
    expect(last.headers.get("x-ratelimit-remaining")).toBe("0");
    const refused = await get();
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(((await refused.json()) as { message: string }).message).toContain(
      "rate limit exceeded",
    );

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const reset = await get();
    expect(reset.status).toBe(200);
    expect(reset.headers.get("x-ratelimit-remaining")).toBe("4999");
  });
});

/** A fresh installation token, fetched with the app's JWT. */
async function tokenOf(): Promise<string> {
  const response = await fetch(
    `${sim.apiBaseUrl}/app/installations/${installationId}/access_tokens`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${jwt(privateKey)}` },
    },
  );
  return ((await response.json()) as { token: string }).token;
}
