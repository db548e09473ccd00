import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import {
  MAX_COMMAND_SOURCE,
  commandSource,
  parseCommand,
  type Command,
} from "../../src/promotion/commands.js";
import { code } from "../../src/promotion/markdown.js";

const VPC = "acme/terraform-aws-vpc/vpc";

describe("parseCommand: commands in plain paragraphs", () => {
  it.each<[string, string, Command]>([
    ["a bare /promote", "/promote", { kind: "promote" }],
    ["a bare /promote --skip-soak", "/promote --skip-soak", { kind: "promote", skipSoak: true }],
    [
      "--skip-soak anywhere after /promote",
      "/promote prod --skip-soak acme/vpc/aws@v1.4.0",
      {
        kind: "promote",
        environment: "prod",
        dependency: "acme/vpc/aws",
        version: "v1.4.0",
        skipSoak: true,
      },
    ],
    ["an environment", "/promote prod", { kind: "promote", environment: "prod" }],
    [
      "a dependency",
      `/promote prod ${VPC}`,
      { kind: "promote", environment: "prod", dependency: VPC },
    ],
    [
      "a dependency and a version",
      "/promote prod acme/vpc/aws@v1.4.0",
      { kind: "promote", environment: "prod", dependency: "acme/vpc/aws", version: "v1.4.0" },
    ],
    [
      "a registry version, a pre-release, build metadata",
      "/promote prod acme/vpc/aws@1.4.0-rc.1+build.5",
      {
        kind: "promote",
        environment: "prod",
        dependency: "acme/vpc/aws",
        version: "1.4.0-rc.1+build.5",
      },
    ],
    [
      "a monorepo tag",
      "/promote prod acme/modules/vpc@vpc-v1.2.3",
      {
        kind: "promote",
        environment: "prod",
        dependency: "acme/modules/vpc",
        version: "vpc-v1.2.3",
      },
    ],
    ["spaces around it", "   /promote   prod  ", { kind: "promote", environment: "prod" }],
    ["a line of a paragraph", "Thanks!\n/help", { kind: "help" }],
    ["a later paragraph", "LGTM\n\n/promote stage", { kind: "promote", environment: "stage" }],
    ["the first command only", "/promote prod\n/help", { kind: "promote", environment: "prod" }],
    ["CRLF line ends", "Thanks\r\n/promote prod\r\n", { kind: "promote", environment: "prod" }],
    [
      "after a closed fence",
      "```\n/help\n```\n/promote prod",
      { kind: "promote", environment: "prod" },
    ],
    [
      "after a closed element",
      "<details><summary>More</summary>\n\nText\n\n</details>\n\n/promote prod",
      { kind: "promote", environment: "prod" },
    ],
    [
      "after a closed HTML comment",
      "<!-- /help -->\n\n/promote prod",
      { kind: "promote", environment: "prod" },
    ],
    ["/promoter alone", "/promoter", { kind: "help" }],
    ["/promoter help", "/promoter help", { kind: "help" }],
    ["/help", "/help", { kind: "help" }],
  ])("reads %s", (_, body, command) => {
    expect(parseCommand(body)).toEqual(command);
  });
});

