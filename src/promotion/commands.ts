import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
import { isVersionShaped } from "../versions/version-shape.js";
import { code } from "./markdown.js";
import { HOLD_LABEL } from "./pull-request-content.js";

/** A command read from a comment. */
export type Command =
  | {
      kind: "promote";
      environment?: string;
      dependency?: string;
      version?: string;
      /** `--skip-soak`: the environment before may still be soaking (`verify.soak`), not failing. */
      skipSoak?: true;
    }
  | { kind: "help" }
  /** `/promoter onboard`: open the onboarding pull request, even if one was closed before. */
  | { kind: "onboard" }
  /** `message` is Markdown; the comment's own text appears in it only as code spans. */
  | { kind: "invalid"; message: string };

type Root = ReturnType<typeof fromMarkdown>;
type Block = Root["children"][number];
type Inline = Extract<Block, { type: "paragraph" }>["children"][number];

const COMMAND_LINE = /^\/(promote|promoter|help)(?:[ \t]+(.*))?$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]+$/;
/** A dependency id segment, as ids are made of path segments (`org/repo/sub`, `ns/name/provider`). */
const ID_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_ID_LENGTH = 200;
/** The input a reply quotes back is cut to this many characters. */
const MAX_ECHO = 60;
/** HTML elements without content: they open nothing that later blocks could be inside. */
const VOID_ELEMENTS = new Set(
  "area base br col embed hr img input link meta param source track wbr".split(" "),
);
/** An HTML tag; no `<` inside, so that matching stays linear in the text. */
const TAG = /<(\/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>/g;

/**
 * Whether `text` is a dependency id: path segments (`org/repo/<subpath>`, `namespace/name/provider`) of
 * letters, digits, `.`, `_` and `-`, at least two, none of them `.`-led or `..`, as a branch name can
 * carry them.
 */
export function isDependencyId(text: string): boolean {
  if (text.length > MAX_ID_LENGTH || text.includes("..")) return false;
  const segments = text.split("/");
  return (
    segments.length >= 2 &&
    segments.every((s) => ID_SEGMENT.test(s) && !s.endsWith(".lock") && !s.endsWith("."))
  );
}

/** `text` as a code span, cut short when long: how a reply quotes what someone wrote. */
function quote(text: string): string {
  return code(text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text);
}

/**
 * How much of a comment is read for a command. Parsing Markdown (with GFM) costs up to some 25 µs of CPU
 * a character on hostile text, all of it blocking the event loop, and a comment may hold 64 KB; the
 * command is what a person typed, not what they pasted around it.
 */
export const MAX_COMMAND_SOURCE = 8_192;

/** A line that starts (after spaces) like a command: the cheap test before any parsing. */
const COMMAND_START = /(?:^|[\r\n])[ \t]*\/(?:promote|help)/;

/**
 * The part of a comment where a command is looked for: its first {@link MAX_COMMAND_SOURCE}
 * characters, cut after the last whole line; undefined when no line there starts with `/promote` or
 * `/help` (most comments: no Markdown is parsed for them).
 */
export function commandSource(body: string): string | undefined {
  const source =
    body.length <= MAX_COMMAND_SOURCE
      ? body
      : body.slice(0, Math.max(0, body.lastIndexOf("\n", MAX_COMMAND_SOURCE)));
  return COMMAND_START.test(source) ? source : undefined;
}

/**
 * The command of a comment: the first line, in a paragraph at the top level of the comment (as GitHub
 * renders it), that starts with `/promote`, `/promoter` or `/help`, within {@link commandSource}. Code
 * blocks and spans, HTML (blocks, comments, and what an HTML block leaves open), block quotes, lists,
 * tables, emphasis and links are not read: a command shown, quoted or hidden there is not one.
 * Undefined when the comment has none.
 */
export function parseCommand(body: string): Command | undefined {
  const source = commandSource(body);
  if (source === undefined) return undefined;
  for (const line of commandCandidates(source)) {
    const match = COMMAND_LINE.exec(line);
    if (!match) continue;
    const [, name, rest = ""] = match;
    const args = rest.split(/[ \t]+/).filter(Boolean);
    if (name === "help") return { kind: "help" };
    if (name === "promoter") {
      if (args.length === 0 || (args.length === 1 && args[0] === "help")) return { kind: "help" };
      if (args.length === 1 && args[0] === "onboard") return { kind: "onboard" };
      return {
        kind: "invalid",
        message: `unknown command ${quote(`/promoter ${args.join(" ")}`)}`,
      };
    }
    return parsePromote(args);
  }
  return undefined;
}

/** The lines of the comment's plain top-level paragraphs, trimmed, in order. */
function* commandCandidates(body: string): Generator<string> {
  const tree = fromMarkdown(body, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  // Elements opened by earlier HTML (blocks, or tags in a paragraph) and not closed yet: what follows is inside them.
  let openElements = 0;
  for (const block of tree.children) {
    const before = openElements;
    for (const html of htmlIn(block))
      openElements = Math.max(0, openElements + elementBalance(html));
    if (block.type !== "paragraph" || before > 0) continue;
    if (block.children.some(hasCodeOrHtml)) continue;
    yield* plainLines(body, block.children);
  }
}

/** The HTML in a block: the block itself, or tags anywhere inside it. */
function htmlIn(node: Block | Inline): string[] {
  if (node.type === "html") return [node.value];
  if (!("children" in node)) return [];
  return (node.children as (Block | Inline)[]).flatMap(htmlIn);
}

/** Elements a piece of HTML opens (positive) or closes (negative). */
function elementBalance(html: string): number {
  let balance = 0;
  for (const [tag, closing, name = ""] of html.matchAll(TAG)) {
    if (VOID_ELEMENTS.has(name.toLowerCase()) || tag.endsWith("/>")) continue;
    balance += closing ? -1 : 1;
  }
  return balance;
}

function hasCodeOrHtml(node: Inline): boolean {
  if (node.type === "inlineCode" || node.type === "html") return true;
  return "children" in node && node.children.some(hasCodeOrHtml);
}

/**
 * The lines of a paragraph made only of plain text, as written (so that an escape or a character
 * reference is not read as what it stands for). A line with emphasis, a link or an image is not plain.
 */
function* plainLines(body: string, children: readonly Inline[]): Generator<string> {
  let line = "";
  let plain = true;
  for (const node of children) {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) return;
    const source = body.slice(start, end);
    const parts = source.split(/\r?\n|\r/);
    if (node.type === "break") {
      if (plain) yield line.trim();
      line = "";
      plain = true;
      continue;
    }
    const isText = node.type === "text";
    for (const [index, part] of parts.entries()) {
      if (index > 0) {
        if (plain) yield line.trim();
        line = "";
        plain = true;
      }
      line += part;
      if (!isText) plain = false;
    }
  }
  if (plain) yield line.trim();
}

function parsePromote(all: string[]): Command {
  const skipSoak = all.includes(SKIP_SOAK);
  const args = all.filter((a) => a !== SKIP_SOAK);
  const command = parsePromoteTarget(args);
  return skipSoak && command.kind === "promote" ? { ...command, skipSoak: true } : command;
}

/** The option of `/promote` that does not wait for the end of a soak. */
const SKIP_SOAK = "--skip-soak";

function parsePromoteTarget(args: string[]): Command {
  if (args.length > 2) {
    return { kind: "invalid", message: "`/promote` takes at most an environment and a dependency" };
  }
  const [environment, target] = args;
  if (environment === undefined) return { kind: "promote" };
  if (!ENVIRONMENT.test(environment)) {
    return { kind: "invalid", message: `${quote(environment)} is not an environment name` };
  }
  if (target === undefined) return { kind: "promote", environment };
  const at = target.indexOf("@");
  const dependency = at === -1 ? target : target.slice(0, at);
  const version = at === -1 ? undefined : target.slice(at + 1);
  if (!isDependencyId(dependency)) {
    return {
      kind: "invalid",
      // `@v1.4.0` alone has no id before the `@`: quote what was written.
      message: `${quote(dependency === "" ? target : dependency)} is not a dependency id such as \`acme/terraform-aws-vpc/vpc@v1.4.0\``,
    };
  }
  if (version === undefined) return { kind: "promote", environment, dependency };
  if (!isVersionShaped(version)) {
    return {
      kind: "invalid",
      message: `${quote(version)} is not a version such as \`v1.4.0\``,
    };
  }
  return { kind: "promote", environment, dependency, version };
}

/** The reply to `/help` and to a command that cannot be read. */
export function helpText(environments: readonly string[]): string {
  const names = environments.map((e) => code(e)).join(" → ");
  return [
    "**Promoter's commands** (for people with write access to this repository):",
    "",
    "- `/promote <environment>`: on a promotion pull request, promote its dependency and version to that environment.",
    "- `/promote <environment> <dependency-id>`: promote that dependency to the version the environment before it runs.",
    "- `/promote <environment> <dependency-id>@<version>`: promote exactly that version, which must run in the environment before it.",
    "- `/promote`: on a promotion pull request, promote to the next environment.",
    "- `--skip-soak` after any of these: promote although the environment before is still soaking (`verify.soak`); its checks must have passed.",
    "- `/promoter onboard`: in a repository without `.github/promoter.yml`, open the pull request that proposes one.",
    "- `/help`: this text.",
    "",
    `Environments: ${names}. Merging a pull request labelled \`promoter:<environment>\` promotes what it changed to the next environment, unless that one is \`promotion: manual\` or the pull request carries \`${HOLD_LABEL}\`.`,
  ].join("\n");
}
