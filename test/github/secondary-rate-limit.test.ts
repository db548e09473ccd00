import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { promoterOctokit } from "../../src/github/clients.js";
import { useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const SECONDARY = {
  message:
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
};

/** An installation's client as the server builds it (Probot's throttling on), waits shortened 1,000×. */
async function installationClient() {
  const probot = new Probot({
    githubToken: "installation-token",
    log: pino({ level: "silent" }),
    Octokit: promoterOctokit({ retryAfterBaseValue: 1 }),
  });
  return probot.auth(1);
}

const createRef = (octokit: Awaited<ReturnType<typeof installationClient>>, ref: string) =>
  octokit.request("POST /repos/{owner}/{repo}/git/refs", {
    owner: "acme",
    repo: "live",
    ref,
    sha: "abc",
  });

describe("the installation client under GitHub's secondary rate limits", () => {
  useNock();

  it.each([403, 429])(
    "waits out a %i secondary limit for its retry-after and retries, instead of failing the write",
    async (status) => {
      const octokit = await installationClient();
      const waited: number[] = [];
      let last = 0;
      nock(API)
        .post("/repos/acme/live/git/refs")
        .reply(() => {
          last = Date.now();
          return [status, SECONDARY, { "retry-after": "30" }];
        })
        .post("/repos/acme/live/git/refs")
        .reply(() => {
          waited.push(Date.now() - last);
          return [201, { ref: "refs/heads/promoter/dev/x" }];
        });
      const { status: created } = await createRef(octokit, "refs/heads/promoter/dev/x");
      expect(created).toBe(201);
      // retry-after 30 s, at 1 ms a second here.
      expect(waited[0]).toBeGreaterThanOrEqual(25);
    },
  );

  it("gives up after 3 retries and reports the limit", async () => {
    const octokit = await installationClient();
    nock(API)
      .post("/repos/acme/live/git/refs")
      .times(4)
      .reply(403, SECONDARY, { "retry-after": "1" });
    await expect(createRef(octokit, "refs/heads/promoter/dev/y")).rejects.toMatchObject({
      status: 403,
    });
  });

  it("sends an installation's writes one at a time", async () => {
    const octokit = await installationClient();
    let running = 0;
    let most = 0;
    nock(API)
      .post("/repos/acme/live/git/refs")
      .times(3)
      .delay(50)
      .reply(() => {
        running++;
        most = Math.max(most, running);
        setTimeout(() => running--, 40);
        return [201, {}];
      });
    await Promise.all(["a", "b", "c"].map((name) => createRef(octokit, `refs/heads/${name}`)));
    expect(most).toBe(1);
  }, 10_000);
});
