import { MAX_GLOB_LENGTH } from "../config/glob.js";
import { parseConfig } from "../config/load-config.js";
import { isIacFile } from "../iac/scanner.js";

/** The kinds of environment recognised in folder names, in promotion order. */
const KINDS = ["dev", "qa", "stage", "prod"] as const;
type Kind = (typeof KINDS)[number];

/** Folder names (and name parts) that mean each kind; the first is the name the config uses by default. */
const SYNONYMS: Record<Kind, readonly string[]> = {
  dev: ["dev", "development", "sandbox", "sbx"],
  qa: ["qa", "test", "testing"],
  stage: ["stage", "staging", "uat", "preprod"],
  prod: ["prod", "production", "live", "prd"],
};

/** At most this many globs per environment: the schema's limit is 100; a config a person reads needs far fewer. */
const MAX_GLOBS = 50;

/** One inferred environment. */
export interface InferredEnvironment {
  name: string;
  paths: string[];
  promotion: "auto" | "manual";
}

/** The outcome of {@link inferConfig}: the config as commented YAML, and what it was inferred from. */
export interface InferredConfig {
  environments: InferredEnvironment[];
  /** How many Terraform, OpenTofu or Terragrunt files the repository has. */
  iacFiles: number;
  /** Fewer than two environments could be told apart: the config proposes one, with an example chain. */
  singleEnvironment: boolean;
  /** Folders left out of the config (too many or too deep to list), to say so. */
  omittedFolders: number;
  /** The text of `.github/promoter.yml`, valid for the config loader. */
  text: string;
}

/**
 * Infers a config from a repository's file list: environments from folder names (`dev`, `qa`,
 * `stage`, `prod` and their synonyms, as whole names, prefixes `dev-*` or suffixes `*-prod`) and
 * from Terragrunt `env.hcl` / `account.hcl` values (`hclTexts`, by path), in the usual order.
 * Pure; the folder names in it are hostile and only ever appear as quoted, escaped globs.
 */
export function inferConfig(
  paths: readonly string[],
  hclTexts: ReadonlyMap<string, string> = new Map(),
): InferredConfig {
  const iacPaths = paths.filter(isIacFile);
  const folderKinds = hclKinds(hclTexts);
  const prefixes = new Map<Kind, Set<string>>();
  // Terragrunt's account/region/env files hold values, not units: they place no environment.
  for (const path of iacPaths.filter((p) => !/(^|\/)(account|region|env)\.hcl$/.test(p))) {
    const found = kindOfPath(path, folderKinds);
    if (!found) continue;
    const set = prefixes.get(found.kind) ?? new Set<string>();
    set.add(found.prefix);
    prefixes.set(found.kind, set);
  }
  dropEnclosingFolders(prefixes);
  let omittedFolders = 0;
  let environments: InferredEnvironment[] = KINDS.filter((k) => prefixes.has(k)).map((kind) => {
    const folders = [...(prefixes.get(kind) ?? [])].sort();
    const { globs, omitted } = globsFor(folders);
    omittedFolders += omitted;
    return {
      name: environmentName(kind, folders),
      paths: globs,
      promotion: kind === "prod" ? "manual" : "auto",
    };
  });
  environments = environments.filter((e) => e.paths.length > 0);
  const singleEnvironment = environments.length < 2;
  if (environments.length === 0) {
    environments = [{ name: "production", paths: ["**"], promotion: "auto" }];
  }
  const text = renderYaml(environments, singleEnvironment);
  const parsed = parseConfig(text);
  if (!parsed.ok) {
    // The renderer quotes and escapes every value: this is a bug of ours, not bad input.
    throw new Error(`the inferred config does not load: ${parsed.errors[0]?.message ?? ""}`);
  }
  return { environments, iacFiles: iacPaths.length, singleEnvironment, omittedFolders, text };
}

/**
 * Drops the folders that hold another kind's folder (`live/` around `live/dev/`): such a folder is the
 * repository's root of environments, and as an environment of its own it would overlap the others.
 */
function dropEnclosingFolders(prefixes: Map<Kind, Set<string>>): void {
  for (const [kind, folders] of prefixes) {
    for (const folder of folders) {
      const encloses = [...prefixes].some(
        ([other, inner]) =>
          other !== kind && [...inner].some((f) => folder === "" || f.startsWith(`${folder}/`)),
      );
      if (encloses) folders.delete(folder);
    }
    if (folders.size === 0) prefixes.delete(kind);
  }
}

/** The kind a folder name stands for: a synonym as the whole name, its first part or its last part. */
function kindOfName(name: string): Kind | undefined {
  const lower = name.toLowerCase();
  const parts = lower.split(/[-_. ]+/).filter((p) => p !== "");
  // `non-prod`, `nonprod`, `not-live`: a name about what an environment is not.
  if (parts.some((p) => p === "non" || p === "not" || p.startsWith("nonprod"))) return undefined;
  const first = parts[0];
  const last = parts.at(-1);
  for (const kind of KINDS) {
    const words = SYNONYMS[kind];
    if (words.includes(lower)) return kind;
  }
  for (const kind of KINDS) {
    const words = SYNONYMS[kind];
    if (parts.length > 1 && ((first && words.includes(first)) || (last && words.includes(last)))) {
      return kind;
    }
  }
  return undefined;
}

