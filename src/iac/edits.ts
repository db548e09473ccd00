import { createRequire } from "node:module";
import type { Config } from "../config/index.js";
import { isVersionShaped } from "../versions/version-shape.js";
import { parseHcl } from "./hcl-parser.js";
import { dependenciesEditedTogether } from "./inventory.js";
import { MAX_SOURCE_FILE_BYTES } from "./limits.js";
import { createScanCache, scan, type ScanCache } from "./scanner.js";
import { decodedToRawOffsets, sourceFile } from "./source-file.js";
import { TextIndex } from "./text-index.js";
import type {
  Edit,
  EnvironmentInventory,
  Inventory,
  SourceFile,
  TokenLocation,
  Usage,
} from "./types.js";

const require = createRequire(import.meta.url);

interface ReferenceParser {
  parseToString(input: string): [string, unknown];
}

/** A fresh instance of hcl2-parser: the module is loaded anew, with a runtime of its own. */
function loadReferenceParser(): ReferenceParser {
  const path = require.resolve("hcl2-parser");
  delete require.cache[path];
  return require(path) as ReferenceParser;
}

let hcl2 = loadReferenceParser();

/** The edits that bring one dependency of one environment to a version, or why there are none. */
export type EditPlan =
  { ok: true; edits: Edit[]; from: string[]; untouched: Usage[] } | { ok: false; reason: string };

/**
 * Plans byte-exact replacements of the version tokens of `dependencyId` in `environment`.
 * Usages that cannot be edited per environment are returned as `untouched`; when none can be, the plan fails.
 * A target that is not version-shaped (`v1.2.3`, `1.2.3`, `vpc-v1.2.3`) is refused.
 */
export function planEdits(
  inventory: Inventory,
  dependencyId: string,
  environment: string,
  targetVersion: string,
): EditPlan {
  // Whoever asked (a comment, the command line, a registry), only a version goes into a file.
  if (!isVersionShaped(targetVersion)) {
    return { ok: false, reason: `${JSON.stringify(targetVersion)} is not a version` };
  }
  const env = inventory.environments.find((e) => e.name === environment);
  if (!env) return { ok: false, reason: `there is no environment "${environment}"` };
  const dependency = env.dependencies.find((d) => d.id === dependencyId);
  if (!dependency) {
    // Since ids name their host, `acme/mods` may be what a GitLab host's `gitlab.example.com/acme/mods` was.
    const onOtherHosts = env.dependencies.filter((d) => d.id.endsWith(`/${dependencyId}`));
    const hint =
      onOtherHosts.length === 0 ? "" : ` (it uses ${onOtherHosts.map((d) => d.id).join(", ")})`;
    return {
      ok: false,
      reason: `${dependencyId} is not used in environment ${environment}${hint}`,
    };
  }
  // Submodules of the same repository whose version is the same literal are edited with it.
  const usages = dependenciesEditedTogether(env, dependencyId).flatMap(
    (id) => env.dependencies.find((d) => d.id === id)?.usages ?? [],
  );
  const editable = usages.filter((u) => u.token && !u.notPromotable);
  const untouched = usages.filter((u) => !u.token || u.notPromotable);
  if (editable.length === 0) {
    const reason = untouched[0]?.notPromotable ?? "no usage can be edited";
    return { ok: false, reason: `${dependencyId} cannot be updated in ${environment}: ${reason}` };
  }
  const edits = new Map<string, Edit>();
  const add = (token: TokenLocation, before: string, after: string) => {
    if (before === after) return;
    const { file, start, end, line } = token;
    edits.set(`${file}\0${start}`, { file, start, end, line, before, after });
  };
  for (const usage of editable) {
    const token = usage.token as NonNullable<Usage["token"]>;
    // A registry version has no "v"; an artifact's value keeps the form it is written in.
    const withoutV =
      usage.kind === "registry-version" ||
      (usage.kind === "artifact-value" && !usage.version.startsWith("v"));
    const after = withoutV ? targetVersion.replace(/^v/, "") : targetVersion;
    if (usage.commit) {
      const sha = commitFor(inventory, env, dependencyId, targetVersion, usage.commit.sha.length);
      if (sha === undefined) {
        return {
          ok: false,
          reason: `${dependencyId} cannot be updated in ${environment}: it is pinned by commit SHA, and the commit of ${targetVersion} is not known (its repository's tags were not listed, or have no ${targetVersion})`,
        };
      }
      add(usage.commit.token, usage.commit.sha, sha);
    }
    add(token, usage.version, after);
  }
  const sorted = [...edits.values()].sort(
    (a, b) => a.file.localeCompare(b.file) || a.start - b.start,
  );
  const editedVersions = new Set(
    dependency.usages.filter((u) => u.token && !u.notPromotable).map((u) => u.version),
  );
  const from = dependency.versions.filter((v) => editedVersions.has(v));
  return { ok: true, edits: sorted, from, untouched };
}

