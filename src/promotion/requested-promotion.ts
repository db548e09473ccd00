/**
 * A requested promotion (after a merge, or by `/promote`): whether it is refused, already done, or
 * which proposal carries it out; and the reply line for what was done. Pure: the callers read the
 * repository and write the proposal.
 */
import type { Config } from "../config/index.js";
import type { Inventory } from "../iac/types.js";
import { parseVersionTag } from "../versions/strategies.js";
import type { WriteOutcome } from "./check-report.js";
import { code, inlineMarkdown, plainText } from "./markdown.js";
import { proposalFor, tagPrefixFor, type Proposal } from "./plan.js";

/** A promotion asked for: `dependency` in `environment` set to exactly `version`. */
export interface PromotionRequest {
  environment: string;
  dependency: string;
  version: string;
  /** `/promote … --skip-soak`: a soak of the environment before does not hold it back. */
  skipSoak?: true;
}

/** What a promotion did. */
export type PromotionResult =
  | { status: "written"; outcome: WriteOutcome; proposal: Proposal }
  | { status: "already"; versions: string[] }
  /** The app's PR that carried it was merged after the snapshot the request was decided on. */
  | { status: "merged"; pullRequest: number }
  | { status: "refused"; reason: string };

/** What a promotion is to do: nothing (refused, or already there), or write `proposal`. */
export type PromotionDecision =
  | Exclude<PromotionResult, { status: "written" | "merged" }>
  | { status: "propose"; proposal: Proposal };

/** The versions of a dependency in an environment (empty when it does not use it). */
export function versionsIn(
  inventory: Inventory,
  environment: string,
  dependency: string,
): string[] {
  return (
    inventory.environments
      .find((e) => e.name === environment)
      ?.dependencies.find((d) => d.id === dependency)?.versions ?? []
  );
}

/** Whether every version the environment runs is `version` or newer. */
export function atOrPast(
  config: Config,
  versions: readonly string[],
  dependency: string,
  version: string,
): boolean {
  const prefix = tagPrefixFor(config)(dependency);
  const target = parseVersionTag(version, prefix)?.version;
  if (!target || versions.length === 0) return false;
  return versions.every((v) => {
    const parsed = parseVersionTag(v, prefix)?.version;
    return parsed !== undefined && parsed.compare(target) >= 0;
  });
}

/**
 * The proposal that sets the dependency in the environment to exactly the requested version, as the
 * scheduled check would write it; nothing when the environment already runs that version or a newer
 * one, or does not use the dependency.
 */
export function promotionFor(
  inventory: Inventory,
  config: Config,
  request: PromotionRequest,
): PromotionDecision {
  const { environment, dependency, version } = request;
  const current = versionsIn(inventory, environment, dependency);
  if (current.length === 0) {
    return { status: "refused", reason: `${environment} does not use ${dependency}` };
  }
  if (atOrPast(config, current, dependency, version))
    return { status: "already", versions: current };
  const proposal = proposalFor(inventory, environment, dependency, version, "promotion");
  if ("refused" in proposal) return { status: "refused", reason: proposal.refused };
  return { status: "propose", proposal };
}

/** The reply line for one promotion to the next environment; every id, version and reason escaped. */
export function describePromotion(result: PromotionResult, request: PromotionRequest): string {
  const environment = plainText(request.environment);
  const dependency = code(request.dependency);
  const version = code(request.version);
  switch (result.status) {
    case "already":
      return `${environment} already runs ${dependency} ${result.versions.map(code).join(", ")}: nothing to promote.`;
    case "merged":
      return `${dependency} ${version} was promoted to ${environment} already, by #${result.pullRequest} (merged).`;
    case "refused":
      return `${dependency} ${version} cannot be promoted to ${environment}: ${inlineMarkdown(result.reason)}.`;
    case "written": {
      const { outcome } = result;
      if (outcome.action === "failed" || outcome.action === "left-alone") {
        return `${dependency} ${version} was not promoted to ${environment}: ${inlineMarkdown(outcome.reason || outcome.action)}.`;
      }
      const verb =
        outcome.action === "created"
          ? "Opened"
          : outcome.action === "updated"
            ? "Updated"
            : "Already open:";
      return `${verb} #${outcome.pullRequest} to promote ${dependency} ${version} to ${environment}.`;
    }
  }
}
