import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  observeResponses,
  rateLimitOf,
  type RateLimitReading,
} from "../../src/github/rate-limit.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const RESET = 1_717_747_200;
const headers = (remaining: string, resource = "core") => ({
  "x-ratelimit-limit": "5000",
  "x-ratelimit-remaining": remaining,
  "x-ratelimit-reset": String(RESET),
  "x-ratelimit-resource": resource,
});

describe("rateLimitOf", () => {
  it.each([
    ["core", headers("42"), { remaining: 42, limit: 5000, resetAt: RESET * 1000 }],
    [
      "no resource header",
      { ...headers("7"), "x-ratelimit-resource": undefined },
      { remaining: 7, limit: 5000, resetAt: RESET * 1000 },
    ],
    ["search has its own limit", headers("1", "search"), undefined],
    ["no headers", {}, undefined],
    ["garbage", headers("many"), undefined],
  ])("%s", (_name, given, expected) => {
    expect(rateLimitOf(given)).toEqual(expected);
  });
});

describe("observeResponses", () => {
  useNock();

  it("sees the status and reading of every answer, errors included, and passes errors on", async () => {
    const octokit = testOctokit();
    const seen: [number, RateLimitReading | undefined][] = [];
    observeResponses(octokit, (status, reading) => seen.push([status, reading]));
    nock(API)
      .get("/repos/acme/live")
      .reply(200, {}, headers("100"))
      .get("/repos/acme/gone")
      .reply(404, { message: "Not Found" }, headers("99"));
    await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "live" });
    await expect(
      octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "gone" }),
    ).rejects.toMatchObject({ status: 404 });
    // The token request is the app's (its JWT's limit): not the installation's reading.
    nock(API)
      .post("/app/installations/1/access_tokens")
      .reply(201, { token: "t" }, headers("4999"));
    await octokit.request("POST /app/installations/{installation_id}/access_tokens", {
      installation_id: 1,
    });
    expect(seen).toEqual([
      [200, { remaining: 100, limit: 5000, resetAt: RESET * 1000 }],
      [404, { remaining: 99, limit: 5000, resetAt: RESET * 1000 }],
    ]);
  });
});