describe("parseCommand: commands hidden in code, HTML and quotes are not obeyed", () => {
  it.each([
    ["a ``` fence", "```\n/promote prod\n```"],
    ["a ~~~ fence", "~~~\n/promote prod\n~~~"],
    ["an unclosed fence", "```\n/promote prod"],
    ["a short fence inside a longer one", "````\n```\n/promote prod\n```\n````"],
    ["a ~~~ fence inside a ``` one", "```\n~~~\n```\n~~~\n/promote prod\n~~~"],
    ["indented code", "    /promote prod"],
    ["indented code after a paragraph", "Please run\n\n    /promote prod"],
    ["a code span", "`/promote prod`"],
    ["a code span on an earlier line of the paragraph", "Run `this`\n/promote prod"],
    ["<pre>", "<pre>\n/promote prod\n</pre>"],
    ["<pre> with blank lines", "<pre>\n\n/promote prod\n\n</pre>"],
    ["inline <code>", "<code>/promote prod</code>"],
    ["<code> on its own lines", "<code>\n/promote prod\n</code>"],
    ["<code> with blank lines", "<code>\n\n/promote prod\n\n</code>"],
    ["<code> opened in a paragraph", "Run <code>\n/promote prod</code>"],
    ["a paragraph after <code> opened in a paragraph", "Run <code>\n\n/promote prod\n\n</code>"],
    ["<details>", "<details><summary>More</summary>\n\n/promote prod\n\n</details>"],
    ["an HTML comment", "<!--\n/promote prod\n-->"],
    ["an HTML comment with blank lines", "<!--\n\n/promote prod\n\n-->"],
    ["an inline HTML comment", "Hi <!--\n/promote prod\n-->"],
    ["a one-line HTML comment", "<!-- /promote prod -->"],
    ["a block quote", "> /promote prod"],
    ["a lazy line of a block quote", "> quoted\n/promote prod"],
    ["a list item", "- /promote prod"],
    ["a table cell", "| a |\n| - |\n| /promote prod |"],
    ["a link title", '[x](/url "\n/promote prod\n")'],
    ["emphasis", "*/promote prod*"],
    ["a character reference that looks like a line break", "Hi&#10;/promote prod"],
    ["an escaped slash", "\\/promote prod"],
    ["a word before it", "please /promote prod"],
    ["a longer word", "/promoted prod"],
  ])("ignores %s", (_, body) => {
    expect(parseCommand(body)).toBeUndefined();
  });

  it("ignores comments without a command", () => {
    expect(parseCommand("Looks good to me")).toBeUndefined();
    expect(parseCommand("")).toBeUndefined();
  });
});

describe("parseCommand: what cannot be read is invalid, and echoes its input only in code spans", () => {
  it.each([
    ["a path for a dependency", "/promote prod ../../etc"],
    ["a dependency with one segment", "/promote prod not-a-dependency"],
    ["a dependency with a .. segment", "/promote prod acme/../vpc"],
    ["a version with a path", "/promote prod acme/vpc/aws@../../v1.3.0"],
    ["a version with a slash", "/promote prod acme/vpc/aws@x/v1.3.0"],
    ["a version that is not semver", "/promote prod acme/vpc/aws@v1.3"],
    ["a version with a space", "/promote prod acme/vpc/aws@a b-v1.3.0"],
    ["an empty version", "/promote prod acme/vpc/aws@"],
    ["an environment with a slash", "/promote pr/od"],
    ["a mention for an environment", "/promote @org/team"],
    ["an unknown /promoter command", "/promoter @org/team"],
  ])("refuses %s", (_, body) => {
    const command = parseCommand(body);
    expect(command?.kind).toBe("invalid");
  });

  it("never echoes the input outside a code span", () => {
    const input = "/promoter \\`` @org/team &#64;org/team";
    const command = parseCommand(input);
    expect(command).toEqual({ kind: "invalid", message: `unknown command ${code(input)}` });
    const message = fromMarkdown((command as { message: string }).message, {
      extensions: [gfm()],
      mdastExtensions: [gfmFromMarkdown()],
    });
    const paragraph = message.children[0] as { children: { type: string; value?: string }[] };
    expect(paragraph.children.map((n) => n.type)).toEqual(["text", "inlineCode"]);
    expect(paragraph.children[1]?.value).toBe(input);
  });

  it.each([
    ["an image", "/promoter ![x](https://evil.example/x.png)"],
    ["a link", "/promoter [x](https://evil.example)"],
    ["a bare link", "/promoter www.evil.example"],
    ["a code span", "/promoter `@org/team`"],
    ["HTML", "/promoter <img src=x>"],
  ])("does not read a line with %s as a command", (_, body) => {
    expect(parseCommand(body)).toBeUndefined();
  });

  it("cuts a long input short", () => {
    const command = parseCommand(`/promoter ${"x".repeat(5_000)}`);
    expect(command?.kind).toBe("invalid");
    expect((command as { message: string }).message.length).toBeLessThan(200);
  });
});

