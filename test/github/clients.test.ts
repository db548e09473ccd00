import nock from "nock";
import { describe, expect, it } from "vitest";
import { createGitHubClient } from "../../src/github/clients.js";
import { useNock } from "../support/nock-github.js";

const GHE = "https://ghe.example.com/api/v3";

useNock();

describe("createGitHubClient", () => {
  it("sends its requests to its base URL through the given fetch, without credentials", async () => {
    const sent: string[] = [];
    const counting: typeof fetch = (input, init) => {
      sent.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    nock(GHE, { badheaders: ["authorization"] })
      .get("/repos/acme/vpc")
      .reply(200, { default_branch: "main" });
    const client = createGitHubClient(GHE, counting);
    const { data } = await client.request("GET /repos/{owner}/{repo}", {
      owner: "acme",
      repo: "vpc",
    });
    expect(data.default_branch).toBe("main");
    expect(sent).toEqual([`${GHE}/repos/acme/vpc`]);
  });

  it("sends the token when given one", async () => {
    nock(GHE, { reqheaders: { authorization: "token t0ken" } })
      .get("/repos/acme/vpc")
      .reply(200, { default_branch: "trunk" });
    const client = createGitHubClient(GHE, fetch, "t0ken");
    const { data } = await client.request("GET /repos/{owner}/{repo}", {
      owner: "acme",
      repo: "vpc",
    });
    expect(data.default_branch).toBe("trunk");
  });
});