const COMMIT_SHA = /^[0-9a-f]{7,64}$/i;

/**
 * The commit SHA to write for `version` in a SHA pin `length` characters long: from the tag listing
 * its usages were checked against, else from a SHA pin of the version in this environment or, nearest
 * first, one before it (what the environment before runs, for a promotion). Cut to the length written.
 */
function commitFor(
  inventory: Inventory,
  environment: EnvironmentInventory,
  dependencyId: string,
  version: string,
  length: number,
): string | undefined {
  const group = dependenciesEditedTogether(environment, dependencyId);
  const listed = group
    .map((id) => environment.dependencies.find((d) => d.id === id)?.commits?.get(version))
    .find((sha) => sha !== undefined);
  const upTo = inventory.environments.slice(0, inventory.environments.indexOf(environment) + 1);
  const pinned = upTo
    .reverse()
    .flatMap((e) => e.dependencies.filter((d) => d.id === dependencyId))
    .flatMap((d) => d.usages)
    .find(
      (u) =>
        u.kind === "git-commit" &&
        u.version === version &&
        !u.notPromotable &&
        (u.commit?.sha.length ?? 0) >= length,
    )?.commit?.sha;
  const sha = listed ?? pinned;
  if (sha === undefined || !COMMIT_SHA.test(sha) || sha.length < length) return undefined;
  return sha.slice(0, length);
}

/**
 * Applies edits to the bytes of the files they name: every byte outside the edited tokens stays as it
 * was, whatever the encoding. Returns the changed files, with their new bytes, text and blob SHA. Throws
 * if a token's bytes are not what the edit expects, or if two edits overlap.
 */
export function applyEdits(files: readonly SourceFile[], edits: readonly Edit[]): SourceFile[] {
  const byFile = new Map<string, Edit[]>();
  for (const edit of edits) {
    const list = byFile.get(edit.file);
    if (list) list.push(edit);
    else byFile.set(edit.file, [edit]);
  }
  const changed: SourceFile[] = [];
  for (const file of files) {
    const fileEdits = byFile.get(file.path);
    if (!fileEdits) continue;
    const { bytes } = file;
    const toRaw = decodedToRawOffsets(bytes);
    const pieces: Buffer[] = [];
    let kept = 0;
    for (const edit of [...fileEdits].sort((a, b) => a.start - b.start)) {
      const start = toRaw(edit.start);
      const end = toRaw(edit.end);
      if (start === undefined || end === undefined) {
        throw new Error(
          `${edit.file}: the token at byte ${edit.start} overlaps an invalid UTF-8 sequence`,
        );
      }
      if (start < kept) throw new Error(`${edit.file}: two edits overlap at byte ${start}`);
      const found = bytes.subarray(start, end);
      if (!found.equals(Buffer.from(edit.before))) {
        throw new Error(
          `${edit.file}: expected "${edit.before}" at byte ${start}, found "${found.toString()}"`,
        );
      }
      pieces.push(bytes.subarray(kept, start), Buffer.from(edit.after));
      kept = end;
    }
    pieces.push(bytes.subarray(kept));
    changed.push(sourceFile(file.path, Buffer.concat(pieces)));
    byFile.delete(file.path);
  }
  const missing = [...byFile.keys()];
  if (missing.length > 0) throw new Error(`no such file: ${missing.join(", ")}`);
  return changed;
}

/**
 * How an edited file was shown to still parse: with hcl2-parser (the reference), or, for a file the
 * reference cannot parse before the edit either (syntax newer than HCL 2.10, such as Terraform 1.8's
 * `provider::aws::arn_parse(...)`), with the project's parser and a check that only the version tokens changed.
 */
export type Verifier = "hcl2-parser" | "project-parser-and-byte-check";

/**
 * The changed files of a verified edit, or why the edit was refused. `verifiers` is there when a
 * file was not verified with hcl2-parser, and says how each file was.
 */
export type VerifiedEdit =
  | { ok: true; files: SourceFile[]; verifiers?: { file: string; verifier: Verifier }[] }
  | { ok: false; reason: string };

