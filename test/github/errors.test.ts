import { RequestError } from "@octokit/request-error";
import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  errorMessage,
  errorStatus,
  failureReason,
  isNetworkError,
  isRateLimited,
  isRequestError,
  isUnprocessable,
  retryAfterSeconds,
  validationCodes,
  validationMessages,
} from "../../src/github/errors.js";
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

/** A `RequestError` as Octokit builds it for an answer (`response`) or a network error (none). */
function requestError(
  message: string,
  status: number,
  response?: { headers?: Record<string, string>; data?: unknown },
): RequestError {
  return new RequestError(message, status, {
    request: { method: "GET", url: `${API}/repos/acme/live`, headers: {} },
    ...(response === undefined
      ? {}
      : {
          response: {
            status,
            url: `${API}/repos/acme/live`,
            headers: response.headers ?? {},
            data: response.data,
          },
        }),
  });
}

describe("failureReason", () => {
  it("gives GitHub's message and the status of an answer", async () => {
    const error = await thrownBy((i) => i.reply(422, { message: "Reference update failed" }));
    expect(validationMessages(error)).toEqual(["Reference update failed"]);
    expect(failureReason(error)).toBe("Reference update failed (HTTP 422)");
  });

  it("gives the status of an answer without a JSON message", async () => {
    const error = await thrownBy((i) => i.reply(502, "Bad Gateway"));
    expect(failureReason(error)).toMatch(/^.+ \(HTTP 502\)$/);
  });

  it("gives a network error's own message (there is no answer)", async () => {
    const error = await thrownBy((i) => i.replyWithError("connect ECONNREFUSED 127.0.0.1:443"));
    expect(validationMessages(error)).toEqual([]);
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

  it("is never empty for an answer without any message", () => {
    expect(failureReason(requestError("", 500, { data: "" }))).toBe("no message (HTTP 500)");
  });
});

describe("errorMessage", () => {
  it("is not empty for a network error whose cause has no message", async () => {
    const error = await thrownBy((i) => i.replyWithError(new Error("")));
    expect(isNetworkError(error)).toBe(true);
    expect(errorMessage(error)).toBe(
      "no answer to GET https://api.github.com/repos/acme/live (network error)",
    );
    expect(failureReason(error)).toBe(errorMessage(error));
  });

  it("gives Octokit's message for an answer: GitHub's message", async () => {
    const error = await thrownBy((i) => i.reply(404, { message: "Not Found" }));
    expect(errorMessage(error)).toBe("Not Found");
  });

  it.each<[string, unknown, string]>([
    [
      "a network error's own message",
      requestError("getaddrinfo ENOTFOUND x", 500),
      "getaddrinfo ENOTFOUND x",
    ],
    [
      "GitHub's message when Octokit's is empty",
      requestError("", 422, { data: { message: "Validation Failed" } }),
      "Validation Failed",
    ],
    [
      "the status of an answer without any message",
      requestError("", 502, { data: "" }),
      "HTTP 502",
    ],
    [
      "the request of a network error without a message",
      requestError("", 500),
      "no answer to GET https://api.github.com/repos/acme/live (network error)",
    ],
    [
      "the cause's message",
      new Error("", { cause: new Error("socket hang up") }),
      "socket hang up",
    ],
    ["the name of an Error without a message", new TypeError(""), "TypeError without a message"],
    ["a thrown string", "  queue full ", "queue full"],
    ["a fallback for an empty string", "", "an unknown error"],
    ["a fallback for undefined", undefined, "an unknown error"],
    ["a fallback for a number", 42, "an unknown error"],
    ["a fallback for an object", { status: 404 }, "an unknown error"],
  ])("gives %s", (_, error, message) => {
    expect(errorMessage(error)).toBe(message);
  });
});

describe("errorStatus and isNetworkError", () => {
  it.each<[string, unknown, number | undefined, boolean]>([
    ["an answer", requestError("Not Found", 404, { data: { message: "Not Found" } }), 404, false],
    ["a 304", requestError("Not modified", 304, { data: "" }), 304, false],
    [
      "a network error (Octokit's 500 without answer)",
      requestError("connect ECONNREFUSED", 500),
      undefined,
      true,
    ],
    ["an object with a status, not a RequestError", { status: 404 }, undefined, false],
    ["an Error", new Error("boom"), undefined, false],
  ])("reads %s", (_, error, status, network) => {
    expect(errorStatus(error)).toBe(status);
    expect(isNetworkError(error)).toBe(network);
    expect(isRequestError(error)).toBe(error instanceof RequestError);
  });

  it("reads what Octokit throws", async () => {
    expect(errorStatus(await thrownBy((i) => i.reply(404, { message: "Not Found" })))).toBe(404);
    const network = await thrownBy((i) => i.replyWithError("connect ECONNREFUSED"));
    expect(errorStatus(network)).toBeUndefined();
    expect(isNetworkError(network)).toBe(true);
  });
});

describe("validation failures", () => {
  const alreadyExists = {
    message: "Validation Failed",
    errors: [
      {
        resource: "PullRequest",
        code: "custom",
        message: "A pull request already exists for acme:b.",
      },
      { resource: "Label", code: "already_exists", field: "name" },
    ],
  };

  it("reads GitHub's messages and codes of an answer", async () => {
    const error = await thrownBy((i) => i.reply(422, alreadyExists));
    expect(validationMessages(error)).toEqual([
      "Validation Failed",
      "A pull request already exists for acme:b.",
    ]);
    expect(validationCodes(error)).toEqual(["custom", "already_exists"]);
    expect(isUnprocessable(error, /already exists/i)).toBe(true);
    expect(isUnprocessable(error, /does not exist/i)).toBe(false);
  });

  it("is not a validation failure when the status is not 422", () => {
    const error = requestError("", 409, { data: alreadyExists });
    expect(isUnprocessable(error, /already exists/i)).toBe(false);
  });

  it.each<[string, unknown]>([
    ["a network error", requestError("connect ECONNREFUSED", 500)],
    ["an answer that is not JSON", requestError("Bad Gateway", 502, { data: "Bad Gateway" })],
    ["an Error", new Error("Validation Failed")],
  ])("has no messages nor codes for %s", (_, error) => {
    expect(validationMessages(error)).toEqual([]);
    expect(validationCodes(error)).toEqual([]);
  });
});

describe("rate limits", () => {
  it.each<[string, unknown, number | undefined]>([
    ["seconds", requestError("", 403, { headers: { "retry-after": "30" } }), 30],
    ["zero", requestError("", 429, { headers: { "retry-after": "0" } }), 0],
    ["no header", requestError("", 403, {}), undefined],
    [
      "a date, not seconds",
      requestError("", 429, { headers: { "retry-after": "Wed, 21 Oct 2026 07:28:00 GMT" } }),
      undefined,
    ],
    ["a network error", requestError("connect ECONNREFUSED", 500), undefined],
  ])("reads retry-after: %s", (_, error, seconds) => {
    expect(retryAfterSeconds(error)).toBe(seconds);
  });

  it("reads retry-after from what Octokit throws", async () => {
    const error = await thrownBy((i) =>
      i.reply(429, { message: "slow down" }, { "retry-after": "7" }),
    );
    expect(retryAfterSeconds(error)).toBe(7);
  });

  it.each<[string, unknown, boolean]>([
    ["a 429", requestError("", 429, {}), true],
    [
      "a 403 with no requests remaining",
      requestError("", 403, { headers: { "x-ratelimit-remaining": "0" } }),
      true,
    ],
    [
      "a 403 with retry-after (secondary limit)",
      requestError("", 403, { headers: { "retry-after": "60" } }),
      true,
    ],
    ["a 403 saying so", requestError("API rate limit exceeded for installation", 403, {}), true],
    [
      "a 403 denying access",
      requestError("Resource not accessible by integration", 403, {
        headers: { "x-ratelimit-remaining": "4000" },
      }),
      false,
    ],
    ["a 404", requestError("Not Found", 404, {}), false],
    ["a network error", requestError("rate limit", 500), false],
    ["an Error", new Error("rate limit"), false],
  ])("tells %s", (_, error, limited) => {
    expect(isRateLimited(error)).toBe(limited);
  });
});
