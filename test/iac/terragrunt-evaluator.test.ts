import fc from "fast-check";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { parseHcl } from "../../src/iac/hcl-parser.js";
import type { HclDocument } from "../../src/iac/hcl-syntax.js";
import {
  TerragruntEvaluator,
  toRepoPath,
  type RepoReader,
  type Value,
} from "../../src/iac/terragrunt-evaluator.js";
import { originOf } from "../../src/iac/traced-string.js";

const UNIT = "live/prod/app/terragrunt.hcl";

/** An evaluator over a repository given as `{ path: content }`; a file that does not parse has no document. */
function evaluatorOver(files: Record<string, string>) {
  const documents = new Map(Object.entries(files).map(([path, text]) => [path, parseHcl(text)]));
  const repo: RepoReader = {
    exists: (path) => documents.has(path),
    document: (path) => {
      const document = documents.get(path);
      return document && !document.error ? document : undefined;
    },
    unreadable: (path) => (documents.get(path)?.error ? "does not parse" : undefined),
  };
  return { evaluator: new TerragruntEvaluator(repo), documents };
}

/** A value as text: a string's text, `unknown: <reason>`, or the type for other values. */
function show(value: Value): string {
  switch (value.type) {
    case "string":
      return value.value.text;
    case "unknown":
      return `unknown: ${value.reason}`;
    case "number":
    case "bool":
      return String(value.value);
    default:
      return value.type;
  }
}

/** The unit's effective `terraform.source`, shown; undefined when neither it nor an include sets one. */
function sourceOf(files: Record<string, string>, unit = UNIT): string | undefined {
  const { evaluator, documents } = evaluatorOver(files);
  const document = documents.get(unit) as HclDocument;
  const scope = evaluator.configScope(unit, document);
  const found = evaluator.effectiveAttribute(scope, document, "terraform", "source");
  return found && show(found.value);
}

/** A unit file: `before` (locals, includes...), then `terraform { source = <expression> }`. */
function unit(expression: string, before = ""): string {
  return `${before}\nterraform {\n  source = ${expression}\n}\n`;
}

