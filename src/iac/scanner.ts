import { posix } from "node:path";
import semver from "semver";
import { createEnvironmentMatcher, type Config } from "../config/index.js";
import { parseHcl } from "./hcl-parser.js";
import type { HclDocument } from "./hcl-syntax.js";
import { MAX_SOURCE_FILE_BYTES } from "./limits.js";
import { classifyRef, parseSourceAddress, type RefSpan } from "./source-address.js";
import { TerragruntEvaluator, type Value } from "./terragrunt-evaluator.js";
import { TextIndex } from "./text-index.js";
import { originOf, type TracedString } from "./traced-string.js";
import type {
  Dependency,
  DependencyKind,
  DependencyOrigin,
  Inventory,
  Skipped,
  SourceFile,
  TokenLocation,
  Usage,
  UsageKind,
  Warning,
} from "./types.js";

const IAC_FILE = /\.(tf|tofu|hcl)$/;
const SKIPPED_FOLDER = /(^|\/)(\.terraform|\.terragrunt-cache|\.git)\//;

/**
 * Unit results by path, reused while the files they read are unchanged, and parse results by content
 * hash of the files units read from others (root.hcl, _envcommon/*.hcl, account.hcl...). A unit's own
 * parse is not kept: its result is, and that keeps a scan of 20,000 units small.
 */
export interface ScanCache {
  documents: Map<string, HclDocument>;
  units: Map<string, UnitResult>;
}

/** An empty cache; pass the same one to successive scans to make re-scans cheap. */
export function createScanCache(): ScanCache {
  return { documents: new Map(), units: new Map() };
}

/** A file matched by the globs of more than one environment. */
export interface EnvironmentConflict {
  file: string;
  environments: string[];
}

/** The inventory plus the problems that make the config unusable for this repository. */
export interface ScanResult {
  inventory: Inventory;
  conflicts: EnvironmentConflict[];
}

/** A usage as found in one unit, before the repository-wide checks; offsets are string offsets. */
interface FoundUsage {
  file: string;
  line: number;
  id: string;
  kind: DependencyKind;
  source: string;
  origin: DependencyOrigin;
  version: string;
  usageKind: UsageKind;
  token?: TokenLocation;
  notPromotable?: string;
}

/** What one unit file yields, and every path its evaluation looked at (with the content hash it saw). */
interface UnitResult {
  hash: string;
  reads: [string, string | null][];
  usages: FoundUsage[];
  skipped: Skipped[];
  warnings: Warning[];
}

/** Whether a path is a Terraform, OpenTofu or Terragrunt file the scanner looks at. */
export function isIacFile(path: string): boolean {
  return IAC_FILE.test(path) && !SKIPPED_FOLDER.test(path);
}

function isUnitFile(path: string): boolean {
  const name = posix.basename(path);
  return (
    name === "terragrunt.hcl" ||
    name === "terragrunt.stack.hcl" ||
    name.endsWith(".tf") ||
    name.endsWith(".tofu")
  );
}

/** The size in bytes of a file over {@link MAX_SOURCE_FILE_BYTES}; undefined for a file within it. */
function oversize(file: SourceFile): number | undefined {
  return file.bytes.length > MAX_SOURCE_FILE_BYTES ? file.bytes.length : undefined;
}

const number = (n: number) => n.toLocaleString("en-US");

/**
 * Scans the files of a repository: assigns them to environments, extracts every versioned module
 * dependency with the exact place its version is written, and reports what cannot be updated.
 * Pure apart from the cache; a file that does not parse becomes a warning.
 */
