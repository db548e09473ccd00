import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { readTree } from "../../src/github/read-repository.js";
import type { Octokit } from "../../src/github/repo-ref.js";
import { readBranch } from "../../src/github/branches.js";
import { writeCommit } from "../../src/github/commits.js";
import { useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "live" };

/** Probot's client with its default retry plugin, only waiting 1 ms × retry² instead of 1 s × retry². */
function retryingClient(): Octokit {
  return new ProbotOctokit({
    auth: { token: "test" },
    retry: { retryAfterBaseValue: 1 },
    throttle: { enabled: false },
  });
}

useNock();

describe("Probot's retry plugin under the adapters", () => {
  it("retries a 502, then goes on", async () => {
    nock(API)
      .get("/repos/acme/live/git/ref/heads%2Fmain")
      .reply(502, "Bad Gateway")
      .get("/repos/acme/live/git/ref/heads%2Fmain")
      .reply(200, { ref: "refs/heads/main", object: { type: "commit", sha: "c0ffee" } })
      .get("/repos/acme/live/git/trees/c0ffee")
      .query({ recursive: "1" })
      .reply(200, { sha: "t", truncated: false, tree: [] });
    await expect(readTree(retryingClient(), REPO, "main")).resolves.toEqual({
      headSha: "c0ffee",
      treeSha: "t",
      entries: [],
      truncated: false,
    });
  });

  it("does not retry a 404", async () => {
    nock(API).get("/repos/acme/live/git/ref/heads%2Fgone").reply(404, { message: "Not Found" });
    await expect(readBranch(retryingClient(), REPO, "gone")).resolves.toBeUndefined();
  });

  it("keeps a branch write whole when a ref creation that succeeded answered 502", async () => {
    // The retried POST finds the ref it created: the 422 is handled as an existing branch.
    nock(API)
      .post("/repos/acme/live/git/trees")
      .reply(201, { sha: "tree" })
      .post("/repos/acme/live/git/commits")
      .reply(201, { sha: "commit" })
      .post("/repos/acme/live/git/refs", { ref: "refs/heads/promoter/dev/x", sha: "commit" })
      .reply(502, "Bad Gateway")
      .post("/repos/acme/live/git/refs", { ref: "refs/heads/promoter/dev/x", sha: "commit" })
      .reply(422, { message: "Reference already exists" })
      .patch("/repos/acme/live/git/refs/heads%2Fpromoter%2Fdev%2Fx", { sha: "commit", force: true })
      .reply(200, { object: { sha: "commit" } });
    await expect(
      writeCommit(retryingClient(), REPO, {
        branch: "promoter/dev/x",
        baseCommitSha: "base",
        baseTreeSha: "base-tree",
        message: "m",
        files: [{ path: "a.hcl", bytes: Buffer.from("x"), mode: "100644" }],
        whenBranchExists: "move",
      }),
    ).resolves.toEqual({ commitSha: "commit", branch: "moved" });
  });
});
