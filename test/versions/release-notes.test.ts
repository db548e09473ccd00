import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { useNock } from "../support/nock-github.js";
import type { GitHubClient } from "../../src/github/clients.js";
import { releaseNotes } from "../../src/versions/release-notes.js";

const API = "https://api.github.com";
const repository = { owner: "acme", repo: "modules", htmlBaseUrl: "https://github.com" };
const COMPARE = "https://github.com/acme/modules/compare/v1.0.0...v1.3.0";

function client(): GitHubClient {
  return new ProbotOctokit({
    auth: { token: "test" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

interface ReleaseFixture {
  tag_name: string;
  name?: string | null;
  body?: string | null;
  draft?: boolean;
  prerelease?: boolean;
}

const release = (tag: string, fields: Partial<ReleaseFixture> = {}): ReleaseFixture => ({
  tag_name: tag,
  name: tag,
  body: `Changes in ${tag}.`,
  draft: false,
  prerelease: false,
  ...fields,
});

function releasesPage(page: number, releases: ReleaseFixture[]) {
  return nock(API)
    .get("/repos/acme/modules/releases")
    .query({ per_page: "100", page: String(page) })
    .reply(200, releases);
}

useNock();

describe("releaseNotes", () => {
  it("lists the releases in (from, to], newest first, without drafts", async () => {
    releasesPage(1, [
      release("v1.4.0"),
      release("v1.3.0", { name: "Networking overhaul" }),
      release("v1.3.1-rc.1", { prerelease: true }),
      release("v1.2.5", { body: "Backport.\r\n" }), // a backport released after v1.3.0
      release("v1.3.0-rc.1", { prerelease: true, name: "" }),
      release("v1.2.9", { draft: true }),
      release("v1.2.0", { body: null }),
      release("not-a-version"),
      release("v1.0.0"),
      release("v0.9.0"),
    ]);
    const notes = await releaseNotes(client(), repository, "v1.0.0", "v1.3.0");
    expect(notes).toBe(
      [
        "### Networking overhaul",
        "Changes in v1.3.0.",
        "### v1.3.0-rc.1",
        "Changes in v1.3.0-rc.1.",
        "### v1.2.5",
        "Backport.",
        "### v1.2.0",
        `**Full changelog**: ${COMPARE}`,
      ].join("\n\n"),
    );
  });

  it("reads the next page only until it is past `from`", async () => {
    const newer = Array.from({ length: 100 }, (_, i) => release(`v2.0.${99 - i}`));
    releasesPage(1, newer);
    releasesPage(2, [release("v1.3.0"), release("v1.1.0"), release("v1.0.0")]);
    // No page 3: reading it would fail the test (no network, no interceptor).
    const notes = await releaseNotes(client(), repository, "v1.0.0", "v2.0.1");
    expect(notes.match(/^### /gm)).toHaveLength(4);
    expect(notes.startsWith("### v2.0.1\n\nChanges in v2.0.1.\n\n### v2.0.0\n\n")).toBe(true);
    expect(notes).toContain("### v1.3.0\n\nChanges in v1.3.0.\n\n### v1.1.0");
  });

  it("stops after the first page when it already reaches `from`", async () => {
    const page = Array.from({ length: 100 }, (_, i) => release(`v1.0.${99 - i}`));
    releasesPage(1, page);
    const notes = await releaseNotes(client(), repository, "v1.0.97", "v1.0.99");
    expect(notes.match(/^### .*$/gm)).toEqual(["### v1.0.99", "### v1.0.98"]);
  });

  it("trims long bodies to fit the limit, keeping short ones and the compare link", async () => {
    const long = (n: number) => `${"x".repeat(n)}\n\ntail that is cut`;
    releasesPage(1, [
      release("v1.3.0", { body: long(30_000) }),
      release("v1.2.0", { body: "Small fix." }),
      release("v1.1.0", { body: long(50_000) }),
      release("v1.0.0"),
    ]);
    const notes = await releaseNotes(client(), repository, "v1.0.0", "v1.3.0", {
      maxLength: 20_000,
    });
    expect(notes.length).toBeLessThanOrEqual(20_000);
    expect(notes.length).toBeGreaterThan(19_900);
    expect(notes.endsWith(`**Full changelog**: ${COMPARE}`)).toBe(true);
    expect(notes).toContain("### v1.2.0\n\nSmall fix.\n\n");
    expect(notes.match(/… \(truncated\)/g)).toHaveLength(2);
    expect(notes).not.toContain("tail that is cut");
    expect(notes.indexOf("### v1.3.0")).toBeLessThan(notes.indexOf("### v1.1.0"));
  });

  it("keeps within GitHub's PR body limit by default", async () => {
    releasesPage(
      1,
      Array.from({ length: 30 }, (_, i) =>
        release(`v1.${30 - i}.0`, { body: "y".repeat(10_000) }),
      ).concat(release("v1.0.0")),
    );
    const notes = await releaseNotes(client(), repository, "v1.0.0", "v1.30.0");
    expect(notes.length).toBeLessThanOrEqual(40_000);
    expect(notes.match(/^### /gm)).toHaveLength(30);
    expect(notes.endsWith("/compare/v1.0.0...v1.30.0")).toBe(true);
  });

  it("drops the oldest releases when even their titles do not fit", async () => {
    releasesPage(1, [
      ...Array.from({ length: 20 }, (_, i) => release(`v1.${20 - i}.0`, { name: "n".repeat(50) })),
      release("v1.0.0"),
    ]);
    const notes = await releaseNotes(client(), repository, "v1.0.0", "v1.20.0", { maxLength: 500 });
    expect(notes.length).toBeLessThanOrEqual(500);
    expect(notes).toMatch(/… and \d+ older release\(s\), see the comparison\./);
    expect(notes.endsWith("/compare/v1.0.0...v1.20.0")).toBe(true);
  });

  it("closes a code block and drops an HTML comment that a cut leaves open", async () => {
    releasesPage(1, [
      release("v1.1.0", { body: `Intro\n\n\`\`\`hcl\n${"a = 1\n".repeat(200)}\`\`\`\n\nEnd` }),
      release("v1.0.1", { body: `Before <!-- ${"hidden ".repeat(200)} --> after` }),
      release("v1.0.0"),
    ]);
    const notes = await releaseNotes(client(), repository, "v1.0.0", "v1.1.0", { maxLength: 700 });
    expect(notes.length).toBeLessThanOrEqual(700);
    const first = notes.slice(0, notes.indexOf("### v1.0.1"));
    expect(first.match(/```/g)).toHaveLength(2);
    expect(notes).not.toContain("<!--");
    expect(notes).toContain("Before");
  });

  it("keeps the notes as written, for the PR body to defuse, and keeps a release name on its line", async () => {
    const body = "Thanks @octocat and @acme/platform! Fixes #12. <details>";
    releasesPage(1, [release("v1.1.0", { name: "New\n\n<b>name</b>", body }), release("v1.0.0")]);
    const notes = await releaseNotes(client(), repository, "v1.0.0", "v1.1.0");
    expect(notes).toContain(`### New <b>name</b>\n\n${body}\n\n`);
  });

  it("only counts releases of the module's tag prefix in a monorepo", async () => {
    releasesPage(1, [release("rds-v2.0.0"), release("vpc-v1.1.0"), release("vpc-v1.0.0")]);
    const notes = await releaseNotes(client(), repository, "vpc-v1.0.0", "vpc-v1.1.0", {
      tagPrefix: "vpc-",
    });
    expect(notes).toBe(
      "### vpc-v1.1.0\n\nChanges in vpc-v1.1.0.\n\n**Full changelog**: https://github.com/acme/modules/compare/vpc-v1.0.0...vpc-v1.1.0",
    );
  });

  it("says so when there are no releases in range", async () => {
    releasesPage(1, [release("v1.0.0")]);
    expect(await releaseNotes(client(), repository, "v1.0.0", "v1.3.0")).toBe(
      `No GitHub releases between v1.0.0 and v1.3.0.\n\n**Full changelog**: ${COMPARE}`,
    );
  });

  it("never fails: a missing repository still gets the compare link", async () => {
    nock(API)
      .get("/repos/acme/modules/releases")
      .query({ per_page: "100", page: "1" })
      .reply(404, { message: "Not Found" });
    const warned: string[] = [];
    const notes = await releaseNotes(client(), repository, "v1.0.0", "v1.3.0", {
      log: { warn: (_obj, msg) => warned.push(msg) },
    });
    expect(notes).toBe(
      `Release notes could not be read: acme/modules is not found or not accessible to the app.\n\n**Full changelog**: ${COMPARE}`,
    );
    expect(warned).toEqual(["could not read release notes"]);
  });

  it("links a GitHub Enterprise host", async () => {
    nock("https://ghe.example.com")
      .get("/api/v3/repos/acme/modules/releases")
      .query({ per_page: "100", page: "1" })
      .reply(200, [release("v1.1.0"), release("v1.0.0")]);
    const ghe = new ProbotOctokit({
      baseUrl: "https://ghe.example.com/api/v3",
      auth: { token: "test" },
      retry: { enabled: false },
      throttle: { enabled: false },
    });
    const notes = await releaseNotes(
      ghe,
      { ...repository, htmlBaseUrl: "https://ghe.example.com/" },
      "v1.0.0",
      "v1.1.0",
    );
    expect(notes.endsWith("https://ghe.example.com/acme/modules/compare/v1.0.0...v1.1.0")).toBe(
      true,
    );
  });
});
