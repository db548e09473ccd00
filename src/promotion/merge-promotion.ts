/**
 * What a merge promotes and to where: the versions it brought to its environment, and for each,
 * whether the next environment gets a promotion or the merge's comment says why not. Pure: the
 * callers read the merge commit (and its parent) and write the promotions and the comment.
 */
import type { Config, Environment } from "../config/index.js";
import type { Inventory } from "../iac/types.js";
import { groupOf } from "./groups.js";
import { code, plainText } from "./markdown.js";
import { mergedVersion, type MergeSource } from "./merged-pull-request.js";
import { holdWait, manualWait, type Deferral } from "./plan.js";
import { HOLD_LABEL } from "./pull-request-content.js";
import { versionsIn, type PromotionRequest } from "./requested-promotion.js";

/** A version a merge brought to its environment. */
export interface MergedVersion {
  dependency: string;
  version: string;
}

/** What follows a merge for one version it brought: a promotion, or a line saying why there is none. */
export type MergeFollowUp =
  | { kind: "promote"; request: PromotionRequest }
  /** `wait`: what the next environment now waits for (a manual gate, a hold), as a check says it. */
  | { kind: "say"; line: string; wait?: Deferral };

/**
 * What a merge changed in an environment: the dependencies whose versions there differ between
 * `before` (the merge commit's first parent) and `after` (the merge commit), with the newest version
 * they have after it.
 */
export function changedVersions(
  before: Inventory,
  after: Inventory,
  environment: string,
): MergedVersion[] {
  const changes: MergedVersion[] = [];
  for (const dependency of after.environments.find((e) => e.name === environment)?.dependencies ??
    []) {
    const now = dependency.versions;
    const then = versionsIn(before, environment, dependency.id);
    const newest = now[now.length - 1];
    if (newest !== undefined && now.join() !== then.join())
      changes.push({ dependency: dependency.id, version: newest });
  }
  return changes;
}

/**
 * What a merge brought: for the app's PR, its dependency at the version the merge commit has; for a
 * group's PR, what the merge changed in the environment among the group's members (by the merge
 * commit's config); for a person's labelled PR, what the merge changed in the environment. Nothing
 * without the parent's inventory, `before`, where it is needed.
 */
export function broughtByMerge(
  source: MergeSource,
  after: Inventory,
  before: Inventory | undefined,
  config: Pick<Config, "groups">,
): MergedVersion[] {
  if (source.kind === "app") {
    return mergedVersion(
      versionsIn(after, source.environment, source.dependency),
      source.dependency,
    );
  }
  const changed = before ? changedVersions(before, after, source.environment) : [];
  if (source.kind === "labelled") return changed;
  const groupOfDependency = groupOf(config);
  return changed.filter((c) => groupOfDependency(c.dependency) === source.group);
}

/**
 * For each version a merge brought to `environment`: the promotion to the next environment, or why
 * there is none (the end of the chain, `promoter:hold` on the merged PR, a next environment promoted
 * by hand), with the command that promotes it anyway.
 */
export function mergeFollowUps(
  environments: readonly Pick<Environment, "name" | "promotion">[],
  environment: string,
  brought: readonly MergedVersion[],
  labels: readonly string[],
  pullRequest: number,
): MergeFollowUp[] {
  const index = environments.findIndex((e) => e.name === environment);
  const next = environments[index + 1];
  return brought.map(({ dependency, version }): MergeFollowUp => {
    const what = `${code(dependency)} ${code(version)}`;
    if (!next) {
      return {
        kind: "say",
        line: `${what} has reached ${plainText(environment)}, the end of the chain.`,
      };
    }
    const command = code(`/promote ${next.name} ${dependency}@${version}`);
    if (labels.includes(HOLD_LABEL)) {
      return {
        kind: "say",
        line: `${what} is on hold (\`${HOLD_LABEL}\`): comment ${command} to promote it to ${plainText(next.name)}.`,
        wait: {
          environment: next.name,
          dependency,
          reason: holdWait(version, pullRequest),
          pullRequest,
        },
      };
    }
    if (next.promotion === "manual") {
      return {
        kind: "say",
        line: `${plainText(next.name)} is promoted by hand: comment ${command} to open its pull request.`,
        wait: { environment: next.name, dependency, reason: manualWait(version, next.name) },
      };
    }
    return { kind: "promote", request: { environment: next.name, dependency, version } };
  });
}
