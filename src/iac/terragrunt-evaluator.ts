import { posix } from "node:path";
import type { Expr, HclBlock, HclBody, HclDocument } from "./hcl-syntax.js";
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
  /** The parsed file, or undefined when it is missing. A file with a syntax error is reported by the reader. */
  document(path: string): HclDocument | undefined;
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
  const combined = path.startsWith("/") ? path.replace(/^\/+/, "") : posix.join(baseDir, path);
  const normalized = posix.normalize(combined === "" ? "." : combined);
  if (normalized === ".." || normalized.startsWith("../")) return undefined;
  return normalized === "." ? "" : normalized.replace(/\/$/, "");
}

function virtualDir(path: string): string {
  return posix.join("/", posix.dirname(path));
}

/** HCL escape sequences; a literal that contains none is copied verbatim and stays traceable. */
function decodeLiteral(raw: string, file: string, start: number): TracedString {
  if (!/[\\$%]/.test(raw)) return traced(raw, file, start);
  const decoded = raw
    .replace(/\$\$\{/g, "${")
    .replace(/%%\{/g, "%{")
    .replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_m, e: string) => {
      if (e === "n") return "\n";
      if (e === "t") return "\t";
      if (e === "r") return "\r";
      if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
      return e;
    });
  return decoded === raw ? traced(raw, file, start) : untraced(decoded);
}

function attribute(body: HclBody, name: string): Expr | undefined {
  return body.attributes.find((a) => a.name === name)?.expr;
}

function blocksOf(body: HclBody, type: string): HclBlock[] {
  return body.blocks.filter((b) => b.type === type);
}

/**
 * Evaluates the statically knowable part of Terragrunt configurations: locals, includes,
 * `read_terragrunt_config`, the path functions and string templates.
 */
export class TerragruntEvaluator {
  constructor(private readonly repo: RepoReader) {}

  /** The scope of a Terragrunt configuration file evaluated as itself (a unit, a stack file, or a read config). */
  configScope(path: string, document: HclDocument): Scope {
    const scope: Scope = {
      file: path,
      configPath: path,
      locals: unknown("no locals"),
      includes: new Map(),
      unresolved: new Map(),
    };
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
          ? "does not parse"
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
      const found = block.body.attributes.find((a) => a.name === name);
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
    const exprs = new Map<string, Expr>();
    for (const block of blocksOf(body, "locals")) {
      for (const attr of block.body.attributes) exprs.set(attr.name, attr.expr);
    }
    const cache = new Map<string, Value>();
    const evaluating = new Set<string>();
    return {
      type: "object",
      get: (key) => {
        const cached = cache.get(key);
        if (cached) return cached;
        const expr = exprs.get(key);
        if (!expr) return undefined;
        if (evaluating.has(key)) return unknown(`local.${key} refers to itself`);
        evaluating.add(key);
        const value = this.evaluate(expr, scope());
        evaluating.delete(key);
        cache.set(key, value);
        return value;
      },
    };
  }

  private evaluate(expr: Expr, scope: Scope): Value {
    switch (expr.kind) {
      case "literal":
        if (expr.value === null) return { type: "null" };
        return typeof expr.value === "number"
          ? { type: "number", value: expr.value }
          : { type: "bool", value: expr.value };
      case "template": {
        const pieces: TracedString[] = [];
        for (const part of expr.parts) {
          if (part.kind === "literal") {
            pieces.push(decodeLiteral(part.raw, scope.file, part.start));
            continue;
          }
          const value = this.evaluate(part.expr, scope);
          const piece = asString(value);
          if (!piece)
            return value.type === "unknown" ? value : unknown("a non-string in a template");
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
        return {
          type: "object",
          get: (key) => {
            const value = entries.get(key);
            return value && this.evaluate(value, scope);
          },
        };
      }
      case "traversal":
        return this.traverse(expr, scope);
      case "call":
        return this.call(expr.name, expr.args, scope);
      case "unsupported":
        return unknown(`\`${expr.text.slice(0, 60)}\` cannot be evaluated statically`);
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
    let path = expr.root;
    for (const step of steps) {
      if (value.type === "unknown") return value;
      const key =
        typeof step === "object" ? (asString(this.evaluate(step, scope))?.text ?? step) : step;
      path += typeof key === "number" ? `[${key}]` : `.${typeof key === "string" ? key : "?"}`;
      let next: Value | undefined;
      if (value.type === "object" && typeof key === "string") next = value.get(key);
      else if (value.type === "tuple" && typeof key === "number") next = value.items[key];
      if (!next) return unknown(`\`${path}\` is not defined`);
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
    return {
      type: "object",
      get: (key) => {
        if (key === "locals") return target.scope().locals;
        const attr = target.document.body.attributes.find((a) => a.name === key);
        return attr ? this.evaluate(attr.expr, target.scope()) : undefined;
      },
    };
  }

  private call(name: string, args: Expr[], scope: Scope): Value {
    const stringArg = (i: number): string | undefined =>
      args[i] ? asString(this.evaluate(args[i], scope))?.text : undefined;
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
        if (target === undefined) return unknown("find_in_parent_folders() with a non-static name");
        let dir = posix.dirname(scope.configPath);
        while (dir !== "." && dir !== "") {
          dir = posix.dirname(dir);
          const candidate = dir === "." ? target : `${dir}/${target}`;
          const repoPath = toRepoPath(candidate, "");
          if (repoPath !== undefined && this.repo.exists(repoPath))
            return str(untraced(`/${repoPath}`));
        }
        const fallback = args.length > 1 ? this.evaluate(args[1] as Expr, scope) : undefined;
        return fallback ?? unknown(`find_in_parent_folders("${target}") finds no file`);
      }
      case "dirname":
      case "basename": {
        const value = stringArg(0);
        if (value === undefined) return unknown(`${name}() of a non-static path`);
        return str(untraced(name === "dirname" ? posix.dirname(value) : posix.basename(value)));
      }
      case "read_terragrunt_config": {
        const value = stringArg(0);
        const path =
          value === undefined ? undefined : toRepoPath(value, posix.dirname(scope.configPath));
        const document = path === undefined ? undefined : this.repo.document(path);
        if (path === undefined || document === undefined) {
          if (args.length > 1) return this.evaluate(args[1] as Expr, scope);
          return unknown(`read_terragrunt_config(${JSON.stringify(value ?? "?")}) reads no file`);
        }
        const readScope = this.configScope(path, document);
        return {
          type: "object",
          get: (key) => {
            if (key === "locals") return readScope.locals;
            const attr = document.body.attributes.find((a) => a.name === key);
            return attr ? this.evaluate(attr.expr, readScope) : undefined;
          },
        };
      }
      case "lower":
      case "upper":
      case "trimspace": {
        const value = stringArg(0);
        if (value === undefined)
          return unknown(`${name}() of a value that is not known statically`);
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
