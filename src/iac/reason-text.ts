/** The longest expression quoted in a reason. */
const MAX_QUOTED_LENGTH = 60;

/** The longest source address quoted in a reason: addresses are long, and worth reading whole. */
export const MAX_QUOTED_ADDRESS_LENGTH = 200;

/** The longest reason: one that quotes several pieces still fits a line of a report. */
const MAX_REASON_LENGTH = 400;

/** Text on one line: every run of white space that holds a line break becomes one space. */
function collapsed(text: string): string {
  return text.replace(/\s*[\n\r\u2028\u2029]\s*/g, " ");
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A piece of a file's text (an expression, an address) as a reason quotes it: on one line, cut at `max` characters (60). */
export function quoted(text: string, max = MAX_QUOTED_LENGTH): string {
  return cut(collapsed(text), max);
}

/** A reason as reports show it: on one line, at most 400 characters. */
export function oneLine(reason: string): string {
  return cut(collapsed(reason), MAX_REASON_LENGTH);
}
