import { describe, expect, it } from "vitest";
import { parseWithReferenceParser } from "../../src/iac/edits.js";
import { parseHcl } from "../../src/iac/hcl-parser.js";
import { MAX_NESTING_DEPTH } from "../../src/iac/limits.js";

/** A file nested `n` levels deep: `prefix`, `n` times `open`, `middle`, `n` times `close`, `suffix`. */
interface NestingForm {
  prefix: string;
  open: string;
  middle: string;
  close: string;
  suffix: string;
}

const form = (prefix: string, open: string, middle: string, close: string, suffix = "\n") => ({
  prefix,
  open,
  middle,
  close,
  suffix,
});

/** Every construct the parser recurses into, each one level per `open`. */
const FORMS: Record<string, NestingForm> = {
  parentheses: form("a = ", "(", "1", ")"),
  tuples: form("a = ", "[", "1", "]"),
  objects: form("a = ", "{a=", "1", "}"),
  calls: form("a = ", "f(", "1", ")"),
  interpolations: form("a = ", '"${', "1", '}"'),
  blocks: form("", "b {\n", "", "}\n", ""),
  indexes: form("a = ", "x[", "1", "]"),
  "splat indexes": form("a = ", "x[*].y[", "1", "]"),
  "for tuples": form("a = ", "[for x in ", "y", " : x]"),
  "for objects": form("a = ", "{for k, v in ", "y", " : k => v}"),
  "if directives": form('a = "', "%{if x}", "y", "%{endif}", '"\n'),
  "for directives": form('a = "', "%{for x in y}", "y", "%{endfor}", '"\n'),
  "heredoc interpolations": form("a = <<EOT\n${", "[", "1", "]", "}\nEOT\n"),
  "skipped inputs": form("inputs = ", "[{a=f(", "1", ")}]"),
  negations: form("a = ", "!", "x", ""),
  conditionals: form("a = ", "x ? 1 : ", "1", ""),
  "mixed operators": form("a = ", "!-(", "1", ")"),
};

/** How many levels one `open` of a form is (the heredoc's `${` is one more, the inputs' three brackets three). */
function levelsPerOpen(name: string): number {
  if (name === "skipped inputs") return 3;
  if (name === "mixed operators") return 3;
  return 1;
}

function nested(f: NestingForm, n: number): string {
  return `${f.prefix}${f.open.repeat(n)}${f.middle}${f.close.repeat(n)}${f.suffix}`;
}

/** `n` such that the file is at most `levels` deep (the heredoc's own `${` counts as one). */
function opensFor(name: string, levels: number): number {
  const extra = name === "heredoc interpolations" ? 1 : 0;
  return Math.floor((levels - extra) / levelsPerOpen(name));
}

describe("a file nested too deeply", () => {
  it.each(Object.entries(FORMS))(
    "%s nested 2,000 deep are a syntax error naming the limit, not a crash",
    (_name, f) => {
      const text = nested(f, 2000);
      const document = parseHcl(text);
      expect(document.error?.message).toBe(`nesting deeper than ${MAX_NESTING_DEPTH} levels`);
    },
  );

  it.each(Object.entries(FORMS))(
    "%s one level over the limit are an error at the level that goes too deep",
    (name, f) => {
      const n = opensFor(name, MAX_NESTING_DEPTH) + 1;
      const text = nested(f, n);
      const { error } = parseHcl(text);
      expect(error?.message).toBe(`nesting deeper than ${MAX_NESTING_DEPTH} levels`);
      const offset = error?.offset ?? -1;
      const lastOpen = f.prefix.length + (n - 1) * f.open.length;
      expect(offset).toBeGreaterThanOrEqual(lastOpen - (name === "mixed operators" ? 3 : 0));
      expect(offset).toBeLessThan(lastOpen + f.open.length);
    },
  );

  it.each(Object.entries(FORMS))(
    "%s at the limit parse, and the reference parser reads them without overflowing its stack",
    (name, f) => {
      const text = nested(f, opensFor(name, MAX_NESTING_DEPTH));
      expect(parseHcl(text).error).toBeUndefined();
      expect(parseWithReferenceParser(text)).toEqual({ ok: true });
    },
  );

  it("counts levels across constructs: blocks, brackets and interpolations add up", () => {
    const half = MAX_NESTING_DEPTH / 2;
    const within = `${"b {\n".repeat(half)}a = ${"[".repeat(half - 1)}1${"]".repeat(half - 1)}\n${"}\n".repeat(half)}`;
    expect(parseHcl(within).error).toBeUndefined();
    const over = `${"b {\n".repeat(half)}a = ${"[".repeat(half + 1)}1${"]".repeat(half + 1)}\n${"}\n".repeat(half)}`;
    expect(parseHcl(over).error?.message).toBe(`nesting deeper than ${MAX_NESTING_DEPTH} levels`);
  });

  it("reads a long chain of binary operators without nesting", () => {
    const text = `a = 1${" + 1".repeat(50_000)}\nb = "after"\n`;
    const { body, error } = parseHcl(text);
    expect(error).toBeUndefined();
    expect(body.attributes.map((a) => [a.name, a.expr.kind])).toEqual([
      ["a", "unsupported"],
      ["b", "template"],
    ]);
  });

  it("reads long traversals and a long flat list without nesting", () => {
    const text = `a = x${".b".repeat(50_000)}\nc = [${"1, ".repeat(50_000)}1]\n`;
    const { body, error } = parseHcl(text);
    expect(error).toBeUndefined();
    const [a, c] = body.attributes;
    expect(a?.expr.kind === "traversal" && a.expr.steps.length).toBe(50_000);
    expect(c?.expr.kind === "tuple" && c.expr.items.length).toBe(50_001);
  });
});
