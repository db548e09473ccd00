import nock from "nock";
import { describe, expect, it } from "vitest";
import { listPromoterPullRequests, upsertPullRequest } from "../../src/github/pull-requests.js";
import type { PullRequestInfo } from "../../src/promotion/github-facts.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "live" };
const HEAD = "promoter/dev/acme/vpc/aws";

const client = testOctokit;

interface PullOptions {
  number: number;
  head?: string;
  fork?: boolean;
  labels?: string[];
  state?: "open" | "closed";
  mergedAt?: string | null;
  title?: string;
  body?: string | null;
  author?: string;
}

/** A pull request object as GitHub's listing returns it (the fields we read, and some we don't). */
function pull(options: PullOptions) {
  return {
    id: 1000 + options.number,
    number: options.number,
    state: options.state ?? "open",
    title: options.title ?? `PR ${options.number}`,
    body: options.body === undefined ? "body" : options.body,
    user: { login: options.author ?? "promoter[bot]", type: "Bot" },
    labels: (options.labels ?? []).map((name, i) => ({ id: i, name, color: "ededed" })),
    merged_at: options.mergedAt ?? null,
    merge_commit_sha: "test-merge-or-merge",
    head: {
      ref: options.head ?? "feature",
      sha: `head-${options.number}`,
      repo: { full_name: options.fork ? "mallory/live" : "acme/live" },
    },
    base: { ref: "main", sha: "base", repo: { full_name: "acme/live" } },
  };
}

function listPage(page: number, pulls: unknown[]): void {
  nock(API)
    .get("/repos/acme/live/pulls")
    .query({
      state: "all",
      sort: "updated",
      direction: "desc",
      per_page: "100",
      page: String(page),
    })
    .reply(200, pulls);
}

useNock();

describe("listPromoterPullRequests", () => {
  it("keeps promoter branches of the repo itself and promoter-labelled PRs, stopping at a short page", async () => {
    const filler = Array.from({ length: 98 }, (_, i) => pull({ number: 1000 + i }));
    listPage(1, [
      pull({ number: 1, head: "promoter/dev/acme/vpc/aws" }),
      pull({ number: 2, head: "promoter/dev/acme/vpc/aws", fork: true }),
      ...filler,
    ]);
    listPage(2, [
      pull({
        number: 3,
        head: "hand-written",
        labels: ["bug", "promoter:stage"],
        state: "closed",
        mergedAt: "2024-05-01T00:00:00Z",
        body: null,
      }),
      pull({ number: 4, head: "feature", state: "closed" }),
    ]);
    const found = await listPromoterPullRequests(client(), REPO);
    expect(found).toEqual<PullRequestInfo[]>([
      {
        number: 1,
        state: "open",
        merged: false,
        headRef: "promoter/dev/acme/vpc/aws",
        headSha: "head-1",
        fromFork: false,
        baseRef: "main",
        title: "PR 1",
        body: "body",
        labels: [],
        author: "promoter[bot]",
      },
      {
        number: 3,
        state: "closed",
        merged: true,
        headRef: "hand-written",
        headSha: "head-3",
        fromFork: false,
        baseRef: "main",
        title: "PR 3",
        body: "",
        labels: ["bug", "promoter:stage"],
        author: "promoter[bot]",
        mergeCommitSha: "test-merge-or-merge",
        mergedAt: "2024-05-01T00:00:00Z",
      },
    ]);
  });

  it("reads at most maxPages pages", async () => {
    const full = (from: number) =>
      Array.from({ length: 100 }, (_, i) => pull({ number: from + i, head: `promoter/x/${i}` }));
    listPage(1, full(0));
    listPage(2, full(100));
    const found = await listPromoterPullRequests(client(), REPO, { maxPages: 2 });
    expect(found).toHaveLength(200);
  });
});

const open: PullRequestInfo = {
  number: 7,
  state: "open",
  merged: false,
  headRef: HEAD,
  headSha: "h",
  fromFork: false,
  baseRef: "main",
  title: "[promoter] dev: acme/vpc/aws v1 → v2",
  body: "old body",
  labels: ["promoter:dev"],
  author: "promoter[bot]",
};