describe("commandSource", () => {
  it("is undefined for a comment without a line that starts like a command", () => {
    expect(commandSource("Looks good to me")).toBeUndefined();
    expect(commandSource("please /promote it")).toBeUndefined();
    expect(commandSource("> /promote prod")).toBeUndefined();
    expect(commandSource("Thanks\r/promote prod")).toBe("Thanks\r/promote prod");
  });

  it(`reads at most ${MAX_COMMAND_SOURCE} characters, whole lines only`, () => {
    const padding = `${"word ".repeat(20)}\n`.repeat(200);
    expect(padding.length).toBeGreaterThan(MAX_COMMAND_SOURCE);
    expect(parseCommand(`/promote prod\n${padding}`)).toEqual({
      kind: "promote",
      environment: "prod",
    });
    expect(parseCommand(`${padding}/promote prod`)).toBeUndefined();
    // A line cut in two is not read: it would be another command.
    const long = `/promote${" ".repeat(MAX_COMMAND_SOURCE)}prod`;
    expect(parseCommand(long)).toBeUndefined();
    const source = commandSource(`/promote prod\n${padding}`) ?? "";
    expect(source.length).toBeLessThanOrEqual(MAX_COMMAND_SOURCE);
    expect(source.endsWith("\n")).toBe(false);
  });
});

describe("parseCommand: HTML", () => {
  it("counts whole tags only: unfinished ones open nothing", () => {
    const body = `<div>\n${"<a ".repeat(2_700)}\n\n</div>\n\n/promote prod`;
    expect(parseCommand(body)).toEqual({ kind: "promote", environment: "prod" });
    expect(parseCommand("<div>\n<br/><img src=x><p/>\n\n/promote prod")).toBeUndefined();
    expect(parseCommand("<p>\n<br/><img src=x><p/>\n</p>\n\n/promote prod")).toEqual({
      kind: "promote",
      environment: "prod",
    });
  });
});

describe("parseCommand: case and white space", () => {
  it.each<[string, string, Command | undefined]>([
    ["a capitalised command", "/Promote prod", undefined],
    ["an upper-case command", "/PROMOTE prod", undefined],
    ["an upper-case /help", "/HELP", undefined],
    [
      "an environment's case, as written",
      "/promote Prod",
      { kind: "promote", environment: "Prod" },
    ],
    [
      "tabs between and after arguments",
      "  /promote\tprod\t",
      { kind: "promote", environment: "prod" },
    ],
    ["spaces and tabs mixed", "/promote  \t prod", { kind: "promote", environment: "prod" }],
    ["a leading tab (indented code)", "\t/promote prod", undefined],
    ["a non-breaking space as separator", "/promote\u00A0prod", undefined],
    [
      "dots, underscores and dashes in an environment",
      "/promote prod_1.a-b",
      { kind: "promote", environment: "prod_1.a-b" },
    ],
    ["words after /help", "/help me", { kind: "help" }],
    [
      "a hard line break before the next line",
      "/promote prod  \n/help",
      { kind: "promote", environment: "prod" },
    ],
  ])("%s", (_, body, command) => {
    expect(parseCommand(body)).toEqual(command);
  });
});

