import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  closeDashboard,
  editDashboardBody,
  writeDashboard,
} from "../../src/github/dashboard-issue.js";
import { DASHBOARD_MARKER } from "../../src/promotion/dashboard.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "live" };
const APP = "promoter[bot]";
const BODY = `${DASHBOARD_MARKER}\nnew`;

const issue = (number: number, overrides: Record<string, unknown> = {}) => ({
  number,
  title: "Promoter: promotion dashboard",
  body: `${DASHBOARD_MARKER}\nold`,
  state: "open",
  locked: false,
  user: { login: APP },
  ...overrides,
});

const listing = (page: number) => ({
  creator: APP,
  state: "all",
  sort: "created",
  direction: "asc",
  per_page: "100",
  page: String(page),
});

useNock();

describe("writeDashboard", () => {
  it("pages through the app's issues and takes the newest open, unlocked one with the marker", async () => {
    const pulls = Array.from({ length: 100 }, (_, i) =>
      issue(i + 1, { pull_request: { url: "x" } }),
    );
    nock(API)
      .get("/repos/acme/live/issues")
      .query(listing(1))
      .reply(200, pulls)
      .get("/repos/acme/live/issues")
      .query(listing(2))
      .reply(200, [issue(101), issue(102, { locked: true }), issue(103, { body: "no marker" })])
      .patch("/repos/acme/live/issues/101", { body: BODY })
      .reply(200, {});
    await expect(
      writeDashboard(testOctokit(), REPO, { appLogin: APP, title: "T", body: BODY }),
    ).resolves.toEqual({ number: 101, action: "updated" });
  });

  it("reopens a closed one, and lists again when the known number is gone", async () => {
    nock(API)
      .get("/repos/acme/live/issues/7")
      .reply(404, { message: "Not Found" })
      .get("/repos/acme/live/issues")
      .query(listing(1))
      .reply(200, [issue(8, { state: "closed", body: BODY })])
      .patch("/repos/acme/live/issues/8", { state: "open" })
      .reply(200, {});
    await expect(
      writeDashboard(testOctokit(), REPO, { appLogin: APP, title: "T", body: BODY, known: 7 }),
    ).resolves.toEqual({ number: 8, action: "updated" });
  });

  it("writes nothing when the known one has the body already: 1 request", async () => {
    nock(API)
      .get("/repos/acme/live/issues/7")
      .reply(200, issue(7, { body: BODY }));
    await expect(
      writeDashboard(testOctokit(), REPO, { appLogin: APP, title: "T", body: BODY, known: 7 }),
    ).resolves.toEqual({ number: 7, action: "unchanged" });
  });
});

describe("closeDashboard and editDashboardBody", () => {
  it("close the open one, and leave an issue that is not the app's alone", async () => {
    nock(API)
      .get("/repos/acme/live/issues")
      .query(listing(1))
      .reply(200, [issue(9)])
      .patch("/repos/acme/live/issues/9", { state: "closed" })
      .reply(200, {})
      .get("/repos/acme/live/issues/10")
      .reply(200, issue(10, { user: { login: "mallory" } }));
    await expect(closeDashboard(testOctokit(), REPO, { appLogin: APP })).resolves.toBe(9);
    await expect(editDashboardBody(testOctokit(), REPO, 10, APP, () => "changed")).resolves.toBe(
      false,
    );
  });
});
