/**
 * Groups of dependencies (`groups` in the config): the proposals of one group in one environment are
 * carried by one PR, each member at its own exact version. Pure: the plan's proposals in, the
 * proposals as PRs carry them out.
 */
import { compileGlobs, type Config } from "../config/index.js";
import type { Edit } from "../iac/types.js";
import { groupBranch } from "./branches.js";
import type { Deferral, Proposal, ProposalReason } from "./plan.js";

/** One PR that moves several dependencies of one environment: a group's members' proposals. */
export interface GroupProposal {
  /** The branch name, {@link groupBranch}: also the idempotency key. */
  key: string;
  environment: string;
  group: string;
  /** The members' proposals, by dependency id. */
  members: Proposal[];
  /** `update` when a member is a new version, else `promotion`. */
  reason: ProposalReason;
  edits: Edit[];
  files: string[];
}

/** What one PR carries: one dependency's proposal, or a group's. */
export type PullRequestProposal = Proposal | GroupProposal;

/** Proposals as PRs carry them, and what was held back. */
export interface PullRequestPlan {
  proposals: PullRequestProposal[];
  deferred: Deferral[];
}

/** Whether a proposal is a group's. */
export function isGroupProposal(proposal: PullRequestProposal): proposal is GroupProposal {
  return "members" in proposal;
}

/** The dependency proposals a PR carries: the proposal itself, or a group's members. */
export function membersOf(proposal: PullRequestProposal): Proposal[] {
  return isGroupProposal(proposal) ? proposal.members : [proposal];
}

/** The group a dependency belongs to: the first of the config's groups whose globs match its id. */
export function groupOf(
  config: Pick<Config, "groups">,
): (dependency: string) => string | undefined {
  const groups = config.groups.map((g) => ({
    name: g.name,
    matches: compileGlobs(g.dependencies),
  }));
  return (dependency) => groups.find((g) => g.matches(dependency))?.name;
}

/** The proposal of a group in an environment, from its members' proposals (at least one). */
export function groupProposal(
  environment: string,
  group: string,
  members: readonly Proposal[],
): GroupProposal {
  const sorted = [...members].sort((a, b) => (a.dependency < b.dependency ? -1 : 1));
  return {
    key: groupBranch(environment, group),
    environment,
    group,
    members: sorted,
    reason: sorted.some((m) => m.reason === "update") ? "update" : "promotion",
    edits: sorted.flatMap((m) => m.edits),
    files: [...new Set(sorted.flatMap((m) => m.files))].sort(),
  };
}

/**
 * The plan's proposals as PRs carry them: the members of a group in one environment together, in one
 * group proposal where its first member was; every other proposal as it is. Without groups in the
 * config, the proposals as they are.
 */
export function groupedProposals(
  proposals: readonly Proposal[],
  config: Pick<Config, "groups">,
): PullRequestProposal[] {
  if (config.groups.length === 0) return [...proposals];
  const groupOfDependency = groupOf(config);
  const result: (Proposal | { environment: string; group: string })[] = [];
  const members = new Map<string, Proposal[]>();
  for (const proposal of proposals) {
    const group = groupOfDependency(proposal.dependency);
    if (group === undefined) {
      result.push(proposal);
      continue;
    }
    const slot = `${proposal.environment}\n${group}`;
    const list = members.get(slot);
    if (list) list.push(proposal);
    else {
      members.set(slot, [proposal]);
      result.push({ environment: proposal.environment, group });
    }
  }
  return result.map((entry) =>
    "key" in entry
      ? entry
      : groupProposal(
          entry.environment,
          entry.group,
          members.get(`${entry.environment}\n${entry.group}`) ?? [],
        ),
  );
}

/**
 * What the plan held back of a group in an environment: its members' deferrals there, named in the
 * group's PR so that a member that cannot move is not silently missing.
 */
export function heldBackMembers(
  proposal: GroupProposal,
  deferred: readonly Deferral[],
  config: Pick<Config, "groups">,
): Deferral[] {
  const groupOfDependency = groupOf(config);
  const moved = new Set(proposal.members.map((m) => m.dependency));
  return deferred.filter(
    (d) =>
      d.environment === proposal.environment &&
      !moved.has(d.dependency) &&
      groupOfDependency(d.dependency) === proposal.group,
  );
}
