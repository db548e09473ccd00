import type {
  Expr,
  HclAttribute,
  HclBlock,
  HclBody,
  HclDocument,
  TemplatePart,
  TraversalStep,
} from "./hcl-syntax.js";
import { MAX_NESTING_DEPTH } from "./limits.js";

/** Top-level attributes whose values the scanner never reads: they are checked for balance and skipped. */
const SKIPPED_ATTRIBUTES = new Set(["inputs"]);

class HclSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const enum Char {
  Tab = 9,
  Newline = 10,
  Return = 13,
  Space = 32,
  Bang = 33,
  Quote = 34,
  Hash = 35,
  Dollar = 36,
  Percent = 37,
  Ampersand = 38,
  OpenParen = 40,
  CloseParen = 41,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  Less = 60,
  Equals = 61,
  Greater = 62,
  Question = 63,
  OpenBracket = 91,
  Backslash = 92,
  CloseBracket = 93,
  Underscore = 95,
  OpenBrace = 123,
  Pipe = 124,
  CloseBrace = 125,
  Tilde = 126,
}

const CLOSERS = new Map([
  [Char.OpenParen, Char.CloseParen],
  [Char.OpenBracket, Char.CloseBracket],
  [Char.OpenBrace, Char.CloseBrace],
]);

/** ASCII codes `skipBalanced` must look at: quotes, heredoc starts, brackets and comment starts. */
const SKIP_STOPS = new Uint8Array(128);
for (const c of '"<([{)]}#/') SKIP_STOPS[c.charCodeAt(0)] = 1;

function isIdentifierStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === Char.Underscore || c > 127;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || (c >= Char.Zero && c <= Char.Nine) || c === Char.Minus;
}

function isDigit(c: number): boolean {
  return c >= Char.Zero && c <= Char.Nine;
}

/**
 * Parses HCL native syntax (Terraform, OpenTofu, Terragrunt) into the scanner's syntax model, with
 * string offsets for every literal. Hand-written for speed: a scan reads tens of thousands of files.
 * Never throws: the first syntax error comes back in `error`, with the body read up to it. Nesting
 * deeper than {@link MAX_NESTING_DEPTH} levels is such an error, so no file can exhaust the call stack.
 */