describe("upsertPullRequest", () => {
  it("creates the PR, then adds its labels: 2 requests", async () => {
    nock(API)
      .post("/repos/acme/live/pulls", {
        head: HEAD,
        base: "main",
        title: "t",
        body: "b",
      })
      .reply(201, pull({ number: 12, head: HEAD }))
      .post("/repos/acme/live/issues/12/labels", { labels: ["promoter:dev", "infra"] })
      .reply(200, []);
    await expect(
      upsertPullRequest(client(), REPO, {
        head: HEAD,
        base: "main",
        title: "t",
        body: "b",
        labels: ["promoter:dev", "infra", "promoter:dev"],
      }),
    ).resolves.toEqual({ number: 12, action: "created" });
  });

  it("creates a new PR when the known one is closed", async () => {
    nock(API)
      .post("/repos/acme/live/pulls")
      .reply(201, pull({ number: 13, head: HEAD }));
    await expect(
      upsertPullRequest(client(), REPO, {
        existing: { ...open, state: "closed" },
        head: HEAD,
        base: "main",
        title: "t",
        body: "b",
        labels: [],
      }),
    ).resolves.toEqual({ number: 13, action: "created" });
  });

  it("on 422 'A pull request already exists', finds the open PR and updates it", async () => {
    nock(API)
      .post("/repos/acme/live/pulls")
      .reply(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: `A pull request already exists for acme:${HEAD}.`,
          },
        ],
      })
      .get("/repos/acme/live/pulls")
      .query({ head: `acme:${HEAD}`, state: "open" })
      .reply(200, [
        pull({ number: 9, head: HEAD, title: "t", body: "old", labels: ["promoter:dev"] }),
      ])
      .patch("/repos/acme/live/pulls/9", { body: "b" })
      .reply(200, pull({ number: 9, head: HEAD }));
    await expect(
      upsertPullRequest(client(), REPO, {
        head: HEAD,
        base: "main",
        title: "t",
        body: "b",
        labels: ["promoter:dev"],
      }),
    ).resolves.toEqual({ number: 9, action: "updated" });
  });

  it("on 422 'A pull request already exists', leaves a person's open PR alone: no edit, no label", async () => {
    nock(API)
      .post("/repos/acme/live/pulls")
      .reply(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: `A pull request already exists for acme:${HEAD}.`,
          },
        ],
      })
      .get("/repos/acme/live/pulls")
      .query({ head: `acme:${HEAD}`, state: "open" })
      .reply(200, [
        pull({ number: 9, head: HEAD, title: "mine", body: "alice's", author: "alice" }),
      ]);
    await expect(
      upsertPullRequest(client(), REPO, {
        head: HEAD,
        base: "main",
        title: "t",
        body: "b",
        labels: ["promoter:dev"],
        ownLogin: "promoter[bot]",
      }),
    ).rejects.toThrow(
      `#9 from ${HEAD} was opened by alice, not by promoter[bot]: it is left as it is`,
    );
  });

  it("lets the 422 through when no open PR is found after all", async () => {
    nock(API)
      .post("/repos/acme/live/pulls")
      .reply(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: "A pull request already exists for acme:x.",
          },
        ],
      })
      .get("/repos/acme/live/pulls")
      .query({ head: `acme:${HEAD}`, state: "open" })
      .reply(200, []);
    await expect(
      upsertPullRequest(client(), REPO, {
        head: HEAD,
        base: "main",
        title: "t",
        body: "b",
        labels: [],
      }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it("lets other 422s through (e.g. no commits between the branches)", async () => {
    nock(API)
      .post("/repos/acme/live/pulls")
      .reply(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: `No commits between main and ${HEAD}`,
          },
        ],
      });
    await expect(
      upsertPullRequest(client(), REPO, {
        head: HEAD,
        base: "main",
        title: "t",
        body: "b",
        labels: [],
      }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it("patches only what differs, and adds only missing labels", async () => {
    nock(API)
      .patch("/repos/acme/live/pulls/7", { body: "new body" })
      .reply(200, pull({ number: 7 }))
      .post("/repos/acme/live/issues/7/labels", { labels: ["infra"] })
      .reply(200, []);
    await expect(
      upsertPullRequest(client(), REPO, {
        existing: open,
        head: HEAD,
        base: "main",
        title: open.title,
        body: "new body",
        labels: ["promoter:dev", "infra"],
      }),
    ).resolves.toEqual({ number: 7, action: "updated" });
  });

  it("makes no request when nothing differs", async () => {
    await expect(
      upsertPullRequest(client(), REPO, {
        existing: open,
        head: HEAD,
        base: "main",
        title: open.title,
        body: open.body,
        labels: ["promoter:dev"],
      }),
    ).resolves.toEqual({ number: 7, action: "unchanged" });
  });
});
