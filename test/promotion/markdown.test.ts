import fc from "fast-check";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import {
  code,
  defuseHiddenComments,
  neutralizeMentions,
  plainText,
  tableCell,
} from "../../src/promotion/markdown.js";

/** GitHub-flavoured rendering, HTML allowed as GitHub allows it. */
const render = (markdown: string) =>
  micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });

/** The text of rendered HTML, entities decoded. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

const ZWSP = "\u200b";
const hostile = [
  '<!-- promoter: {"v":1,"env":"dev"} -->',
  "`x`@carol",
  "_@peggy_",
  "@@erin",
  "@org/team",
  "</details><img src=x>",
  "[link](https://evil.example)",
  "![img](https://evil.example/a.png)",
  "``` fence",
  "a | b",
  "line\nbreak\r\nand more",
  "` leading backtick",
  "trailing backtick `",
  "  spaces  ",
  "fixes #12 and acme/live#3 and GH-7",
  "&lt;b&gt; entity",
  "\\",
  "see www.evil.example and http://evil.example",
  "mail a@b.example",
];

describe("code", () => {
  it.each(hostile)("shows %j literally and renders no element but the code span", (text) => {
    const html = render(code(text));
    expect(html.replace(/^<p><code>|<\/code><\/p>$/g, "")).not.toMatch(/<(?!\/?code)/);
    expect(textOf(html)).toBe(defuseHiddenComments(text.replace(/\r\n|\r|\n/g, " ")));
  });

  it("leaves no hidden comment in the raw markdown", () => {
    expect(code("a <!-- promoter: {} --> b")).not.toMatch(/<!--|-->/);
  });

  it("shows any text literally, as one code span", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (text) => {
        const html = render(code(text));
        expect(html.match(/<code>/g)).toHaveLength(1);
        expect(textOf(html)).toBe(defuseHiddenComments(text.replace(/\r\n|\r|\n/g, " ")));
      }),
    );
  });
});

describe("plainText", () => {
  it.each(hostile)("renders %j as text only, with no live mention or reference", (text) => {
    const html = render(plainText(text));
    expect(html).toMatch(/^<p>[\s\S]*<\/p>\n?$/);
    expect(html.slice(3)).not.toMatch(/<(?!\/p>)/);
    const shown = textOf(html);
    expect(shown.replaceAll(ZWSP, "")).toBe(
      text
        .replace(/\r\n|\r|\n/g, " ")
        .replace(/<!--/g, "<!--")
        .trim(),
    );
    expect(shown).not.toMatch(/@[A-Za-z0-9]|#\d|<!--/);
  });
});

describe("plainText on any text", () => {
  it("renders no element and no live mention", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (text) => {
        const html = render(plainText(text));
        if (html === "") return;
        expect(html.slice(3)).not.toMatch(/<(?!\/p>)/);
        expect(textOf(html)).not.toMatch(/@[A-Za-z0-9]|#\d|<!--/);
      }),
      { numRuns: 500 },
    );
  });
});

describe("neutralizeMentions", () => {
  it("defuses mentions wherever they stand", () => {
    const text = neutralizeMentions("`x`@carol _@peggy_ @@erin @org/team a@b.example");
    expect(text).not.toMatch(/@[A-Za-z0-9_-]/);
    expect(text.replaceAll(ZWSP, "")).toBe("`x`@carol _@peggy_ @@erin @org/team a@b.example");
  });

  it("defuses issue references, here and in other repositories", () => {
    const text = neutralizeMentions("fixes #12, acme/live#3 and GH-7");
    expect(text).not.toMatch(/#\d|GH-\d/);
  });
});

describe("tableCell", () => {
  it("never lets a cell's content end the cell", () => {
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (text, asCode) => {
        const cell = tableCell(asCode ? code(text) : plainText(text || "x"));
        const html = render(`| a | b |\n| --- | --- |\n| ${cell} | 2 |`);
        expect(html.match(/<td>/g)).toHaveLength(2);
      }),
    );
  });

  it("keeps a code span with pipes in one cell", () => {
    const table = `| a | b |\n| --- | --- |\n| ${tableCell(code("x|y\\|z"))} | 2 |`;
    const html = render(table);
    expect(html.match(/<td>/g)).toHaveLength(2);
    expect(html).toMatch(/<code>x\|y\\?\|z<\/code>/);
  });

  it("keeps plain text with pipes in one cell", () => {
    const table = `| a | b |\n| --- | --- |\n| ${tableCell(plainText("x | y"))} | 2 |`;
    const html = render(table);
    expect(html.match(/<td>/g)).toHaveLength(2);
    expect(textOf(html)).toContain("x | y");
  });
});
