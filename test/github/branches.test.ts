import nock from "nock";
import { describe, expect, it } from "vitest";
import { deleteBranch, listBranches, readBranch } from "../../src/github/branches.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "live" };
const BRANCH = "promoter/dev/gruntwork-io/terraform-aws-messaging/sqs";
const ENCODED = "heads%2Fpromoter%2Fdev%2Fgruntwork-io%2Fterraform-aws-messaging%2Fsqs";

const client = testOctokit;

useNock();

describe("readBranch", () => {
  it("returns the branch's commit", async () => {
    nock(API)
      .get(`/repos/acme/live/git/ref/${ENCODED}`)
      .reply(200, { ref: `refs/heads/${BRANCH}`, object: { type: "commit", sha: "abc" } });
    await expect(readBranch(client(), REPO, BRANCH)).resolves.toEqual({ sha: "abc" });
  });

  it("returns undefined for a missing branch", async () => {
    nock(API).get(`/repos/acme/live/git/ref/${ENCODED}`).reply(404, { message: "Not Found" });
    await expect(readBranch(client(), REPO, BRANCH)).resolves.toBeUndefined();
  });

  it("lets other errors through", async () => {
    nock(API).get(`/repos/acme/live/git/ref/${ENCODED}`).reply(403, { message: "Forbidden" });
    await expect(readBranch(client(), REPO, BRANCH)).rejects.toMatchObject({ status: 403 });
  });
});

describe("deleteBranch", () => {
  it("deletes the branch", async () => {
    nock(API).delete(`/repos/acme/live/git/refs/${ENCODED}`).reply(204);
    await expect(deleteBranch(client(), REPO, BRANCH)).resolves.toBe(true);
  });

  it("accepts a branch that is already gone (404 or 422 Reference does not exist)", async () => {
    nock(API)
      .delete(`/repos/acme/live/git/refs/${ENCODED}`)
      .reply(422, { message: "Reference does not exist" })
      .delete(`/repos/acme/live/git/refs/${ENCODED}`)
      .reply(404, { message: "Not Found" });
    await expect(deleteBranch(client(), REPO, BRANCH)).resolves.toBe(false);
    await expect(deleteBranch(client(), REPO, BRANCH)).resolves.toBe(false);
  });

  it("lets a protected branch's 422 through", async () => {
    nock(API)
      .delete(`/repos/acme/live/git/refs/${ENCODED}`)
      .reply(422, { message: "Cannot delete this protected branch" });
    await expect(deleteBranch(client(), REPO, BRANCH)).rejects.toMatchObject({ status: 422 });
  });
});

describe("listBranches", () => {
  it("lists the branches under a prefix, without refs/heads/, in 1 request", async () => {
    nock(API)
      .get("/repos/acme/live/git/matching-refs/heads%2Fpromoter%2F")
      .reply(200, [
        { ref: `refs/heads/${BRANCH}`, object: { type: "commit", sha: "a" } },
        { ref: "refs/heads/promoter/prod/acme/vpc/vpc", object: { type: "commit", sha: "b" } },
      ]);
    await expect(listBranches(client(), REPO, "promoter/")).resolves.toEqual([
      BRANCH,
      "promoter/prod/acme/vpc/vpc",
    ]);
  });
});
