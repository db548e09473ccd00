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
import type { Proposal } from "./plan.js";
import { withMetadata, type PromotionMetadata } from "./pull-request-content.js";
import { atOrPast, versionsIn } from "./requested-promotion.js";

/** One of the app's open PRs that nothing proposes any more, and why (markdown, every input escaped). */
export interface ObsoletePullRequest {
  pullRequest: PullRequestInfo;
  metadata: PromotionMetadata;
  reason: string;
}

/**
 * The app's open PRs (by author, branch and metadata) for which the plan has no proposal, and that
 * have a reason to go; one the plan holds back for another reason (a manual environment, a hold, a
 * version that runs only in part of the environment) stays open.
 */
export function obsoletePullRequests(
  pullRequests: readonly PullRequestInfo[],
  appLogin: string,
  proposals: readonly Pick<Proposal, "environment" | "dependency">[],
  inventory: Inventory,
  config: Config,
): ObsoletePullRequest[] {
  const ignored = compileGlobs(config.updates.ignore);
  const proposed = new Set(proposals.map((p) => `${p.environment}\n${p.dependency}`));
  const obsolete: ObsoletePullRequest[] = [];
  for (const pullRequest of pullRequests) {
    if (pullRequest.state !== "open") continue;
    const metadata = appPullRequestMetadata(pullRequest, appLogin);
    if (!metadata || proposed.has(`${metadata.env}\n${metadata.dependency}`)) continue;
    const reason = whyObsolete(metadata, inventory, config, ignored);
    if (reason) obsolete.push({ pullRequest, metadata, reason });
  }
  return obsolete;
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
