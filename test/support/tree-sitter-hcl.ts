import { createRequire } from "node:module";
import { Language, Parser, type Node } from "web-tree-sitter";
import type {
  Expr,
  HclBlock,
  HclBody,
  HclDocument,
  HclSyntaxError,
  TemplatePart,
  TraversalStep,
} from "../../src/iac/hcl-syntax.js";

/*
 * The tree-sitter HCL grammar, converted to the scanner's syntax model: an independent parser that the
 * hand-written one (src/iac/hcl-parser.ts) is checked against. Scanning used it first; it parses a typical
 * terragrunt.hcl about 20 times slower (see bench/), so it stays a test oracle.
 */

/** Top-level attributes whose values the scanner never needs; skipping them keeps parsing cheap. */
const SKIPPED_ATTRIBUTES = new Set(["inputs"]);

/** Parses HCL text into the scanner's syntax model with tree-sitter, in WebAssembly. */
export class HclParser {
  private constructor(private readonly parser: Parser) {}

  /** Loads the tree-sitter runtime and HCL grammar (once per process). */
  static async load(): Promise<HclParser> {
    loading ??= (async () => {
      const require = createRequire(import.meta.url);
      await Parser.init();
      const language = await Language.load(
        require.resolve("@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm"),
      );
      const parser = new Parser();
      parser.setLanguage(language);
      return new HclParser(parser);
    })();
    return loading;
  }

  /** Parses one file. Never throws on bad input: syntax problems come back in `error`. */
  parse(text: string): HclDocument {
    const tree = this.parser.parse(text);
    if (!tree) return { body: emptyBody(), error: { offset: 0, message: "the parser gave up" } };
    try {
      const root = tree.rootNode;
      const bodyNode = root.namedChildren.find((n) => n?.type === "body");
      const body = bodyNode ? convertBody(bodyNode, true) : emptyBody();
      const error = root.hasError ? describeError(root) : undefined;
      return error ? { body, error } : { body };
    } finally {
      tree.delete();
    }
  }
}

let loading: Promise<HclParser> | undefined;

function emptyBody(): HclBody {
  return { attributes: [], blocks: [] };
}

function describeError(root: Node): HclSyntaxError {
  let found: Node | undefined;
  const visit = (node: Node): void => {
    if (found) return;
    if (node.isError || node.isMissing) {
      found = node;
      return;
    }
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  if (!found) return { offset: 0, message: "syntax error" };
  if (found.isMissing) return { offset: found.startIndex, message: `missing "${found.type}"` };
  const text = found.text.split("\n")[0]?.slice(0, 40) ?? "";
  return { offset: found.startIndex, message: `unexpected ${JSON.stringify(text)}` };
}

function convertBody(node: Node, topLevel: boolean): HclBody {
  const body = emptyBody();
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === "attribute") {
      const name = child.firstNamedChild?.text ?? "";
      const exprNode = child.namedChildren[1];
      if (!exprNode) continue;
      const expr =
        topLevel && SKIPPED_ATTRIBUTES.has(name)
          ? unsupported(exprNode)
          : convertExpression(exprNode);
      body.attributes.push({ name, expr, start: child.startIndex });
    } else if (child.type === "block") {
      body.blocks.push(convertBlock(child));
    }
  }
  return body;
}

function convertBlock(node: Node): HclBlock {
  let type = "";
  const labels: string[] = [];
  let body = emptyBody();
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === "identifier") {
      if (type === "") type = child.text;
      else labels.push(child.text);
    } else if (child.type === "string_lit") {
      labels.push(
        child.namedChildren
          .filter((c) => c?.type === "template_literal")
          .map((c) => c?.text)
          .join(""),
      );
    } else if (child.type === "body") {
      body = convertBody(child, false);
    }
  }
  return { type, labels, body, start: node.startIndex };
}

function unsupported(node: Node): Expr {
  return { kind: "unsupported", text: node.text, start: node.startIndex, end: node.endIndex };
}

