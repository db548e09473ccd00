/**
 * A file's bytes and the text the scanner reads from them. The bytes are what is edited and written
 * back; the text is their UTF-8 decoding, in which every invalid sequence became one U+FFFD (three
 * bytes once re-encoded), so byte offsets in the text differ from offsets in the bytes after one.
 */
import { isUtf8 } from "node:buffer";
import { blobSha } from "./blob-sha.js";
import type { SourceFile } from "./types.js";

/** UTF-8 length of U+FFFD, the replacement of one invalid sequence in the decoded text. */
const REPLACEMENT_BYTES = 3;

/**
 * The file at `path` with these bytes: `content` is their UTF-8 decoding (a byte order mark kept,
 * invalid sequences replaced by U+FFFD), `hash` their git blob SHA unless the caller knows it.
 */
export function sourceFile(path: string, bytes: Buffer, hash: string = blobSha(bytes)): SourceFile {
  return { path, bytes, content: bytes.toString("utf8"), hash };
}

/** A run of bytes that is not valid UTF-8 and that decoding replaces by one U+FFFD. */
export interface InvalidSequence {
  start: number;
  length: number;
}

/**
 * The invalid sequences of `bytes`, in order, cut as the WHATWG UTF-8 decoder (Node's and the web's)
 * cuts them: a lead byte with the continuation bytes it accepted so far is one sequence; a byte that
 * cannot continue it starts over. Empty for valid UTF-8.
 */
export function invalidSequences(bytes: Uint8Array): InvalidSequence[] {
  const found: InvalidSequence[] = [];
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (needed > 0) {
      if (byte >= lower && byte <= upper) {
        lower = 0x80;
        upper = 0xbf;
        if (++seen === needed) needed = 0;
        continue;
      }
      // The sequence ends before this byte, which is read again as the start of the next one.
      found.push({ start, length: i - start });
      needed = 0;
      lower = 0x80;
      upper = 0xbf;
    }
    if (byte <= 0x7f) continue;
    start = i;
    seen = 0;
    if (byte >= 0xc2 && byte <= 0xdf) needed = 1;
    else if (byte >= 0xe0 && byte <= 0xef) {
      needed = 2;
      if (byte === 0xe0) lower = 0xa0;
      if (byte === 0xed) upper = 0x9f;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      needed = 3;
      if (byte === 0xf0) lower = 0x90;
      if (byte === 0xf4) upper = 0x8f;
    } else found.push({ start: i, length: 1 });
  }
  if (needed > 0) found.push({ start, length: bytes.length - start });
  return found;
}

/**
 * Maps UTF-8 byte offsets of `bytes`' decoded text (the offsets the scanner reports) to offsets in
 * `bytes`. The same offsets for valid UTF-8. An offset inside a replacement character has no place in
 * the bytes: undefined.
 */
export function decodedToRawOffsets(bytes: Buffer): (decodedOffset: number) => number | undefined {
  if (isUtf8(bytes)) return (offset) => offset;
  // Where each invalid sequence starts in the decoded text, and the shift in effect after it.
  const starts: number[] = [];
  const shifts: number[] = [];
  let shift = 0;
  for (const { start, length } of invalidSequences(bytes)) {
    starts.push(start + shift);
    shift += REPLACEMENT_BYTES - length;
    shifts.push(shift);
  }
  return (offset) => {
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((starts[middle] as number) < offset) low = middle + 1;
      else high = middle;
    }
    // `low` sequences start before the offset; the offset must not fall inside the last one's U+FFFD.
    const last = low - 1;
    if (last >= 0 && offset < (starts[last] as number) + REPLACEMENT_BYTES) return undefined;
    return offset - (last >= 0 ? (shifts[last] as number) : 0);
  };
}