/** The change a plan is meant to make, which verification holds the re-scan to. */
export interface IntendedChange {
  dependencyId: string;
  environment: string;
  targetVersion: string;
  /** Further dependencies of the environment whose edits are among the edits too (a group's members). */
  withDependencies?: readonly string[];
}

/** What the reference HCL parser made of a file: it parses, or why not (rejected, or the parser failed). */
export type ReferenceParse = { ok: true } | { ok: false; reason: string };

/**
 * Parses with the reference HCL parser (HashiCorp's, compiled to JavaScript with GopherJS). Never
 * throws: an exception of the parser (its call stack overflows past ~170 levels of nesting) is a reason.
 * It does not say why it rejects a file (its error reaches JavaScript as an empty object).
 */
export function parseWithReferenceParser(content: string): ReferenceParse {
  try {
    const [, error] = hcl2.parseToString(content);
    return error === null
      ? { ok: true }
      : { ok: false, reason: "the reference HCL parser rejects it" };
  } catch (error) {
    // An exception leaves GopherJS's runtime broken (the next calls throw or answer garbage): start afresh.
    hcl2 = loadReferenceParser();
    return { ok: false, reason: `the reference HCL parser failed: ${describeException(error)}` };
  }
}

/** Whether the reference HCL parser parses `content`. */
export function parsesWithReferenceParser(content: string): boolean {
  return parseWithReferenceParser(content).ok;
}

function describeException(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  const text = String(error);
  return text === "" ? "an exception without a message" : text;
}

const number = (n: number) => n.toLocaleString("en-US");

/**
 * How an edited file was verified, or why it cannot be accepted. The project's parser reads it
 * first: a file too large or nested too deeply never reaches the reference parser, which is slow on
 * large files (seconds per MiB, blocking the event loop) and overflows its stack on deep ones.
 */
function verifyEditedFile(
  { path, bytes, content }: SourceFile,
  original: SourceFile | undefined,
  edits: readonly Edit[],
): { failure: string } | { verifier: Verifier } {
  if (bytes.length > MAX_SOURCE_FILE_BYTES) {
    return {
      failure: `${path} would be ${number(bytes.length)} bytes after the edit, more than the ${number(MAX_SOURCE_FILE_BYTES)} bytes (2 MiB) Promoter verifies`,
    };
  }
  const own = parseHcl(content).error;
  if (own) {
    const { line, column } = new TextIndex(content).location(own.offset);
    return {
      failure: `${path} would no longer parse after the edit: ${line}:${column}: syntax error: ${own.message}`,
    };
  }
  const reference = parseWithReferenceParser(content);
  if (reference.ok) return { verifier: "hcl2-parser" };
  const failure = `${path} would no longer parse after the edit: ${reference.reason}`;
  if (!original || parseWithReferenceParser(original.content).ok) return { failure };
  if (!onlyVersionTokensChanged(original, bytes, edits)) {
    return { failure: `${failure}, and the edit changes more than version tokens` };
  }
  return { verifier: "project-parser-and-byte-check" };
}

/** Whether `after` is `original`'s bytes with exactly the edits' tokens replaced, each by a version. */
function onlyVersionTokensChanged(
  original: SourceFile,
  after: Buffer,
  edits: readonly Edit[],
): boolean {
  const toRaw = decodedToRawOffsets(original.bytes);
  const sorted = edits.filter((e) => e.file === original.path).sort((a, b) => a.start - b.start);
  let before = 0;
  let now = 0;
  for (const edit of sorted) {
    const start = toRaw(edit.start);
    const end = toRaw(edit.end);
    if (start === undefined || end === undefined) return false;
    const isSha = COMMIT_SHA.test(edit.before) && COMMIT_SHA.test(edit.after);
    if (!isSha && !isVersionShaped(edit.after)) return false;
    const kept = original.bytes.subarray(before, start);
    if (!after.subarray(now, now + kept.length).equals(kept)) return false;
    now += kept.length;
    const replacement = Buffer.from(edit.after);
    if (!after.subarray(now, now + replacement.length).equals(replacement)) return false;
    now += replacement.length;
    before = end;
  }
  return after.subarray(now).equals(original.bytes.subarray(before));
}

/**
 * Applies the edits and proves they do exactly what was intended: every edited file still parses
 * with the reference HCL parser (or see {@link Verifier}), and a re-scan shows the intended usages at the target version and
 * every other usage, skip and warning of the repository unchanged. Nothing is returned otherwise.
 */
