import { describe, expect, it } from "vitest";
import { isVersionOf, isVersionShaped } from "../../src/versions/version-shape.js";

describe("isVersionShaped", () => {
  it.each([
    "v1.2.3",
    "1.2.3",
    "v1.2.3-rc.1",
    "1.2.3+build.7",
    "vpc-v1.2.3",
    "vpc_1.2.3",
    "a.b-v0.1.0",
  ])("accepts %j", (text) => expect(isVersionShaped(text)).toBe(true));

  it.each([
    "../../v1.3.0",
    "x/v1.3.0",
    "a b-v1.3.0",
    "v1.3",
    "v1.3.0 ",
    " v1.3.0",
    "v1.3.0\n",
    "-v1.3.0",
    "a..b-v1.3.0",
    ".v1.3.0",
    'v1.3.0"',
    "${local.v}",
    "%2e%2e/v1.3.0",
    "",
    `v1.2.3-${"a".repeat(200)}`,
  ])("refuses %j", (text) => expect(isVersionShaped(text)).toBe(false));
});

describe("isVersionOf", () => {
  it("takes the configured prefix, and only it", () => {
    expect(isVersionOf("vpc-v1.2.3", "vpc-")).toBe(true);
    expect(isVersionOf("v1.2.3", "vpc-")).toBe(false);
    expect(isVersionOf("vpc-v1.2.3")).toBe(false);
    expect(isVersionOf("v1.2.3")).toBe(true);
  });

  it("refuses a configured prefix that could not stand in a file or a branch name", () => {
    expect(isVersionOf("x/v1.2.3", "x/")).toBe(false);
    expect(isVersionOf("../v1.2.3", "../")).toBe(false);
    expect(isVersionOf("a b-v1.2.3", "a b-")).toBe(false);
  });
});