export function parseHcl(text: string): HclDocument {
  const parser = new Parser(text);
  const body: HclBody = { attributes: [], blocks: [] };
  parser.skipByteOrderMark();
  try {
    parser.body(body, true);
    return { body };
  } catch (error) {
    if (error instanceof HclSyntaxError) {
      return { body, error: { offset: error.offset, message: error.message } };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { body, error: { offset: parser.position, message: `the parser failed: ${message}` } };
  }
}

class Parser {
  private pos = 0;
  /** How many blocks, brackets, interpolations, directives and operators are open here. */
  private depth = 0;

  constructor(private readonly text: string) {}

  /** Where the parser is: the offset of the first character not yet read. */
  get position(): number {
    return this.pos;
  }

  /** Opens a level of nesting at `at`; one level too many is a syntax error there. */
  private enter(at = this.pos): void {
    this.depth++;
    if (this.depth > MAX_NESTING_DEPTH)
      this.fail(`nesting deeper than ${MAX_NESTING_DEPTH} levels`, at);
  }

  private leave(): void {
    this.depth--;
  }

  /** Editors on Windows start files with U+FEFF; HCL reads it as nothing. */
  skipByteOrderMark(): void {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  private code(at = this.pos): number {
    return this.text.charCodeAt(at);
  }

  private fail(message: string, at = this.pos): never {
    throw new HclSyntaxError(at, message);
  }

  private describeHere(): string {
    if (this.pos >= this.text.length) return "end of file";
    const c = this.text[this.pos];
    return c === "\n" ? "end of line" : JSON.stringify(c);
  }

  /** Skips spaces and comments; newlines too when `newlines` (inside brackets, or between body items). */
  private skip(newlines: boolean): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === Char.Space || c === Char.Tab || c === Char.Return) {
        this.pos++;
      } else if (c === Char.Newline && newlines) {
        this.pos++;
      } else if (
        c === Char.Hash ||
        (c === Char.Slash && text.charCodeAt(this.pos + 1) === Char.Slash)
      ) {
        const end = text.indexOf("\n", this.pos);
        this.pos = end === -1 ? text.length : end;
      } else if (c === Char.Slash && text.charCodeAt(this.pos + 1) === Char.Star) {
        const end = text.indexOf("*/", this.pos + 2);
        if (end === -1) this.fail("unterminated /* comment");
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  private identifier(): string {
    const start = this.pos;
    if (!isIdentifierStart(this.code())) this.fail(`expected a name, found ${this.describeHere()}`);
    this.pos++;
    while (isIdentifierPart(this.code())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private expect(c: number, what: string): void {
    if (this.code() !== c) this.fail(`expected ${what}, found ${this.describeHere()}`);
    this.pos++;
  }

  /** A body: attributes and blocks until `}` (or the end of the file at top level). */
  body(body: HclBody, topLevel: boolean): void {
    for (;;) {
      this.skip(true);
      if (this.pos >= this.text.length) {
        if (topLevel) return;
        this.fail('missing "}"');
      }
      if (this.code() === Char.CloseBrace) {
        if (topLevel) this.fail('unexpected "}"');
        return;
      }
      const start = this.pos;
      const name = this.identifier();
      this.skip(false);
      if (this.code() === Char.Equals && this.code(this.pos + 1) !== Char.Equals) {
        this.pos++;
        this.skip(false);
        const expr =
          topLevel && SKIPPED_ATTRIBUTES.has(name) ? this.skipExpression() : this.expression(false);
        body.attributes.push({ name, expr, start } satisfies HclAttribute);
      } else {
        body.blocks.push(this.block(name, start));
      }
      this.endOfItem();
    }
  }

  private endOfItem(): void {
    this.skip(false);
    const c = this.code();
    if (c === Char.Newline) this.pos++;
    else if (this.pos < this.text.length && c !== Char.CloseBrace) {
      this.fail(`expected a new line, found ${this.describeHere()}`);
    }
  }

  private block(type: string, start: number): HclBlock {
    const labels: string[] = [];
    for (;;) {
      const c = this.code();
      if (c === Char.OpenBrace) break;
      if (c === Char.Quote) {
        const label = this.template();
        labels.push(label.parts.map((p) => (p.kind === "literal" ? p.raw : "")).join(""));
      } else if (isIdentifierStart(c)) {
        labels.push(this.identifier());
      } else {
        this.fail(
          `expected "=" or "{" after ${JSON.stringify(type)}, found ${this.describeHere()}`,
        );
      }
      this.skip(false);
    }
    this.enter();
    this.pos++;
    const body: HclBody = { attributes: [], blocks: [] };
    this.body(body, false);
    this.pos++;
    this.leave();
    return { type, labels, body, start };
  }

  /** An expression; `nested` when inside brackets, where new lines are plain space. */
  private expression(nested: boolean): Expr {
    const start = this.pos;
    let expr = this.binary(nested);
    const save = this.pos;
    this.skip(nested);
    if (this.code() !== Char.Question) {
      this.pos = save;
    } else {
      this.enter();
      this.pos++;
      this.skip(nested);
      this.expression(nested);
      this.skip(nested);
      this.expect(Char.Colon, '":" of a conditional');
      this.skip(nested);
      this.expression(nested);
      this.leave();
      expr = this.unsupported(start);
    }
    return expr;
  }

  private unsupported(start: number): Expr {
    return { kind: "unsupported", text: this.text.slice(start, this.pos), start, end: this.pos };
  }

  private operatorLength(): number {
    const c = this.code();
    const next = this.code(this.pos + 1);
    if (
      (c === Char.Pipe && next === Char.Pipe) ||
      (c === Char.Ampersand && next === Char.Ampersand)
    )
      return 2;
    if (
      (c === Char.Equals || c === Char.Bang || c === Char.Less || c === Char.Greater) &&
      next === Char.Equals
    ) {
      return 2;
    }
    if (c === Char.Less || c === Char.Greater) return next === Char.Less ? 0 : 1;
    if (c === Char.Plus || c === Char.Minus || c === Char.Star || c === Char.Percent) return 1;
    if (c === Char.Slash && next !== Char.Slash && next !== Char.Star) return 1;
    return 0;
  }

  /** Operands and binary operators, read in a loop: a long chain of operators is not nesting. */
  private binary(nested: boolean): Expr {
    const start = this.pos;
    const first = this.unary(nested);
    let operators = false;
    for (;;) {
      const save = this.pos;
      this.skip(nested);
      const length = this.operatorLength();
      if (length === 0) {
        this.pos = save;
        return operators ? this.unsupported(start) : first;
      }
      operators = true;
      this.pos += length;
      this.skip(nested);
      this.unary(nested);
    }
  }

  private unary(nested: boolean): Expr {
    const c = this.code();
    if (c === Char.Bang || c === Char.Minus) {
      const start = this.pos;
      this.enter();
      this.pos++;
      this.skip(nested);
      const operand = this.unary(nested);
      this.leave();
      if (c === Char.Minus && operand.kind === "literal" && typeof operand.value === "number") {
        return { kind: "literal", value: -operand.value, start, end: this.pos };
      }
      return this.unsupported(start);
    }
    return this.postfix(this.primary());
  }

  private postfix(primary: Expr): Expr {
    let expr = primary;
    const steps: TraversalStep[] = [];
    let splat = false;
    for (;;) {
      const c = this.code();
      if (c === Char.Dot) {
        const next = this.code(this.pos + 1);
        if (next === Char.Dot) break;
        this.pos++;
        if (next === Char.Star) {
          this.pos++;
          splat = true;
        } else if (isDigit(next)) {
          const start = this.pos;
          while (isDigit(this.code())) this.pos++;
          steps.push(Number(this.text.slice(start, this.pos)));
        } else {
          steps.push(this.identifier());
        }
      } else if (c === Char.OpenBracket) {
        this.enter();
        this.pos++;
        this.skip(true);
        if (this.code() === Char.Star) {
          this.pos++;
          splat = true;
        } else {
          const index = this.expression(true);
          steps.push(
            index.kind === "literal" && typeof index.value === "number" ? index.value : index,
          );
        }
        this.skip(true);
        this.expect(Char.CloseBracket, '"]"');
        this.leave();
      } else {
        break;
      }
    }
    if (steps.length === 0 && !splat) return expr;
    if (splat) return this.unsupported(primary.start);
    if (expr.kind === "call")
      return { kind: "access", target: expr, steps, start: expr.start, end: this.pos };
    if (expr.kind !== "traversal") return this.unsupported(primary.start);
    expr = { ...expr, steps: [...expr.steps, ...steps], end: this.pos };
    return expr;
  }

  private primary(): Expr {
    const start = this.pos;
    const c = this.code();
    if (c === Char.Quote) return this.template();
    if (isDigit(c)) return this.number();
    if (c === Char.OpenParen) {
      this.enter();
      this.pos++;
      this.skip(true);
      const inner = this.expression(true);
      this.skip(true);
      this.expect(Char.CloseParen, '")"');
      this.leave();
      return inner.kind === "unsupported"
        ? this.unsupported(start)
        : { ...inner, start, end: this.pos };
    }
    if (c === Char.OpenBracket) return this.collection(Char.CloseBracket, (at) => this.tuple(at));
    if (c === Char.OpenBrace) return this.collection(Char.CloseBrace, (at) => this.object(at));
    if (c === Char.Less && this.code(this.pos + 1) === Char.Less) return this.heredoc();
    if (!isIdentifierStart(c)) this.fail(`expected an expression, found ${this.describeHere()}`);
    let name = this.identifier();
    while (this.code() === Char.Colon && this.code(this.pos + 1) === Char.Colon) {
      this.pos += 2;
      name += `::${this.identifier()}`;
    }
    if (this.code() === Char.OpenParen) return this.call(name, start);
    if (name === "true" || name === "false")
      return { kind: "literal", value: name === "true", start, end: this.pos };
    if (name === "null") return { kind: "literal", value: null, start, end: this.pos };
    return { kind: "traversal", root: name, steps: [], start, end: this.pos };
  }

  private number(): Expr {
    const start = this.pos;
    while (isDigit(this.code())) this.pos++;
    if (this.code() === Char.Dot && isDigit(this.code(this.pos + 1))) {
      this.pos++;
      while (isDigit(this.code())) this.pos++;
    }
    const e = this.code();
    if (e === 101 || e === 69) {
      const sign = this.code(this.pos + 1);
      const digitAt = sign === Char.Plus || sign === Char.Minus ? this.pos + 2 : this.pos + 1;
      if (isDigit(this.code(digitAt))) {
        this.pos = digitAt;
        while (isDigit(this.code())) this.pos++;
      }
    }
    return {
      kind: "literal",
      value: Number(this.text.slice(start, this.pos)),
      start,
      end: this.pos,
    };
  }

  private call(name: string, start: number): Expr {
    this.enter();
    this.pos++;
    const args: Expr[] = [];
    let expanded = false;
    this.commaSeparated(Char.CloseParen, () => {
      args.push(this.expression(true));
      this.skip(true);
      if (this.text.startsWith("...", this.pos)) {
        this.pos += 3;
        expanded = true;
      }
    });
    if (expanded) return this.unsupported(start);
    return { kind: "call", name, args, start, end: this.pos };
  }

  /**
   * Reads items separated by commas (a call's arguments, a tuple's items) up to and past `close`,
   * and leaves the level its opening bracket entered.
   */
  private commaSeparated(close: Char, item: () => void): void {
    const closing = String.fromCharCode(close);
    for (;;) {
      this.skip(true);
      if (this.code() === close) break;
      if (this.pos >= this.text.length) this.fail(`missing "${closing}"`);
      item();
      this.skip(true);
      if (this.code() === Char.Comma) this.pos++;
      else if (this.code() !== close)
        this.fail(`expected "," or "${closing}", found ${this.describeHere()}`);
    }
    this.pos++;
    this.leave();
  }

  private isForKeyword(): boolean {
    return this.text.startsWith("for", this.pos) && !isIdentifierPart(this.code(this.pos + 3));
  }

  /** Enters the bracket at the current position and reads a `for` expression, or what `read` reads. */
  private collection(close: Char, read: (start: number) => Expr): Expr {
    const start = this.pos;
    this.enter();
    this.pos++;
    this.skip(true);
    return this.isForKeyword() ? this.forExpression(start, close) : read(start);
  }

  private tuple(start: number): Expr {
    const items: Expr[] = [];
    this.commaSeparated(Char.CloseBracket, () => items.push(this.expression(true)));
    return { kind: "tuple", items, start, end: this.pos };
  }

  private object(start: number): Expr {
    const entries: { key: string | Expr; value: Expr }[] = [];
    for (;;) {
      this.skip(true);
      if (this.code() === Char.CloseBrace) break;
      if (this.pos >= this.text.length) this.fail('missing "}"');
      const keyExpr = this.expression(false);
      const key =
        keyExpr.kind === "traversal" && keyExpr.steps.length === 0 ? keyExpr.root : keyExpr;
      this.skip(false);
      const c = this.code();
      if (c !== Char.Equals && c !== Char.Colon)
        this.fail(`expected "=" or ":", found ${this.describeHere()}`);
      this.pos++;
      this.skip(false);
      entries.push({ key, value: this.expression(false) });
      this.skip(false);
      const sep = this.code();
      if (sep === Char.Comma || sep === Char.Newline) this.pos++;
      else if (sep !== Char.CloseBrace)
        this.fail(`expected "," or a new line, found ${this.describeHere()}`);
    }
    this.pos++;
    this.leave();
    return { kind: "object", entries, start, end: this.pos };
  }

  /** `[for ...]` and `{for ...}` (their bracket already entered): read through to the closing bracket; never evaluated. */
  private forExpression(start: number, close: number): Expr {
    this.pos += 3;
    this.skipBalanced(close);
    this.leave();
    return this.unsupported(start);
  }

  /**
   * Skips tokens (strings, heredocs, comments and nested brackets included) up to and past `close`.
   * The caller has entered the level `close` ends; every nested bracket is a level of its own.
   */
  private skipBalanced(close: number): void {
    const stack: number[] = [close];
    const text = this.text;
    while (stack.length > 0) {
      // Runs of plain characters (most of a skipped `inputs = {…}`) are passed in one tight loop.
      let at = this.pos;
      for (let c = text.charCodeAt(at); at < text.length && (c > 127 || SKIP_STOPS[c] === 0);)
        c = text.charCodeAt(++at);
      this.pos = at;
      if (this.pos >= this.text.length)
        this.fail(`missing "${String.fromCharCode(stack[stack.length - 1] as number)}"`);
      this.skip(true);
      const c = this.code();
      const closer = CLOSERS.get(c);
      if (c === Char.Quote) this.template();
      else if (c === Char.Less && this.code(this.pos + 1) === Char.Less && this.heredocAhead())
        this.heredoc();
      else if (closer !== undefined) {
        this.enter();
        this.pos++;
        stack.push(closer);
      } else if (c === Char.CloseParen || c === Char.CloseBracket || c === Char.CloseBrace) {
        if (stack.pop() !== c) this.fail(`unexpected ${this.describeHere()}`);
        this.pos++;
        if (stack.length > 0) this.leave();
      } else if (this.pos < this.text.length) this.pos++;
    }
  }

  /** An attribute value that is never read: checked for balance and skipped, up to the end of its line. */
  private skipExpression(): Expr {
    const start = this.pos;
    for (;;) {
      this.skip(false);
      const c = this.code();
      if (this.pos >= this.text.length || c === Char.Newline || c === Char.CloseBrace) break;
      if (c === Char.Quote) this.template();
      else if (c === Char.Less && this.code(this.pos + 1) === Char.Less && this.heredocAhead())
        this.heredoc();
      else if (CLOSERS.has(c)) {
        this.enter();
        this.pos++;
        this.skipBalanced(CLOSERS.get(c) as number);
        this.leave();
      } else if (c === Char.CloseParen || c === Char.CloseBracket)
        this.fail(`unexpected ${this.describeHere()}`);
      else this.pos++;
    }
    if (this.pos === start) this.fail(`expected an expression, found ${this.describeHere()}`);
    return this.unsupported(start);
  }

  private heredocAhead(): boolean {
    let at = this.pos + 2;
    if (this.code(at) === Char.Minus) at++;
    return isIdentifierStart(this.code(at));
  }

  /**
   * `<<EOT` / `<<-EOT` up to the line holding only the marker. Heredocs are never evaluated, but their
   * interpolations and directives are read as in a quoted template (they nest, and may span lines).
   */
  private heredoc(): Expr {
    const start = this.pos;
    this.pos += 2;
    if (this.code() === Char.Minus) this.pos++;
    const marker = this.identifier();
    this.skip(false);
    if (this.code() !== Char.Newline) this.fail("expected a new line after the heredoc marker");
    const text = this.text;
    const directives = { open: 0 };
    this.pos++;
    for (;;) {
      if (this.pos >= text.length) this.fail(`heredoc ${marker} is never closed`, start);
      let lineEnd = text.indexOf("\n", this.pos);
      if (lineEnd === -1) lineEnd = text.length;
      const line = text.slice(this.pos, lineEnd);
      if (line.trim() === marker) {
        this.pos += line.indexOf(marker) + marker.length;
        this.closeDirectives(directives);
        return this.unsupported(start);
      }
      while (this.pos < lineEnd) {
        const c = text.charCodeAt(this.pos);
        const next = text.charCodeAt(this.pos + 1);
        if ((c === Char.Dollar || c === Char.Percent) && next === c) {
          this.pos += text.charCodeAt(this.pos + 2) === Char.OpenBrace ? 3 : 1;
        } else if ((c === Char.Dollar || c === Char.Percent) && next === Char.OpenBrace) {
          this.templateSequence(directives);
          if (this.pos > lineEnd) {
            lineEnd = text.indexOf("\n", this.pos);
            if (lineEnd === -1) lineEnd = text.length;
          }
        } else {
          this.pos++;
        }
      }
      this.pos = lineEnd + 1;
    }
  }

  /** A quoted template: literal runs (raw, escapes undecoded) and `${...}` interpolations. */
  private template(): Extract<Expr, { kind: "template" }> {
    const start = this.pos;
    this.pos++;
    const parts: TemplatePart[] = [];
    const text = this.text;
    const directives = { open: 0 };
    let literalStart = this.pos;
    const flush = (end: number): void => {
      if (end > literalStart)
        parts.push({ kind: "literal", raw: text.slice(literalStart, end), start: literalStart });
    };
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (this.pos >= text.length || c === Char.Newline) this.fail("unterminated string", start);
      if (c === Char.Quote) {
        flush(this.pos);
        this.pos++;
        this.closeDirectives(directives);
        return { kind: "template", parts, start, end: this.pos };
      }
      if (c === Char.Backslash) {
        this.pos += 2;
        continue;
      }
      const next = text.charCodeAt(this.pos + 1);
      if (
        (c === Char.Dollar || c === Char.Percent) &&
        next === c &&
        text.charCodeAt(this.pos + 2) === Char.OpenBrace
      ) {
        this.pos += 3;
        continue;
      }
      if ((c === Char.Dollar || c === Char.Percent) && next === Char.OpenBrace) {
        flush(this.pos);
        parts.push(this.templateSequence(directives));
        literalStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  /**
   * At `${` or `%{`: an interpolation (a level of nesting) or a directive, read through its `}`.
   * `%{if}` and `%{for}` open a level that their `%{endif}` / `%{endfor}` closes.
   */
  private templateSequence(directives: { open: number }): TemplatePart {
    const start = this.pos;
    const interpolation = this.code() === Char.Dollar;
    this.pos += 2;
    if (this.code() === Char.Tilde) this.pos++;
    this.skip(true);
    if (interpolation) {
      this.enter(start);
      const expr = this.expression(true);
      this.skip(true);
      if (this.code() === Char.Tilde) this.pos++;
      this.expect(Char.CloseBrace, '"}" closing the interpolation');
      this.leave();
      return { kind: "interpolation", expr };
    }
    const keywordStart = this.pos;
    while (isIdentifierPart(this.code())) this.pos++;
    const keyword = this.text.slice(keywordStart, this.pos);
    if ((keyword === "endif" || keyword === "endfor") && directives.open > 0) {
      directives.open--;
      this.leave();
    }
    this.skipBalanced(Char.CloseBrace);
    if (keyword === "if" || keyword === "for") {
      directives.open++;
      this.enter(start);
    }
    return { kind: "interpolation", expr: this.unsupported(start) };
  }

  /** Leaves the levels of directives a template left open (HCL rejects them; the scanner never reads them). */
  private closeDirectives(directives: { open: number }): void {
    for (; directives.open > 0; directives.open--) this.leave();
  }
}
