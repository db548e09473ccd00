/** A run of a traced string's text that was copied verbatim from a file, starting at `offset` there. */
export interface Segment {
  from: number;
  to: number;
  file?: string;
  offset?: number;
}

/** A string value together with where each piece of it was written, so an edit can go back to the source. */
export interface TracedString {
  text: string;
  segments: Segment[];
}

/** Where a substring of a traced string was written: a file and the string offset of its first character. */
export interface Origin {
  file: string;
  offset: number;
}

/** A string whose characters have no single place in a file (computed, or decoded from escapes). */
export function untraced(text: string): TracedString {
  return { text, segments: text === "" ? [] : [{ from: 0, to: text.length }] };
}

/** A string copied verbatim from `file` at string offset `offset`. */
export function traced(text: string, file: string, offset: number): TracedString {
  return { text, segments: text === "" ? [] : [{ from: 0, to: text.length, file, offset }] };
}

/**
 * The most pieces a traced string keeps the origin of (a source address has a handful). A string
 * joined from more is untraced, so that joining it again costs no more than joining its text.
 */
export const MAX_TRACED_SEGMENTS = 256;

/** Joins strings, keeping each piece's origin (unless there are more than {@link MAX_TRACED_SEGMENTS}). */
export function concat(parts: TracedString[]): TracedString {
  let count = 0;
  for (const part of parts) count += part.segments.length;
  if (count > MAX_TRACED_SEGMENTS) return untraced(parts.map((p) => p.text).join(""));
  let text = "";
  const segments: Segment[] = [];
  for (const part of parts) {
    const shift = text.length;
    for (const s of part.segments) segments.push({ ...s, from: s.from + shift, to: s.to + shift });
    text += part.text;
  }
  return { text, segments };
}

/** Where `text[start, end)` was written, when all of it comes verbatim from one place in one file. */
export function originOf(value: TracedString, start: number, end: number): Origin | undefined {
  for (const s of value.segments) {
    if (s.from <= start && end <= s.to) {
      if (s.file === undefined || s.offset === undefined) return undefined;
      return { file: s.file, offset: s.offset + (start - s.from) };
    }
  }
  return undefined;
}
