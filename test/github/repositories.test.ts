import nock from "nock";
import { describe, expect, it } from "vitest";
import { readDefaultBranch } from "../../src/github/repositories.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";

useNock();

describe("readDefaultBranch", () => {
  it("is the repository's default branch", async () => {
    nock(API).get("/repos/acme/live").reply(200, { default_branch: "trunk" });
    await expect(readDefaultBranch(testOctokit(), { owner: "acme", repo: "live" })).resolves.toBe(
      "trunk",
    );
  });
});
