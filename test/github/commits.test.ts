import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitsOnBranch, writeCommit } from "../../src/github/commits.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "live" };
const BRANCH = "promoter/dev/gruntwork-io/terraform-aws-messaging/sqs";
const ENCODED = "heads%2Fpromoter%2Fdev%2Fgruntwork-io%2Fterraform-aws-messaging%2Fsqs";

const client = testOctokit;

useNock();

const spec = {
  branch: BRANCH,
  baseCommitSha: "base-commit",
  baseTreeSha: "base-tree",
  message: "[promoter] dev: sqs v0.8.0 → v0.9.0",
  files: [
    {
      path: "dev/sqs/terragrunt.hcl",
      bytes: Buffer.from('source = "…?ref=v0.9.0"\n'),
      mode: "100644" as const,
    },
    { path: "dev/run.sh", bytes: Buffer.from("#!/bin/sh\n"), mode: "100755" as const },
  ],
  whenBranchExists: "move" as const,
};

function treeAndCommit(): nock.Scope {
  return nock(API)
    .post("/repos/acme/live/git/trees", {
      base_tree: "base-tree",
      tree: [
        {
          path: "dev/sqs/terragrunt.hcl",
          mode: "100644",
          type: "blob",
          content: 'source = "…?ref=v0.9.0"\n',
        },
        { path: "dev/run.sh", mode: "100755", type: "blob", content: "#!/bin/sh\n" },
      ],
    })
    .reply(201, { sha: "new-tree" })
    .post("/repos/acme/live/git/commits", {
      message: "[promoter] dev: sqs v0.8.0 → v0.9.0",
      tree: "new-tree",
      parents: ["base-commit"],
    })
    .reply(201, { sha: "new-commit" });
}

describe("writeCommit", () => {
  it("creates tree, commit and branch in 3 requests when the branch is new", async () => {
    treeAndCommit()
      .post("/repos/acme/live/git/refs", { ref: `refs/heads/${BRANCH}`, sha: "new-commit" })
      .reply(201, { ref: `refs/heads/${BRANCH}`, object: { sha: "new-commit" } });
    await expect(writeCommit(client(), REPO, spec)).resolves.toEqual({
      commitSha: "new-commit",
      branch: "created",
    });
  });

  it("force-moves an existing branch (422 Reference already exists) in 4 requests when told to", async () => {
    treeAndCommit()
      .post("/repos/acme/live/git/refs")
      .reply(422, {
        message: "Reference already exists",
        documentation_url: "https://docs.github.com/rest/git/refs#create-a-reference",
      })
      .patch(`/repos/acme/live/git/refs/${ENCODED}`, { sha: "new-commit", force: true })
      .reply(200, { ref: `refs/heads/${BRANCH}`, object: { sha: "new-commit" } });
    await expect(writeCommit(client(), REPO, spec)).resolves.toEqual({
      commitSha: "new-commit",
      branch: "moved",
    });
  });

  it("writes a file that is not UTF-8 as a base64 blob first, and the UTF-8 ones inline", async () => {
    const latin1 = Buffer.from('# Gr\u00fc\u00dfe\r\nsource = "…?ref=v0.9.0"\r\n', "latin1");
    const bom = Buffer.from("\ufeff# ok\r\n");
    nock(API)
      .post("/repos/acme/live/git/blobs", {
        content: latin1.toString("base64"),
        encoding: "base64",
      })
      .reply(201, { sha: "latin1-blob", url: "u" })
      .post("/repos/acme/live/git/trees", {
        base_tree: "base-tree",
        tree: [
          { path: "dev/a.hcl", mode: "100644", type: "blob", sha: "latin1-blob" },
          { path: "dev/b.hcl", mode: "100644", type: "blob", content: "\ufeff# ok\r\n" },
        ],
      })
      .reply(201, { sha: "new-tree" })
      .post("/repos/acme/live/git/commits")
      .reply(201, { sha: "new-commit" })
      .post("/repos/acme/live/git/refs")
      .reply(201, {});
    await expect(
      writeCommit(client(), REPO, {
        ...spec,
        files: [
          { path: "dev/a.hcl", bytes: latin1, mode: "100644" },
          { path: "dev/b.hcl", bytes: bom, mode: "100644" },
        ],
      }),
    ).resolves.toEqual({ commitSha: "new-commit", branch: "created" });
  });

  it("keeps an existing branch as it is when told to, for the caller to decide", async () => {
    treeAndCommit()
      .post("/repos/acme/live/git/refs")
      .reply(422, { message: "Reference already exists" });
    await expect(
      writeCommit(client(), REPO, { ...spec, whenBranchExists: "keep" }),
    ).resolves.toEqual({ commitSha: "new-commit", branch: "exists" });
  });

  it("lets any other 422 on the ref through, without touching the branch", async () => {
    treeAndCommit()
      .post("/repos/acme/live/git/refs")
      .reply(422, { message: "Reference update failed" });
    await expect(writeCommit(client(), REPO, spec)).rejects.toMatchObject({ status: 422 });
  });

  it("stops before the ref when the commit fails", async () => {
    nock(API)
      .post("/repos/acme/live/git/trees")
      .reply(201, { sha: "new-tree" })
      .post("/repos/acme/live/git/commits")
      .reply(404, { message: "Not Found" });
    await expect(writeCommit(client(), REPO, spec)).rejects.toMatchObject({ status: 404 });
  });

  it("refuses an empty commit without a request", async () => {
    await expect(writeCommit(client(), REPO, { ...spec, files: [] })).rejects.toThrow(
      /nothing to commit/,
    );
  });
});

describe("commitsOnBranch", () => {
  it("maps the commits of base...head with their logins and verification", async () => {
    nock(API)
      .get(
        "/repos/acme/live/compare/base-sha...promoter%2Fdev%2Fgruntwork-io%2Fterraform-aws-messaging%2Fsqs",
      )
      .reply(200, {
        status: "ahead",
        ahead_by: 3,
        behind_by: 0,
        total_commits: 3,
        commits: [
          {
            sha: "c1",
            author: { login: "promoter[bot]" },
            committer: { login: "web-flow" },
            commit: { message: "bump", verification: { verified: true, reason: "valid" } },
          },
          {
            sha: "c2",
            author: null,
            committer: null,
            commit: { message: "by an unknown email", verification: { verified: false } },
          },
          {
            sha: "c3",
            author: { login: "alice" },
            committer: { login: "alice" },
            commit: { message: "fix" },
          },
        ],
      });
    await expect(commitsOnBranch(client(), REPO, "base-sha", BRANCH)).resolves.toEqual([
      { sha: "c1", authorLogin: "promoter[bot]", committerLogin: "web-flow", verified: true },
      { sha: "c2", verified: false },
      { sha: "c3", authorLogin: "alice", committerLogin: "alice", verified: false },
    ]);
  });
});
