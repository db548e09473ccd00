import type { Config } from "../config/index.js";
import type { Dependency, Inventory } from "../iac/types.js";
import { chainStartNote, chainStarts, tagPrefixFor } from "./plan.js";
import { pinnedReleaseLine, releaseLineNote } from "../versions/strategies.js";

/** The `--json` document of `promoter report`. */
export interface ReportJson {
  environments: {
    name: string;
    dependencies: {
      id: string;
      kind: string;
      source: string;
      versions: string[];
      /** The fork's line of tags its versions follow (`gwrc` for `v0.107.5-gwrc`), when known. */
      tagLine?: string;
      usages: {
        file: string;
        line: number;
        version: string;
        versionFile?: string;
        versionLine?: number;
      }[];
    }[];
  }[];
  skipped: { file: string; line: number; id?: string; reason: string }[];
  warnings: { file: string; message: string }[];
  /** Dependencies the first environment does not use: where their chain starts, and why (absent when none). */
  chainStarts?: { dependency: string; environment: string; reason: string }[];
}

/** What the report knows beyond the inventory: the config's tag prefixes, and tags where given. */
export interface ReportContext {
  config?: Config;
  /** Available versions by dependency id (`--versions`). */
  versions?: ReadonlyMap<string, readonly string[]>;
}

/**
 * The fork's tag line each dependency follows, by id: seen in the versions the repository pins in
 * any environment and the available versions of `context`.
 */
function tagLines(inventory: Inventory, context: ReportContext): Map<string, string> {
  const prefixOf = context.config ? tagPrefixFor(context.config) : () => undefined;
  const pinned = new Map<string, string[]>();
  for (const env of inventory.environments) {
    for (const dep of env.dependencies)
      pinned.set(dep.id, [...(pinned.get(dep.id) ?? []), ...dep.versions]);
  }
  const lines = new Map<string, string>();
  for (const [id, versions] of pinned) {
    const line = pinnedReleaseLine(versions, context.versions?.get(id) ?? [], prefixOf(id));
    if (line !== undefined) lines.set(id, line);
  }
  return lines;
}

function tagLineText(
  dependency: Dependency,
  lines: ReadonlyMap<string, string>,
): string | undefined {
  const line = lines.get(dependency.id);
  return line === undefined ? undefined : releaseLineNote(line);
}

/** The inventory in the report's JSON shape (usages also say where their version literal lives). */
export function reportJson(inventory: Inventory, context: ReportContext = {}): ReportJson {
  const starts = laterChainStarts(inventory);
  const lines = tagLines(inventory, context);
  return {
    environments: inventory.environments.map((env) => ({
      name: env.name,
      dependencies: env.dependencies.map((dep) => ({
        id: dep.id,
        kind: dep.kind,
        source: dep.source,
        versions: dep.versions,
        ...(lines.has(dep.id) && { tagLine: lines.get(dep.id) }),
        usages: dep.usages.map((u) => ({
          file: u.file,
          line: u.line,
          version: u.version,
          ...(u.token ? { versionFile: u.token.file, versionLine: u.token.line } : {}),
        })),
      })),
    })),
    skipped: inventory.skipped,
    warnings: [...inventory.warnings],
    ...(starts.length > 0 && { chainStarts: starts }),
  };
}

/** Where the chains of dependencies the first environment does not use start. */
function laterChainStarts(inventory: Inventory) {
  return chainStarts(inventory).map((start) => ({
    dependency: start.dependency,
    environment: start.environment,
    reason: chainStartNote(start),
  }));
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  "),
  );
}

/**
 * The human report: per environment a table of dependency, version(s) and file count, and the tag
 * line of each that follows a fork's; then skips and warnings.
 */
export function reportText(inventory: Inventory, context: ReportContext = {}): string {
  return reportLines(inventory, context).join("\n");
}

/** The lines of {@link reportText}, each section followed by an empty line. Plain text: names are not escaped. */
export function reportLines(inventory: Inventory, context: ReportContext = {}): string[] {
  const out: string[] = [];
  const lines = tagLines(inventory, context);
  for (const env of inventory.environments) {
    const count = env.dependencies.length;
    out.push(`${env.name}: ${count} ${count === 1 ? "dependency" : "dependencies"}`);
    if (count > 0) {
      const rows = env.dependencies.map((d) => [
        d.id,
        d.versions.join(", "),
        String(new Set(d.usages.map((u) => u.file)).size),
      ]);
      out.push(...table([["DEPENDENCY", "VERSION", "FILES"], ...rows]).map((l) => `  ${l}`));
      for (const d of env.dependencies) {
        const text = tagLineText(d, lines);
        if (text !== undefined) out.push(`  ${d.id} ${text}`);
      }
    }
    out.push("");
  }
  const starts = laterChainStarts(inventory);
  if (starts.length > 0) {
    out.push(`Not in the first environment (${starts.length}):`);
    for (const s of starts) out.push(`  ${s.dependency}: ${s.reason}`);
    out.push("");
  }
  if (inventory.skipped.length > 0) {
    out.push(`Not updatable (${inventory.skipped.length}):`);
    for (const s of inventory.skipped)
      out.push(`  ${s.file}:${s.line}${s.id ? ` ${s.id}` : ""}: ${s.reason}`);
    out.push("");
  }
  if (inventory.warnings.length > 0) {
    out.push(`Warnings (${inventory.warnings.length}):`);
    for (const w of inventory.warnings) out.push(`  ${w.file}: ${w.message}`);
    out.push("");
  }
  return out;
}