export function scan(
  files: readonly SourceFile[],
  config: Config,
  cache: ScanCache = createScanCache(),
): ScanResult {
  const byPath = new Map<string, SourceFile>();
  for (const file of files) if (isIacFile(file.path)) byPath.set(file.path, file);

  const matcher = createEnvironmentMatcher(config);
  const conflicts: EnvironmentConflict[] = [];
  const envOfFile = new Map<string, string>();
  const units: string[] = [];
  for (const path of [...byPath.keys()].sort()) {
    const environments = matcher(path);
    if (environments.length > 1) conflicts.push({ file: path, environments });
    else if (environments.length === 1) {
      envOfFile.set(path, environments[0] as string);
      if (isUnitFile(path)) units.push(path);
    }
  }

  const parse = (file: SourceFile, keep: boolean): HclDocument => {
    let document = cache.documents.get(file.hash);
    if (!document) {
      document = parseHcl(file.content);
      if (keep) cache.documents.set(file.hash, document);
    }
    return document;
  };

  // A file read by other units (root.hcl, _envcommon/...) is sized, parsed and located once per scan.
  const loaded = new Map<string, Loaded>();
  const load = (file: SourceFile, keep: boolean): Loaded => {
    const known = loaded.get(file.path);
    if (known) return known;
    const result = loadFile(file, (f) => parse(f, keep));
    if (keep) loaded.set(file.path, result);
    return result;
  };

  // Files other than the unit itself that hold version tokens (root.hcl, _envcommon/...): indexed once per scan.
  const indexes = new Map<string, TextIndex>();
  const indexOf = (path: string): TextIndex => {
    let index = indexes.get(path);
    if (!index) {
      index = new TextIndex((byPath.get(path) as SourceFile).content);
      indexes.set(path, index);
    }
    return index;
  };

  const results = units.map((path) => {
    const file = byPath.get(path) as SourceFile;
    const cached = cache.units.get(path);
    if (
      cached &&
      cached.hash === file.hash &&
      cached.reads.every(([p, h]) => (byPath.get(p)?.hash ?? null) === h)
    ) {
      return cached;
    }
    try {
      const result = scanUnit(file, byPath, load, indexOf);
      cache.units.set(path, result);
      return result;
    } catch (error) {
      // The last line of defence: one file is one warning, and the rest of the repository is scanned.
      cache.units.delete(path);
      const message = error instanceof Error ? error.message : String(error);
      return {
        hash: file.hash,
        reads: [],
        usages: [],
        skipped: [],
        warnings: [{ file: path, message: `the file could not be scanned: ${message}` }],
      } satisfies UnitResult;
    }
  });

  const inventory = assemble(config, units, results, envOfFile);
  return { inventory, conflicts };
}

/** A file's syntax tree, or why it has none: the reason an include gives, and the file's warning. */
type Loaded = { document: HclDocument } | { reason: string; warning: string };

function loadFile(file: SourceFile, parse: (file: SourceFile) => HclDocument): Loaded {
  const bytes = oversize(file);
  if (bytes !== undefined) {
    return {
      reason: `is larger than the ${number(MAX_SOURCE_FILE_BYTES)} bytes Promoter reads`,
      warning: `the file is ${number(bytes)} bytes, more than the ${number(MAX_SOURCE_FILE_BYTES)} bytes (2 MiB) Promoter reads; it is not scanned`,
    };
  }
  const document = parse(file);
  if (!document.error) return { document };
  const { line, column } = new TextIndex(file.content).location(document.error.offset);
  return {
    reason: "does not parse",
    warning: `${line}:${column}: syntax error: ${document.error.message}; the file is not scanned`,
  };
}

function scanUnit(
  file: SourceFile,
  byPath: Map<string, SourceFile>,
  load: (file: SourceFile, keep: boolean) => Loaded,
  sharedIndexOf: (path: string) => TextIndex,
): UnitResult {
  const result: UnitResult = { hash: file.hash, reads: [], usages: [], skipped: [], warnings: [] };
  const seen = new Set<string>();
  const read = (path: string): SourceFile | undefined => {
    const found = byPath.get(path);
    if (!seen.has(path)) {
      seen.add(path);
      result.reads.push([path, found?.hash ?? null]);
    }
    return found;
  };
  let ownIndex: TextIndex | undefined;
  const indexOf = (path: string): TextIndex =>
    path === file.path ? (ownIndex ??= new TextIndex(file.content)) : sharedIndexOf(path);
  const unreadable = new Map<string, string>();
  const documentOf = (path: string): HclDocument | undefined => {
    const found = read(path);
    if (!found) return undefined;
    const loaded = load(found, path !== file.path);
    if ("document" in loaded) return loaded.document;
    unreadable.set(path, loaded.reason);
    result.warnings.push({ file: path, message: loaded.warning });
    return undefined;
  };

  const document = documentOf(file.path);
  if (!document) return result;
  const evaluator = new TerragruntEvaluator({
    exists: (path) => read(path) !== undefined,
    document: documentOf,
    unreadable: (path) => unreadable.get(path),
  });
  const lineOf = (offset: number) => indexOf(file.path).location(offset).line;
  const context: UnitContext = { result, file: file.path, indexOf };
  const name = posix.basename(file.path);
  const scope = evaluator.configScope(file.path, document);

  if (name.endsWith(".tf") || name.endsWith(".tofu")) {
    for (const block of document.body.blocks) {
      if (block.type !== "module") continue;
      const source = block.body.attributes.find((a) => a.name === "source");
      if (!source) continue;
      const version = block.body.attributes.find((a) => a.name === "version");
      const versionValue = version && evaluator.evaluateIn(scope, version.expr);
      addSource(
        context,
        lineOf(source.start),
        evaluator.evaluateIn(scope, source.expr),
        versionValue,
      );
    }
    return result;
  }

  if (name === "terragrunt.stack.hcl") {
    for (const block of document.body.blocks) {
      if (block.type !== "unit" && block.type !== "stack") continue;
      const source = block.body.attributes.find((a) => a.name === "source");
      if (!source) continue;
      addSource(context, lineOf(source.start), evaluator.evaluateIn(scope, source.expr));
    }
    return result;
  }

  const source = evaluator.effectiveAttribute(scope, document, "terraform", "source");
  if (!source) {
    const unresolved = evaluator.unresolvedIncludes(scope);
    if (unresolved.length > 0) {
      const reasons = unresolved.map((u) => `include "${u.name}" cannot be resolved: ${u.reason}`);
      result.skipped.push({ file: file.path, line: 1, reason: reasons.join("; ") });
    }
    return result;
  }
  addSource(context, lineOf(source.declaredAt), source.value);
  return result;
}

