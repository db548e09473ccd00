import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  installationDirectory,
  listInstallationRepositories,
  listInstallations,
} from "../../src/github/installations.js";
import type { RateLimitReading } from "../../src/github/rate-limit.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";

useNock();

const repository = (full: string, defaultBranch = "main") => {
  const [owner, name] = full.split("/") as [string, string];
  return { name, full_name: full, owner: { login: owner }, default_branch: defaultBranch };
};

describe("listInstallations", () => {
  it("reads every page, 100 installations a request", async () => {
    const first = Array.from({ length: 100 }, (_, i) => ({ id: i + 1 }));
    nock(API)
      .get("/app/installations")
      .query({ per_page: "100" })
      .reply(200, first, { link: `<${API}/app/installations?per_page=100&page=2>; rel="next"` })
      .get("/app/installations")
      .query({ per_page: "100", page: "2" })
      .reply(200, [{ id: 4242 }]);
    const ids = await listInstallations(testOctokit());
    expect(ids).toHaveLength(101);
    expect(ids.slice(0, 2)).toEqual([1, 2]);
    expect(ids[100]).toBe(4242);
  });
});

describe("listInstallationRepositories", () => {
  it("reads every page, 100 repositories a request", async () => {
    const first = Array.from({ length: 100 }, (_, i) => repository(`acme/live-${i}`));
    nock(API)
      .get("/installation/repositories")
      .query({ per_page: "100" })
      .reply(
        200,
        { total_count: 101, repositories: first },
        { link: `<${API}/installation/repositories?per_page=100&page=2>; rel="next"` },
      )
      .get("/installation/repositories")
      .query({ per_page: "100", page: "2" })
      .reply(200, { total_count: 101, repositories: [repository("Acme/Other", "trunk")] });
    const repositories = await listInstallationRepositories(testOctokit());
    expect(repositories).toHaveLength(101);
    expect(repositories[100]).toEqual({
      owner: "Acme",
      repo: "Other",
      fullName: "Acme/Other",
      defaultBranch: "trunk",
    });
  });
});

describe("installationDirectory", () => {
  const rateLimit = (remaining: number) => ({
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": "1900000000",
  });

  it("shows every answer of an installation's listing to the observer of that installation, none of the app's", async () => {
    const first = Array.from({ length: 100 }, (_, i) => repository(`acme/live-${i}`));
    nock(API)
      .get("/app/installations")
      .query(true)
      .reply(200, [{ id: 7 }], rateLimit(4_999))
      .get("/installation/repositories")
      .query({ per_page: "100" })
      .reply(
        200,
        { total_count: 101, repositories: first },
        {
          ...rateLimit(300),
          link: `<${API}/installation/repositories?per_page=100&page=2>; rel="next"`,
        },
      )
      .get("/installation/repositories")
      .query({ per_page: "100", page: "2" })
      .reply(200, { total_count: 101, repositories: [repository("acme/other")] }, rateLimit(299));
    const seen: [number, number, RateLimitReading | undefined][] = [];
    const directory = installationDirectory(
      { auth: () => Promise.resolve(testOctokit()) },
      (installationId) => (status, reading) => seen.push([installationId, status, reading]),
    );

    expect(await directory.installations()).toEqual([7]);
    expect(await directory.repositories(7)).toHaveLength(101);
    const resetAt = 1_900_000_000_000;
    expect(seen).toEqual([
      [7, 200, { remaining: 300, limit: 5000, resetAt }],
      [7, 200, { remaining: 299, limit: 5000, resetAt }],
    ]);
  });
});
