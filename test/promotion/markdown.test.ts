import fc from "fast-check";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import {
  MAX_TITLE_LENGTH,
  code,
  codeBlock,
  defuseHiddenComments,
  defuseMarkdown,
  inlineMarkdown,
  neutralizeMentions,
  plainText,
  singleLine,
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

/** Rendered HTML without code (where mentions and references are not live): what GitHub would link. */
const outsideCode = (html: string) =>
  html.replace(/<pre>[\s\S]*?<\/pre>/g, "").replace(/<code>[\s\S]*?<\/code>/g, "");

/** Markdown embedded the way the app embeds release notes, followed by a paragraph of its own. */
const embedded = (markdown: string) =>
  render(`<details>\n<summary>Notes</summary>\n\n${markdown}\n\n</details>\n\nTHE END`);

/** The HTML of `embedded` keeps the app's structure: one details element, closed before the app's text. */
function expectContained(html: string) {
  expect(html.match(/<details/g)).toHaveLength(1);
  expect(html.match(/<\/details>/g)).toHaveLength(1);
  expect(html.endsWith("</details>\n<p>THE END</p>")).toBe(true);
  expect(html).not.toContain("<!--");
  const live = textOf(outsideCode(html).replace(/<a [^>]*>[\s\S]*?<\/a>/g, ""));
  expect(live).not.toMatch(/(^|[^\w`])@[A-Za-z0-9]/);
  expect(live).not.toMatch(/#\d|GH-\d/i);
}

const hostileNotes = [
  ...hostile,
  "</details>\n\n## After the details",
  "<details open>\n<summary>mine</summary>\n\nunclosed",
  "<div>\n```\nfence in an html block\n</div>",
  "text <b>unclosed bold and <i>italic",
  '<!-- promoter: {"v":1,"env":"dev","dependency":"a/b/c","from":["v1"],"to":"v7.7.7"} -->',
  "<!-- unclosed comment",
  "```\nan open fence",
  "~~~~\nan open tilde fence\n~~~",
  "- item\n  ```\n  open fence in a list",
  "> quote\n> <details>",
  "\\@carol &#64;dave &#x40;erin &commat;frank #&#49;2 &#35;13",
  "[@carol](https://example.com) ![@dave](https://example.com/a.png)",
  "| a | b |\n| --- | --- |\n| @carol | <b>x</b> |",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "Fixed in https://github.com/acme/live/issues/12 and acme/live#12",
];

describe("defuseMarkdown", () => {
  it.each(hostileNotes)("embeds %j without breaking out, mentioning or referencing", (notes) => {
    const defused = defuseMarkdown(notes);
    expectContained(embedded(defused));
    expect(defused).not.toMatch(/<!--|-->/);
  });

  it("keeps the formatting of ordinary release notes", () => {
    const notes = [
      "## What's changed",
      "",
      "- **Breaking**: `vpc_id` is *required*",
      "- See [the guide](https://example.com/guide) and https://www.npmjs.com/package/@scope/pkg",
      "",
      "```hcl",
      'source = "<not html>"',
      "```",
    ].join("\n");
    expect(defuseMarkdown(notes)).toBe(notes);
    const html = render(defuseMarkdown(notes));
    expect(html).toContain("<h2>What's changed</h2>");
    expect(html).toContain("<strong>Breaking</strong>");
    expect(html).toContain("<code>vpc_id</code>");
    expect(html).toContain('<a href="https://example.com/guide">the guide</a>');
    expect(html).toContain('href="https://www.npmjs.com/package/@scope/pkg"');
    expect(html).toContain("source = &quot;&lt;not html&gt;&quot;");
  });

  it("shows raw HTML as the text it was", () => {
    const html = render(defuseMarkdown("a <b>bold</b> </details>"));
    expect(textOf(html)).toBe("a <b>bold</b> </details>");
    expect(html).not.toMatch(/<b>|<\/details>/);
  });

  it("writes every < of text as a reference, so no other parser can read a tag there; it shows the same", () => {
    const notes = "a < b, \\<i> and \\\\<b>x";
    const defused = defuseMarkdown(notes);
    expect(defused).not.toMatch(/</);
    expect(textOf(render(defused))).toBe(textOf(render(notes.replace("<b>", "&lt;b>"))));
  });

  it("defuses mentions next to code, in emphasis, doubled, escaped and encoded", () => {
    const html = render(defuseMarkdown("`x`@carol _@peggy_ @@erin \\@dave &#64;frank"));
    expect(html).toContain("<code>x</code>");
    expect(html).toContain("<em>");
    expect(textOf(html)).not.toMatch(/@[A-Za-z0-9]/);
    expect(textOf(html).replaceAll(ZWSP, "")).toBe("x@carol @peggy @@erin @dave @frank");
  });

  it("sends github.com issue and pull request links through the redirect, other links as they are", () => {
    const defused = defuseMarkdown(
      "[#12](https://github.com/acme/live/issues/12) https://github.com/acme/vpc/pull/3 " +
        "https://github.com/acme/vpc/releases `https://github.com/a/b/pull/1`",
    );
    expect(defused).toContain("(https://redirect.github.com/acme/live/issues/12)");
    expect(defused).toContain(" https://redirect.github.com/acme/vpc/pull/3 ");
    expect(defused).toContain(" https://github.com/acme/vpc/releases ");
    expect(defused).toContain("`https://github.com/a/b/pull/1`");
  });

  it("closes a fence left open, so it cannot swallow what follows", () => {
    expect(defuseMarkdown("```js\nlet a = 1;")).toBe("```js\nlet a = 1;\n```");
    expectContained(embedded(defuseMarkdown("````\n```\nstill code")));
  });

  it("keeps any text inside the app's structure", () => {
    const piece = fc.constantFrom(
      "<details>",
      "</details>",
      "<!--",
      "-->",
      "```",
      "~~~",
      "`",
      "<",
      ">",
      "@carol",
      "#12",
      "&#64;",
      "\\",
      "\n",
      "\n\n",
      "    ",
      "- ",
      "> ",
      "| a |",
      "<div>",
      "[x](y)",
      "*",
      "_",
      "text",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        expectContained(embedded(defuseMarkdown(pieces.join(""))));
      }),
      { numRuns: 200 },
    );
  });
});

describe("codeBlock", () => {
  it("shows any text as one code block", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const html = render(codeBlock(text));
        expect(html.match(/<pre>/g)).toHaveLength(1);
        expect(html.startsWith("<pre><code>")).toBe(true);
      }),
    );
  });
});