describe("TerragruntEvaluator: what it evaluates", () => {
  it.each([
    ["a string literal", `"git::https://x/y.git?ref=v1"`, "git::https://x/y.git?ref=v1"],
    ["a template", `"a-\${"b"}-c"`, "a-b-c"],
    ["numbers and bools in a template", `"v\${1}-\${true}"`, "v1-true"],
    ["escape sequences", `"a\\tb\\u0041"`, "a\tbA"],
    ["escaped interpolation", `"$\${x}"`, "${x}"],
    ["get_terragrunt_dir()", `get_terragrunt_dir()`, "/live/prod/app"],
    ["get_repo_root()", `get_repo_root()`, "/"],
    ["get_path_to_repo_root()", `get_path_to_repo_root()`, "../../.."],
    ["dirname()", `dirname("a/b/c.hcl")`, "a/b"],
    ["basename()", `basename("a/b/c.hcl")`, "c.hcl"],
    ["lower()", `lower("AbC")`, "abc"],
    ["upper()", `upper("AbC")`, "ABC"],
    ["trimspace()", `trimspace("  v1 ")`, "v1"],
    ["a number where a string is wanted", `lower(12)`, "12"],
    ["path_relative_to_include() without an include", `path_relative_to_include()`, "."],
    ["path_relative_from_include() without an include", `path_relative_from_include()`, "."],
  ])("%s", (_name, expression, expected) => {
    expect(sourceOf({ [UNIT]: unit(expression) })).toBe(expected);
  });

  it.each([
    ["a local", `locals {\n  v = "v2"\n}`, `"m?ref=\${local.v}"`, "m?ref=v2"],
    ["a local that uses another local", `locals {\n  a = local.b\n  b = "v3"\n}`, `local.a`, "v3"],
    ["an object's entry", `locals {\n  o = { ref = "v4" }\n}`, `local.o.ref`, "v4"],
    ["an entry by index expression", `locals {\n  o = { ref = "v5" }\n}`, `local.o["ref"]`, "v5"],
    ["a tuple's item", `locals {\n  t = ["a", "b"]\n}`, `local.t[1]`, "b"],
    ["an object key from an expression", `locals {\n  o = { ("k") = "v6" }\n}`, `local.o.k`, "v6"],
    [
      "an unknowable local that is not used",
      `locals {\n  unused = get_env("X")\n  v = "v7"\n}`,
      `local.v`,
      "v7",
    ],
  ])("%s", (_name, before, expression, expected) => {
    expect(sourceOf({ [UNIT]: unit(expression, before) })).toBe(expected);
  });

  it.each([
    [
      "find_in_parent_folders(name) finds the nearest parent's file",
      { "root.hcl": "", "live/root.hcl": "" },
      `find_in_parent_folders("root.hcl")`,
      "/live/root.hcl",
    ],
    [
      "find_in_parent_folders() looks for terragrunt.hcl",
      { "live/terragrunt.hcl": "" },
      `find_in_parent_folders()`,
      "/live/terragrunt.hcl",
    ],
    [
      "find_in_parent_folders(name, fallback) falls back when there is none",
      {},
      `find_in_parent_folders("nope.hcl", "fallback")`,
      "fallback",
    ],
  ])("%s", (_name, files, expression, expected) => {
    expect(sourceOf({ ...files, [UNIT]: unit(expression) })).toBe(expected);
  });

  it.each([
    [
      "the source of an included file",
      { "root.hcl": `terraform {\n  source = "from-root"\n}\n` },
      `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n`,
      "from-root",
    ],
    [
      "the last include's source, as Terragrunt merges them",
      {
        "root.hcl": `terraform {\n  source = "from-root"\n}\n`,
        "live/common.hcl": `terraform {\n  source = "from-common"\n}\n`,
      },
      `include "root" {\n  path = "../../../root.hcl"\n}\ninclude "common" {\n  path = "../../common.hcl"\n}\n`,
      "from-common",
    ],
    [
      "an included file's locals, in the included file's scope",
      {
        "root.hcl": `locals {\n  v = "v8"\n}\nterraform {\n  source = "m?ref=\${local.v}"\n}\n`,
      },
      `include "root" {\n  path = "/root.hcl"\n}\n`,
      "m?ref=v8",
    ],
    [
      "path_relative_to_include() in the included file",
      { "root.hcl": `terraform {\n  source = "mods/\${path_relative_to_include()}"\n}\n` },
      `include "root" {\n  path = "/root.hcl"\n}\n`,
      "mods/live/prod/app",
    ],
    [
      "get_terragrunt_dir() in the included file is the unit's folder",
      { "root.hcl": `terraform {\n  source = get_terragrunt_dir()\n}\n` },
      `include "root" {\n  path = "/root.hcl"\n}\n`,
      "/live/prod/app",
    ],
  ])("%s", (_name, files, before, expected) => {
    expect(sourceOf({ ...files, [UNIT]: before })).toBe(expected);
  });

  it.each([
    [
      "include.<name>.locals",
      `include "env" {\n  path = "/env.hcl"\n}`,
      `include.env.locals.version`,
      "v9",
    ],
    [
      "include.<name>.<attribute>",
      `include "env" {\n  path = "/env.hcl"\n}`,
      `include.env.version_attribute`,
      "v10",
    ],
    [
      "include.locals of a single unnamed include",
      `include {\n  path = "/env.hcl"\n}`,
      `include.locals.version`,
      "v9",
    ],
    [
      "get_parent_terragrunt_dir() of the only include",
      `include "env" {\n  path = "/env.hcl"\n}`,
      `get_parent_terragrunt_dir()`,
      "/",
    ],
    [
      "path_relative_from_include() of the only include",
      `include "env" {\n  path = "/env.hcl"\n}`,
      `path_relative_from_include()`,
      "../../..",
    ],
    [
      "read_terragrunt_config(...).locals",
      `locals {\n  env = read_terragrunt_config("/env.hcl")\n}`,
      `local.env.locals.version`,
      "v9",
    ],
    [
      "read_terragrunt_config(...).locals used directly, without a local",
      "",
      `read_terragrunt_config(find_in_parent_folders("env.hcl")).locals.version`,
      "v9",
    ],
    [
      "a local holding read_terragrunt_config(...).locals",
      `locals {\n  env = read_terragrunt_config("/env.hcl").locals\n}`,
      `local.env.version`,
      "v9",
    ],
    [
      "read_terragrunt_config(...) of a path relative to the unit",
      `locals {\n  env = read_terragrunt_config("../../../env.hcl")\n}`,
      `local.env.version_attribute`,
      "v10",
    ],
    [
      "read_terragrunt_config(find_in_parent_folders(...))",
      `locals {\n  env = read_terragrunt_config(find_in_parent_folders("env.hcl"))\n}`,
      `local.env.locals.version`,
      "v9",
    ],
    [
      "read_terragrunt_config(missing, fallback) is the fallback",
      `locals {\n  env = read_terragrunt_config("/nope.hcl", { version = "v0" })\n}`,
      `local.env.version`,
      "v0",
    ],
  ])("%s", (_name, before, expression, expected) => {
    const env = `locals {\n  version = "v9"\n}\nversion_attribute = "v10"\n`;
    expect(sourceOf({ "env.hcl": env, [UNIT]: unit(expression, before) })).toBe(expected);
  });

  it('does not merge an include with merge_strategy = "no_merge"', () => {
    const files = {
      "root.hcl": `terraform {\n  source = "from-root"\n}\n`,
      [UNIT]: `include "root" {\n  path = "/root.hcl"\n  merge_strategy = "no_merge"\n}\n`,
    };
    expect(sourceOf(files)).toBeUndefined();
  });

  it("traces a literal to the file and offset it is written at, through locals and includes", () => {
    const root = `locals {\n  v = "v1.2.3"\n}\n`;
    const { evaluator, documents } = evaluatorOver({
      "root.hcl": root,
      [UNIT]: unit(
        `"m?ref=\${include.root.locals.v}"`,
        `include "root" {\n  path = "/root.hcl"\n}`,
      ),
    });
    const document = documents.get(UNIT) as HclDocument;
    const scope = evaluator.configScope(UNIT, document);
    const found = evaluator.effectiveAttribute(scope, document, "terraform", "source");
    expect(found?.value.type).toBe("string");
    const value = found?.value as Extract<Value, { type: "string" }>;
    expect(value.value.text).toBe("m?ref=v1.2.3");
    expect(originOf(value.value, 6, 12)).toEqual({
      file: "root.hcl",
      offset: root.indexOf("v1.2.3"),
    });
  });

  it("says where the attribute is declared: its own offset, or the include it came through", () => {
    const own = unit(`"x"`);
    const included = `include "root" {\n  path = "/root.hcl"\n}\n`;
    const root = `terraform {\n  source = "from-root"\n}\n`;
    for (const [text, declaredAt] of [
      [own, own.indexOf("source")],
      [included, 0],
    ] as const) {
      const { evaluator, documents } = evaluatorOver({ "root.hcl": root, [UNIT]: text });
      const document = documents.get(UNIT) as HclDocument;
      const scope = evaluator.configScope(UNIT, document);
      expect(evaluator.effectiveAttribute(scope, document, "terraform", "source")?.declaredAt).toBe(
        declaredAt,
      );
    }
  });
});

