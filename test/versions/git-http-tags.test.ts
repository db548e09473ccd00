import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  GitHostError,
  listGitTags,
  parseTagAdvertisement,
} from "../../src/versions/git-http-tags.js";
import {
  ADVERTISEMENT_TYPE,
  advertisement,
  pktLine,
  serveAdvertisements,
  serveGitHttpBackend,
  startFakeHost,
  type FakeHost,
} from "../support/fake-hosts.js";

const OID = "b".repeat(40);
const SERVICE = pktLine("# service=git-upload-pack\n");
const FLUSH = Buffer.from("0000");

describe("parseTagAdvertisement", () => {
  it("lists tags once each, annotated ones by their name without ^{}, and nothing else", () => {
    const body = advertisement([
      "HEAD",
      "refs/heads/main",
      "refs/tags/v1.0.0",
      "refs/tags/v1.1.0",
      "refs/tags/v1.1.0^{}",
      "refs/tags/vpc/v2.0.0",
      "refs/pull/1/head",
      "refs/merge-requests/2/head",
    ]);
    expect(parseTagAdvertisement(body)).toEqual(["v1.0.0", "v1.1.0", "vpc/v2.0.0"]);
  });

  it("gives each tag's commit: an annotated tag's peeled object, a lightweight tag's own", () => {
    const line = (oid: string, ref: string) => pktLine(`${oid} ${ref}\n`);
    const body = Buffer.concat([
      SERVICE,
      FLUSH,
      line("1".repeat(40), "refs/heads/main"),
      line("2".repeat(40), "refs/tags/v1.0.0"),
      line("3".repeat(40), "refs/tags/v1.1.0"),
      line("4".repeat(40), "refs/tags/v1.1.0^{}"),
      FLUSH,
    ]);
    const commits = new Map<string, string>();
    expect(parseTagAdvertisement(body, commits)).toEqual(["v1.0.0", "v1.1.0"]);
    expect(Object.fromEntries(commits)).toEqual({
      "v1.0.0": "2".repeat(40),
      "v1.1.0": "4".repeat(40),
    });
  });

  it("reads an empty repository, SHA-256 object ids and lines without a newline", () => {
    const empty = Buffer.concat([
      SERVICE,
      FLUSH,
      pktLine(`${"0".repeat(40)} capabilities^{}\0report-status\n`),
      FLUSH,
    ]);
    expect(parseTagAdvertisement(empty)).toEqual([]);
    const sha256 = Buffer.concat([
      SERVICE,
      FLUSH,
      pktLine(`${"c".repeat(64)} refs/tags/v3.0.0\0object-format=sha256`),
      FLUSH,
    ]);
    expect(parseTagAdvertisement(sha256)).toEqual(["v3.0.0"]);
  });

  it("skips tag names git would not accept", () => {
    const body = advertisement([
      "refs/tags/v1.0.0",
      "refs/tags/a b",
      "refs/tags/x\u0007",
      "refs/tags/",
    ]);
    expect(parseTagAdvertisement(body)).toEqual(["v1.0.0"]);
  });

  const valid = advertisement(["refs/tags/v1.0.0"]);
  it.each([
    ["an empty answer", Buffer.alloc(0), 'it does not start with "# service=git-upload-pack"'],
    [
      "a dumb HTTP ref list",
      Buffer.from(`${OID}\trefs/tags/v1.0.0\n`),
      "a pkt-line runs past the end at byte 0",
    ],
    [
      "no service line",
      Buffer.concat([FLUSH, pktLine(`${OID} refs/tags/v1\n`), FLUSH]),
      "it does not start",
    ],
    [
      "a length cut off",
      valid.subarray(0, valid.length - 2),
      "a pkt-line length is cut off at byte",
    ],
    [
      "a line past the end",
      Buffer.concat([SERVICE, FLUSH, Buffer.from("00ffabc")]),
      "a pkt-line runs past the end at byte 34",
    ],
    [
      "length 0002",
      Buffer.concat([SERVICE, FLUSH, Buffer.from("0002")]),
      "a pkt-line of length 2 at byte 34, which git does not send",
    ],
    [
      "no final flush",
      Buffer.concat([SERVICE, FLUSH, pktLine(`${OID} refs/tags/v1\n`)]),
      "the ref list does not end with a flush packet",
    ],
    [
      "a ref line without an object id",
      Buffer.concat([SERVICE, FLUSH, pktLine("refs/tags/v1\n"), FLUSH]),
      'ref line 1 is not "<object id> <ref>"',
    ],
    [
      "protocol v2",
      Buffer.concat([SERVICE, FLUSH, pktLine("version 2\n"), FLUSH]),
      "it is git protocol v2",
    ],
  ])("refuses %s, saying what is wrong", (_name, body, message) => {
    expect(() => parseTagAdvertisement(body)).toThrow(message);
  });
});

