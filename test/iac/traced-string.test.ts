import { describe, expect, it } from "vitest";
import {
  MAX_TRACED_SEGMENTS,
  concat,
  originOf,
  traced,
  untraced,
} from "../../src/iac/traced-string.js";

describe("concat", () => {
  it("keeps where each piece was written", () => {
    const joined = concat([
      traced("git::x?ref=", "a.hcl", 10),
      untraced("/"),
      traced("v1", "b.hcl", 3),
    ]);
    expect(joined.text).toBe("git::x?ref=/v1");
    expect(originOf(joined, 12, 14)).toEqual({ file: "b.hcl", offset: 3 });
    expect(originOf(joined, 11, 12)).toBeUndefined();
  });

  it("gives up tracing a string of more pieces than it keeps, so joining it again is cheap", () => {
    const pieces = Array.from({ length: MAX_TRACED_SEGMENTS + 1 }, (_, i) =>
      traced("x", "a.hcl", i),
    );
    const joined = concat(pieces);
    expect(joined.text).toBe("x".repeat(MAX_TRACED_SEGMENTS + 1));
    expect(joined.segments).toHaveLength(1);
    expect(originOf(joined, 0, 1)).toBeUndefined();
    expect(concat(pieces.slice(0, MAX_TRACED_SEGMENTS)).segments).toHaveLength(MAX_TRACED_SEGMENTS);
  });
});