describe("TerragruntEvaluator: what it refuses, with why", () => {
  it.each([
    ["get_env()", `get_env("X")`, "get_env() is only known when Terragrunt runs"],
    ["run_cmd()", `run_cmd("echo", "v1")`, "run_cmd() is only known when Terragrunt runs"],
    [
      "get_aws_account_id()",
      `get_aws_account_id()`,
      "get_aws_account_id() is only known when Terragrunt runs",
    ],
    ["a function it does not know", `jsonencode("x")`, "jsonencode() is not evaluated by Promoter"],
    [
      "a dependency output",
      `dependency.vpc.outputs.id`,
      "`dependency.*` is only known when Terragrunt runs",
    ],
    ["a variable", `var.version`, "`var.*` is only known when Terragrunt runs"],
    ["a stack value", `values.version`, "`values.*` is only known when Terragrunt runs"],
    ["an unknown root", `terraform.workspace`, "`terraform` is not known statically"],
    ["a local that is not defined", `local.missing`, "`local.missing` is not defined"],
    [
      "an include that does not exist",
      `include.nope.locals.v`,
      'there is no include block named "nope"',
    ],
    [
      "an escape beyond the last code point",
      `"\\U00110000"`,
      "`\\U00110000` is not a valid escape sequence",
    ],
    [
      "find_in_parent_folders() that finds nothing",
      `find_in_parent_folders("nope.hcl")`,
      'find_in_parent_folders("nope.hcl") finds no file',
    ],
    [
      "get_parent_terragrunt_dir() without an include",
      `get_parent_terragrunt_dir()`,
      "get_parent_terragrunt_dir() has no include to refer to",
    ],
    [
      "read_terragrunt_config() of a missing file",
      `read_terragrunt_config("/nope.hcl")`,
      'read_terragrunt_config("/nope.hcl") reads no file',
    ],
    [
      "a function of a runtime value (its reason)",
      `lower(get_env("X"))`,
      "get_env() is only known when Terragrunt runs",
    ],
    [
      "a template of a runtime value (its reason)",
      `"v\${get_env("X")}"`,
      "get_env() is only known when Terragrunt runs",
    ],
    ["an object in a template", `"v\${{ a = "b" }}"`, "a non-string in a template"],
    [
      "an attribute of a call's result that is not an object",
      `lower("A").locals`,
      "`lower(…).locals` is not defined",
    ],
    ["a conditional", `true ? "a" : "b"`, '`true ? "a" : "b"` cannot be evaluated statically'],
  ])("%s", (_name, expression, reason) => {
    expect(sourceOf({ [UNIT]: unit(expression) })).toBe(`unknown: ${reason}`);
  });

  it.each([
    [
      "a local that refers to itself",
      `locals {\n  a = local.a\n}`,
      `local.a`,
      "local.a refers to itself",
    ],
    [
      "locals that refer to each other",
      `locals {\n  a = local.b\n  b = local.a\n}`,
      `local.a`,
      "local.a refers to itself",
    ],
    [
      "an include whose file is missing",
      `include "root" {\n  path = "missing.hcl"\n}`,
      `include.root.locals.v`,
      'include "root" cannot be resolved: live/prod/app/missing.hcl is not a file in the repository',
    ],
    [
      "an include outside the repository",
      `include "root" {\n  path = "../../../../x.hcl"\n}`,
      `include.root.locals.v`,
      'include "root" cannot be resolved: ../../../../x.hcl is outside the repository',
    ],
    [
      "an include whose file does not parse",
      `include "root" {\n  path = "/broken.hcl"\n}`,
      `include.root.locals.v`,
      'include "root" cannot be resolved: broken.hcl does not parse',
    ],
    [
      "an include whose path is a runtime value",
      `include "root" {\n  path = get_env("ROOT")\n}`,
      `include.root.locals.v`,
      'include "root" cannot be resolved: get_env() is only known when Terragrunt runs',
    ],
  ])("%s", (_name, before, expression, reason) => {
    const files = { "broken.hcl": "locals {", [UNIT]: unit(expression, before) };
    expect(sourceOf(files)).toBe(`unknown: ${reason}`);
  });

  it("lists the includes it could not resolve", () => {
    const text = `include "a" {\n  path = "/missing.hcl"\n}\ninclude "b" {\n}\ninclude "c" {\n  path = "/root.hcl"\n}\n`;
    const { evaluator, documents } = evaluatorOver({ "root.hcl": "", [UNIT]: text });
    const scope = evaluator.configScope(UNIT, documents.get(UNIT) as HclDocument);
    expect(evaluator.unresolvedIncludes(scope)).toEqual([
      { name: "a", reason: "missing.hcl is not a file in the repository" },
      { name: "b", reason: "it has no path" },
    ]);
  });
});

