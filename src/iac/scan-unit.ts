import { posix } from "node:path";
import type { HclAttribute, HclBody, HclDocument } from "./hcl-syntax.js";
import { MAX_SOURCE_FILE_BYTES } from "./limits.js";
import { addSource, type FoundUsage, type UsageSink } from "./source-usage.js";
import { parseSourceAddress } from "./source-address.js";
import { TerragruntEvaluator, toRepoPath, type Value } from "./terragrunt-evaluator.js";
import { TextIndex } from "./text-index.js";
import type { Skipped, SourceFile, Warning } from "./types.js";

/** What one unit file yields, and every path its evaluation looked at (with the content hash it saw). */
export interface UnitResult {
  hash: string;
  reads: [string, string | null][];
  usages: FoundUsage[];
  skipped: Skipped[];
  warnings: Warning[];
}

/** A file's syntax tree, or why it has none: the reason an include gives, and the file's warning. */
export type LoadedFile = { document: HclDocument } | { reason: string; warning: string };

/** Loads the syntax tree of `file`; `keep` says whether to keep it for the other units of the scan. */
export type LoadFile = (file: SourceFile, keep: boolean) => LoadedFile;

/** Whether a file is a unit of its own: a Terragrunt unit or stack, or a Terraform/OpenTofu file. */
export function isUnitFile(path: string): boolean {
  const name = posix.basename(path);
  return (
    name === "terragrunt.hcl" ||
    name === "terragrunt.stack.hcl" ||
    name.endsWith(".tf") ||
    name.endsWith(".tofu")
  );
}

/** How many local modules deep (a local module using another) module pins are read. */
const MAX_LOCAL_MODULE_DEPTH = 8;

/** The size in bytes of a file over {@link MAX_SOURCE_FILE_BYTES}; undefined for a file within it. */
function oversize(file: SourceFile): number | undefined {
  return file.bytes.length > MAX_SOURCE_FILE_BYTES ? file.bytes.length : undefined;
}

const number = (n: number) => n.toLocaleString("en-US");

/** Sizes and parses a file; one over the size limit or with a syntax error has no tree. */
export function loadFile(file: SourceFile, parse: (file: SourceFile) => HclDocument): LoadedFile {
  const bytes = oversize(file);
  if (bytes !== undefined) {
    return {
      reason: `is larger than the ${number(MAX_SOURCE_FILE_BYTES)} bytes Promoter reads`,
      warning: `the file is ${number(bytes)} bytes, more than the ${number(MAX_SOURCE_FILE_BYTES)} bytes (2 MiB) Promoter reads; it is not scanned`,
    };
  }
  const document = parse(file);
  if (document.error) {
    const { line, column } = new TextIndex(file.content).location(document.error.offset);
    return {
      reason: "does not parse",
      warning: `${line}:${column}: syntax error: ${document.error.message}; the file is not scanned`,
    };
  }
  const twice = redefinedAttribute(document.body);
  if (!twice) return { document };
  const index = new TextIndex(file.content);
  const { line, column } = index.location(twice.second.start);
  const first = index.location(twice.first.start).line;
  return {
    reason: `sets the attribute "${twice.second.name}" twice`,
    warning: `${line}:${column}: the attribute "${twice.second.name}" is set again (first on line ${first}), which HCL rejects (as \`terraform fmt\` would); the file is not scanned`,
  };
}

/** The first attribute of a body (or of a block in it) set a second time, with the first. */
function redefinedAttribute(
  body: HclBody,
): { first: HclAttribute; second: HclAttribute } | undefined {
  const seen = new Map<string, HclAttribute>();
  for (const attribute of body.attributes) {
    const first = seen.get(attribute.name);
    if (first) return { first, second: attribute };
    seen.set(attribute.name, attribute);
  }
  for (const block of body.blocks) {
    const found = redefinedAttribute(block.body);
    if (found) return found;
  }
  return undefined;
}

/** The result of a unit whose scan threw: one warning for the file, nothing else. */
export function unscannableUnit(file: SourceFile, error: unknown): UnitResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    hash: file.hash,
    reads: [],
    usages: [],
    skipped: [],
    warnings: [{ file: file.path, message: `the file could not be scanned: ${message}` }],
  };
}

/**
 * Extracts what one unit declares: the `source` of each `module` block (.tf, .tofu), of each `unit`
 * and `stack` block (terragrunt.stack.hcl), or the effective `terraform.source` (terragrunt.hcl),
 * evaluated with the files it includes and reads, and records every path it looked at.
 */
