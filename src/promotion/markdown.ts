/**
 * Markdown the app writes around text it did not write: dependency ids, versions, paths, people's
 * commands, release notes. Whatever that text holds, it cannot mention anyone, link an issue, add an
 * image, open or close HTML, break out of a table cell, or forge the app's hidden metadata comment.
 */
import type { Nodes, Root } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";

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

/** GitHub rejects a pull request title longer than this. */
export const MAX_TITLE_LENGTH = 256;

/** Control characters, line and paragraph separators and bidirectional overrides: none belongs in a title. */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]+/gu;

/**
 * `text` for a place GitHub shows as one line of plain text (a PR title, a commit's subject): control
 * characters and line breaks become one space, and it is cut to `maxLength` (never inside a character).
 */
export function singleLine(text: string, maxLength = MAX_TITLE_LENGTH): string {
  const flat = text.replace(UNPRINTABLE, " ").replace(/ {2,}/g, " ").trim();
  if (flat.length <= maxLength) return flat;
  const end = isHighSurrogate(flat.charCodeAt(maxLength - 2)) ? maxLength - 2 : maxLength - 1;
  return `${flat.slice(0, end)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** A change to make to one span of the source: `[start, end)` becomes `rewrite(source.slice(start, end))`. */
interface SourceEdit {
  start: number;
  end: number;
  rewrite: (source: string) => string;
}

/** Links to issues, pull requests and discussions on github.com, which would leave a backlink there. */
const GITHUB_THREAD_URL =
  /\bhttps?:\/\/(?:www\.)?github\.com\/(?=[\w.-]+\/[\w.-]+\/(?:issues|pull|discussions)\/\d)/gi;

/**
 * github.com thread links through GitHub's own redirect, which shows the same page and leaves no
 * "mentioned this" backlink in the module's repository.
 */
function redirectThreadLinks(source: string): string {
  return source.replace(GITHUB_THREAD_URL, "https://redirect.github.com/");
}

/** Character references GitHub would render as `@` or `#` (then read as a mention or a reference). */
const ENCODED_AT = /&(?:#0*64|#[xX]0*40|commat);/g;
const ENCODED_HASH = /&(?:#0*35|#[xX]0*23|num);/g;

/**
 * Every `<` of text as a character reference (an escaped one too: `\<` becomes `&lt;`), renders the
 * same and keeps any other parser from reading a tag there.
 */
function escapeAngles(source: string): string {
  return source.replace(/(\\*)</g, (_, slashes: string) =>
    slashes.length % 2 === 1 ? `${slashes.slice(1)}&lt;` : `${slashes}&lt;`,
  );
}

/**
 * The source of text (or of raw HTML, to be shown as text) with its `<` escaped, its mentions and
 * references defused (also those a backslash escape or a character reference would complete once
 * rendered: `\@carol`, `&#64;carol`, `#&#49;2`) and its github.com thread links redirected.
 */
function defuseTextSource(source: string): string {
  return neutralizeMentions(
    redirectThreadLinks(escapeAngles(source))
      .replace(ENCODED_AT, `@${ZERO_WIDTH_SPACE}`)
      .replace(ENCODED_HASH, `#${ZERO_WIDTH_SPACE}`),
  )
    .replace(/@(?=[\\&])/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/#(?=[\\&])/g, `#${ZERO_WIDTH_SPACE}`);
}

/** An autolink (`<https://…>`, `www.…`, `https://…`, an email address): its text is its address. */
function isAutolink(node: Nodes): boolean {
  if (node.type !== "link" || node.children.length !== 1) return false;
  const [child] = node.children;
  if (child?.type !== "text") return false;
  return [child.value, `mailto:${child.value}`, `http://${child.value}`].includes(node.url);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The fence that closes a fenced code block left open at the end of the text, if there is one. */
function missingFence(node: Nodes, source: string): string | undefined {
  if (node.type !== "code") return undefined;
  const text = source.slice(node.position?.start.offset ?? 0, node.position?.end.offset ?? 0);
  const opening = FENCE.exec(text)?.[1];
  if (opening === undefined) return undefined;
  const lines = text.split("\n");
  const last = lines[lines.length - 1] ?? "";
  const closing = new RegExp(`^ {0,3}${opening[0] === "`" ? "`" : "~"}{${opening.length},}[ \t]*$`);
  return lines.length > 1 && closing.test(last) ? undefined : opening;
}

function parseMarkdown(text: string): Root {
  return fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

/**
 * The edits one pass of {@link defuseMarkdown} makes, and the fence to append; undefined when the
 * syntax tree does not say where some text is (then it cannot be edited in place).
 */
function defusingEdits(
  text: string,
): { edits: SourceEdit[]; append: string; html: boolean } | undefined {
  const edits: SourceEdit[] = [];
  let append = "";
  let html = false;
  let located = true;
  const code: [number, number][] = [];
  const visit = (node: Nodes, parent: Nodes | undefined) => {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) {
      located = false;
      return;
    }
    if (node.type === "code" || node.type === "inlineCode") {
      code.push([start, end]);
      const fence = parent?.type === "root" ? missingFence(node, text) : undefined;
      if (fence !== undefined) append = `${text.endsWith("\n") ? "" : "\n"}${fence}`;
    } else if (node.type === "html" || node.type === "text") {
      // Raw HTML becomes the text it is: with every `<` a character reference, no tag or comment opens.
      html ||= node.type === "html";
      edits.push({ start, end, rewrite: defuseTextSource });
    } else if ("children" in node && !isAutolink(node)) {
      for (const child of node.children) visit(child, node);
    }
  };
  visit(parseMarkdown(text), undefined);
  if (!located) return undefined;
  // Everything else (link destinations, autolinks, syntax) keeps its characters but not its backlinks.
  const taken = [...edits.map((e): [number, number] => [e.start, e.end]), ...code].sort(
    (a, b) => a[0] - b[0],
  );
  let at = 0;
  for (const [start, end] of taken) {
    if (start > at) edits.push({ start: at, end: start, rewrite: redirectThreadLinks });
    at = Math.max(at, end);
  }
  if (at < text.length) edits.push({ start: at, end: text.length, rewrite: redirectThreadLinks });
  return { edits: edits.sort((a, b) => a.start - b.start), append, html };
}

function applyEdits(text: string, edits: readonly SourceEdit[]): string {
  let out = "";
  let at = 0;
  for (const edit of edits) {
    if (edit.start < at) continue;
    out += text.slice(at, edit.start) + edit.rewrite(text.slice(edit.start, edit.end));
    at = edit.end;
  }
  return out + text.slice(at);
}

/**
 * Characters without which markdown cannot hold HTML, code, a mention, a reference, a thread link or
 * a hidden comment: text with none of them is safe as it is.
 */
const MAYBE_UNSAFE = /[<@#&`~\\]|gh-|github\.com|-->/i;

/** At most this many passes; escaping can turn an HTML block back into markdown that needs another. */
const MAX_PASSES = 8;

/**
 * Markdown written by someone else (release notes, messages that quote input), kept as markdown with
 * its formatting, made safe to embed in the app's own markdown: raw HTML is shown as text (so
 * `</details>`, `<details>`, unclosed tags and `<!--` cannot open or close the app's structure), a
 * fenced code block left open is closed, mentions and issue references are defused (also
 * `` `x`@carol ``, `_@peggy_`, `@@erin`, `org/repo#12`), github.com links to issues and pull requests
 * go through redirect.github.com (no backlink), and no hidden comment survives in the raw text.
 * Code spans and blocks keep their content. Should a pass leave something unsafe, the text is shown
 * as one code block instead.
 */
export function defuseMarkdown(text: string): string {
  if (!MAYBE_UNSAFE.test(text)) return text;
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const found = defusingEdits(current);
    if (!found) break;
    current = applyEdits(current, found.edits) + found.append;
    // Defusing text changes no block; escaping HTML or closing a fence can, so the result is read again.
    if (!found.html && found.append === "") return defuseHiddenComments(current);
  }
  return codeBlock(text);
}

/** `text` as one fenced code block that nothing inside can close. */
export function codeBlock(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}\n${defuseHiddenComments(text)}\n${fence}`;
}

/**
 * A message written by the app that quotes input (a warning, a reason, an error), made one line of
 * markdown that keeps its code spans but holds no HTML, mention or reference.
 */
export function inlineMarkdown(text: string): string {
  return defuseMarkdown(text.replace(/\r\n|\r|\n/g, " ")).replace(/\n/g, " ");
}

/**
 * A markdown link to `url` labelled `label` (markdown the app wrote), only for a plain https URL
 * (no space, bracket, parenthesis, angle bracket or quote); otherwise the label alone.
 */
export function httpsLink(label: string, url: string | undefined): string {
  if (!url || !/^https:\/\/[^\s()[\]<>"'`\\]+$/.test(url)) return label;
  return `[${label}](${url})`;
}
