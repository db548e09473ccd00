import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appBotLogin, resetAppIdentity } from "../../src/github/app-identity.js";
import type { Octokit } from "../../src/github/repo-ref.js";

const API = "https://api.github.com";

function client(): Octokit {
  return new ProbotOctokit({
    auth: { token: "test" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => resetAppIdentity());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("appBotLogin", () => {
  it("reads GET /app once per process, even for concurrent callers", async () => {
    nock(API).get("/app").reply(200, { id: 1, slug: "promoter-app", name: "Promoter" });
    const [a, b] = await Promise.all([appBotLogin(client()), appBotLogin(client())]);
    expect(a).toBe("promoter-app[bot]");
    expect(b).toBe("promoter-app[bot]");
    await expect(appBotLogin(client())).resolves.toBe("promoter-app[bot]");
  });

  it("does not cache a failure", async () => {
    nock(API)
      .get("/app")
      .reply(401, { message: "A JSON web token could not be decoded" })
      .get("/app")
      .reply(200, { id: 1, slug: "promoter-app" });
    await expect(appBotLogin(client())).rejects.toMatchObject({ status: 401 });
    await expect(appBotLogin(client())).resolves.toBe("promoter-app[bot]");
  });
});
