import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { useNock } from "../support/nock-github.js";
import { createEtagCache, listTags } from "../../src/github/tags.js";
import type { ListingStats } from "../../src/github/tags.js";
import type { GitHubClient } from "../../src/github/clients.js";

const API = "https://api.github.com";

function client(baseUrl = API): GitHubClient {
  // The type annotation is the check that an Octokit client fits GitHubClient.
  const octokit: GitHubClient = new ProbotOctokit({
    baseUrl,
    auth: { token: "test" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  return octokit;
}

const tags = (from: number, count: number): { name: string }[] =>
  Array.from({ length: count }, (_, i) => ({ name: `v1.0.${from + i}` }));

const names = (from: number, count: number): string[] => tags(from, count).map((t) => t.name);

const link = (page: number, last: number): string =>
  [
    ...(page < last
      ? [`<${API}/repositories/1/tags?per_page=100&page=${page + 1}>; rel="next"`]
      : []),
    `<${API}/repositories/1/tags?per_page=100&page=${last}>; rel="last"`,
    ...(page > 1 ? [`<${API}/repositories/1/tags?per_page=100&page=1>; rel="first"`] : []),
  ].join(", ");

const stats = (): ListingStats => ({ requests: 0, notModified: 0 });

useNock();

describe("listTags", () => {
  it("reads every page, following the link header", async () => {
    const scope = nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tags(0, 100), { link: link(1, 3), etag: '"p1"' })
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "2" })
      .reply(200, tags(100, 100), { link: link(2, 3), etag: '"p2"' })
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "3" })
      .reply(200, tags(200, 7), { link: link(3, 3), etag: '"p3"' });
    const s = stats();
    const result = await listTags(
      client(),
      { apiBaseUrl: API, owner: "acme", repo: "modules" },
      createEtagCache(),
      s,
    );
    expect(result).toEqual(names(0, 207));
    expect(s).toEqual({ requests: 3, notModified: 0 });
    expect(scope.isDone()).toBe(true);
  });

  it("reads the next page after a full page without link header, and stops at a short one", async () => {
    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tags(0, 100))
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "2" })
      .reply(200, []);
    const result = await listTags(
      client(),
      { apiBaseUrl: API, owner: "acme", repo: "modules" },
      createEtagCache(),
    );
    expect(result).toEqual(names(0, 100));
  });

  it("answers an unchanged tag list from the cache after a 304", async () => {
    const cache = createEtagCache();
    const repository = { apiBaseUrl: API, owner: "acme", repo: "modules" };
    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tags(0, 3), { etag: 'W/"abc"' });
    const first = await listTags(client(), repository, cache);
    expect(first).toEqual(names(0, 3));

    const scope = nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .matchHeader("if-none-match", 'W/"abc"')
      .reply(304, "", { etag: 'W/"abc"' });
    const s = stats();
    const second = await listTags(client(), repository, cache, s);
    expect(second).toEqual(first);
    expect(s).toEqual({ requests: 1, notModified: 1 });
    expect(scope.isDone()).toBe(true);
  });

  it("gives each tag's commit SHA from the same pages, also after a 304", async () => {
    const cache = createEtagCache();
    const repository = { apiBaseUrl: API, owner: "acme", repo: "modules" };
    const A = "a".repeat(40);
    const B = "B".repeat(40);
    const page = [
      { name: "v1.0.0", commit: { sha: A } },
      { name: "v1.1.0", commit: { sha: B } },
      { name: "odd", commit: { sha: "not a sha" } },
    ];
    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, page, { etag: '"c1"' });
    const first = new Map<string, string>();
    expect(await listTags(client(), repository, cache, stats(), first)).toEqual([
      "v1.0.0",
      "v1.1.0",
      "odd",
    ]);
    expect(Object.fromEntries(first)).toEqual({ "v1.0.0": A, "v1.1.0": B.toLowerCase() });

    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .matchHeader("if-none-match", '"c1"')
      .reply(304, "");
    const second = new Map<string, string>();
    const s = stats();
    await listTags(client(), repository, cache, s, second);
    expect(second).toEqual(first);
    expect(s).toEqual({ requests: 1, notModified: 1 });
  });

  it("reads a page again when its cached copy has no commits and they are asked for", async () => {
    const cache = createEtagCache();
    const key = `${API}/repos/acme/modules/tags?per_page=100&page=1`;
    await cache.set(key, { etag: '"old"', data: ["v1.0.0"], next: false });
    nock(API, { badheaders: ["if-none-match"] })
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, [{ name: "v1.0.0", commit: { sha: "c".repeat(40) } }], { etag: '"new"' });
    const commits = new Map<string, string>();
    const repository = { apiBaseUrl: API, owner: "acme", repo: "modules" };
    await listTags(client(), repository, cache, stats(), commits);
    expect(commits.get("v1.0.0")).toBe("c".repeat(40));
    expect((await cache.get(key))?.commits).toEqual(["c".repeat(40)]);
  });

  it("revalidates each page on its own: an unchanged first page and a changed last page", async () => {
    const cache = createEtagCache();
    const repository = { apiBaseUrl: API, owner: "acme", repo: "modules" };
    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tags(0, 100), { link: link(1, 2), etag: '"p1"' })
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "2" })
      .reply(200, tags(100, 1), { link: link(2, 2), etag: '"p2"' });
    await listTags(client(), repository, cache);

    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .matchHeader("if-none-match", '"p1"')
      .reply(304, "", { link: link(1, 2), etag: '"p1"' })
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "2" })
      .matchHeader("if-none-match", '"p2"')
      .reply(200, tags(100, 2), { link: link(2, 2), etag: '"p2b"' });
    const s = stats();
    expect(await listTags(client(), repository, cache, s)).toEqual(names(0, 102));
    expect(s).toEqual({ requests: 2, notModified: 1 });
    expect((await cache.get(`${API}/repos/acme/modules/tags?per_page=100&page=2`))?.etag).toBe(
      '"p2b"',
    );
  });

  it("does not send If-None-Match without a cached page", async () => {
    nock(API, { badheaders: ["if-none-match"] })
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tags(0, 1));
    expect(
      await listTags(
        client(),
        { apiBaseUrl: API, owner: "acme", repo: "modules" },
        createEtagCache(),
      ),
    ).toEqual(["v1.0.0"]);
  });

  it("keys the cache by API base URL, so another host never gets a cached ETag", async () => {
    const cache = createEtagCache();
    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tags(0, 1), { etag: '"gh"' });
    await listTags(client(), { apiBaseUrl: API, owner: "acme", repo: "modules" }, cache);

    const ghe = "https://ghe.example.com/api/v3";
    nock("https://ghe.example.com", { badheaders: ["if-none-match"] })
      .get("/api/v3/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tags(5, 2), { etag: '"ghe"' });
    expect(
      await listTags(client(ghe), { apiBaseUrl: ghe, owner: "acme", repo: "modules" }, cache),
    ).toEqual(names(5, 2));
    expect(cache.size).toBe(2);
  });

  it("throws Octokit's error for a missing repository", async () => {
    nock(API)
      .get("/repos/acme/gone/tags")
      .query({ per_page: "100", page: "1" })
      .reply(404, { message: "Not Found" });
    await expect(
      listTags(client(), { apiBaseUrl: API, owner: "acme", repo: "gone" }, createEtagCache()),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("createEtagCache", () => {
  it("evicts the least recently used page", async () => {
    const cache = createEtagCache(2);
    await cache.set("a", { etag: "1", data: [], next: false });
    await cache.set("b", { etag: "2", data: [], next: false });
    expect((await cache.get("a"))?.etag).toBe("1"); // a is now the most recently used
    await cache.set("c", { etag: "3", data: [], next: false });
    expect(await cache.get("b")).toBeUndefined();
    expect((await cache.get("a"))?.etag).toBe("1");
    expect((await cache.get("c"))?.etag).toBe("3");
    expect(cache.size).toBe(2);
  });

  it("rejects a size that is not a positive integer", () => {
    expect(() => createEtagCache(0)).toThrow(/positive integer/);
  });
});
