/**
 * The versions of the config's artifacts (`artifacts:`): each environment's value of an artifact's
 * `key`, at the top level of a file (`.tfvars`), in a `locals { }` block or in Terragrunt's
 * `inputs = { }`, found in the environment's files that match the artifact's `files` globs.
 */
import { posix } from "node:path";
import { compileGlobs, DEFAULT_CONFIG_FILE, type Artifact, type Config } from "../config/index.js";
import { isVersionShaped } from "../versions/version-shape.js";
import { parseHcl } from "./hcl-parser.js";
import type { Expr, HclDocument } from "./hcl-syntax.js";
import type { LoadedFile, UnitResult } from "./scan-unit.js";
import type { FoundUsage } from "./source-usage.js";
import { TextIndex } from "./text-index.js";
import type { SourceFile, Warning } from "./types.js";

const SKIPPED_FOLDER = /(^|\/)(\.terraform|\.terragrunt-cache|\.git)\//;

/** Whether a path may hold a value of one of the config's artifacts (before its environment is known). */
export function artifactFileMatcher(config: Config): (path: string) => boolean {
  const matchers = (config.artifacts ?? []).map((a) => compileGlobs(a.files));
  return (path) => matchers.some((matches) => matches(path)) && !SKIPPED_FOLDER.test(path);
}

/** An expression of a file, and how far its offsets are from the file's (when parsed on its own). */
interface Found {
  expr: Expr;
  shift: number;
}

/** The entries of Terragrunt's top-level `inputs = { }`, which the parser skips: parsed here on their own. */
function inputsEntries(expr: Expr, key: string): Found[] {
  if (expr.kind !== "unsupported" || !expr.text.includes(key)) return [];
  const prefix = "value = ";
  const parsed = parseHcl(`${prefix}${expr.text}\n`);
  const value = parsed.error ? undefined : parsed.body.attributes[0]?.expr;
  if (value?.kind !== "object") return [];
  const shift = expr.start - prefix.length;
  return value.entries.filter((e) => e.key === key).map((e) => ({ expr: e.value, shift }));
}

/** The values of an artifact's key in one file: each expression, with where it is. */
function valuesOf(document: HclDocument, key: string): Found[] {
  const found: Found[] = [];
  for (const attribute of document.body.attributes) {
    if (attribute.name === key) found.push({ expr: attribute.expr, shift: 0 });
    if (attribute.name === "inputs") found.push(...inputsEntries(attribute.expr, key));
  }
  for (const block of document.body.blocks) {
    if (block.type !== "locals") continue;
    for (const attribute of block.body.attributes) {
      if (attribute.name === key) found.push({ expr: attribute.expr, shift: 0 });
    }
  }
  return found;
}

/** The text of a plain string literal (`"1.4.2"`: no interpolation, directive or escape), with its offset. */
function plainString({ expr, shift }: Found): { text: string; offset: number } | undefined {
  if (expr.kind !== "template" || expr.parts.length !== 1) return undefined;
  const [part] = expr.parts;
  if (part?.kind !== "literal" || /[\\$%]/.test(part.raw)) return undefined;
  return { text: part.raw, offset: part.start + shift };
}

/** The repository whose tags are the artifact's versions, if it names one. */
function releasesOf(artifact: Artifact): { releases?: { owner: string; repo: string } } {
  const [owner, repo] = artifact.releases?.split("/") ?? [];
  return owner && repo ? { releases: { owner, repo } } : {};
}

