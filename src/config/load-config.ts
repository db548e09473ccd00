import type { Document } from "yaml";
import {
  LineCounter,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  visit,
} from "yaml";
import type { z } from "zod";
import { compileGlobs } from "./glob.js";
import type { Config } from "./schema.js";
import { quoted } from "./values.js";
import { DEFAULT_CONFIG_FILE, configSchema } from "./schema.js";

/** A real config is a few KiB; a larger file is refused before it is parsed. */
export const MAX_CONFIG_BYTES = 64 * 1024;

/** How many nodes the aliases of the file may stand for (the yaml package's default, said out loud). */
const MAX_ALIAS_COUNT = 100;

/** A 1-based position in the config file. */
export interface Position {
  line: number;
  column: number;
}

/** One problem found in the config file, at the position of the offending node. */
export interface ConfigProblem extends Position {
  file: string;
  /** Where in the config, e.g. `environments[1].name`; `""` for the file as a whole. */
  path: string;
  message: string;
}

/** A segment of a path into the config: a mapping key or a list index. */
export type ConfigPathSegment = string | number;

/** The file a valid config was read from, to point later problems at their place in it. */
export interface ConfigSource {
  file: string;
  /** The position of the node at `path`; of the closest existing parent if there is no such node. */
  locate: (path: readonly ConfigPathSegment[]) => Position;
}

/** The outcome of {@link parseConfig}. */
export type ConfigResult =
  | { ok: true; config: Config; warnings: ConfigProblem[]; source: ConfigSource }
  | { ok: false; errors: ConfigProblem[]; warnings: ConfigProblem[] };

/** Formats a problem as `file:line:column: path: message` (without `path: ` for the file as a whole). */
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

/** The problem of a config file of `bytes` bytes, over {@link MAX_CONFIG_BYTES}. */
export function oversizedConfigProblem(bytes: number, file = DEFAULT_CONFIG_FILE): ConfigProblem {
  const count = (n: number) => n.toLocaleString("en-US");
  const message = `the file is ${count(bytes)} bytes: at most ${count(MAX_CONFIG_BYTES)} are read`;
  return { file, line: 1, column: 1, path: "", message };
}

/**
 * Parses and validates the text of `.github/promoter.yml`, applying defaults.
 * Every YAML and schema problem is reported at once, each with its line and column.
 */
export function parseConfig(text: string, file = DEFAULT_CONFIG_FILE): ConfigResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_CONFIG_BYTES) {
    return { ok: false, errors: [oversizedConfigProblem(bytes, file)], warnings: [] };
  }
  const lineCounter = new LineCounter();
  // logLevel "error": yaml would otherwise print warnings (e.g. about collection keys) to stderr.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: "error" });
  const at = (offset: number, path: readonly PropertyKey[], message: string): ConfigProblem => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, path: formatPath(path), message };
  };
  const warnings = doc.warnings.map((w) => at(w.pos[0], [], w.message));
  const errors = doc.errors.map((e) => at(e.pos[0], [], e.message));
  const fail = (): ConfigResult => ({ ok: false, errors: sortByPosition(errors), warnings });

  if (doc.contents === null) {
    if (errors.length === 0) {
      errors.push(at(0, [], "the file is empty: it must define at least `environments`"));
    }
    return fail();
  }
  const collectionKeys = collectionKeyOffsets(doc);
  for (const offset of collectionKeys) {
    errors.push(at(offset, [], "a key must be text, not a list or a mapping"));
  }
  if (collectionKeys.length > 0) return fail();
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith("Excessive alias count")) {
      const aliasBomb = `the aliases (*name) of the file stand for too many nodes (at most ${MAX_ALIAS_COUNT}): write the values out`;
      errors.push(at(firstAliasOffset(doc) ?? 0, [], aliasBomb));
    } else {
      errors.push(at(unresolvedAliasOffset(doc) ?? 0, [], message));
    }
    return fail();
  }

  const parsed = configSchema.safeParse(data, { reportInput: true });
  for (const issue of parsed.error?.issues ?? []) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        errors.push(at(offsetOf(doc, path, true), path, unknownKeyMessage(issue.path, key)));
      }
    } else if (issue.code === "invalid_key") {
      // A key of a record (a glob of `updates.tagPrefix`): its own problems, at the key.
      for (const keyIssue of issue.issues) {
        const key = nodeAt(doc, issue.path, true);
        errors.push(at(offsetOf(doc, issue.path, true), issue.path, issueMessage(keyIssue, key)));
      }
    } else {
      const node = nodeAt(doc, issue.path);
      errors.push(at(offsetOf(doc, issue.path), issue.path, issueMessage(issue, node)));
    }
  }
  if (!parsed.success || errors.length > 0) return fail();

  const locate = (path: readonly ConfigPathSegment[]): Position => {
    const { line, col } = lineCounter.linePos(offsetOf(doc, path));
    return { line, column: col };
  };
  return { ok: true, config: parsed.data, warnings, source: { file, locate } };
}

