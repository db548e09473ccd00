import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blobSha } from "../../src/iac/blob-sha.js";
import { decodedToRawOffsets, invalidSequences, sourceFile } from "../../src/iac/source-file.js";

const REPLACEMENT = Buffer.from("\ufffd");

/** Bytes that are often not UTF-8: lead bytes, continuation bytes, ASCII and whole characters mixed. */
const messyBytes = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((b) => Buffer.from([b])),
      fc
        .constantFrom(0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff)
        .map((b) => Buffer.from([b])),
      fc.string({ unit: "grapheme", maxLength: 3 }).map((s) => Buffer.from(s)),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.concat(parts));

describe("invalidSequences", () => {
  it("cuts the bytes exactly as Node's UTF-8 decoder replaces them (property)", () => {
    fc.assert(
      fc.property(messyBytes, (bytes) => {
        const pieces: Buffer[] = [];
        let at = 0;
        for (const { start, length } of invalidSequences(bytes)) {
          pieces.push(bytes.subarray(at, start), REPLACEMENT);
          at = start + length;
        }
        pieces.push(bytes.subarray(at));
        expect(Buffer.concat(pieces).toString("hex")).toBe(
          Buffer.from(bytes.toString("utf8")).toString("hex"),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it("finds nothing in valid UTF-8, a byte order mark and U+FFFD itself included", () => {
    expect(invalidSequences(Buffer.from("\ufeffé😀\ufffd\r\n"))).toEqual([]);
  });

  it("names the known cases", () => {
    expect(invalidSequences(Buffer.from([0x61, 0xfc, 0x62]))).toEqual([{ start: 1, length: 1 }]);
    // A cut 3-byte sequence is one replacement; an encoded surrogate is three.
    expect(invalidSequences(Buffer.from([0xe2, 0x82, 0x41]))).toEqual([{ start: 0, length: 2 }]);
    expect(invalidSequences(Buffer.from([0xed, 0xa0, 0x80]))).toHaveLength(3);
    expect(invalidSequences(Buffer.from([0x41, 0xf0, 0x9f, 0x98]))).toEqual([
      { start: 1, length: 3 },
    ]);
  });
});

describe("decodedToRawOffsets", () => {
  it("maps the decoded offsets of a token between any bytes to its offsets in the bytes (property)", () => {
    const token = Buffer.from('"v1.0.0"');
    fc.assert(
      fc.property(messyBytes, messyBytes, (before, after) => {
        const bytes = Buffer.concat([before, token, after]);
        // An ASCII byte ends any sequence cut before it: `before` decodes alone as it does here.
        const decodedStart = Buffer.byteLength(before.toString("utf8"));
        const toRaw = decodedToRawOffsets(bytes);
        expect(toRaw(decodedStart)).toBe(before.length);
        expect(toRaw(decodedStart + token.length)).toBe(before.length + token.length);
        expect(Buffer.from(bytes.toString("utf8")).subarray(decodedStart).indexOf(token)).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it("is the identity for valid UTF-8 and has no place inside a replacement character", () => {
    expect(decodedToRawOffsets(Buffer.from("é😀x"))(6)).toBe(6);
    const toRaw = decodedToRawOffsets(Buffer.from([0x61, 0xfc, 0x62]));
    expect([0, 1, 2, 3, 4, 5].map(toRaw)).toEqual([0, 1, undefined, undefined, 2, 3]);
  });
});

describe("sourceFile", () => {
  it("keeps the bytes, decodes them keeping a byte order mark, and hashes the bytes", () => {
    const bytes = Buffer.concat([Buffer.from("\ufeffa"), Buffer.from([0xfc])]);
    expect(sourceFile("x.hcl", bytes)).toEqual({
      path: "x.hcl",
      bytes,
      content: "\ufeffa\ufffd",
      hash: blobSha(bytes),
    });
    expect(sourceFile("x.hcl", bytes, "known").hash).toBe("known");
  });
});
