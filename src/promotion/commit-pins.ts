/**
 * Commit-SHA pins with their version in a comment (`?ref=3f2a9c1…" # v1.2.0`) are updatable only when
 * the comment tells the truth: the tag it names points to that commit. Pure: the inventory and the
 * tag listing's commits in, the inventory to plan on and what to report out.
 */
import type { Dependency, Inventory, Usage } from "../iac/types.js";

/** A SHA pin whose comment is not its SHA's tag. */
export interface CommitPinWarning {
  dependency: string;
  message: string;
}

/** The inventory to plan on (each SHA pin checked), and the pins whose comment does not match. */
export interface CheckedCommitPins {
  inventory: Inventory;
  warnings: CommitPinWarning[];
}

/** How much of a commit SHA a message shows. */
const SHOWN_SHA_LENGTH = 12;

/** Why a SHA pin is not edited, or nothing when its comment names the tag of its commit. */
function pinProblem(
  usage: Usage,
  dependency: Dependency,
  listed: ReadonlyMap<string, string> | undefined,
): { reason: string; warning?: string } | undefined {
  const { commit } = usage;
  if (usage.kind !== "git-commit" || commit === undefined) return undefined;
  const origin = dependency.origin;
  const repository = origin.type === "git" ? `${origin.owner}/${origin.repo}` : dependency.id;
  if (listed === undefined) {
    return {
      reason: `its commit SHA cannot be checked against its comment ${usage.version}: the tags of ${repository} were not listed`,
    };
  }
  const where = `${commit.token.file}:${commit.token.line}`;
  const tagged = listed.get(usage.version);
  if (tagged === undefined) {
    const reason = `the comment says ${usage.version} but ${repository} has no tag ${usage.version}`;
    return { reason, warning: `${where}: ${reason}; the pin is not edited` };
  }
  if (tagged.startsWith(commit.sha.toLowerCase())) return undefined;
  const reason = `the comment says ${usage.version} but the SHA is ${commit.sha}, and ${usage.version} is ${tagged.slice(0, SHOWN_SHA_LENGTH)}`;
  return { reason, warning: `${where}: ${reason}; the pin is not edited` };
}

/**
 * Checks each `git-commit` usage against the tags of its repository (`commits`: tag → commit SHA by
 * dependency id, as listed). A pin whose comment names the tag of its SHA stays editable, and its
 * dependency carries the listing, so that an edit writes the new tag's commit. Any other is not
 * promotable, with the reason: a warning when the comment names another commit or no tag at all;
 * a listing that failed is already a warning of its own.
 */
export function checkCommitPins(
  inventory: Inventory,
  commits: ReadonlyMap<string, ReadonlyMap<string, string>>,
): CheckedCommitPins {
  const warnings = new Map<string, CommitPinWarning>();
  const environments = inventory.environments.map((environment) => ({
    ...environment,
    dependencies: environment.dependencies.map((dependency) => {
      if (!dependency.usages.some((u) => u.kind === "git-commit")) return dependency;
      const listed = commits.get(dependency.id);
      const usages = dependency.usages.map((usage) => {
        const problem = usage.notPromotable ? undefined : pinProblem(usage, dependency, listed);
        if (!problem) return usage;
        if (problem.warning !== undefined && !warnings.has(problem.warning)) {
          warnings.set(problem.warning, { dependency: dependency.id, message: problem.warning });
        }
        return { ...usage, notPromotable: problem.reason };
      });
      return { ...dependency, usages, ...(listed && { commits: listed }) };
    }),
  }));
  return { inventory: { ...inventory, environments }, warnings: [...warnings.values()] };
}