/**
 * Warns about every glob of the config (environment `paths` and `exclude`, top-level `exclude`)
 * that matches none of `paths` (repo-relative POSIX paths): usually a typo or a renamed folder.
 */
export function checkConfigAgainstFiles(
  config: Config,
  paths: readonly string[],
  source: ConfigSource | string = DEFAULT_CONFIG_FILE,
): ConfigProblem[] {
  const { file, locate } =
    typeof source === "string" ? { file: source, locate: () => ({ line: 1, column: 1 }) } : source;
  const globs: ConfigPathSegment[][] = [
    ...config.environments.flatMap((env, i) => [
      ...env.paths.map((_, j) => ["environments", i, "paths", j]),
      ...env.exclude.map((_, j) => ["environments", i, "exclude", j]),
    ]),
    ...config.exclude.map((_, j) => ["exclude", j]),
  ];
  const problems: ConfigProblem[] = [];
  for (const path of globs) {
    const glob = globAt(config, path);
    const isMatch = compileGlobs([glob]);
    if (!paths.some((p) => isMatch(p))) {
      const message = `${JSON.stringify(glob)} matches no file in the repository`;
      problems.push({ file, ...locate(path), path: formatPath(path), message });
    }
  }
  return problems;
}

/**
 * Compiles the config's globs once into a function that returns the names of the environments
 * a repo-relative POSIX path belongs to: those whose `paths` match it and whose `exclude` and
 * the top-level `exclude` do not. More than one name means the environments overlap.
 */
export function createEnvironmentMatcher(config: Config): (path: string) => string[] {
  const excluded = compileGlobs(config.exclude);
  const environments = config.environments.map((env) => ({
    name: env.name,
    included: compileGlobs(env.paths),
    excluded: compileGlobs(env.exclude),
  }));
  return (path) => {
    if (excluded(path)) return [];
    const names: string[] = [];
    for (const env of environments) {
      if (env.included(path) && !env.excluded(path)) names.push(env.name);
    }
    return names;
  };
}

function globAt(config: Config, path: readonly ConfigPathSegment[]): string {
  let value: unknown = config;
  for (const segment of path) value = (value as Record<ConfigPathSegment, unknown>)[segment];
  return value as string;
}

/** The offset of the node at `path` (of its key if `atKey`), or of the closest existing parent. */
function offsetOf(doc: Document, path: readonly PropertyKey[], atKey = false): number {
  let node: unknown = doc.contents;
  let offset = startOf(node) ?? 0;
  for (const [i, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return offset;
      const value = pair.value;
      // `key:` with nothing after it: point at the key rather than at the empty space after it.
      const empty = value === null || (isScalar(value) && startOf(value) === value.range?.[1]);
      if ((atKey && i === path.length - 1) || empty) return startOf(pair.key) ?? offset;
      node = value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
    } else {
      return offset;
    }
    offset = startOf(node) ?? offset;
  }
  return offset;
}