describe("listGitTags against a git host on 127.0.0.1", () => {
  const hosts: FakeHost[] = [];
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.close();
  });
  async function start(...args: Parameters<typeof startFakeHost>) {
    const host = await startFakeHost(...args);
    hosts.push(host);
    return host;
  }

  it("asks info/refs?service=git-upload-pack, without credentials unless given", async () => {
    const host = await start(
      serveAdvertisements({ "/acme/mods.git/info/refs": ["refs/tags/v1.0.0", "refs/tags/v1.1.0"] }),
    );
    const stats = { requests: 0 };
    expect(await listGitTags(`${host.origin}/acme/mods.git`, { stats })).toEqual([
      "v1.0.0",
      "v1.1.0",
    ]);
    await listGitTags(`${host.origin}/acme/mods.git`, {
      credential: { username: "oauth2", password: "glpat-secret" },
    });
    expect(host.received).toEqual([
      { method: "GET", url: "/acme/mods.git/info/refs?service=git-upload-pack" },
      {
        method: "GET",
        url: "/acme/mods.git/info/refs?service=git-upload-pack",
        authorization: `Basic ${Buffer.from("oauth2:glpat-secret").toString("base64")}`,
      },
    ]);
    expect(stats.requests).toBe(1);
  });

  it("throws the status of a refusal, and refuses an answer that is no ref list", async () => {
    const host = await start((request, response) => {
      if (request.url?.startsWith("/private")) response.writeHead(401).end("log in");
      else response.writeHead(200, { "content-type": "text/html" }).end("<html>sign in</html>");
      return true;
    });
    const refused = await listGitTags(`${host.origin}/private/mods.git`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GitHostError);
    expect(refused).toMatchObject({ status: 401 });
    await expect(listGitTags(`${host.origin}/acme/mods.git`)).rejects.toThrow(
      `GET ${host.origin}/acme/mods.git/info/refs?service=git-upload-pack: the answer is not git's smart HTTP ref list (Content-Type "text/html")`,
    );
  });

  it("says what is malformed in a ref list", async () => {
    const host = await start((_request, response) => {
      response.writeHead(200, { "content-type": ADVERTISEMENT_TYPE }).end("zzzz");
      return true;
    });
    await expect(listGitTags(`${host.origin}/acme/mods.git`)).rejects.toThrow(
      "a malformed ref list: no pkt-line length at byte 0",
    );
  });

  it("follows a redirect on its own host with the credentials, and none to another host", async () => {
    const other = await start(
      serveAdvertisements({ "/acme/mods.git/info/refs": ["refs/tags/v9.0.0"] }),
    );
    const host = await start((request, response) => {
      const to = request.url?.startsWith("/moved/")
        ? `/acme/mods.git/info/refs?service=git-upload-pack`
        : `${other.origin}/acme/mods.git/info/refs?service=git-upload-pack`;
      if (request.url?.startsWith("/acme/")) {
        response.writeHead(200, { "content-type": ADVERTISEMENT_TYPE });
        response.end(advertisement(["refs/tags/v1.0.0"]));
      } else {
        response.writeHead(301, { location: to }).end();
      }
      return true;
    });
    const credential = { username: "u", password: "secret" };
    expect(await listGitTags(`${host.origin}/moved/mods.git`, { credential })).toEqual(["v1.0.0"]);
    await expect(listGitTags(`${host.origin}/away/mods.git`, { credential })).rejects.toThrow(
      `redirected to another host (${other.origin}); not followed`,
    );
    expect(host.received.map((r) => [r.url, r.authorization !== undefined])).toEqual([
      ["/moved/mods.git/info/refs?service=git-upload-pack", true],
      ["/acme/mods.git/info/refs?service=git-upload-pack", true],
      ["/away/mods.git/info/refs?service=git-upload-pack", true],
    ]);
    expect(other.received).toEqual([]);
  });

  it("refuses an answer over 8 MiB", async () => {
    const host = await start((_request, response) => {
      response.writeHead(200, { "content-type": ADVERTISEMENT_TYPE });
      response.end(Buffer.alloc(8 * 1024 * 1024 + 1, "0"));
      return true;
    });
    await expect(listGitTags(`${host.origin}/acme/mods.git`)).rejects.toThrow(
      "the answer is larger than 8 MiB; refused",
    );
  });

  it("reads the tags of a real repository served by git http-backend", async () => {
    const root = mkdtempSync(join(tmpdir(), "promoter-git-"));
    try {
      const git = (...args: string[]) =>
        execFileSync("git", args, {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? "",
            GIT_AUTHOR_NAME: "t",
            GIT_AUTHOR_EMAIL: "t@example.com",
            GIT_COMMITTER_NAME: "t",
            GIT_COMMITTER_EMAIL: "t@example.com",
            GIT_CONFIG_NOSYSTEM: "1",
            HOME: root,
          },
        });
      git("init", "-q", "work");
      git("-C", "work", "commit", "-q", "--allow-empty", "-m", "one");
      git("-C", "work", "tag", "v1.0.0");
      git("-C", "work", "tag", "-a", "v1.1.0", "-m", "annotated");
      git("-C", "work", "tag", "vpc-v2.0.0");
      git("clone", "-q", "--bare", "work", "acme/mods.git");
      const head = git("-C", "work", "rev-parse", "HEAD").toString().trim();
      const host = await start(serveGitHttpBackend(root));
      const commits = new Map<string, string>();
      const tags = await listGitTags(`${host.origin}/acme/mods.git`, { commits });
      expect(tags.sort()).toEqual(["v1.0.0", "v1.1.0", "vpc-v2.0.0"]);
      // The annotated tag's object is not the commit: its peeled line gives the commit.
      expect(git("-C", "work", "rev-parse", "v1.1.0").toString().trim()).not.toBe(head);
      expect(Object.fromEntries(commits)).toEqual({
        "v1.0.0": head,
        "v1.1.0": head,
        "vpc-v2.0.0": head,
      });
      expect(host.received).toEqual([
        { method: "GET", url: "/acme/mods.git/info/refs?service=git-upload-pack" },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
