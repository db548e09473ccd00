/** Characters between two byte-offset checkpoints of a text that is not all ASCII. */
const CHECKPOINT_STRIDE = 4096;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Line, column and UTF-8 byte offset of string offsets in one text. Built once per text in linear time
 * (the line index and the byte checkpoints only when first needed); each lookup is then a binary search
 * plus at most one stride of characters, so locating every usage of a file stays linear in its size.
 */
export class TextIndex {
  private lineStarts?: number[];
  /** Undefined until needed; empty when the text is all ASCII (byte offset = string offset). */
  private checkpoints?: { at: number[]; bytes: number[] };

  constructor(readonly text: string) {}

  /** 1-based line and column (in UTF-16 code units) of a string offset. */
  location(offset: number): { line: number; column: number } {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    // The last line start at or before the offset: a newline at the offset itself ends the line.
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (starts[low] as number) + 1 };
  }

  /** UTF-8 byte offset of a string offset (what `Buffer.byteLength(text.slice(0, offset))` gives). */
  byteOffset(offset: number): number {
    const checkpoints = (this.checkpoints ??= checkpointsOf(this.text));
    if (checkpoints.at.length === 0) return Math.min(offset, this.text.length);
    let k = Math.min(Math.floor(offset / CHECKPOINT_STRIDE), checkpoints.at.length - 1);
    if ((checkpoints.at[k] as number) > offset) k--;
    const from = checkpoints.at[k] as number;
    return (checkpoints.bytes[k] as number) + Buffer.byteLength(this.text.slice(from, offset));
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Byte offsets every stride characters, never between the two halves of a surrogate pair. */
function checkpointsOf(text: string): { at: number[]; bytes: number[] } {
  if (Buffer.byteLength(text) === text.length) return { at: [], bytes: [] };
  const at = [0];
  const bytes = [0];
  for (let k = 1; k * CHECKPOINT_STRIDE < text.length; k++) {
    let position = k * CHECKPOINT_STRIDE;
    if (isHighSurrogate(text.charCodeAt(position - 1)) && isLowSurrogate(text.charCodeAt(position)))
      position++;
    const previous = at[at.length - 1] as number;
    bytes.push(
      (bytes[bytes.length - 1] as number) + Buffer.byteLength(text.slice(previous, position)),
    );
    at.push(position);
  }
  return { at, bytes };
}