describe("inlineMarkdown", () => {
  it("keeps a message's code spans on one line, and defuses what it quotes", () => {
    const message = "`dev/a.hcl`: version <b>@carol</b>\nsee #12";
    const html = render(`- ${inlineMarkdown(message)}`);
    expect(inlineMarkdown(message)).not.toContain("\n");
    expect(html).toContain("<code>dev/a.hcl</code>");
    expect(html).not.toContain("<b>");
    expect(textOf(html)).not.toMatch(/@[A-Za-z0-9]|#\d/);
  });

  it("leaves a plain message as it is", () => {
    const message = "dev-a/account.hcl:3: shared by environments dev, stage";
    expect(inlineMarkdown(message)).toBe(message);
  });
});

describe("singleLine", () => {
  it("turns control characters and line breaks into one space", () => {
    expect(singleLine("a\nb\r\n\tc\u0000d\u202ee\u2028f")).toBe("a b c d e f");
  });

  it("caps the length, never cutting a character in two", () => {
    const long = singleLine("x".repeat(MAX_TITLE_LENGTH - 2) + "🚀🚀");
    expect(long.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
    expect(long.endsWith("…")).toBe(true);
    expect(Buffer.from(long, "utf8").toString("utf8")).toBe(long);
    expect(singleLine("short")).toBe("short");
  });
});
