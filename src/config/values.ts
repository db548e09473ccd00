/** How config problems show the values they are about. */

/** Values longer than this are cut short in messages. */
const MAX_SHOWN = 60;

/** A string as a message shows it: quoted, escaped, and cut short past {@link MAX_SHOWN} characters. */
export function quoted(value: string): string {
  if (value.length <= MAX_SHOWN) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, MAX_SHOWN - 3)).slice(0, -1)}…"`;
}

/** What a message says a problem's value was: `(got "x")`. */
export function got(value: unknown): string {
  return `(got ${typeof value === "string" ? quoted(value) : String(value)})`;
}