export function applyVerifiedEdits(
  files: readonly SourceFile[],
  config: Config,
  before: Inventory,
  edits: readonly Edit[],
  intended: IntendedChange,
  cache?: ScanCache,
): VerifiedEdit {
  let changed: SourceFile[];
  try {
    changed = applyEdits(files, edits);
  } catch (error) {
    return { ok: false, reason: `the edit does not apply: ${(error as Error).message}` };
  }
  const originals = new Map(files.map((f) => [f.path, f]));
  const verifiers: { file: string; verifier: Verifier }[] = [];
  for (const file of changed) {
    const verified = verifyEditedFile(file, originals.get(file.path), edits);
    if ("failure" in verified) return { ok: false, reason: verified.failure };
    verifiers.push({ file: file.path, verifier: verified.verifier });
  }
  const replaced = new Map(changed.map((f) => [f.path, f]));
  const after = files.map((f) => replaced.get(f.path) ?? f);
  const fork: ScanCache = cache
    ? { documents: cache.documents, units: new Map(cache.units) }
    : createScanCache();
  const rescan = scan(after, config, fork);
  // Units served from the cache yield what they yielded before: only re-evaluated ones can differ.
  const affected = cache
    ? new Set(
        [...fork.units]
          .filter(([path, result]) => cache.units.get(path) !== result)
          .map(([p]) => p),
      )
    : undefined;
  const inScope = (file: string) => affected === undefined || affected.has(file);
  const targets = new Map(edits.map((e) => [`${e.file}\0${e.start}`, e.after]));
  const intendedEnvironment = before.environments.find((e) => e.name === intended.environment);
  const editedTogether = new Set(
    [intended.dependencyId, ...(intended.withDependencies ?? [])].flatMap((id) =>
      intendedEnvironment ? dependenciesEditedTogether(intendedEnvironment, id) : [id],
    ),
  );
  const target = (env: string, id: string, token: TokenLocation | undefined) =>
    env === intended.environment && editedTogether.has(id) && token !== undefined
      ? targets.get(`${token.file}\0${token.start}`)
      : undefined;
  const expected = describe(
    before,
    (env, id, usage) => target(env, id, usage.token),
    inScope,
    (env, id, usage) => target(env, id, usage.commit?.token),
  );
  const actual = describe(rescan.inventory, () => undefined, inScope);
  const difference = firstDifference(expected, actual);
  if (difference) return { ok: false, reason: `the re-scan after the edit differs: ${difference}` };
  const fallback = verifiers.some((v) => v.verifier !== "hcl2-parser");
  return fallback ? { ok: true, files: changed, verifiers } : { ok: true, files: changed };
}

/** One line per usage and skip of the units in scope, and per warning, with the version (and commit) a usage is expected to have. */
function describe(
  inventory: Inventory,
  versionOf: (env: string, id: string, usage: Usage) => string | undefined,
  inScope: (file: string) => boolean,
  commitOf: (env: string, id: string, usage: Usage) => string | undefined = () => undefined,
): string[] {
  const lines: string[] = [];
  for (const env of inventory.environments) {
    for (const dep of env.dependencies) {
      for (const u of dep.usages) {
        // Artifact values are read anew on every scan, never served from the cache of units.
        if (!inScope(u.file) && u.kind !== "artifact-value") continue;
        const version = versionOf(env.name, dep.id, u) ?? u.version;
        const where = u.token ? `${u.token.file}:${u.token.line}` : "-";
        const commit = u.commit ? ` @${commitOf(env.name, dep.id, u) ?? u.commit.sha}` : "";
        lines.push(
          `usage ${env.name} ${dep.id} ${u.file}:${u.line} ${u.kind} ${where} ${version}${commit} ${u.notPromotable ?? ""}`,
        );
      }
    }
  }
  for (const s of inventory.skipped) {
    if (inScope(s.file)) lines.push(`skipped ${s.file}:${s.line} ${s.id ?? ""} ${s.reason}`);
  }
  for (const w of inventory.warnings) lines.push(`warning ${w.file} ${w.message}`);
  return lines.sort();
}

function firstDifference(expected: string[], actual: string[]): string | undefined {
  const remaining = new Map<string, number>();
  for (const line of actual) remaining.set(line, (remaining.get(line) ?? 0) + 1);
  for (const line of expected) {
    const count = remaining.get(line) ?? 0;
    if (count === 0) return `expected ${line}`;
    remaining.set(line, count - 1);
  }
  for (const [line, count] of remaining) if (count > 0) return `unexpected ${line}`;
  return undefined;
}