const EXACT_VERSION = /^(\s*=?\s*)(v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\s*$/;

/** Where found usages go, and how to locate offsets in the file a version token lives in. */
interface UnitContext {
  result: UnitResult;
  file: string;
  indexOf: (path: string) => TextIndex;
}

/** Records the usage (or the reason it is skipped) of one `source` value. */
function addSource(context: UnitContext, line: number, value: Value, versionValue?: Value): void {
  const { result, file } = context;
  const skip = (reason: string, id?: string): void => {
    result.skipped.push(id === undefined ? { file, line, reason } : { file, line, id, reason });
  };
  const add = (usage: FoundUsage, traced: TracedString, span: RefSpan): void => {
    result.usages.push(located(usage, traced, span, context.indexOf));
  };
  if (value.type === "unknown") {
    return skip(`the source cannot be resolved statically: ${value.reason}`);
  }
  if (value.type !== "string") return skip("the source is not a string");
  const address = parseSourceAddress(value.value.text);
  if (address.type === "local") return;
  if (address.type === "unsupported") {
    return skip(`unsupported source "${value.value.text}": ${address.reason}`);
  }

  const origin: DependencyOrigin =
    address.type === "git"
      ? { type: "git", host: address.host, owner: address.owner, repo: address.repo }
      : {
          type: "registry",
          ...(address.host === undefined ? {} : { host: address.host }),
          namespace: address.namespace,
          name: address.name,
          provider: address.provider,
        };
  const base = { file, line, id: address.id, kind: address.type, source: address.source, origin };
  if (address.type === "git") {
    const ref = address.ref;
    if (!ref) return skip("no ?ref= pin: the module's default branch is used", address.id);
    const refKind = classifyRef(ref.value);
    if (refKind === "commit")
      return skip(`ref ${ref.value} is a commit SHA, not a version tag`, address.id);
    if (refKind === "branch")
      return skip(`ref ${ref.value} is a branch, not a version tag`, address.id);
    return add({ ...base, version: ref.value, usageKind: "git-tag" }, value.value, ref);
  }
  if (address.version) {
    const version = address.version;
    return add(
      { ...base, version: version.value, usageKind: "registry-version" },
      value.value,
      version,
    );
  }
  if (!versionValue)
    return skip("no version pinned: the newest version is used on every run", address.id);
  if (versionValue.type !== "string") {
    const why = versionValue.type === "unknown" ? versionValue.reason : "it is not a string";
    return skip(`the version cannot be resolved statically: ${why}`, address.id);
  }
  const text = versionValue.value.text;
  const exact = EXACT_VERSION.exec(text);
  if (!exact) {
    return add(
      {
        ...base,
        version: text,
        usageKind: "registry-constraint",
        notPromotable: `version constraint "${text}" is not an exact pin`,
      },
      versionValue.value,
      { value: text, start: 0, end: text.length },
    );
  }
  const start = (exact[1] ?? "").length;
  const version = exact[2] ?? "";
  add({ ...base, version, usageKind: "registry-version" }, versionValue.value, {
    value: version,
    start,
    end: start + version.length,
  });
}

/** Sets where the usage's version literal lives, or why it has no single place. */
function located(
  usage: FoundUsage,
  value: TracedString,
  span: RefSpan,
  indexOf: (path: string) => TextIndex,
): FoundUsage {
  const origin = originOf(value, span.start, span.end);
  if (!origin) {
    usage.notPromotable ??= `the version ${span.value} is computed by an expression, not written in one place`;
    return usage;
  }
  const index = indexOf(origin.file);
  usage.token = {
    file: origin.file,
    start: index.byteOffset(origin.offset),
    end: index.byteOffset(origin.offset + span.value.length),
    ...index.location(origin.offset),
  };
  return usage;
}

function compareVersions(a: string, b: string): number {
  const va = semver.coerce(a, { includePrerelease: true });
  const vb = semver.coerce(b, { includePrerelease: true });
  if (va && vb) {
    const order = semver.compare(va, vb);
    if (order !== 0) return order;
  }
  return a.localeCompare(b);
}

/** Builds the inventory: groups usages per environment and dependency, and finds literals shared across environments. */
function assemble(
  config: Config,
  units: string[],
  results: UnitResult[],
  envOfFile: Map<string, string>,
): Inventory {
  const found: { env: string; usage: FoundUsage }[] = [];
  const skipped: Skipped[] = [];
  const warnings = new Map<string, Warning>();
  results.forEach((result, i) => {
    const env = envOfFile.get(units[i] as string) as string;
    for (const usage of result.usages) found.push({ env, usage: { ...usage } });
    for (const s of result.skipped) skipped.push(s);
    for (const w of result.warnings) warnings.set(`${w.file}\0${w.message}`, w);
  });

  const tokenEnvs = new Map<string, Set<string>>();
  const tokenDependencies = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, key: string, value: string) => {
    const values = map.get(key) ?? new Set<string>();
    values.add(value);
    map.set(key, values);
  };
  for (const { env, usage } of found) {
    if (!usage.token) continue;
    const key = `${usage.token.file}\0${usage.token.start}`;
    add(tokenEnvs, key, env);
    add(tokenDependencies, key, usage.id);
  }

  const environments = new Map(
    config.environments.map((e) => [e.name, new Map<string, Dependency>()]),
  );
  const environmentNames = config.environments.map((e) => e.name);
  for (const { env, usage } of found) {
    const token = usage.token;
    if (token) {
      const key = `${token.file}\0${token.start}`;
      const envs = tokenEnvs.get(key) as Set<string>;
      const dependencies = tokenDependencies.get(key) as Set<string>;
      const tokenEnv = envOfFile.get(token.file);
      const where = `the version is set in ${token.file}:${token.line}`;
      if (envs.size > 1) {
        const shared = environmentNames.filter((n) => envs.has(n)).join(", ");
        usage.notPromotable ??= `not promotable per environment: ${where}, shared by environments ${shared}`;
      } else if (dependencies.size > 1) {
        usage.notPromotable ??= `the version is set in ${token.file}:${token.line}, shared by dependencies ${[...dependencies].sort().join(", ")}`;
      } else if (tokenEnv !== undefined && tokenEnv !== env) {
        usage.notPromotable ??= `not promotable per environment: ${where}, a file of environment ${tokenEnv}`;
      }
    }
    if (usage.notPromotable) {
      skipped.push({
        file: usage.file,
        line: usage.line,
        id: usage.id,
        reason: usage.notPromotable,
      });
    }
    const deps = environments.get(env) as Map<string, Dependency>;
    let dependency = deps.get(usage.id);
    if (!dependency) {
      dependency = {
        id: usage.id,
        kind: usage.kind,
        source: usage.source,
        origin: usage.origin,
        versions: [],
        usages: [],
      };
      deps.set(usage.id, dependency);
    }
    const entry: Usage = {
      file: usage.file,
      line: usage.line,
      version: usage.version,
      kind: usage.usageKind,
    };
    if (token) entry.token = token;
    if (usage.notPromotable) entry.notPromotable = usage.notPromotable;
    dependency.usages.push(entry);
  }

  return {
    environments: [...environments].map(([name, deps]) => ({
      name,
      dependencies: [...deps.values()]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((d) => ({
          ...d,
          versions: [...new Set(d.usages.map((u) => u.version))].sort(compareVersions),
          usages: d.usages.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
        })),
    })),
    skipped: skipped.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
    warnings: [...warnings.values()].sort((a, b) => a.file.localeCompare(b.file)),
  };
}