export function scanUnit(
  file: SourceFile,
  byPath: Map<string, SourceFile>,
  load: LoadFile,
  sharedIndexOf: (path: string) => TextIndex,
  moduleFilesIn: (dir: string) => string[],
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
  const sink: UsageSink = {
    file: file.path,
    usages: result.usages,
    skipped: result.skipped,
    indexOf,
  };
  const name = posix.basename(file.path);
  const scope = evaluator.configScope(file.path, document);

  // Module pins inside repository-local modules count for every unit that uses the local module.
  const visited = new Set<string>();
  const readLocalModule = (value: Value, fromFile: string, depth: number): void => {
    if (value.type !== "string" || depth >= MAX_LOCAL_MODULE_DEPTH) return;
    const text = value.value.text;
    if (parseSourceAddress(text).type !== "local") return;
    const dir = toRepoPath(text.replace(/\/{2,}/g, "/"), posix.dirname(fromFile));
    if (dir === undefined || visited.has(dir)) return;
    visited.add(dir);
    const paths = moduleFilesIn(dir);
    result.reads.push([`${dir}/`, paths.join("\n")]);
    for (const path of paths) {
      if (path === file.path) continue;
      const moduleDocument = documentOf(path);
      if (moduleDocument) addModuleBlocks(path, moduleDocument, depth + 1);
    }
  };
  const addModuleBlocks = (path: string, moduleDocument: HclDocument, depth: number): void => {
    const moduleScope = evaluator.configScope(path, moduleDocument);
    const moduleSink = path === file.path ? sink : { ...sink, file: path };
    for (const block of moduleDocument.body.blocks) {
      if (block.type !== "module") continue;
      const source = block.body.attributes.find((a) => a.name === "source");
      if (!source) continue;
      const version = block.body.attributes.find((a) => a.name === "version");
      const versionValue = version && evaluator.evaluateIn(moduleScope, version.expr);
      const sourceValue = evaluator.evaluateIn(moduleScope, source.expr);
      const line = indexOf(path).location(source.start).line;
      addSource(moduleSink, line, sourceValue, versionValue);
      readLocalModule(sourceValue, path, depth);
    }
  };

  if (name.endsWith(".tf") || name.endsWith(".tofu")) {
    addModuleBlocks(file.path, document, 0);
    return result;
  }

  if (name === "terragrunt.stack.hcl") {
    for (const block of document.body.blocks) {
      if (block.type !== "unit" && block.type !== "stack") continue;
      const source = block.body.attributes.find((a) => a.name === "source");
      if (!source) continue;
      addSource(sink, lineOf(source.start), evaluator.evaluateIn(scope, source.expr));
    }
    return result;
  }

  const terraformBlocks = document.body.blocks.filter((b) => b.type === "terraform");
  if (terraformBlocks.length > 1) {
    const lines = terraformBlocks.map((b) => lineOf(b.start)).join(", ");
    result.warnings.push({
      file: file.path,
      message: `${terraformBlocks.length} terraform blocks (lines ${lines}): Terragrunt accepts only one; the file's source is not scanned`,
    });
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
  addSource(sink, lineOf(source.declaredAt), source.value);
  readLocalModule(source.value, file.path, 0);
  return result;
}

/** Whether a path is a Terraform or OpenTofu file: what a local module directory holds. */
function isModuleFile(path: string): boolean {
  return path.endsWith(".tf") || path.endsWith(".tofu");
}

/**
 * The module files directly in each directory of the repository, sorted, indexed on first use: what a
 * unit that reads a local module records of its directory (`dir/` in its reads), so that a file added
 * to it invalidates the unit.
 */
export function moduleFilesByDirectory(
  byPath: ReadonlyMap<string, unknown>,
): (dir: string) => string[] {
  let moduleDirs: Map<string, string[]> | undefined;
  return (dir) => {
    if (!moduleDirs) {
      moduleDirs = new Map();
      for (const path of [...byPath.keys()].filter(isModuleFile).sort()) {
        const parent = posix.dirname(path) === "." ? "" : posix.dirname(path);
        const list = moduleDirs.get(parent);
        if (list) list.push(path);
        else moduleDirs.set(parent, [path]);
      }
    }
    return moduleDirs.get(dir) ?? [];
  };
}
