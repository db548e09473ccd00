import { describe, expect, it } from "vitest";
import { MAX_BLOB_READS, snapshotRead } from "../../src/iac/snapshot-read.js";

describe("snapshotRead", () => {
  it.each([
    { truncated: false, uncached: 0, read: "blobs" },
    { truncated: false, uncached: 2, read: "blobs" },
    { truncated: false, uncached: MAX_BLOB_READS, read: "blobs" },
    { truncated: false, uncached: MAX_BLOB_READS + 1, read: "tarball" },
    { truncated: false, uncached: 20_000, read: "tarball" },
    { truncated: true, uncached: 0, read: "tarball" },
    { truncated: true, uncached: 1, read: "tarball" },
  ] as const)("truncated $truncated, $uncached uncached → $read", ({ read, ...facts }) => {
    expect(snapshotRead(facts)).toBe(read);
  });
});
