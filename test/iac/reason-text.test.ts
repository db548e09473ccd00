import { describe, expect, it } from "vitest";
import { oneLine, quoted } from "../../src/iac/reason-text.js";

describe("quoted", () => {
  it.each([
    ["short text, as it is", "local.v", undefined, "local.v"],
    ["line breaks and their indentation, one space", "(\n  a\n  ? b\n)", undefined, "( a ? b )"],
    [
      "longer than 60 characters, cut with an ellipsis",
      "x".repeat(61),
      undefined,
      `${"x".repeat(59)}…`,
    ],
    ["exactly 60 characters, whole", "x".repeat(60), undefined, "x".repeat(60)],
    ["a larger limit", "y".repeat(100), 200, "y".repeat(100)],
    ["a CRLF and a line separator", "a\r\nb\u2028c", undefined, "a b c"],
  ])("%s", (_name, text, max, expected) => {
    expect(quoted(text, max)).toBe(expected);
  });
});

describe("oneLine", () => {
  it("puts a reason on one line and cuts it at 400 characters", () => {
    expect(oneLine("a\n  b")).toBe("a b");
    expect(oneLine("r".repeat(500))).toBe(`${"r".repeat(399)}…`);
  });
});
