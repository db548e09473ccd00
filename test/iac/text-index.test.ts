import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TextIndex } from "../../src/iac/text-index.js";

/** The definitions, scanning from the start for every offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1) as string).length + 1 };
}

const byteOffset = (text: string, offset: number): number =>
  Buffer.byteLength(text.slice(0, offset));

const piece = fc.constantFrom("a", "bc", "\n", "é", "€", "😀", "\uD800", "\uDC00", "\r\n");

describe("TextIndex", () => {
  it("gives the line, column and byte offset of every offset, as the definitions do", () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 6000 }).map((pieces) => pieces.join("")),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (text, fractions) => {
          const index = new TextIndex(text);
          for (const fraction of fractions) {
            const offset = Math.floor(fraction * text.length);
            expect(index.location(offset)).toEqual(lineColumn(text, offset));
            expect(index.byteOffset(offset)).toBe(byteOffset(text, offset));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("is exact around a surrogate pair that straddles a checkpoint", () => {
    for (let shift = 4090; shift < 4100; shift++) {
      const text = `${"a".repeat(shift)}😀${"é".repeat(5000)}😀\nx`;
      const index = new TextIndex(text);
      for (let offset = shift - 2; offset < shift + 4; offset++) {
        expect(index.byteOffset(offset)).toBe(byteOffset(text, offset));
      }
      expect(index.byteOffset(text.length)).toBe(Buffer.byteLength(text));
      expect(index.location(text.length)).toEqual({ line: 2, column: 2 });
    }
  });
});
