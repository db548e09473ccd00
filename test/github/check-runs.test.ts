import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_OUTPUT_BYTES, truncateUtf8, writeCheckRun } from "../../src/github/check-runs.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "live" };

const client = testOctokit;

useNock();
afterEach(() => vi.useRealTimers());

describe("writeCheckRun", () => {
  it("creates a completed `promoter` check run on the commit", async () => {
    vi.useFakeTimers({ now: new Date("2024-06-01T12:00:00Z"), toFake: ["Date"] });
    nock(API)
      .post("/repos/acme/live/check-runs", {
        name: "promoter",
        head_sha: "c0ffee",
        status: "completed",
        conclusion: "success",
        completed_at: "2024-06-01T12:00:00.000Z",
        output: { title: "3 dependencies, 1 update", summary: "| env | dep |", text: "details" },
      })
      .reply(201, { id: 4242 });
    await expect(
      writeCheckRun(client(), REPO, {
        headSha: "c0ffee",
        conclusion: "success",
        title: "3 dependencies, 1 update",
        summary: "| env | dep |",
        text: "details",
      }),
    ).resolves.toEqual({ id: 4242 });
  });

  it("cuts an oversized summary and text to GitHub's byte limit, and a long title", async () => {
    const line = "| dev | acme/vpc/aws | v1.0.0 → v1.1.0 | ✓ |\n"; // multi-byte characters
    const summary = line.repeat(3000);
    let sent: { output: { title: string; summary: string; text?: string } } | undefined;
    nock(API)
      .post("/repos/acme/live/check-runs", (body: NonNullable<typeof sent>) => {
        sent = body;
        return true;
      })
      .reply(201, { id: 1 });
    await writeCheckRun(client(), REPO, {
      headSha: "c0ffee",
      conclusion: "failure",
      title: "x".repeat(300),
      summary,
      text: "é".repeat(40_000),
    });
    const output = sent!.output;
    expect([...output.title]).toHaveLength(255);
    expect(output.title.endsWith("…")).toBe(true);
    expect(Buffer.byteLength(output.summary)).toBeLessThanOrEqual(MAX_OUTPUT_BYTES);
    expect(summary.startsWith(output.summary.split("\n\n… truncated")[0]!)).toBe(true);
    expect(output.summary).toMatch(/\n\n… truncated: [\d,]+ more bytes not shown\.$/);
    // cut at a line boundary: the kept part is whole lines
    expect(output.summary.split("\n\n… truncated")[0]!.endsWith("✓ |")).toBe(true);
    expect(Buffer.byteLength(output.text!)).toBeLessThanOrEqual(MAX_OUTPUT_BYTES);
    expect(output.text).toMatch(/^é+\n\n… truncated/);
  });
});

describe("truncateUtf8", () => {
  it("leaves a text that fits alone", () => {
    expect(truncateUtf8("short", 10)).toBe("short");
    expect(truncateUtf8("ééééé", 10)).toBe("ééééé");
  });

  it("accounts exactly for the omitted bytes and never splits a character", () => {
    const text = "€".repeat(100); // 3 bytes each
    const cut = truncateUtf8(text, 100);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(100);
    const [kept, note] = cut.split("\n\n… truncated: ");
    expect(kept).toMatch(/^€+$/);
    expect(note).toBe(`${300 - Buffer.byteLength(kept!)} more bytes not shown.`);
  });
});
