/** An HCL expression, reduced to the forms the scanner can evaluate statically. Offsets index the file's text. */
export type Expr =
  | { kind: "template"; parts: TemplatePart[]; start: number; end: number }
  | { kind: "traversal"; root: string; steps: TraversalStep[]; start: number; end: number }
  | { kind: "call"; name: string; args: Expr[]; start: number; end: number }
  /** Attribute and index steps on a value that is not a name, e.g. `read_terragrunt_config(...).locals.x`. */
  | { kind: "access"; target: Expr; steps: TraversalStep[]; start: number; end: number }
  | { kind: "object"; entries: { key: string | Expr; value: Expr }[]; start: number; end: number }
  | { kind: "tuple"; items: Expr[]; start: number; end: number }
  | { kind: "literal"; value: number | boolean | null; start: number; end: number }
  | { kind: "unsupported"; text: string; start: number; end: number };

/** One step after a traversal's root: `.name` or `[index]`. */
export type TraversalStep = string | number | Expr;

/** Part of a quoted string: literal text as written (escapes undecoded) or an interpolation. */
export type TemplatePart =
  { kind: "literal"; raw: string; start: number } | { kind: "interpolation"; expr: Expr };

/** An attribute `name = expr`. */
export interface HclAttribute {
  name: string;
  expr: Expr;
  start: number;
}

/** A block `type "label" { body }`. */
export interface HclBlock {
  type: string;
  labels: string[];
  body: HclBody;
  start: number;
}

/** The attributes and blocks of a file or block, in source order. */
export interface HclBody {
  attributes: HclAttribute[];
  blocks: HclBlock[];
}

/** A syntax error: where the parser first gave up. */
export interface HclSyntaxError {
  offset: number;
  message: string;
}

/** A parsed file: its body (as much as could be read) and its first syntax error, if any. */
export interface HclDocument {
  body: HclBody;
  error?: HclSyntaxError;
}
