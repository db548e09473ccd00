import { posix } from "node:path";
import type {
  Expr,
  HclAttribute,
  HclBlock,
  HclBody,
  HclDocument,
  TraversalStep,
} from "./hcl-syntax.js";
import { MAX_EVALUATED_STRING_LENGTH, MAX_EVALUATION_DEPTH } from "./limits.js";
import { quoted } from "./reason-text.js";
import { concat, traced, untraced, type TracedString } from "./traced-string.js";

/** A statically evaluated HCL value. `unknown` carries why it cannot be known before run time. */
export type Value =
  | { type: "string"; value: TracedString }
  | { type: "number"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "null" }
  | { type: "object"; get(key: string): Value | undefined }
  | { type: "tuple"; items: Value[] }
  | { type: "unknown"; reason: string };

/** What the evaluator may read of the repository; every read is recorded by the caller. */
export interface RepoReader {
  /** Whether a repository-relative path is a file. */
  exists(path: string): boolean;
  /** The parsed file, or undefined when it is missing or unreadable (reported by the reader). */
  document(path: string): HclDocument | undefined;
  /** Why a file that exists has no document ("does not parse", too large...). */
  unreadable(path: string): string | undefined;
}

/** The evaluation context of one configuration file: its locals, includes and Terragrunt directory. */
export interface Scope {
  /** The file the expressions are written in. */
  file: string;
  /** The Terragrunt configuration being evaluated (`get_terragrunt_dir()` is its folder). */
  configPath: string;
  locals: Value;
  includes: Map<
    string,
    {
      name: string;
      path: string;
      start: number;
      /** False for `merge_strategy = "no_merge"`: the include's blocks are not merged into the unit. */
      merged: boolean;
      scope: () => Scope;
      document: HclDocument;
      /** `include.<name>` as a value, once it has been used. */
      value?: Value;
    }
  >;
  /** Include blocks whose file could not be read, by name, with why. */
  unresolved: Map<string, string>;
  /** Set when evaluating an included file: that file's path. */
  includedPath?: string;
}

/** Terragrunt functions whose result depends on the machine, the cloud account or the command run. */
const RUNTIME_FUNCTIONS = new Set([
  "get_env",
  "run_cmd",
  "sops_decrypt_file",
  "get_aws_account_id",
  "get_aws_account_alias",
  "get_aws_caller_identity_arn",
  "get_aws_caller_identity_user_id",
  "get_terraform_command",
  "get_terraform_cli_args",
  "get_platform",
  "get_working_dir",
  "get_original_terragrunt_dir",
  "local_exec",
]);

const RUNTIME_ROOTS = new Set(["dependency", "dependencies", "var", "values", "feature", "unit"]);

function unknown(reason: string): Value {
  return { type: "unknown", reason };
}

function str(value: TracedString): Value {
  return { type: "string", value };
}

/** Repository-relative path of a virtual absolute path (`/a/b` → `a/b`); undefined when it leaves the repository. */
export function toRepoPath(path: string, baseDir: string): string | undefined {
  // Most paths (`../../root.hcl` aside) need no normalising: skip posix.join's and normalize's work.
  if (isPlainRelative(path)) {
    if (baseDir === "" || baseDir === ".") return path;
    if (isPlainRelative(baseDir)) return `${baseDir}/${path}`;
  }
  const combined = path.startsWith("/") ? path.replace(/^\/+/, "") : posix.join(baseDir, path);
  const normalized = posix.normalize(combined === "" ? "." : combined);
  if (normalized === ".." || normalized.startsWith("../")) return undefined;
  return normalized === "." ? "" : normalized.replace(/\/$/, "");
}

const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/** `a/b/c`: relative, no `.`/`..` segment, no empty segment, no trailing `/`. */
function isPlainRelative(path: string): boolean {
  return (
    path !== "" &&
    !path.startsWith("/") &&
    !path.endsWith("/") &&
    !path.includes("//") &&
    !DOT_SEGMENT.test(path)
  );
}

function virtualDir(path: string): string {
  return posix.join("/", posix.dirname(path));
}

const ESCAPE = /\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g;

/**
 * HCL escape sequences; a literal that contains none is copied verbatim and stays traceable.
 * A string: the escape sequence that is not a code point.
 */
