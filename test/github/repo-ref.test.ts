import nock from "nock";
import { describe, expect, it } from "vitest";
import { errorMessage, failureReason } from "../../src/github/repo-ref.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";

useNock();

/** What a request to GitHub throws when nock answers with `reply`. */
async function thrownBy(reply: (scope: nock.Interceptor) => nock.Scope): Promise<unknown> {
  reply(nock(API).get("/repos/acme/live"));
  try {
    await testOctokit().request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "live" });
  } catch (error) {
    return error;
  }
  throw new Error("the request did not fail");
}

describe("failureReason", () => {
  it("gives GitHub's message and the status of an answer", async () => {
    const error = await thrownBy((i) => i.reply(422, { message: "Reference update failed" }));
    expect(errorMessage(error)).toBe("Reference update failed");
    expect(failureReason(error)).toBe("Reference update failed (HTTP 422)");
  });

  it("gives the status of an answer without a JSON message", async () => {
    const error = await thrownBy((i) => i.reply(502, "Bad Gateway"));
    expect(failureReason(error)).toMatch(/^.+ \(HTTP 502\)$/);
  });

  it("gives a network error's own message (there is no answer)", async () => {
    const error = await thrownBy((i) => i.replyWithError("connect ECONNREFUSED 127.0.0.1:443"));
    expect(errorMessage(error)).toBe("");
    expect(failureReason(error)).toBe("connect ECONNREFUSED 127.0.0.1:443");
  });

  it("gives a thrown error's own message, and is never empty", () => {
    expect(failureReason(new Error("the app's login is not known"))).toBe(
      "the app's login is not known",
    );
    expect(failureReason(new TypeError(""))).toBe("TypeError without a message");
    expect(failureReason("a string")).toBe("a string");
    expect(failureReason(undefined)).toBe("an unknown error");
    expect(failureReason({})).toBe("an unknown error");
  });
});