/** The folders whose `env.hcl` (first) or `account.hcl` names an environment, with its kind. */
function hclKinds(
  hclTexts: ReadonlyMap<string, string>,
): Map<string, { kind: Kind; env: boolean }> {
  const kinds = new Map<string, { kind: Kind; env: boolean }>();
  for (const [path, text] of hclTexts) {
    const slash = path.lastIndexOf("/");
    const file = path.slice(slash + 1);
    const env = file === "env.hcl";
    if (!env && file !== "account.hcl") continue;
    // A bounded look at the first kilobytes: these files are a few lines of `locals`.
    const value = /\b(?:environment|env|account_name|stage)\s*=\s*"([^"\n]{1,100})"/.exec(
      text.slice(0, 16 * 1024),
    )?.[1];
    const kind = value === undefined ? undefined : kindOfName(value);
    if (kind) kinds.set(slash < 0 ? "" : path.slice(0, slash), { kind, env });
  }
  return kinds;
}

/** The kind of a file's environment and the folder it starts at, or undefined for shared code. */
function kindOfPath(
  path: string,
  folderKinds: ReadonlyMap<string, { kind: Kind; env: boolean }>,
): { kind: Kind; prefix: string } | undefined {
  const segments = path.split("/").slice(0, -1);
  let fromHcl: { kind: Kind; prefix: string; env: boolean } | undefined;
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join("/");
    const found = folderKinds.get(prefix);
    // The deepest env.hcl wins, then the deepest account.hcl.
    if (found && (!fromHcl || found.env || !fromHcl.env)) fromHcl = { ...found, prefix };
  }
  if (fromHcl) return { kind: fromHcl.kind, prefix: fromHcl.prefix };
  const named = segments.map((s, i) => ({ kind: kindOfName(s), i })).filter((s) => s.kind);
  // `live/` is also the usual root of a live repository (`live/prod/...`): a name below it wins.
  const chosen =
    named.find((s) => segments[s.i]?.toLowerCase() !== "live") ?? (named.length ? named[0] : null);
  if (!chosen?.kind) return undefined;
  return { kind: chosen.kind, prefix: segments.slice(0, chosen.i + 1).join("/") };
}

/** The canonical name, or the folders' own name when they all share one synonym (`production`). */
function environmentName(kind: Kind, folders: readonly string[]): string {
  const names = new Set(folders.map((f) => f.slice(f.lastIndexOf("/") + 1).toLowerCase()));
  const [only] = names;
  return names.size === 1 && only !== undefined && SYNONYMS[kind].includes(only) ? only : kind;
}

/** A glob that matches `text` literally. */
function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]{}()!+@,]/g, (c) => `\\${c}`);
}

/**
 * Globs for the folders of one environment: folders at the same depth with the same last name
 * share one glob (`non-prod/*\/qa/**`), at most {@link MAX_GLOBS}, each within the glob length limit.
 */
function globsFor(folders: readonly string[]): { globs: string[]; omitted: number } {
  const groups = new Map<string, string[][]>();
  for (const folder of folders) {
    const segments = folder.split("/");
    const key = `${segments.length}/${segments.at(-1) ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), segments]);
  }
  const globs = new Set<string>();
  let omitted = 0;
  for (const group of groups.values()) {
    const first = group[0] ?? [];
    const parts = first.map((segment, i) =>
      group.every((g) => g[i] === segment) ? escapeGlob(segment) : "*",
    );
    let glob = `${parts.join("/")}/**`;
    if (glob.length > MAX_GLOB_LENGTH) glob = `**/${escapeGlob(first.at(-1) ?? "")}/**`;
    if (glob.length > MAX_GLOB_LENGTH || globs.size >= MAX_GLOBS) {
      omitted += group.length;
      continue;
    }
    globs.add(glob);
  }
  return { globs: [...globs].sort(), omitted };
}

/** The config as YAML with a comment on each field; values are JSON strings, which YAML reads as they are. */
function renderYaml(environments: readonly InferredEnvironment[], single: boolean): string {
  const lines = [
    "# Promoter's configuration (every field is described in Promoter's README).",
    "# Inferred from the folders of this repository: check the environments and their paths.",
    "",
    "# The environments, in promotion order: a new version reaches the first one, then is promoted",
    "# from each environment to the next.",
    "environments:",
  ];
  for (const env of environments) {
    lines.push(
      `  - name: ${JSON.stringify(env.name)}`,
      "    # Globs of the files that belong to this environment.",
      "    paths:",
      ...env.paths.map((p) => `      - ${JSON.stringify(p)}`),
    );
    if (env.promotion === "manual") {
      lines.push(
        "    # manual: a version reaches this environment only on a `/promote <name>` comment.",
        "    promotion: manual",
      );
    }
  }
  if (single) {
    lines.push(
      "# Only one environment could be told apart from the folder names. A chain looks like:",
      "#  - name: dev",
      '#    paths: ["dev/**"]',
      "#  - name: prod",
      '#    paths: ["prod/**"]',
      "#    promotion: manual",
    );
  }
  lines.push(
    "",
    "# How new versions are looked for.",
    "updates:",
    "  # next-safe: the highest version without a breaking change.",
    "  strategy: next-safe",
    "  # How often the first environment is checked for new versions.",
    "  schedule: daily",
    "",
  );
  return lines.join("\n");
}
