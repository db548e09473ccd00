import { gunzipSync, gzipSync } from "node:zlib";
import nock from "nock";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { blobSha } from "../../src/iac/blob-sha.js";
import { TarballTooLargeError, readFromTarball } from "../../src/github/read-tarball.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const CODELOAD = "https://codeload.github.com";
const REPO = { owner: "acme", repo: "live" };
const TOP = "acme-live-c0ffee1";

const client = testOctokit;

/** A gzipped tarball laid out like GitHub's: a pax global header, then everything under one folder. */
async function tarball(): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: "pax_global_header", mode: 0o666 }, `52 comment=${"0123456789".repeat(4)}\n`);
  pack.entry({ name: `${TOP}/`, type: "directory", mode: 0o775 });
  pack.entry({ name: `${TOP}/dev/`, type: "directory", mode: 0o775 });
  pack.entry(
    { name: `${TOP}/dev/terragrunt.hcl`, mode: 0o664 },
    'terraform {\n  source = "x"\n}\n',
  );
  pack.entry({ name: `${TOP}/dev/README.md`, mode: 0o664 }, "# dev\n");
  pack.entry({ name: `${TOP}/scripts/run.sh`, mode: 0o775 }, "#!/bin/sh\n");
  pack.entry({ name: `${TOP}/dev/root.hcl`, type: "symlink", linkname: "../root.hcl" });
  pack.entry({ name: `${TOP}/root.hcl`, mode: 0o664 }, "locals {}\n");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(asGlobalHeader(Buffer.concat(chunks)));
}

/** Turns the archive's first entry into a pax global header, as `git archive` writes (tar-stream packs none). */
function asGlobalHeader(archive: Buffer): Buffer {
  archive[156] = "g".charCodeAt(0);
  archive.fill(" ", 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += archive[i]!;
  archive.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return archive;
}

useNock();

describe("readFromTarball", () => {
  it("follows the redirect, strips the top folder, hashes every file and reads the wanted ones", async () => {
    nock(API)
      .get("/repos/acme/live/tarball/c0ffee1")
      .reply(302, "", { location: `${CODELOAD}/acme/live/legacy.tar.gz/c0ffee1` });
    nock(CODELOAD)
      .get("/acme/live/legacy.tar.gz/c0ffee1")
      .reply(200, await tarball(), { "content-type": "application/x-gzip" });

    const read = await readFromTarball(client(), REPO, "c0ffee1", (path) => path.endsWith(".hcl"));

    const hcl = 'terraform {\n  source = "x"\n}\n';
    expect(read.entries).toEqual([
      { path: "dev/terragrunt.hcl", sha: blobSha(hcl), mode: "100644", size: hcl.length },
      { path: "dev/README.md", sha: blobSha("# dev\n"), mode: "100644", size: 6 },
      { path: "scripts/run.sh", sha: blobSha("#!/bin/sh\n"), mode: "100755", size: 10 },
      // git stores a symbolic link as a blob holding its target
      { path: "dev/root.hcl", sha: blobSha("../root.hcl"), mode: "120000", size: 11 },
      { path: "root.hcl", sha: blobSha("locals {}\n"), mode: "100644", size: 10 },
    ]);
    const file = (path: string, content: string) => ({
      path,
      bytes: Buffer.from(content),
      content,
      hash: blobSha(content),
    });
    expect(read.files).toEqual([
      file("dev/terragrunt.hcl", hcl),
      file("dev/root.hcl", "../root.hcl"),
      file("root.hcl", "locals {}\n"),
    ]);
  });

  it("keeps a file's bytes exactly, also when they are not UTF-8", async () => {
    const latin1 = Buffer.from("# Gr\u00fc\u00dfe\r\nlocals {}\r\n", "latin1");
    const pack = tar.pack();
    pack.entry({ name: `${TOP}/`, type: "directory", mode: 0o775 });
    pack.entry({ name: `${TOP}/root.hcl`, mode: 0o664 }, latin1);
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    nock(API)
      .get("/repos/acme/live/tarball/c0ffee1")
      .reply(200, gzipSync(Buffer.concat(chunks)), { "content-type": "application/x-gzip" });
    const read = await readFromTarball(client(), REPO, "c0ffee1", () => true);
    expect(read.entries).toEqual([
      { path: "root.hcl", sha: blobSha(latin1), mode: "100644", size: latin1.length },
    ]);
    expect(read.files[0]?.bytes.toString("hex")).toBe(latin1.toString("hex"));
    expect(read.files[0]?.hash).toBe(blobSha(latin1));
  });

  it("has a GitHub-like fixture: the global header is consumed by the reader, not listed", async () => {
    const extract = tar.extract();
    extract.end(gunzipSync(await tarball()));
    const names: string[] = [];
    for await (const entry of extract) {
      names.push(entry.header.name);
      entry.resume();
    }
    expect(names[0]).toBe(`${TOP}/`);
  });

  it("matches git's blob SHA (the tree API's) for a known content", () => {
    // `printf 'hello\n' | git hash-object --stdin`
    expect(blobSha("hello\n")).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
  });

  it("fails on a corrupt archive", async () => {
    nock(API)
      .get("/repos/acme/live/tarball/c0ffee1")
      .reply(200, Buffer.from("not a gzip stream"), { "content-type": "application/x-gzip" });
    await expect(readFromTarball(client(), REPO, "c0ffee1", () => true)).rejects.toThrow(
      /incorrect header check/,
    );
  });

  it("fails on a truncated archive", async () => {
    const whole = await tarball();
    nock(API)
      .get("/repos/acme/live/tarball/c0ffee1")
      .reply(200, whole.subarray(0, whole.length - 40), { "content-type": "application/x-gzip" });
    await expect(readFromTarball(client(), REPO, "c0ffee1", () => true)).rejects.toThrow();
  });

  it("refuses an archive larger than its bound, and wanted files larger than theirs", async () => {
    const archive = await tarball();
    nock(API)
      .get("/repos/acme/live/tarball/c0ffee1")
      .times(2)
      .reply(200, archive, { "content-type": "application/x-gzip" });
    await expect(
      readFromTarball(client(), REPO, "c0ffee1", () => false, { maxBytes: 40 }),
    ).rejects.toThrow(TarballTooLargeError);
    // dev/terragrunt.hcl (29 bytes) and root.hcl (10 bytes) are wanted: 39 bytes.
    await expect(
      readFromTarball(client(), REPO, "c0ffee1", (path) => path.endsWith(".hcl"), {
        maxWantedBytes: 38,
      }),
    ).rejects.toThrow(/larger than 38 bytes together/);
  });

  it("hashes a file it does not want without keeping its bytes", async () => {
    nock(API)
      .get("/repos/acme/live/tarball/c0ffee1")
      .reply(200, await tarball(), { "content-type": "application/x-gzip" });
    const read = await readFromTarball(client(), REPO, "c0ffee1", () => false, {
      maxWantedBytes: 0,
    });
    expect(read.files).toEqual([]);
    expect(read.entries.map((e) => e.sha)).toContain(blobSha("#!/bin/sh\n"));
  });

  it("lets a missing ref's 404 through", async () => {
    nock(API).get("/repos/acme/live/tarball/nope").reply(404, { message: "Not Found" });
    await expect(readFromTarball(client(), REPO, "nope", () => true)).rejects.toMatchObject({
      status: 404,
    });
  });
});