function startOf(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

/** The node at `path` (the key's node if `atKey`), following aliases; `undefined` if there is none. */
function nodeAt(doc: Document, path: readonly PropertyKey[], atKey = false): unknown {
  let node: unknown = doc.contents;
  for (const [i, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return undefined;
      node = atKey && i === path.length - 1 ? pair.key : pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
    } else {
      return undefined;
    }
  }
  return isAlias(node) ? node.resolve(doc) : node;
}

/** The offsets of the keys that are lists or mappings (`? [a, b]: x`), which JSON cannot have. */
function collectionKeyOffsets(doc: Document): number[] {
  const offsets: number[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) offsets.push(startOf(pair.key) ?? 0);
    },
  });
  return offsets;
}

function firstAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      offset = alias.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

function unresolvedAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return undefined;
      offset = alias.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** The message of a schema problem; `node`, the YAML node it is about, shows the value as written. */
function issueMessage(issue: z.core.$ZodIssue, node?: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      if (issue.path.length === 0) {
        return `the file must be a mapping with at least an \`environments\` key (got ${describe(issue.input)})`;
      }
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected} (got ${describe(issue.input, node, issue.expected === "string")})`;
    case "invalid_value":
      return `must be ${issue.values.length > 1 ? "one of " : ""}${issue.values.map((v) => JSON.stringify(v)).join(", ")} (got ${describe(issue.input, node)})`;
    default:
      return issue.message;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  boolean: "true or false",
  number: "a number",
  array: "a list",
  object: "a mapping",
};

/**
 * A value as a message shows it. A scalar that YAML did not read as text is shown as written
 * (`1e400`, not `Infinity` or `null`), and, where text was wanted, with how YAML read it.
 */
function describe(value: unknown, node?: unknown, textWanted = false): string {
  const source = isScalar(node) && typeof node.value !== "string" ? node.source : undefined;
  if (source) {
    return textWanted
      ? `${shorten(source)}, which YAML reads as ${yamlKind(value)}: put it in quotes`
      : shorten(source);
  }
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "binary data";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return quoted(value);
  // What the checks above leave of a YAML value: it holds no functions or symbols.
  const scalar = value as number | boolean | bigint | undefined;
  return String(scalar);
}

function yamlKind(value: unknown): string {
  if (value === null) return "an empty value";
  if (typeof value === "number" || typeof value === "bigint") return "a number";
  if (typeof value === "boolean") return "a boolean";
  if (value instanceof Uint8Array) return "binary data";
  return `a ${typeof value}`;
}

/** Text as written in the file, cut short like {@link quoted} values. */
function shorten(text: string): string {
  return text.length <= 60 ? text : `${text.slice(0, 57)}…`;
}

/** The keys the object at `path` of the config may have, by walking the schema along it. */
function keysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = configSchema;
  for (const segment of [...path, undefined]) {
    // Unwrap optional, default and the like down to an array or an object.
    for (;;) {
      const def = schema?._zod.def as { type: string; innerType?: z.core.$ZodType } | undefined;
      if (!def?.innerType) break;
      schema = def.innerType;
    }
    const def = schema?._zod.def as
      | { type: string; element?: z.core.$ZodType; shape?: Record<string, z.core.$ZodType> }
      | undefined;
    if (segment === undefined) return def?.shape ? Object.keys(def.shape) : [];
    schema = typeof segment === "number" ? def?.element : def?.shape?.[String(segment)];
  }
  return [];
}

function unknownKeyMessage(parent: readonly PropertyKey[], key: string): string {
  const allowed = keysAt(parent);
  const maxDistance = Math.min(2, Math.max(1, Math.floor(key.length / 3)));
  const suggestion = allowed.find(
    (k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= maxDistance,
  );
  return suggestion
    ? `unknown key, did you mean ${JSON.stringify(suggestion)}?`
    : `unknown key (allowed keys: ${allowed.join(", ")})`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** `["environments", 1, "name"]` → `environments[1].name`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) => {
      if (typeof segment === "number") return `[${segment}]`;
      const key = String(segment);
      if (!/^[A-Za-z_][\w-]*$/.test(key) || key.length > 60) return `[${quoted(key)}]`;
      return i === 0 ? key : `.${key}`;
    })
    .join("");
}

function sortByPosition(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
