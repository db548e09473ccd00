// The two functions alone: all of semver costs a CLI run ~30 ms of start-up.
import coerce from "semver/functions/coerce.js";
import compare from "semver/functions/compare.js";
import type { Config } from "../config/index.js";
import type { UnitResult } from "./scan-unit.js";
import type { FoundUsage } from "./source-usage.js";
import type {
  Dependency,
  DependencyOrigin,
  EnvironmentInventory,
  Inventory,
  Skipped,
  TokenLocation,
  Usage,
  Warning,
} from "./types.js";

function compareVersions(a: string, b: string): number {
  const va = coerce(a, { includePrerelease: true });
  const vb = coerce(b, { includePrerelease: true });
  if (va && vb) {
    const order = compare(va, vb);
    if (order !== 0) return order;
  }
  return a.localeCompare(b);
}

/** What the usages of one version literal have in common: environments, dependencies, origin. */
interface TokenFacts {
  envs: Set<string>;
  dependencies: Set<string>;
  origin: DependencyOrigin;
  /** Whether dependencies of different repositories or registry modules share the literal. */
  mixed: boolean;
}

/** The repository or registry module a dependency's versions come from. */
function originKey(origin: DependencyOrigin): string {
  if (origin.type === "artifact") return `artifact ${origin.name}`;
  return origin.type === "git"
    ? `git ${origin.host}/${origin.owner}/${origin.repo}`
    : `registry ${origin.host ?? ""}/${origin.namespace}/${origin.name}/${origin.provider}`;
}

/**
 * The ids of the dependencies an edit of `id` in `environment` changes: itself, and those whose
 * version is one of the same literals (see {@link Usage.editedWith}), sorted.
 */
export function dependenciesEditedTogether(
  environment: EnvironmentInventory,
  id: string,
): string[] {
  const group = new Set([id]);
  const pending = [id];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const dependency = environment.dependencies.find((d) => d.id === next);
    for (const usage of dependency?.usages ?? []) {
      for (const other of usage.editedWith ?? []) {
        if (!group.has(other)) {
          group.add(other);
          pending.push(other);
        }
      }
    }
  }
  return [...group].sort();
}

/**
 * Builds the inventory from the results of `units` (in the same order): groups usages per environment
 * and dependency, and marks version literals shared across environments, by dependencies of different
 * repositories or written in a file of another environment as not promotable. A literal shared by
 * submodules of one repository in one environment is edited for all of them (`editedWith`).
 */
export function assembleInventory(
  config: Config,
  units: string[],
  results: UnitResult[],
  envOfFile: Map<string, string>,
): Inventory {
  const found: { env: string; usage: FoundUsage; facts?: TokenFacts }[] = [];
  const skipped: Skipped[] = [];
  const warnings = new Map<string, Warning>();
  // A local module used by several units of an environment yields the same usage (and skip) for each.
  const seen = new Set<string>();
  const once = (key: string) => !seen.has(key) && Boolean(seen.add(key));
  // Facts per version literal, by file then offset: one lookup per usage, no key strings built.
  const tokens = new Map<string, Map<number, TokenFacts>>();
  const factsOf = (token: TokenLocation, usage: FoundUsage, env: string): TokenFacts => {
    let inFile = tokens.get(token.file);
    if (!inFile) {
      inFile = new Map<number, TokenFacts>();
      tokens.set(token.file, inFile);
    }
    let facts = inFile.get(token.start);
    if (!facts) {
      facts = { envs: new Set(), dependencies: new Set(), origin: usage.origin, mixed: false };
      inFile.set(token.start, facts);
    } else if (
      !facts.mixed &&
      facts.origin !== usage.origin &&
      originKey(facts.origin) !== originKey(usage.origin)
    ) {
      facts.mixed = true;
    }
    facts.envs.add(env);
    facts.dependencies.add(usage.id);
    return facts;
  };
  results.forEach((result, i) => {
    const unit = units[i] as string;
    const env = envOfFile.get(unit) as string;
    for (const usage of result.usages) {
      const { token } = usage;
      if (
        usage.file !== unit &&
        !once(
          `usage\0${env}\0${usage.id}\0${usage.file}\0${usage.line}\0${token ? `${token.file}\0${token.start}` : ""}`,
        )
      ) {
        continue;
      }
      const copy = { ...usage };
      found.push(
        token ? { env, usage: copy, facts: factsOf(token, copy, env) } : { env, usage: copy },
      );
    }
    for (const s of result.skipped) {
      if (s.file === unit || once(`skip\0${s.file}\0${s.line}\0${s.id ?? ""}\0${s.reason}`)) {
        skipped.push(s);
      }
    }
    for (const w of result.warnings) warnings.set(`${w.file}\0${w.message}`, w);
  });

  const environments = new Map(
    config.environments.map((e) => [e.name, new Map<string, Dependency>()]),
  );
  const environmentNames = config.environments.map((e) => e.name);
  for (const { env, usage, facts } of found) {
    const token = usage.token;
    let editedWith: string[] | undefined;
    if (token && facts) {
      const { envs, dependencies } = facts;
      const tokenEnv = envOfFile.get(token.file);
      const where = `the version is set in ${token.file}:${token.line}`;
      if (envs.size > 1) {
        const shared = environmentNames.filter((n) => envs.has(n)).join(", ");
        usage.notPromotable ??= `not promotable per environment: ${where}, shared by environments ${shared}`;
      } else if (dependencies.size > 1 && facts.mixed) {
        usage.notPromotable ??= `the version is set in ${token.file}:${token.line}, shared by dependencies ${[...dependencies].sort().join(", ")}`;
      } else if (tokenEnv !== undefined && tokenEnv !== env) {
        usage.notPromotable ??= `not promotable per environment: ${where}, a file of environment ${tokenEnv}`;
      } else if (dependencies.size > 1) {
        editedWith = [...dependencies].filter((id) => id !== usage.id).sort();
      }
    }
    const reason = usage.notPromotable;
    if (reason && once(`promotable\0${usage.file}\0${usage.line}\0${usage.id}\0${reason}`)) {
      skipped.push({ file: usage.file, line: usage.line, id: usage.id, reason });
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
    if (usage.commit) entry.commit = usage.commit;
    if (usage.notPromotable) entry.notPromotable = usage.notPromotable;
    else if (editedWith) entry.editedWith = editedWith;
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