/** The usages of one artifact in the files of one environment, and what cannot be promoted. */
function artifactInEnvironment(
  artifact: Artifact,
  environment: string,
  files: readonly SourceFile[],
  load: (file: SourceFile) => LoadedFile,
): { results: Map<string, UnitResult>; warnings: Warning[] } {
  const results = new Map<string, UnitResult>();
  const warnings: Warning[] = [];
  const resultOf = (file: SourceFile): UnitResult => {
    let result = results.get(file.path);
    if (!result) {
      result = { hash: file.hash, reads: [], usages: [], skipped: [], warnings: [] };
      results.set(file.path, result);
    }
    return result;
  };
  const usages: FoundUsage[] = [];
  let found = 0;
  for (const file of files) {
    const loaded = load(file);
    if (!("document" in loaded)) {
      resultOf(file).warnings.push({ file: file.path, message: loaded.warning });
      continue;
    }
    const values = valuesOf(loaded.document, artifact.key);
    if (values.length === 0) continue;
    const index = new TextIndex(file.content);
    for (const value of values) {
      found++;
      const { line } = index.location(value.expr.start + value.shift);
      const plain = plainString(value);
      if (!plain) {
        resultOf(file).skipped.push({
          file: file.path,
          line,
          id: artifact.name,
          reason: `${artifact.key} is not a plain string such as "1.4.2" (an expression or interpolation): not promoted`,
        });
        continue;
      }
      const usage: FoundUsage = {
        file: file.path,
        line,
        id: artifact.name,
        kind: "artifact",
        source: `${artifact.key} (artifact ${artifact.name})`,
        origin: { type: "artifact", name: artifact.name, ...releasesOf(artifact) },
        version: plain.text,
        usageKind: "artifact-value",
        token: {
          file: file.path,
          start: index.byteOffset(plain.offset),
          end: index.byteOffset(plain.offset + plain.text.length),
          ...index.location(plain.offset),
        },
      };
      if (!isVersionShaped(plain.text)) {
        usage.notPromotable = `${artifact.key} = ${JSON.stringify(plain.text)} is not a version`;
      }
      usages.push(usage);
      resultOf(file).usages.push(usage);
    }
  }
  if (found === 0) {
    warnings.push({
      file: DEFAULT_CONFIG_FILE,
      message: `artifact ${artifact.name}: no file of environment ${environment} sets ${artifact.key}`,
    });
  }
  const distinct = [...new Set(usages.map((u) => u.version))];
  if (distinct.length > 1) {
    const where = usages.map((u) => `${u.version} (${u.file}:${u.line})`).join(", ");
    for (const usage of usages) {
      usage.notPromotable ??= `${artifact.name} has several values in ${environment}: ${where}`;
    }
  }
  return { results, warnings };
}

/**
 * The usages of every artifact of the config, per environment, as unit results keyed by the file
 * that holds them (with the environment of each), and the warnings: a key no file of an
 * environment sets, a file that does not parse. Values that are not plain string literals are
 * skipped with why; values that are not versions, or differ inside one environment, are not promotable.
 */
export function scanArtifacts(
  files: readonly SourceFile[],
  config: Config,
  environmentOf: (path: string) => string | undefined,
  load: (file: SourceFile) => LoadedFile,
): { units: string[]; environments: Map<string, string>; results: UnitResult[] } {
  const units: string[] = [];
  const results: UnitResult[] = [];
  const environments = new Map<string, string>();
  const artifacts = config.artifacts ?? [];
  if (artifacts.length === 0) return { units, environments, results };
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  const warnings: Warning[] = [];
  for (const artifact of artifacts) {
    const matches = compileGlobs(artifact.files);
    for (const environment of config.environments) {
      const inEnvironment = sorted.filter(
        (f) =>
          matches(f.path) &&
          !SKIPPED_FOLDER.test(f.path) &&
          posix.normalize(f.path) === f.path &&
          environmentOf(f.path) === environment.name,
      );
      const found = artifactInEnvironment(artifact, environment.name, inEnvironment, load);
      warnings.push(...found.warnings);
      for (const [path, result] of found.results) {
        units.push(path);
        results.push(result);
        environments.set(path, environment.name);
      }
    }
  }
  if (warnings.length > 0) {
    units.push("");
    results.push({ hash: "", reads: [], usages: [], skipped: [], warnings });
  }
  return { units, environments, results };
}
