import type { SemVer } from "semver";
import { compileGlobs, type Config } from "../config/index.js";
import { planEdits } from "../iac/edits.js";
import { dependenciesEditedTogether } from "../iac/inventory.js";
import type { Dependency, Edit, Inventory, Usage } from "../iac/types.js";
import {
  parseVersionTag,
  releaseLine,
  releaseLineNote,
  selectTarget,
} from "../versions/strategies.js";
import { branchNameProblem, promotionBranch } from "./branches.js";

/** Why a proposal exists: a newer version for the first environment, or one promoted from the previous. */
export type ProposalReason = "update" | "promotion";

/** What is known of a promotion PR the app opened (or a PR labelled for an environment). */
export interface PromotionPullRequest {
  environment: string;
  dependency: string;
  /** The version the PR moves the dependency to. */
  to: string;
  state: "open" | "merged" | "closed";
  number: number;
  /** When a merged one was merged (ISO 8601). */
  mergedAt?: string;
  /** The PR carries `promoter:hold`: what it brought must not be promoted further automatically. */
  hold?: boolean;
  /** The group whose PR it is, when it moves a group (one entry per member). */
  group?: string;
}

/** One intended change: one dependency of one environment to one version, with the edits that make it. */
export interface Proposal {
  /** The branch name, which is also the idempotency key: {@link promotionBranch}. */
  key: string;
  environment: string;
  dependency: string;
  /** The versions it replaces. */
  from: string[];
  to: string;
  reason: ProposalReason;
  edits: Edit[];
  /** The files the edits change. */
  files: string[];
  /** Usages of the dependency in the environment that stay as they are, with why. */
  untouched: Usage[];
  /** What to know about an `update`: that it is not in the first environment (see {@link chainStarts}), or follows a fork's tag line. */
  note?: string;
  /** For a promotion out of an environment with `verify`: the evidence that it works there (markdown, escaped). */
  verified?: { environment: string; evidence: string[] };
}

/** A dependency whose chain of environments starts after the first environment, which does not use it. */
export interface ChainStart {
  dependency: string;
  /** The first environment that uses it: its updates are proposed there. */
  environment: string;
  /** The environments before it, which do not use it. */
  unusedIn: string[];
}

/** The dependencies not used in the first environment, each with the first environment that uses it. */
export function chainStarts(inventory: Inventory): ChainStart[] {
  const seen = new Set<string>();
  const starts: ChainStart[] = [];
  inventory.environments.forEach((environment, index) => {
    for (const dependency of environment.dependencies) {
      if (seen.has(dependency.id)) continue;
      seen.add(dependency.id);
      if (index === 0) continue;
      const unusedIn = inventory.environments.slice(0, index).map((e) => e.name);
      starts.push({ dependency: dependency.id, environment: environment.name, unusedIn });
    }
  });
  return starts;
}

/** The sentence saying where a dependency's chain starts and why. */
export function chainStartNote(start: ChainStart): string {
  return `not used in ${start.unusedIn.join(", ")}: ${start.environment} is the first environment that uses it, so its updates start there`;
}

/** A dependency of an environment for which nothing is proposed, and why, when that is worth saying. */
export interface Deferral {
  environment: string;
  dependency: string;
  reason: string;
  /** The app's PR the reason refers to (`#<n>` in it): a declined or held one. */
  pullRequest?: number;
}

/** The proposals that follow from an inventory, and what was held back. */
export interface Plan {
  proposals: Proposal[];
  deferred: Deferral[];
}

/** The configured monorepo tag prefix of a dependency, if any. */
export function tagPrefixFor(config: Config): (id: string) => string | undefined {
  const entries = Object.entries(config.updates.tagPrefix).map(
    ([glob, prefix]) => [compileGlobs([glob]), prefix] as const,
  );
  return (id) => entries.find(([match]) => match(id))?.[1];
}