describe("parseCommand: several commands, the first readable one counts", () => {
  it.each<[string, string, Command]>([
    ["two lines", "/promote stage\n/promote prod", { kind: "promote", environment: "stage" }],
    [
      "an invalid one first",
      "/promote pr/od\n/promote prod",
      { kind: "invalid", message: "`pr/od` is not an environment name" },
    ],
    [
      "one in a code span first",
      "`/promote dev`\n\n/promote prod",
      { kind: "promote", environment: "prod" },
    ],
    [
      "one in a quote first",
      "> /promote dev\n\n/promote prod",
      { kind: "promote", environment: "prod" },
    ],
    [
      "one in an HTML comment first",
      "<!-- /promote dev -->\n/promote prod",
      { kind: "promote", environment: "prod" },
    ],
    [
      "one in an HTML comment after",
      "/promote prod\n<!--\n/help\n-->",
      { kind: "promote", environment: "prod" },
    ],
    [
      "too many arguments",
      "/promote prod acme/vpc/aws extra",
      { kind: "invalid", message: "`/promote` takes at most an environment and a dependency" },
    ],
    [
      "/promoter with another command's words",
      "/promoter promote prod",
      { kind: "invalid", message: "unknown command `/promoter promote prod`" },
    ],
  ])("%s", (_, body, command) => {
    expect(parseCommand(body)).toEqual(command);
  });
});

describe("parseCommand: hostile input", () => {
  it.each<[string, string, Command | undefined]>([
    ["a fullwidth solidus", "\uFF0Fpromote prod", undefined],
    ["a Cyrillic o in the command", "/pr\u043Emote prod", undefined],
    ["a zero-width space inside the command", "/\u200Bpromote prod", undefined],
    ["a zero-width space before the command", "\u200B/promote prod", undefined],
    [
      "a Cyrillic o in the environment",
      "/promote pr\u043Ed",
      { kind: "invalid", message: "`pr\u043Ed` is not an environment name" },
    ],
    [
      "a zero-width space after the environment",
      "/promote prod\u200B",
      { kind: "invalid", message: "`prod\u200B` is not an environment name" },
    ],
    [
      "a right-to-left override",
      "/promote prod\u202E",
      { kind: "invalid", message: "`prod\u202E` is not an environment name" },
    ],
    ["an emoji", "/promote 🚀", { kind: "invalid", message: "`🚀` is not an environment name" }],
    ["a mention before the command", "@promoter /promote prod", undefined],
    [
      "a mention on an earlier line",
      "cc @alice\n/promote prod",
      { kind: "promote", environment: "prod" },
    ],
    [
      "a mention for an environment",
      "/promote @alice",
      { kind: "invalid", message: "`@alice` is not an environment name" },
    ],
    [
      "a mention for a dependency",
      "/promote prod @alice",
      {
        kind: "invalid",
        message: "`@alice` is not a dependency id such as `acme/terraform-aws-vpc/vpc@v1.4.0`",
      },
    ],
    ["an HTML comment before it on the line", "<!-- x --> /promote prod", undefined],
    ["an HTML comment after it on the line", "/promote prod <!-- x -->", undefined],
    ["bold", "**/promote prod**", undefined],
    ["a bold argument", "/promote **prod**", undefined],
    [
      "a trailing backslash",
      "/promote prod\\",
      { kind: "invalid", message: "`prod\\` is not an environment name" },
    ],
    ["100,000 characters without a command", "x".repeat(100_000), undefined],
    [
      "a command before 100,000 characters",
      `/promote prod\n${"x".repeat(100_000)}`,
      { kind: "promote", environment: "prod" },
    ],
    ["10,000 unclosed HTML comments", `${"<!--".repeat(10_000)}\n/promote prod`, undefined],
    [
      "a 10,000-character argument on a line cut short",
      `/promote ${"a".repeat(10_000)}`,
      undefined,
    ],
  ])("%s", (_, body, command) => {
    expect(parseCommand(body)).toEqual(command);
  });

  it("quotes a long dependency id cut to 60 characters", () => {
    const id = `${"a/".repeat(150)}b`;
    expect(parseCommand(`/promote prod ${id}`)).toEqual({
      kind: "invalid",
      message: `${code(`${id.slice(0, 60)}…`)} is not a dependency id such as \`acme/terraform-aws-vpc/vpc@v1.4.0\``,
    });
  });
});
