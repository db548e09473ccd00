import nock from "nock";
import { describe, expect, it } from "vitest";
import { comment, react } from "../../src/github/comments.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "live" };

const client = testOctokit;

useNock();

describe("comment", () => {
  it("posts the body on the issue and returns the comment id", async () => {
    nock(API)
      .post("/repos/acme/live/issues/42/comments", { body: "Promoting to **stage**." })
      .reply(201, { id: 555, body: "Promoting to **stage**." });
    await expect(comment(client(), REPO, 42, "Promoting to **stage**.")).resolves.toEqual({
      id: 555,
    });
  });
});

describe("react", () => {
  it("reacts to the comment, new (201) or already there (200)", async () => {
    nock(API)
      .post("/repos/acme/live/issues/comments/555/reactions", { content: "eyes" })
      .reply(201, { id: 1, content: "eyes" })
      .post("/repos/acme/live/issues/comments/555/reactions", { content: "eyes" })
      .reply(200, { id: 1, content: "eyes" });
    await react(client(), REPO, 555, "eyes");
    await react(client(), REPO, 555, "eyes");
  });
});
