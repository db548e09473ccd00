import nock from "nock";
import { beforeEach, describe, expect, it } from "vitest";
import { appBotLogin, resetAppIdentity } from "../../src/github/app-identity.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";

const client = testOctokit;

useNock();
beforeEach(() => resetAppIdentity());

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