function convertExpression(node: Node): Expr {
  if (node.type !== "expression") return convertPrimary(node);
  const children = node.namedChildren.filter((c): c is Node => c !== null);
  const [first, ...rest] = children;
  if (!first) return unsupported(node);
  const primary = convertPrimary(first);
  if (rest.length === 0) return primary;
  if (primary.kind !== "traversal" && primary.kind !== "call") return unsupported(node);
  const steps: TraversalStep[] = [];
  for (const step of rest) {
    const converted = convertStep(step);
    if (converted === undefined) return unsupported(node);
    steps.push(converted);
  }
  if (primary.kind === "call") {
    return { kind: "access", target: primary, steps, start: primary.start, end: node.endIndex };
  }
  primary.steps.push(...steps);
  primary.end = node.endIndex;
  return primary;
}

function convertStep(node: Node): TraversalStep | undefined {
  if (node.type === "get_attr") return node.firstNamedChild?.text;
  if (node.type === "index") {
    const inner = node.firstNamedChild;
    if (inner?.type === "legacy_index") return Number(inner.text.slice(1));
    const expr = inner?.firstNamedChild;
    if (!expr) return undefined;
    const converted = convertExpression(expr);
    if (converted.kind === "literal" && typeof converted.value === "number") return converted.value;
    return converted;
  }
  return undefined;
}

function convertPrimary(node: Node): Expr {
  const start = node.startIndex;
  const end = node.endIndex;
  switch (node.type) {
    case "literal_value":
    case "collection_value":
    case "template_expr": {
      const inner = node.firstNamedChild;
      return inner ? convertPrimary(inner) : unsupported(node);
    }
    case "string_lit":
    case "quoted_template":
      return { kind: "template", parts: convertTemplateParts(node), start, end };
    case "numeric_lit":
      return { kind: "literal", value: Number(node.text), start, end };
    case "bool_lit":
      return { kind: "literal", value: node.text === "true", start, end };
    case "null_lit":
      return { kind: "literal", value: null, start, end };
    case "variable_expr":
      return { kind: "traversal", root: node.text, steps: [], start, end };
    case "function_call": {
      const name = node.firstNamedChild?.text ?? "";
      const argsNode = node.namedChildren.find((c) => c?.type === "function_arguments");
      const args = (argsNode?.namedChildren ?? [])
        .filter((c): c is Node => c?.type === "expression")
        .map(convertExpression);
      return { kind: "call", name, args, start, end };
    }
    case "tuple":
      return {
        kind: "tuple",
        items: node.namedChildren
          .filter((c): c is Node => c?.type === "expression")
          .map(convertExpression),
        start,
        end,
      };
    case "object": {
      const entries: { key: string | Expr; value: Expr }[] = [];
      for (const elem of node.namedChildren) {
        if (elem?.type !== "object_elem") continue;
        const keyNode = elem.childForFieldName("key");
        const valueNode = elem.childForFieldName("val");
        if (!keyNode || !valueNode) continue;
        const keyExpr = convertExpression(keyNode);
        const key =
          keyExpr.kind === "traversal" && keyExpr.steps.length === 0 ? keyExpr.root : keyExpr;
        entries.push({ key, value: convertExpression(valueNode) });
      }
      return { kind: "object", entries, start, end };
    }
    case "expression":
      return convertExpression(node);
    default:
      return unsupported(node);
  }
}

function convertTemplateParts(node: Node): TemplatePart[] {
  const parts: TemplatePart[] = [];
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === "template_literal") {
      parts.push({ kind: "literal", raw: child.text, start: child.startIndex });
    } else if (child.type === "template_interpolation") {
      const expr = child.namedChildren.find((c) => c?.type === "expression");
      parts.push({
        kind: "interpolation",
        expr: expr ? convertExpression(expr) : unsupported(child),
      });
    } else if (child.type === "template_directive") {
      parts.push({ kind: "interpolation", expr: unsupported(child) });
    }
  }
  return parts;
}
