import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { parseHcl } from "../../src/iac/hcl-parser.js";
import type { Expr, HclDocument } from "../../src/iac/hcl-syntax.js";
import { HclParser } from "../support/tree-sitter-hcl.js";

let treeSitter: HclParser;
beforeAll(async () => {
  treeSitter = await HclParser.load();
});

/**
 * The model without what the two parsers legitimately see differently: `end` offsets and the raw `text`
 * of unevaluated expressions, and the white space around literal runs, which the tree-sitter grammar drops.
 */
function comparable(document: HclDocument): unknown {
  return JSON.parse(
    JSON.stringify(document.body, (key, value: unknown) => {
      if (key === "end" || key === "text") return undefined;
      if (key === "parts" && Array.isArray(value)) {
        return (value as { kind: string; raw?: string; start?: number }[])
          .map((p) => {
            if (p.kind !== "literal" || p.raw === undefined || p.start === undefined) return p;
            const leading = p.raw.length - p.raw.trimStart().length;
            return { ...p, raw: p.raw.trim(), start: p.start + leading };
          })
          .filter((p) => p.kind !== "literal" || p.raw !== "");
      }
      if (key === "labels" && Array.isArray(value)) return (value as string[]).map((l) => l.trim());
      return value;
    }),
  );
}

function attribute(text: string, name = "a"): Expr {
  const document = parseHcl(text);
  expect(document.error).toBeUndefined();
  const found = document.body.attributes.find((a) => a.name === name);
  if (!found) throw new Error(`no attribute ${name}`);
  return found.expr;
}

