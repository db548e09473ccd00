/**
 * Markdown the app writes around text it did not write: dependency ids, versions, paths, people's
 * commands, release notes. Whatever that text holds, it cannot mention anyone, link an issue, add an
 * image, open or close HTML, break out of a table cell, or forge the app's hidden metadata comment.
 */

/** Invisible, and enough to stop GitHub from reading `@name` or `#12` as a mention or a reference. */
const ZERO_WIDTH_SPACE = "\u200b";

/**
 * `text` with every HTML comment opener and closer broken (a zero-width space after `<!` and before `>`), so that no
 * copied text can produce a hidden comment, least of all the app's own metadata.
 */
export function defuseHiddenComments(text: string): string {
  return text
    .replace(/<!--/g, `<!${ZERO_WIDTH_SPACE}--`)
    .replace(/--(?=>)/g, `--${ZERO_WIDTH_SPACE}`);
}

/**
 * `text` with mentions (`@user`, `@org/team`) and issue references (`#12`, `GH-12`, `org/repo#12`)
 * defused by a zero-width space, wherever they stand: after a code span, inside emphasis, doubled.
 */
export function neutralizeMentions(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9_-])/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/#(?=\d)/g, `#${ZERO_WIDTH_SPACE}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1-${ZERO_WIDTH_SPACE}`);
}

/**
 * `text` as one inline code span that shows it exactly and renders nothing of it: the fence is longer
 * than any run of backticks inside, line breaks become spaces (a span is one line here), and hidden
 * comments are defused (a span does not render them, but the raw body still holds them).
 */
export function code(text: string): string {
  const flat = defuseHiddenComments(text.replace(/\r\n|\r|\n/g, " "));
  if (flat === "") return "` `";
  const longest = Math.max(0, ...Array.from(flat.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  // CommonMark strips one space from each end when both ends have one: pad so that strip removes ours.
  const pad = /^[` ]|[` ]$/.test(flat) && !/^ +$/.test(flat) ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Characters that mean something to Markdown or HTML when they start, end or sit inside plain text. */
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()<>#+\-.!|~&]/g;

/**
 * `text` as plain inline text: every Markdown and HTML character escaped, line breaks turned into
 * spaces, mentions, references and bare URLs (which GitHub would link) defused.
 */
export function plainText(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, " ");
  const escaped = defuseHiddenComments(flat).replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);
  return neutralizeMentions(escaped)
    .replace(/:(?=\/\/)/g, `:${ZERO_WIDTH_SPACE}`)
    .replace(/\b(www)(?=\\\.)/gi, `$1${ZERO_WIDTH_SPACE}`);
}

/**
 * Markdown (a code span or plain text made by the functions above) made safe inside a GFM table cell:
 * GFM ends a cell at every `|` that is not backslash-escaped, even inside a code span, so each such `|`
 * gets a backslash (a `\|` already escaped stays; inside a code span it then shows as `|`).
 */
export function tableCell(markdown: string): string {
  return markdown.replace(/(\\*)\|/g, (match, slashes: string) =>
    slashes.length % 2 === 0 ? `${slashes}\\|` : match,
  );
}
