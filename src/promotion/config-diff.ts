/** What a change to `.github/promoter.yml` would change, compared with the config it replaces. */
import type { Config, Environment } from "../config/index.js";

/** One difference between two valid configs. */
export type ConfigChange =
  | { kind: "environment-added"; environment: string; position: number }
  | { kind: "environment-removed"; environment: string }
  | { kind: "reordered"; before: string[]; after: string[] }
  | {
      kind: "promotion";
      environment: string;
      before: Environment["promotion"];
      after: Environment["promotion"];
      /** The environment is first in the new chain, where `promotion` is ignored. */
      first: boolean;
    }
  | {
      kind: "promoters";
      environment: string;
      /** `undefined`: everyone with write access. */
      before: string[] | undefined;
      after: string[] | undefined;
    }
  | { kind: "paths"; environment: string }
  | { kind: "setting"; key: string; before: unknown; after: unknown };

/** The settings besides the environments, by the key a user writes. */
const SETTINGS: readonly { key: string; value: (config: Config) => unknown }[] = [
  { key: "exclude", value: (c) => c.exclude },
  { key: "allowSkipping", value: (c) => c.allowSkipping },
  { key: "labels", value: (c) => c.labels },
  ...(
    [
      "strategy",
      "schedule",
      "ignore",
      "prerelease",
      "registry",
      "tagPrefix",
      "rebaseWhen",
      "rebaseAfterDays",
      "maxOpenPullRequests",
      "maxNewPullRequests",
    ] as const
  ).map((name) => ({ key: `updates.${name}`, value: (c: Config) => c.updates[name] })),
];

/**
 * The changes from `base` (the base branch's config; `undefined` when it has none or an invalid one)
 * to `head`: environments added, removed and reordered, then per environment kept its promotion mode,
 * who may promote and its globs, then the other settings. Defaults count as written.
 */
export function diffConfigs(base: Config | undefined, head: Config): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const before = base?.environments ?? [];
  const after = head.environments;
  const beforeNames = new Set(before.map((e) => e.name));
  const afterNames = new Set(after.map((e) => e.name));
  after.forEach((env, position) => {
    if (!beforeNames.has(env.name)) {
      changes.push({ kind: "environment-added", environment: env.name, position });
    }
  });
  for (const env of before) {
    if (!afterNames.has(env.name)) {
      changes.push({ kind: "environment-removed", environment: env.name });
    }
  }
  const keptBefore = before.filter((e) => afterNames.has(e.name)).map((e) => e.name);
  const keptAfter = after.filter((e) => beforeNames.has(e.name)).map((e) => e.name);
  if (keptBefore.some((name, i) => keptAfter[i] !== name)) {
    changes.push({ kind: "reordered", before: keptBefore, after: keptAfter });
  }
  after.forEach((env, position) => {
    const old = before.find((e) => e.name === env.name);
    if (!old) return;
    if (old.promotion !== env.promotion) {
      changes.push({
        kind: "promotion",
        environment: env.name,
        before: old.promotion,
        after: env.promotion,
        first: position === 0,
      });
    }
    if (!sameSet(old.promoters, env.promoters)) {
      changes.push({
        kind: "promoters",
        environment: env.name,
        before: old.promoters,
        after: env.promoters,
      });
    }
    if (!sameList(old.paths, env.paths) || !sameList(old.exclude, env.exclude)) {
      changes.push({ kind: "paths", environment: env.name });
    }
  });
  if (base) {
    for (const { key, value } of SETTINGS) {
      const [was, is] = [value(base), value(head)];
      if (JSON.stringify(was) !== JSON.stringify(is)) {
        changes.push({ kind: "setting", key, before: was, after: is });
      }
    }
  }
  return changes;
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** Who may promote is a set: its order means nothing. */
function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const lower = (list: readonly string[]) => [...new Set(list.map((x) => x.toLowerCase()))].sort();
  return sameList(lower(a), lower(b));
}
