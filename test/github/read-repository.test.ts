import nock from "nock";
import { describe, expect, it } from "vitest";
import { blobSha } from "../../src/iac/blob-sha.js";
import { BlobCache } from "../../src/github/blob-cache.js";
import { readBlobs, readTree } from "../../src/github/read-repository.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "live" };

const client = testOctokit;

useNock();

describe("readTree", () => {
  it("reads the branch's commit, then its recursive tree, keeping blobs only", async () => {
    nock(API)
      .get("/repos/acme/live/git/ref/heads%2Fmain")
      .reply(200, { ref: "refs/heads/main", object: { type: "commit", sha: "c0ffee" } })
      .get("/repos/acme/live/git/trees/c0ffee")
      .query({ recursive: "1" })
      .reply(200, {
        sha: "7ree",
        truncated: false,
        tree: [
          { path: "dev", mode: "040000", type: "tree", sha: "d1" },
          { path: "dev/terragrunt.hcl", mode: "100644", type: "blob", sha: "b1", size: 12 },
          { path: "bin/run.sh", mode: "100755", type: "blob", sha: "b2", size: 3 },
          { path: "vendor/mod", mode: "160000", type: "commit", sha: "s1" },
          { path: "link.tf", mode: "120000", type: "blob", sha: "b3", size: 7 },
        ],
      });
    const tree = await readTree(client(), REPO, "main");
    expect(tree).toEqual({
      headSha: "c0ffee",
      treeSha: "7ree",
      truncated: false,
      entries: [
        { path: "dev/terragrunt.hcl", sha: "b1", mode: "100644", size: 12 },
        { path: "bin/run.sh", sha: "b2", mode: "100755", size: 3 },
        { path: "link.tf", sha: "b3", mode: "120000", size: 7 },
      ],
    });
  });

  it("encodes a branch name with slashes into one path segment and reports truncation", async () => {
    nock(API)
      .get("/repos/acme/live/git/ref/heads%2Frelease%2F2024")
      .reply(200, { ref: "refs/heads/release/2024", object: { type: "commit", sha: "abc" } })
      .get("/repos/acme/live/git/trees/abc")
      .query({ recursive: "1" })
      .reply(200, { sha: "t", truncated: true, tree: [] });
    const tree = await readTree(client(), REPO, "release/2024");
    expect(tree.truncated).toBe(true);
    expect(tree.headSha).toBe("abc");
  });

  it("lets a missing branch's 404 through", async () => {
    nock(API).get("/repos/acme/live/git/ref/heads%2Fgone").reply(404, { message: "Not Found" });
    await expect(readTree(client(), REPO, "gone")).rejects.toMatchObject({ status: 404 });
  });
});

describe("readBlobs", () => {
  const a = 'locals {\n  v = "1"\n}\n';
  const b = "\uFEFFinputs = {}\n"; // a BOM must survive
  const shaA = blobSha(a);
  const shaB = blobSha(b);

  function rawBlob(sha: string, content: string, contentType = "application/vnd.github.raw") {
    return nock(API, { reqheaders: { accept: "application/vnd.github.v3.raw" } })
      .get(`/repos/acme/live/git/blobs/${sha}`)
      .reply(200, content, { "content-type": contentType });
  }

  it("downloads each distinct missing SHA once, raw, and serves the cache the next time", async () => {
    rawBlob(shaA, a);
    rawBlob(shaB, b, "text/plain; charset=utf-8");
    const cache = new BlobCache();
    const entries = [
      { path: "dev/a.hcl", sha: shaA },
      { path: "stage/a.hcl", sha: shaA },
      { path: "dev/b.hcl", sha: shaB },
    ];
    const first = await readBlobs(client(), REPO, entries, cache);
    expect(first).toEqual({
      downloaded: 2,
      files: [
        { path: "dev/a.hcl", bytes: Buffer.from(a), content: a, hash: shaA },
        { path: "stage/a.hcl", bytes: Buffer.from(a), content: a, hash: shaA },
        { path: "dev/b.hcl", bytes: Buffer.from(b), content: b, hash: shaB },
      ],
    });
    expect(blobSha(first.files[2]!.bytes)).toBe(shaB);
    expect(cache.size).toBe(2);

    // No interceptor is left: a request now would fail with a "no match" error.
    const second = await readBlobs(client(), REPO, entries, cache);
    expect(second.downloaded).toBe(0);
    expect(second.files).toEqual(first.files);
  });

  it("keeps a blob's bytes exactly, also when they are not UTF-8", async () => {
    const latin1 = Buffer.from('# Gr\u00fc\u00dfe\r\nlocals {\r\n  v = "1"\r\n}\r\n', "latin1");
    const sha = blobSha(latin1);
    nock(API, { reqheaders: { accept: "application/vnd.github.v3.raw" } })
      .get(`/repos/acme/live/git/blobs/${sha}`)
      .reply(200, latin1, { "content-type": "application/vnd.github.raw" });
    const cache = new BlobCache();
    const [file] = (await readBlobs(client(), REPO, [{ path: "a.hcl", sha }], cache)).files;
    expect(file?.bytes.toString("hex")).toBe(latin1.toString("hex"));
    expect(file?.content).toBe(latin1.toString("utf8"));
    expect(cache.get(sha)?.equals(latin1)).toBe(true);
    const [again] = (await readBlobs(client(), REPO, [{ path: "a.hcl", sha }], cache)).files;
    expect(again?.bytes.equals(latin1)).toBe(true);
  });

  it("fetches only the misses", async () => {
    const cache = new BlobCache();
    cache.set(shaA, Buffer.from(a));
    rawBlob(shaB, b);
    const read = await readBlobs(
      client(),
      REPO,
      [
        { path: "a", sha: shaA },
        { path: "b", sha: shaB },
      ],
      cache,
    );
    expect(read.downloaded).toBe(1);
    expect(read.files.map((f) => f.content)).toEqual([a, b]);
  });

  it("keeps at most `concurrency` downloads in flight", async () => {
    const contents = Array.from({ length: 10 }, (_, i) => `x = ${i}\n`);
    let inFlight = 0;
    let peak = 0;
    for (const content of contents) {
      nock(API)
        .get(`/repos/acme/live/git/blobs/${blobSha(content)}`)
        .reply(async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          return [200, content, { "content-type": "application/vnd.github.raw" }];
        });
    }
    const read = await readBlobs(
      client(),
      REPO,
      contents.map((content, i) => ({ path: `f${i}`, sha: blobSha(content) })),
      new BlobCache(),
      { concurrency: 3 },
    );
    expect(read.downloaded).toBe(10);
    expect(read.files.map((f) => f.content)).toEqual(contents);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it("throws the first failure and caches nothing for it", async () => {
    nock(API).get(`/repos/acme/live/git/blobs/${shaA}`).reply(404, { message: "Not Found" });
    const cache = new BlobCache();
    await expect(
      readBlobs(client(), REPO, [{ path: "a", sha: shaA }], cache),
    ).rejects.toMatchObject({ status: 404 });
    expect(cache.has(shaA)).toBe(false);
  });
});