/** The proposal that sets a dependency of an environment to a version, or why there can be none. */
export function proposalFor(
  inventory: Inventory,
  environment: string,
  dependency: string,
  to: string,
  reason: ProposalReason,
): Proposal | { refused: string } {
  const key = promotionBranch(environment, dependency);
  const badName = branchNameProblem(key);
  if (badName) {
    return {
      refused: `${to} cannot be proposed: the id cannot be part of a git branch name (${badName})`,
    };
  }
  const edits = planEdits(inventory, dependency, environment, to);
  if (!edits.ok) return { refused: edits.reason };
  return {
    key,
    environment,
    dependency,
    from: edits.from,
    to,
    reason,
    edits: edits.edits,
    files: [...new Set(edits.edits.map((e) => e.file))].sort(),
    untouched: edits.untouched,
  };
}

/**
 * The dependencies whose available versions a plan needs: those of the first environment that uses
 * each (usually the first environment) that are not ignored and have a usage that can be edited. Later
 * environments are promoted to upstream versions, which need no listing, except for commit-SHA pins,
 * whose comment is checked against the tags (the same listing: no request more).
 */
export function dependenciesToList(inventory: Inventory, config: Config): Dependency[] {
  const ignored = compileGlobs(config.updates.ignore);
  const later = chainStarts(inventory).map(({ dependency, environment }) =>
    inventory.environments
      .find((e) => e.name === environment)
      ?.dependencies.find((d) => d.id === dependency),
  );
  // A SHA pin is checked against its repository's tags in whichever environment it is.
  const pinned = inventory.environments.flatMap((e) =>
    e.dependencies.filter((d) => d.usages.some((u) => u.kind === "git-commit")),
  );
  return [
    ...new Set([...(inventory.environments[0]?.dependencies ?? []), ...later, ...pinned]),
  ].filter(
    (d): d is Dependency =>
      d !== undefined && !ignored(d.id) && d.usages.some((u) => u.token && !u.notPromotable),
  );
}

/**
 * Decides which promotion PRs should exist. Pure: the inventory, the versions available per
 * dependency id, the config and the app's existing PRs in, proposals out.
 *
 * - The first environment gets an `update` to the version the strategy picks; every usage
 *   in it is brought to that version. A dependency the first environment does not use gets its
 *   `update` in the first environment that uses it, with a note that says so.
 * - Each later environment with `promotion: auto` gets a `promotion` to exactly the version the
 *   environment before it runs, when that is newer than its own.
 * - Nothing is proposed for ignored dependencies, usages that cannot be edited per environment, or
 *   a version whose PR for that environment was closed without merging.
 */
