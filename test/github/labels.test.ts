import nock from "nock";
import { describe, expect, it } from "vitest";
import { ensureLabels } from "../../src/github/labels.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "live" };

const client = testOctokit;

useNock();

const dev = { name: "promoter:dev", color: "#5319e7", description: "Promoter: promotions to dev" };
const infra = { name: "infra", color: "ededed", description: "" };

describe("ensureLabels", () => {
  it("creates unknown labels, accepts already_exists, remembers both, and skips known ones", async () => {
    nock(API)
      .post("/repos/acme/live/labels", {
        name: "promoter:dev",
        color: "5319e7",
        description: "Promoter: promotions to dev",
      })
      .reply(201, { id: 1, name: "promoter:dev" })
      .post("/repos/acme/live/labels", { name: "infra", color: "ededed", description: "" })
      .reply(422, {
        message: "Validation Failed",
        errors: [{ resource: "Label", code: "already_exists", field: "name" }],
      });
    const known = new Set(["promoter:hold"]);
    const hold = { name: "promoter:hold", color: "b60205", description: "" };
    await expect(ensureLabels(client(), REPO, [dev, infra, hold], known)).resolves.toEqual([
      "promoter:dev",
    ]);
    expect([...known].sort()).toEqual(["infra", "promoter:dev", "promoter:hold"]);

    // The second time costs nothing.
    await expect(ensureLabels(client(), REPO, [dev, infra, hold], known)).resolves.toEqual([]);
  });

  it("lets another 422 through and does not remember the label", async () => {
    nock(API)
      .post("/repos/acme/live/labels")
      .reply(422, {
        message: "Validation Failed",
        errors: [{ resource: "Label", code: "invalid", field: "color" }],
      });
    const known = new Set<string>();
    await expect(
      ensureLabels(client(), REPO, [{ ...dev, color: "purple" }], known),
    ).rejects.toMatchObject({ status: 422 });
    expect(known.size).toBe(0);
  });
});