describe("toRepoPath", () => {
  it.each([
    ["/a/b", "x", "a/b"],
    ["c.hcl", "a/b", "a/b/c.hcl"],
    ["../c.hcl", "a/b", "a/c.hcl"],
    ["./c/", "a", "a/c"],
    ["/", "a", ""],
    ["", "a", "a"],
    ["../../..", "a/b", undefined],
    ["/../x", "", undefined],
    ["c/d.hcl", ".", "c/d.hcl"],
    ["c/d.hcl", "", "c/d.hcl"],
    ["c/..d/e", "a/.b", "a/.b/c/..d/e"],
    ["c/./d", "a", "a/c/d"],
    ["c//d", "a", "a/c/d"],
  ])("toRepoPath(%j, %j) is %j", (path, baseDir, expected) => {
    expect(toRepoPath(path, baseDir)).toBe(expected);
  });

  it("gives what posix.join and normalize give, for any path and base", () => {
    const normalised = (path: string, baseDir: string): string | undefined => {
      const combined = path.startsWith("/") ? path.replace(/^\/+/, "") : posix.join(baseDir, path);
      const normalized = posix.normalize(combined === "" ? "." : combined);
      if (normalized === ".." || normalized.startsWith("../")) return undefined;
      return normalized === "." ? "" : normalized.replace(/\/$/, "");
    };
    const segment = fc.constantFrom("a", "b.hcl", ".", "..", "", ".x", "..y", "z w");
    const path = fc.array(segment, { maxLength: 5 }).map((s) => s.join("/"));
    fc.assert(
      fc.property(path, path, (p, base) => {
        expect(toRepoPath(p, base)).toBe(normalised(p, base));
      }),
      { numRuns: 2000 },
    );
  });
});