export function plan(
  inventory: Inventory,
  versions: ReadonlyMap<string, readonly string[]>,
  config: Config,
  existing: readonly PromotionPullRequest[],
): Plan {
  const ignored = compileGlobs(config.updates.ignore);
  const prefixOf = tagPrefixFor(config);
  const proposals: Proposal[] = [];
  const deferred: Deferral[] = [];
  const defer = (environment: string, dependency: string, reason: string, pullRequest?: number) =>
    deferred.push({ environment, dependency, reason, ...(pullRequest ? { pullRequest } : {}) });
  const declined = (environment: string, dependency: string, to: string) =>
    existing.find(
      (pr) =>
        pr.environment === environment &&
        pr.dependency === dependency &&
        pr.to === to &&
        pr.state === "closed",
    );

  const startsAt = new Map(chainStarts(inventory).map((start) => [start.dependency, start]));
  const propose = (
    environment: string,
    dependency: Dependency,
    to: string,
    reason: ProposalReason,
    note?: string,
  ) => {
    const refusal = declined(environment, dependency.id, to);
    if (refusal) {
      defer(
        environment,
        dependency.id,
        `${to} was declined: #${refusal.number} was closed without merging`,
        refusal.number,
      );
      return;
    }
    const proposal = proposalFor(inventory, environment, dependency.id, to, reason);
    if ("refused" in proposal) defer(environment, dependency.id, proposal.refused);
    else if (proposal.edits.length > 0) proposals.push(note ? { ...proposal, note } : proposal);
  };

  inventory.environments.forEach((environment, index) => {
    const previous = inventory.environments[index - 1];
    const settings = config.environments.find((e) => e.name === environment.name);
    for (const dependency of environment.dependencies) {
      if (ignored(dependency.id)) continue;
      const editable = dependency.usages.filter((u) => u.token && !u.notPromotable);
      if (editable.length === 0) continue;
      const [leader] = dependenciesEditedTogether(environment, dependency.id);
      if (leader !== undefined && leader !== dependency.id) {
        const where = editable.find((u) => u.editedWith?.includes(leader))?.token;
        const literal = where ? ` (the version set in ${where.file}:${where.line})` : "";
        defer(
          environment.name,
          dependency.id,
          `updated with ${leader}, which shares its version literal${literal}`,
        );
        continue;
      }
      const prefix = prefixOf(dependency.id);
      const parse = (v: string) => parseVersionTag(v, prefix)?.version;
      const current = highest(
        editable.map((u) => u.version),
        parse,
      );
      if (current === undefined) continue;

      const start = startsAt.get(dependency.id);
      const startsHere = start?.environment === environment.name;
      if (!previous || startsHere) {
        const available = versions.get(dependency.id);
        if (!available) continue;
        const target =
          selectTarget(current, available, {
            strategy: config.updates.strategy,
            prerelease: config.updates.prerelease,
            ...(prefix === undefined ? {} : { tagPrefix: prefix }),
          }) ?? (new Set(editable.map((u) => u.version)).size > 1 ? current : undefined);
        if (target !== undefined) {
          const from = parseVersionTag(current, prefix);
          const line = from && releaseLine(from, available, prefix);
          const notes = [
            ...(startsHere && start ? [chainStartNote(start)] : []),
            ...(line ? [releaseLineNote(line)] : []),
          ];
          propose(environment.name, dependency, target, "update", notes.join("; ") || undefined);
        }
        continue;
      }

      const upstream = previous.dependencies.find((d) => d.id === dependency.id);
      if (!upstream) {
        defer(
          environment.name,
          dependency.id,
          `not promoted: ${previous.name}, the environment before, does not use it`,
        );
        continue;
      }
      const upstreamVersions = upstream.versions;
      const upstreamVersion = upstreamVersions.length === 1 ? upstreamVersions[0] : undefined;
      const upstreamSemVer = upstreamVersion === undefined ? undefined : parse(upstreamVersion);
      const currentSemVer = parse(current);
      if (upstreamVersion === undefined) {
        const newer = upstreamVersions.some((v) => compare(parse(v), currentSemVer) > 0);
        if (newer) {
          defer(
            environment.name,
            dependency.id,
            `${previous.name} runs several versions (${upstreamVersions.join(", ")}); it is promoted once they agree`,
          );
        }
        continue;
      }
      if (!upstreamSemVer || !currentSemVer || compare(upstreamSemVer, currentSemVer) <= 0)
        continue;
      if (settings?.promotion === "manual") {
        defer(environment.name, dependency.id, manualWait(upstreamVersion, environment.name));
        continue;
      }
      const heldBy = existing.find(
        (pr) =>
          pr.environment === previous.name &&
          pr.dependency === dependency.id &&
          pr.to === upstreamVersion &&
          pr.state === "merged" &&
          pr.hold,
      );
      if (heldBy) {
        defer(
          environment.name,
          dependency.id,
          holdWait(upstreamVersion, heldBy.number),
          heldBy.number,
        );
        continue;
      }
      propose(environment.name, dependency, upstreamVersion, "promotion");
    }
  });
  return { proposals, deferred };
}

/** Why `version` waits in a manual `environment`. */
export function manualWait(version: string, environment: string): string {
  return `${version} waits for \`/promote ${environment}\` (promotion: manual)`;
}

/** Why `version` waits: the PR that brought it to the environment before has `promoter:hold`. */
export function holdWait(version: string, pullRequest: number): string {
  return `${version} is on hold (#${pullRequest} has promoter:hold)`;
}

function compare(a: SemVer | undefined, b: SemVer | undefined): number {
  if (!a || !b) return 0;
  return a.compare(b);
}

/** The highest of the versions that parse, as written. */
function highest(versions: string[], parse: (v: string) => SemVer | undefined): string | undefined {
  let best: { text: string; parsed: SemVer } | undefined;
  for (const text of versions) {
    const parsed = parse(text);
    if (parsed && (!best || parsed.compare(best.parsed) > 0)) best = { text, parsed };
  }
  return best?.text;
}
