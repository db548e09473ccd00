import { describe, expect, it } from "vitest";
import {
  createListingCache,
  DEFAULT_LISTING_TTL_SECONDS,
  parseListingTtl,
} from "../../src/versions/listing-cache.js";

describe("parseListingTtl (PROMOTER_LISTING_TTL_SECONDS)", () => {
  it("defaults to 10 minutes when unset or empty", () => {
    expect(DEFAULT_LISTING_TTL_SECONDS).toBe(600);
    expect(parseListingTtl(undefined)).toBe(600);
    expect(parseListingTtl("")).toBe(600);
    expect(parseListingTtl("  ")).toBe(600);
  });

  it("reads a whole number of seconds; 0 turns sharing off", () => {
    expect(parseListingTtl("0")).toBe(0);
    expect(parseListingTtl("60")).toBe(60);
    expect(parseListingTtl(" 3600 ")).toBe(3600);
  });

  it.each(["-1", "1.5", "ten", "10m", "Infinity", "NaN"])(
    "refuses %j with an error naming the variable",
    (value) => {
      expect(() => parseListingTtl(value)).toThrow(
        `PROMOTER_LISTING_TTL_SECONDS must be a non-negative integer (got ${value})`,
      );
    },
  );
});

describe("createListingCache (in memory)", () => {
  it("serves a listing to the same installation within the window only", async () => {
    let now = 0;
    const cache = createListingCache(600, () => now);
    await cache.set(1, "k", ["v1.0.0"]);
    expect(await cache.get(1, "k")).toEqual(["v1.0.0"]);
    expect(await cache.get(2, "k")).toBeUndefined();
    now += 599_999;
    expect(await cache.get(1, "k")).toEqual(["v1.0.0"]);
    now += 1;
    expect(await cache.get(1, "k")).toBeUndefined();
  });

  it("stores nothing with a window of 0, and forgets a dropped listing", async () => {
    const off = createListingCache(0);
    await off.set(1, "k", ["v1.0.0"]);
    expect(await off.get(1, "k")).toBeUndefined();
    const on = createListingCache(600);
    await on.set(1, "k", ["v1.0.0"]);
    await on.delete(1, "k");
    expect(await on.get(1, "k")).toBeUndefined();
  });

  it("drops the oldest listing past its size, and hands out copies", async () => {
    const cache = createListingCache(600, () => 0, 2);
    await cache.set(1, "a", ["v1"]);
    await cache.set(1, "b", ["v2"]);
    await cache.set(1, "c", ["v3"]);
    expect(await cache.get(1, "a")).toBeUndefined();
    const b = await cache.get(1, "b");
    b?.push("changed");
    expect(await cache.get(1, "b")).toEqual(["v2"]);
    expect(await cache.get(1, "c")).toEqual(["v3"]);
  });
});
