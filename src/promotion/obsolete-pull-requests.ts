/**
 * The app's open PRs whose proposal is gone: the environment already runs that version or a newer
 * one, no longer uses the dependency (removed, or its files no longer in the environment), ignores it,
 * or is no longer in the config. Pure: the callers list the PRs, scan, plan, and then close them.
 */
import { compileGlobs, DEFAULT_CONFIG_FILE, type Config } from "../config/index.js";
import type { Inventory } from "../iac/types.js";
import { appPullRequestMetadata } from "./existing-promotions.js";
import type { PullRequestInfo } from "./github-facts.js";
import { code, plainText } from "./markdown.js";
import { groupOf, type GroupProposal } from "./groups.js";
import type { Proposal } from "./plan.js";
import {
  isGroupMetadata,
  withMetadata,
  type PromotionMetadata,
  type PullRequestMetadata,
} from "./pull-request-content.js";
import { atOrPast, versionsIn } from "./requested-promotion.js";

/** One of the app's open PRs that nothing proposes any more, and why (markdown, every input escaped). */
export interface ObsoletePullRequest {
  pullRequest: PullRequestInfo;
  metadata: PullRequestMetadata;
  reason: string;
}

/**
 * The app's open PRs (by author, branch and metadata) for which the plan has no proposal, and that
 * have a reason to go; one the plan holds back for another reason (a manual environment, a hold, a
 * version that runs only in part of the environment) stays open. A group's PR goes when its group is
 * gone from the config or every member has a reason to; a dependency's PR goes when the dependency
 * now belongs to a group (the group's PR carries it).
 */
export function obsoletePullRequests(
  pullRequests: readonly PullRequestInfo[],
  appLogin: string,
  proposals: readonly (
    Pick<Proposal, "environment" | "dependency"> | Pick<GroupProposal, "environment" | "group">
  )[],
  inventory: Inventory,
  config: Config,
): ObsoletePullRequest[] {
  const ignored = compileGlobs(config.updates.ignore);
  const groupOfDependency = groupOf(config);
  const proposed = new Set(
    proposals.map((p) =>
      "group" in p ? `${p.environment}\ngroup\n${p.group}` : `${p.environment}\n${p.dependency}`,
    ),
  );
  const obsolete: ObsoletePullRequest[] = [];
  for (const pullRequest of pullRequests) {
    if (pullRequest.state !== "open") continue;
    const metadata = appPullRequestMetadata(pullRequest, appLogin);
    if (!metadata) continue;
    let reason: string | undefined;
    if (isGroupMetadata(metadata)) {
      if (proposed.has(`${metadata.env}\ngroup\n${metadata.group}`)) continue;
      reason = whyGroupObsolete(metadata, inventory, config, ignored);
    } else {
      if (proposed.has(`${metadata.env}\n${metadata.dependency}`)) continue;
      const group = groupOfDependency(metadata.dependency);
      reason =
        group === undefined || !config.environments.some((e) => e.name === metadata.env)
          ? whyObsolete(metadata, inventory, config, ignored)
          : `${code(metadata.dependency)} is now in the group ${code(group)} (\`groups\` in ${code(DEFAULT_CONFIG_FILE)}), whose pull request carries it`;
    }
    if (reason) obsolete.push({ pullRequest, metadata, reason });
  }
  return obsolete;
}

/** Why a group's PR goes: the group or environment is gone, or each member has a reason to. */
function whyGroupObsolete(
  metadata: Extract<PullRequestMetadata, { group: string }>,
  inventory: Inventory,
  config: Config,
  ignored: (id: string) => boolean,
): string | undefined {
  const { env, group } = metadata;
  if (!config.groups.some((g) => g.name === group))
    return `the group ${code(group)} is no longer in ${code(DEFAULT_CONFIG_FILE)}`;
  const reasons: string[] = [];
  for (const member of metadata.members) {
    const reason = whyObsolete({ ...member, v: 1, env }, inventory, config, ignored);
    if (reason === undefined) return undefined;
    if (!reasons.includes(reason)) reasons.push(reason);
  }
  return reasons.join("; ") || undefined;
}

function whyObsolete(
  { env, dependency, to }: PromotionMetadata,
  inventory: Inventory,
  config: Config,
  ignored: (id: string) => boolean,
): string | undefined {
  const environment = plainText(env);
  const id = code(dependency);
  if (!config.environments.some((e) => e.name === env))
    return `${environment} is no longer an environment of ${code(DEFAULT_CONFIG_FILE)}`;
  const versions = versionsIn(inventory, env, dependency);
  if (versions.length === 0)
    return `${environment} no longer uses ${id} (it was removed, or ${code(DEFAULT_CONFIG_FILE)} no longer puts its files in ${environment})`;
  if (atOrPast(config, versions, dependency, to))
    return `${environment} already runs ${id} ${versions.map(code).join(", ")}`;
  if (ignored(dependency)) return `${id} is ignored (\`updates.ignore\`)`;
  return undefined;
}

/** The comment on an obsolete PR the app closes. */
export function closingComment(obsolete: Pick<ObsoletePullRequest, "reason">): string {
  return `Promoter closed this pull request and deleted its branch: ${obsolete.reason}.`;
}

/**
 * When a person pushed to an obsolete PR's branch, the app does not close it: it says so once (the
 * comment, and the body that remembers it in the metadata); undefined when it was said already.
 */
export function obsoleteNotice(
  obsolete: ObsoletePullRequest,
): { comment: string; body: string } | undefined {
  if (obsolete.metadata.obsolete) return undefined;
  return {
    comment: `Promoter would close this pull request (${obsolete.reason}), but its branch has commits that are not Promoter's: it is left open for you to close or merge.`,
    body: withMetadata(obsolete.pullRequest.body, { ...obsolete.metadata, obsolete: true }),
  };
}
