import { describe, expect, it } from "vitest";
import { BlobCache, DEFAULT_BLOB_CACHE_BYTES } from "../../src/github/blob-cache.js";

const bytes = (text: string) => Buffer.from(text, "utf8");

describe("BlobCache", () => {
  it("defaults to 256 MiB", () => {
    expect(new BlobCache().maxBytes).toBe(DEFAULT_BLOB_CACHE_BYTES);
    expect(DEFAULT_BLOB_CACHE_BYTES).toBe(256 * 1024 * 1024);
  });

  it("counts bytes and replaces an entry's size on set", () => {
    const cache = new BlobCache(100);
    cache.set("a", bytes("héllo")); // é is 2 bytes
    expect(cache.bytes).toBe(6);
    cache.set("a", bytes("hi"));
    expect(cache.bytes).toBe(2);
    expect(cache.size).toBe(1);
    expect(cache.get("a")).toEqual(bytes("hi"));
  });

  it("holds bytes exactly, also those that are not UTF-8", () => {
    const cache = new BlobCache(100);
    const latin1 = Buffer.from("# Gr\u00fc\u00dfe\n", "latin1");
    cache.set("l", latin1);
    expect(cache.bytes).toBe(latin1.length);
    expect(cache.get("l")?.equals(latin1)).toBe(true);
  });

  it("evicts the least recently used entries beyond the byte bound", () => {
    const cache = new BlobCache(10);
    cache.set("a", bytes("aaaa"));
    cache.set("b", bytes("bbbb"));
    expect(cache.get("a")).toEqual(bytes("aaaa")); // a is now more recent than b
    cache.set("c", bytes("cccc"));
    expect(cache.has("b")).toBe(false);
    expect(cache.get("a")).toEqual(bytes("aaaa"));
    expect(cache.get("c")).toEqual(bytes("cccc"));
    expect(cache.bytes).toBe(8);
    expect(cache.size).toBe(2);
  });

  it("does not keep a content larger than the whole bound, nor evict for it", () => {
    const cache = new BlobCache(4);
    cache.set("a", bytes("aa"));
    cache.set("big", bytes("xxxxx"));
    expect(cache.has("big")).toBe(false);
    expect(cache.get("a")).toEqual(bytes("aa"));
  });

  it("deletes and clears", () => {
    const cache = new BlobCache(100);
    cache.set("a", bytes("1"));
    cache.set("b", bytes("22"));
    expect(cache.delete("a")).toBe(true);
    expect(cache.delete("a")).toBe(false);
    expect(cache.bytes).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
    expect(cache.get("b")).toBeUndefined();
  });

  it("rejects a negative bound", () => {
    expect(() => new BlobCache(-1)).toThrow(/non-negative/);
  });
});

describe("BlobCache as a BlobStore", () => {
  it("answers getMany with the held blobs only, and setMany keeps each", async () => {
    const cache = new BlobCache(100);
    await cache.setMany(
      new Map([
        ["a", bytes("A")],
        ["b", bytes("B")],
      ]),
    );
    expect(await cache.getMany(["a", "x", "b"])).toEqual(
      new Map([
        ["a", bytes("A")],
        ["b", bytes("B")],
      ]),
    );
  });
});