describe("parseHcl", () => {
  it("reads blocks with quoted and bare labels, nested blocks and single-line blocks", () => {
    const text = `module "vpc" {\n  source = "x"\n  nested inner {\n    b = 1\n  }\n}\nlocals { v = "1.0" }\n`;
    const { body, error } = parseHcl(text);
    expect(error).toBeUndefined();
    expect(body.blocks.map((b) => [b.type, b.labels])).toEqual([
      ["module", ["vpc"]],
      ["locals", []],
    ]);
    expect(body.blocks[0]?.body.blocks[0]).toMatchObject({ type: "nested", labels: ["inner"] });
    expect(body.blocks[1]?.body.attributes[0]?.name).toBe("v");
  });

  it("keeps the string offset of every literal run of a template", () => {
    const text = 'a = "git::x//m?ref=${local.v}&depth=1"\n';
    const expr = attribute(text);
    expect(expr.kind).toBe("template");
    if (expr.kind !== "template") return;
    const [first, interpolation, last] = expr.parts;
    expect(first).toEqual({ kind: "literal", raw: "git::x//m?ref=", start: 5 });
    expect(interpolation).toMatchObject({
      kind: "interpolation",
      expr: { kind: "traversal", root: "local", steps: ["v"] },
    });
    expect(last?.kind === "literal" && text.slice(last.start, last.start + last.raw.length)).toBe(
      "&depth=1",
    );
  });

  it("reads traversals, calls, tuples, objects and literals", () => {
    expect(attribute("a = include.envcommon.locals.base[0]\n")).toMatchObject({
      kind: "traversal",
      root: "include",
      steps: ["envcommon", "locals", "base", 0],
    });
    expect(attribute('a = dirname(find_in_parent_folders("root.hcl"))\n')).toMatchObject({
      kind: "call",
      name: "dirname",
      args: [{ kind: "call", name: "find_in_parent_folders", args: [{ kind: "template" }] }],
    });
    expect(
      attribute('a = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals.v[0]\n'),
    ).toMatchObject({
      kind: "access",
      target: { kind: "call", name: "read_terragrunt_config" },
      steps: ["locals", "v", 0],
    });
    expect(attribute("a = [1, -2.5e3,\n true, null]\n")).toMatchObject({
      kind: "tuple",
      items: [{ value: 1 }, { value: -2500 }, { value: true }, { value: null }],
    });
    expect(attribute('a = {\n  k = "v"\n  "q": 2, r = { s = 3 }\n}\n')).toMatchObject({
      kind: "object",
      entries: [
        { key: "k" },
        { key: { kind: "template" } },
        { key: "r", value: { kind: "object" } },
      ],
    });
  });

  it("marks what it cannot evaluate as unsupported and goes on after it", () => {
    const text = [
      "a = var.x ? 1 : 2",
      'b = [for s in var.list : upper(s) if s != ""]',
      "c = { for k, v in var.map : k => v... }",
      "d = var.list[*].id",
      "e = 1 + 2 * 3",
      "f = <<-EOT",
      '  heredoc ${with} "quotes" {',
      "  EOT",
      'g = "%{ if true }x%{ endif }"',
      "h = concat(var.a, var.b...)",
      "i = !var.enabled",
      'z = "after"',
      "",
    ].join("\n");
    const { body, error } = parseHcl(text);
    expect(error).toBeUndefined();
    const kinds = Object.fromEntries(body.attributes.map((a) => [a.name, a.expr.kind]));
    expect(kinds).toEqual({
      a: "unsupported",
      b: "unsupported",
      c: "unsupported",
      d: "unsupported",
      e: "unsupported",
      f: "unsupported",
      g: "template",
      h: "unsupported",
      i: "unsupported",
      z: "template",
    });
  });

  it("skips comments of every kind, and escapes inside strings", () => {
    const text = '# one\n// two\n/* three\n { */ a = "x\\"}${"{"}" # four\n';
    const expr = attribute(text);
    expect(expr.kind).toBe("template");
  });

  it("skips a top-level inputs value without evaluating it, but still requires it to be balanced", () => {
    const ok = parseHcl(
      'inputs = {\n  a = [1, { b = "}" }]\n  c = <<EOT\n}\nEOT\n}\nterraform {\n  source = "x"\n}\n',
    );
    expect(ok.error).toBeUndefined();
    expect(ok.body.attributes[0]?.expr.kind).toBe("unsupported");
    expect(ok.body.blocks[0]?.type).toBe("terraform");
    expect(parseHcl("inputs = {\n  a = [1, 2\n}\n").error).toBeDefined();
  });

  it.each([
    ['a = "unterminated\n', "unterminated string", 4],
    ['terraform {\n  source = "x"\n', 'missing "}"', 27],
    ["a b c\n", 'expected "=" or "{"', 5],
    ['a = "x" b = 1\n', "expected a new line", 8],
    ["a = <<EOT\nnever closed\n", "heredoc EOT is never closed", 4],
    ["}\n", 'unexpected "}"', 0],
    ["a = (1\n", 'expected ")"', 7],
    ["a = \n", "expected an expression", 4],
  ])("reports %j as a syntax error at its place", (text, message, offset) => {
    const { error } = parseHcl(text);
    expect(error?.message).toContain(message);
    expect(error?.offset).toBe(offset);
  });

  it.each([
    'a = <<EOT\nhello ${local.x} world\nEOT\nb = "x"\n',
    'a = <<EOT\nhello ${\nlocal.x\n} world\nEOT\nb = "x"\n',
    "a = <<EOT\n$${not} %%{not}\nEOT\n",
    "a = <<-EOT\n  x ${[1,\n2]}\n  EOT\n",
    "a = <<EOT\n%{ if true }yes%{ endif }\nEOT\n",
    'a = <<EOT\n${"EOT"}\nEOT\n',
    "a = <<EOT\n${\nEOT\n}\nEOT\n",
    "a = <<EOT\n$\n%\n$x {\nEOT\n",
    "a = <<EOT\n${ HOME:-x }\nEOT\n",
    "a = <<EOT\n${local.x\nEOT\n",
  ])("reads the interpolations of heredoc %j as the tree-sitter HCL grammar does", (text) => {
    const ours = parseHcl(text);
    const reference = treeSitter.parse(text);
    expect(Boolean(ours.error)).toBe(Boolean(reference.error));
    if (!ours.error) expect(comparable(ours)).toEqual(comparable(reference));
  });

  it("reads the fixture repository's files exactly as the tree-sitter HCL grammar does", () => {
    const root = join(import.meta.dirname, "..", "fixtures", "live");
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(hcl|tf)$/.test(e.name))
      .map((e) => join(e.parentPath, e.name));
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const ours = parseHcl(text);
      const reference = treeSitter.parse(text);
      expect(Boolean(ours.error), file).toBe(Boolean(reference.error));
      if (!ours.error) expect(comparable(ours), file).toEqual(comparable(reference));
    }
  });
});