function decodeLiteral(raw: string, file: string, start: number): TracedString | string {
  if (!/[\\$%]/.test(raw)) return traced(raw, file, start);
  for (const [sequence, e] of raw.matchAll(ESCAPE)) {
    if (e?.startsWith("U") && parseInt(e.slice(1), 16) > 0x10ffff) return sequence;
  }
  const decoded = raw
    .replace(/\$\$\{/g, "${")
    .replace(/%%\{/g, "%{")
    .replace(ESCAPE, (_m, e: string) => {
      if (e === "n") return "\n";
      if (e === "t") return "\t";
      if (e === "r") return "\r";
      if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
      return e;
    });
  return decoded === raw ? traced(raw, file, start) : untraced(decoded);
}

/**
 * A large body's attributes by name and blocks by type, built once: lookups stay constant-time in a
 * file of 100,000 attributes or thousands of includes. Small bodies (nearly all) are searched instead,
 * which allocates nothing.
 */
interface BodyIndex {
  attributes: Map<string, HclAttribute>;
  blocks: Map<string, HclBlock[]>;
  /** Every `locals` attribute's expression (a later one wins). */
  locals?: Map<string, Expr>;
}

/** Bodies with fewer attributes and blocks than this are searched, not indexed. */
const INDEXED_BODY_SIZE = 32;

const bodyIndexes = new WeakMap<HclBody, BodyIndex>();

function largeBodyIndex(body: HclBody): BodyIndex | undefined {
  if (body.attributes.length + body.blocks.length < INDEXED_BODY_SIZE) return undefined;
  let index = bodyIndexes.get(body);
  if (!index) {
    index = { attributes: new Map(), blocks: new Map() };
    for (const attr of body.attributes) {
      if (!index.attributes.has(attr.name)) index.attributes.set(attr.name, attr);
    }
    for (const block of body.blocks) {
      const blocks = index.blocks.get(block.type);
      if (blocks) blocks.push(block);
      else index.blocks.set(block.type, [block]);
    }
    bodyIndexes.set(body, index);
  }
  return index;
}

function attributeNamed(body: HclBody, name: string): HclAttribute | undefined {
  const index = largeBodyIndex(body);
  return index ? index.attributes.get(name) : body.attributes.find((a) => a.name === name);
}

function attribute(body: HclBody, name: string): Expr | undefined {
  return attributeNamed(body, name)?.expr;
}

function blocksOf(body: HclBody, type: string): HclBlock[] {
  const index = largeBodyIndex(body);
  return index ? (index.blocks.get(type) ?? []) : body.blocks.filter((b) => b.type === type);
}

function localExpressions(body: HclBody): Map<string, Expr> {
  const index = largeBodyIndex(body);
  if (index?.locals) return index.locals;
  const locals = new Map<string, Expr>();
  for (const block of blocksOf(body, "locals")) {
    for (const attr of block.body.attributes) locals.set(attr.name, attr.expr);
  }
  if (index) index.locals = locals;
  return locals;
}

/** What an object entry is while it is being evaluated; the traversal that meets it names the cycle. */
const REFERS_TO_ITSELF: Value = { type: "unknown", reason: "refers to itself" };

/**
 * An object whose entries are evaluated when first asked for, once each. An entry asked for while it
 * is being evaluated refers to itself: it is {@link REFERS_TO_ITSELF} instead of recursing forever.
 */
function lazyObject(evaluateEntry: (key: string) => Value | undefined): Value {
  const values = new Map<string, Value | undefined>();
  const evaluating = new Set<string>();
  return {
    type: "object",
    get: (key) => {
      if (values.has(key)) return values.get(key);
      if (evaluating.has(key)) return REFERS_TO_ITSELF;
      evaluating.add(key);
      try {
        const value = evaluateEntry(key);
        values.set(key, value);
        return value;
      } finally {
        evaluating.delete(key);
      }
    },
  };
}

/**
 * Evaluates the statically knowable part of Terragrunt configurations: locals, includes,
 * `read_terragrunt_config`, the path functions and string templates.
 */
export class TerragruntEvaluator {
  /** How many evaluations are under way, one inside the other. */
  private depth = 0;
  /** Configurations evaluated as themselves, by path: each file read is evaluated once, and cycles end. */
  private readonly configScopes = new Map<string, Scope>();
  /** The value of `read_terragrunt_config` of each path. */
  private readonly readConfigs = new Map<string, Value>();

  constructor(private readonly repo: RepoReader) {}

  /**
   * The scope of a Terragrunt configuration file evaluated as itself (a unit, a stack file, or a read
   * config); the same one for every read of the same path.
   */
  configScope(path: string, document: HclDocument): Scope {
    const known = this.configScopes.get(path);
    if (known) return known;
    const scope: Scope = {
      file: path,
      configPath: path,
      locals: unknown("no locals"),
      includes: new Map(),
      unresolved: new Map(),
    };
    this.configScopes.set(path, scope);
    scope.locals = this.localsOf(document.body, () => scope);
    for (const block of blocksOf(document.body, "include")) {
      const name = block.labels[0] ?? "";
      const pathExpr = attribute(block.body, "path");
      const value = pathExpr ? this.evaluate(pathExpr, scope) : unknown("it has no path");
      if (value.type !== "string") {
        scope.unresolved.set(
          name,
          value.type === "unknown" ? value.reason : "its path is not a string",
        );
        continue;
      }
      const includePath = toRepoPath(value.value.text, posix.dirname(path));
      if (includePath === undefined) {
        scope.unresolved.set(name, `${value.value.text} is outside the repository`);
        continue;
      }
      const included = this.repo.document(includePath);
      if (!included) {
        const why = this.repo.exists(includePath)
          ? (this.repo.unreadable(includePath) ?? "does not parse")
          : "is not a file in the repository";
        scope.unresolved.set(name, `${includePath} ${why}`);
        continue;
      }
      const strategy = attribute(block.body, "merge_strategy");
      const merged = !(
        strategy?.kind === "template" &&
        strategy.parts.length === 1 &&
        strategy.parts[0]?.kind === "literal" &&
        strategy.parts[0].raw === "no_merge"
      );
      let includedScope: Scope | undefined;
      scope.includes.set(name, {
        name,
        path: includePath,
        start: block.start,
        merged,
        document: included,
        scope: () => (includedScope ??= this.includedScope(scope, includePath, included)),
      });
    }
    return scope;
  }

  /** The include blocks of a configuration whose file could not be read, with why. */
  unresolvedIncludes(scope: Scope): { name: string; reason: string }[] {
    return [...scope.unresolved].map(([name, reason]) => ({ name, reason }));
  }

  /**
   * The value of attribute `name` of the first block of `blockType` in a configuration,
   * falling back to the configurations it includes (the last include wins, as Terragrunt merges them).
   * `declaredAt` is the offset in the configuration's own file of the attribute or of the include it came through.
   */
  effectiveAttribute(
    scope: Scope,
    document: HclDocument,
    blockType: string,
    name: string,
  ): { value: Value; declaredAt: number } | undefined {
    const own = this.blockAttribute(document.body, blockType, name);
    if (own) return { value: this.evaluate(own.expr, scope), declaredAt: own.start };
    for (const include of [...scope.includes.values()].reverse()) {
      if (!include.merged) continue;
      const inherited = this.blockAttribute(include.document.body, blockType, name);
      if (inherited) {
        return { value: this.evaluate(inherited.expr, include.scope()), declaredAt: include.start };
      }
    }
    return undefined;
  }

  /** Evaluates an expression written in the scope's own file. */
  evaluateIn(scope: Scope, expr: Expr): Value {
    return this.evaluate(expr, scope);
  }

  private blockAttribute(body: HclBody, blockType: string, name: string) {
    for (const block of blocksOf(body, blockType)) {
      const found = attributeNamed(block.body, name);
      if (found) return found;
    }
    return undefined;
  }

  private includedScope(child: Scope, path: string, document: HclDocument): Scope {
    const scope: Scope = {
      file: path,
      configPath: child.configPath,
      locals: unknown("no locals"),
      includes: new Map(),
      unresolved: new Map(),
      includedPath: path,
    };
    scope.locals = this.localsOf(document.body, () => scope);
    return scope;
  }

  /** A lazily evaluated object over a body's `locals` blocks, so an unknowable local only matters if used. */
  private localsOf(body: HclBody, scope: () => Scope): Value {
    const exprs = localExpressions(body);
    return lazyObject((key) => {
      const expr = exprs.get(key);
      return expr && this.evaluate(expr, scope());
    });
  }

  /** Evaluates an expression, or says it goes deeper than {@link MAX_EVALUATION_DEPTH} (which no real configuration does). */
  private evaluate(expr: Expr, scope: Scope): Value {
    if (this.depth >= MAX_EVALUATION_DEPTH) {
      return unknown(
        `the value refers through more than ${MAX_EVALUATION_DEPTH} levels of locals, includes and expressions`,
      );
    }
    this.depth++;
    try {
      return this.evaluateExpression(expr, scope);
    } finally {
      this.depth--;
    }
  }

  private evaluateExpression(expr: Expr, scope: Scope): Value {
    switch (expr.kind) {
      case "literal":
        if (expr.value === null) return { type: "null" };
        return typeof expr.value === "number"
          ? { type: "number", value: expr.value }
          : { type: "bool", value: expr.value };
      case "template": {
        const pieces: TracedString[] = [];
        let length = 0;
        for (const part of expr.parts) {
          let piece: TracedString | undefined;
          if (part.kind === "literal") {
            const decoded = decodeLiteral(part.raw, scope.file, part.start);
            if (typeof decoded === "string") {
              return unknown(`\`${decoded}\` is not a valid escape sequence`);
            }
            piece = decoded;
          } else {
            const value = this.evaluate(part.expr, scope);
            piece = asString(value);
            if (!piece)
              return value.type === "unknown" ? value : unknown("a non-string in a template");
          }
          length += piece.text.length;
          if (length > MAX_EVALUATED_STRING_LENGTH) {
            return unknown(`the string is longer than ${MAX_EVALUATED_STRING_LENGTH} characters`);
          }
          pieces.push(piece);
        }
        return str(concat(pieces));
      }
      case "tuple":
        return { type: "tuple", items: expr.items.map((item) => this.evaluate(item, scope)) };
      case "object": {
        const entries = new Map<string, Expr>();
        for (const entry of expr.entries) {
          const key =
            typeof entry.key === "string"
              ? entry.key
              : asString(this.evaluate(entry.key, scope))?.text;
          if (key !== undefined) entries.set(key, entry.value);
        }
        return lazyObject((key) => {
          const value = entries.get(key);
          return value && this.evaluate(value, scope);
        });
      }
      case "traversal":
        return this.traverse(expr, scope);
      case "access":
        return this.walk(
          this.evaluate(expr.target, scope),
          expr.target.kind === "call" ? `${expr.target.name}(…)` : "(…)",
          expr.steps,
          scope,
        );
      case "call":
        return this.call(expr.name, expr.args, scope);
      case "unsupported":
        return unknown(`\`${quoted(expr.text)}\` cannot be evaluated statically`);
    }
  }

  private traverse(expr: Extract<Expr, { kind: "traversal" }>, scope: Scope): Value {
    let value: Value;
    const steps = [...expr.steps];
    if (expr.root === "local") {
      value = scope.locals;
    } else if (expr.root === "include") {
      value = this.includeObject(scope, steps);
    } else if (RUNTIME_ROOTS.has(expr.root)) {
      return unknown(`\`${expr.root}.*\` is only known when Terragrunt runs`);
    } else {
      return unknown(`\`${expr.root}\` is not known statically`);
    }
    return this.walk(value, expr.root, steps, scope);
  }

  /** Follows attribute and index steps from a value, named `written` in reasons. */
  private walk(from: Value, written: string, steps: TraversalStep[], scope: Scope): Value {
    let value = from;
    let path = written;
    for (const step of steps) {
      if (value.type === "unknown") return value;
      const key =
        typeof step === "object" ? (asString(this.evaluate(step, scope))?.text ?? step) : step;
      path += typeof key === "number" ? `[${key}]` : `.${typeof key === "string" ? key : "?"}`;
      let next: Value | undefined;
      if (value.type === "object" && typeof key === "string") next = value.get(key);
      else if (value.type === "tuple" && typeof key === "number") next = value.items[key];
      if (!next) return unknown(`\`${path}\` is not defined`);
      if (next === REFERS_TO_ITSELF) return unknown(`${path} refers to itself`);
      value = next;
    }
    return value;
  }

  /** `include.<name>` (consuming the name step) or `include` of the single unnamed include. */
  private includeObject(scope: Scope, steps: (string | number | Expr)[]): Value {
    const first = steps[0];
    let include = typeof first === "string" ? scope.includes.get(first) : undefined;
    if (include) steps.shift();
    else include = scope.includes.get("");
    if (!include) {
      const name = typeof first === "string" ? first : "";
      const why = scope.unresolved.get(name) ?? scope.unresolved.get("");
      return unknown(
        why === undefined
          ? `there is no include block named "${name}"`
          : `include "${name}" cannot be resolved: ${why}`,
      );
    }
    const target = include;
    target.value ??= lazyObject((key) => {
      if (key === "locals") return target.scope().locals;
      const expr = attribute(target.document.body, key);
      return expr && this.evaluate(expr, target.scope());
    });
    return target.value;
  }

  private call(name: string, args: Expr[], scope: Scope): Value {
    const values: Value[] = [];
    const argument = (i: number): Value | undefined =>
      args[i] && (values[i] ??= this.evaluate(args[i], scope));
    const stringArg = (i: number): string | undefined => {
      const value = argument(i);
      return value && asString(value)?.text;
    };
    /** Why argument `i` is not a usable string: its own reason when it is not known statically. */
    const notString = (i: number, reason: string): Value => {
      const value = argument(i);
      return value?.type === "unknown" ? value : unknown(reason);
    };
    const unitDir = virtualDir(scope.configPath);
    switch (name) {
      case "get_terragrunt_dir":
        return str(untraced(unitDir));
      case "get_repo_root":
        return str(untraced("/"));
      case "get_path_to_repo_root":
        return str(untraced(posix.relative(unitDir, "/") || "."));
      case "get_parent_terragrunt_dir":
      case "path_relative_to_include":
      case "path_relative_from_include": {
        const parent = this.parentPath(scope, stringArg(0));
        if (parent === undefined) {
          if (name !== "get_parent_terragrunt_dir") return str(untraced("."));
          return unknown(`${name}() has no include to refer to`);
        }
        const parentDir = virtualDir(parent);
        if (name === "get_parent_terragrunt_dir") return str(untraced(parentDir));
        const relative =
          name === "path_relative_to_include"
            ? posix.relative(parentDir, unitDir)
            : posix.relative(unitDir, parentDir);
        return str(untraced(relative || "."));
      }
      case "find_in_parent_folders": {
        const target = args.length > 0 ? stringArg(0) || "terragrunt.hcl" : "terragrunt.hcl";
        if (target === undefined)
          return notString(0, "find_in_parent_folders() with a non-static name");
        let dir = posix.dirname(scope.configPath);
        while (dir !== "." && dir !== "") {
          dir = posix.dirname(dir);
          const candidate = dir === "." ? target : `${dir}/${target}`;
          const repoPath = toRepoPath(candidate, "");
          if (repoPath !== undefined && this.repo.exists(repoPath))
            return str(untraced(`/${repoPath}`));
        }
        const fallback = args.length > 1 ? this.evaluate(args[1] as Expr, scope) : undefined;
        if (fallback) return fallback;
        const what = target.endsWith(".json")
          ? "names a JSON Terragrunt configuration, which Promoter does not read"
          : "finds no file";
        return unknown(`find_in_parent_folders(${JSON.stringify(quoted(target))}) ${what}`);
      }
      case "dirname":
      case "basename": {
        const value = stringArg(0);
        if (value === undefined) return notString(0, `${name}() of a non-static path`);
        return str(untraced(name === "dirname" ? posix.dirname(value) : posix.basename(value)));
      }
      case "read_terragrunt_config": {
        const value = stringArg(0);
        const path =
          value === undefined ? undefined : toRepoPath(value, posix.dirname(scope.configPath));
        const document = path === undefined ? undefined : this.repo.document(path);
        if (path === undefined || document === undefined) {
          if (args.length > 1) return this.evaluate(args[1] as Expr, scope);
          if (value?.endsWith(".json")) {
            return unknown(
              `read_terragrunt_config(${JSON.stringify(quoted(value))}) reads a JSON Terragrunt configuration, which Promoter does not read`,
            );
          }
          return notString(
            0,
            `read_terragrunt_config(${JSON.stringify(value ?? "?")}) reads no file`,
          );
        }
        let config = this.readConfigs.get(path);
        if (!config) {
          const readScope = this.configScope(path, document);
          config = lazyObject((key) => {
            if (key === "locals") return readScope.locals;
            const expr = attribute(document.body, key);
            return expr && this.evaluate(expr, readScope);
          });
          this.readConfigs.set(path, config);
        }
        return config;
      }
      case "lower":
      case "upper":
      case "trimspace": {
        const value = stringArg(0);
        if (value === undefined)
          return notString(0, `${name}() of a value that is not known statically`);
        const result =
          name === "lower"
            ? value.toLowerCase()
            : name === "upper"
              ? value.toUpperCase()
              : value.trim();
        return str(untraced(result));
      }
      default:
        return unknown(
          RUNTIME_FUNCTIONS.has(name)
            ? `${name}() is only known when Terragrunt runs`
            : `${name}() is not evaluated by Promoter`,
        );
    }
  }

  /** The included file `get_parent_terragrunt_dir()` and `path_relative_*_include()` refer to. */
  private parentPath(scope: Scope, name: string | undefined): string | undefined {
    if (scope.includedPath !== undefined) return scope.includedPath;
    if (name !== undefined) return scope.includes.get(name)?.path;
    const [only] = scope.includes.values();
    return scope.includes.size === 1 ? only?.path : undefined;
  }
}

function asString(value: Value): TracedString | undefined {
  if (value.type === "string") return value.value;
  if (value.type === "number" || value.type === "bool") return untraced(String(value.value));
  return undefined;
}