/** Arbitrary HCL text from a grammar of the forms the scanner reads, with comments and spacing. */
const identifier = fc
  .stringMatching(/^[a-z][a-z0-9_]{0,6}$/)
  .filter((s) => !["true", "false", "null", "for", "in"].includes(s));
const space = fc.constantFrom(" ", "  ", "\t", " ");
const literalText = fc.stringMatching(/^[a-zA-Z0-9 ./:?=&_-]{0,12}$/);
const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    literalText.map((s) => `"${s}"`),
    fc.tuple(literalText, identifier, literalText).map(([a, v, b]) => `"${a}\${local.${v}}${b}"`),
    fc.integer({ min: 0, max: 9999 }).map(String),
    fc.constantFrom("true", "false", "null"),
    fc.tuple(identifier, identifier).map(([a, b]) => `local.${a}.${b}`),
    fc
      .tuple(identifier, fc.array(tie("expr"), { maxLength: 3 }))
      .map(([f, args]) => `${f}(${args.join(", ")})`),
    fc
      .tuple(identifier, tie("expr"), identifier)
      .map(([f, arg, step]) => `${f}(${arg}).locals.${step}[0]`),
    fc.array(tie("expr"), { maxLength: 3 }).map((items) => `[${items.join(", ")}]`),
    fc
      .array(fc.tuple(identifier, tie("expr")), { maxLength: 3 })
      .map((entries) => `{\n${entries.map(([k, v]) => `  ${k} = ${v}\n`).join("")}}`),
  ),
})).expr;
const comment = fc.constantFrom("", " # note", " // note", " /* note */");
const attributeLine = fc
  .tuple(identifier, space, expression, comment)
  .map(([name, s, value, c]) => `${name}${s}=${s}${value}${c}\n`);
const heredocLine = fc.oneof(
  literalText,
  fc.tuple(literalText, expression, literalText).map(([a, e, b]) => `${a}\${${e}}${b}`),
  literalText.map((t) => `$\${${t}} %%{${t}}`),
);
const heredocAttribute = fc
  .tuple(identifier, fc.boolean(), fc.array(heredocLine, { maxLength: 3 }))
  .map(
    ([name, indented, lines]) =>
      `${name} = <<${indented ? "-" : ""}EOT\n${lines.map((l) => `${indented ? "  " : ""}${l}\n`).join("")}${indented ? "  " : ""}EOT\n`,
  );
const block = fc
  .tuple(
    identifier,
    fc.array(
      literalText.map((l) => `"${l}"`),
      { maxLength: 2 },
    ),
    fc.array(attributeLine, { maxLength: 4 }),
  )
  .map(
    ([type, labels, lines]) =>
      `${[type, ...labels].join(" ")} {\n${lines.map((l) => `  ${l}`).join("")}}\n`,
  );
const document = fc
  .array(fc.oneof(attributeLine, heredocAttribute, block), { maxLength: 6 })
  .map((items) => items.join("\n"));

describe("parseHcl against the tree-sitter HCL grammar", () => {
  it("gives the same model for arbitrary documents", () => {
    fc.assert(
      fc.property(document, (text) => {
        const ours = parseHcl(text);
        const reference = treeSitter.parse(text);
        expect(ours.error).toBeUndefined();
        expect(reference.error).toBeUndefined();
        expect(comparable(ours)).toEqual(comparable(reference));
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const result = parseHcl(text);
        if (result.error) expect(result.error.offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 500 },
    );
  });
});
