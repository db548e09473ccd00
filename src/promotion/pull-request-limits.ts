/**
 * The limits on how many pull requests a check opens: `updates.maxOpenPullRequests` per environment
 * and `updates.maxNewPullRequests` per check. Pure: the plan and the app's open PRs in, the plan with
 * what waits held back out.
 */
import type { Config } from "../config/index.js";
import { isGroupProposal, membersOf, type PullRequestPlan } from "./groups.js";
import type { PromotionPullRequest } from "./plan.js";

/**
 * The plan with the proposals that would open a pull request beyond a limit held back, in the plan's
 * order (the first environment first); a proposal whose PR is open already is an update, never held.
 */
export function withPullRequestLimits(
  decided: PullRequestPlan,
  existing: readonly (Pick<PromotionPullRequest, "environment" | "dependency" | "state"> &
    Partial<Pick<PromotionPullRequest, "number" | "group">>)[],
  updates: Pick<Config["updates"], "maxOpenPullRequests" | "maxNewPullRequests">,
): PullRequestPlan {
  const { maxOpenPullRequests: maxOpen, maxNewPullRequests: maxNew } = updates;
  if (maxOpen === undefined && maxNew === undefined) return decided;
  const open = existing.filter((pr) => pr.state === "open");
  const slot = (environment: string, what: { group?: string; dependency: string }) =>
    what.group === undefined
      ? `${environment}\n${what.dependency}`
      : `${environment}\ngroup\n${what.group}`;
  const isOpen = new Set(open.map((pr) => slot(pr.environment, pr)));
  // A group's PR is listed once per member: count PRs, not entries.
  const openIn = new Map<string, Set<number | string>>();
  for (const pr of open) {
    const prs = openIn.get(pr.environment) ?? new Set();
    openIn.set(pr.environment, prs.add(pr.number ?? slot(pr.environment, pr)));
  }
  let opened = 0;
  const result: PullRequestPlan = { proposals: [], deferred: [...decided.deferred] };
  for (const proposal of decided.proposals) {
    const { environment } = proposal;
    const key = isGroupProposal(proposal)
      ? slot(environment, { group: proposal.group, dependency: "" })
      : slot(environment, proposal);
    if (isOpen.has(key)) {
      result.proposals.push(proposal);
      continue;
    }
    const count = openIn.get(environment)?.size ?? 0;
    let why: string | undefined;
    if (maxNew !== undefined && opened >= maxNew)
      why = `this check opened ${maxNew} new pull request${maxNew === 1 ? "" : "s"} already (updates.maxNewPullRequests)`;
    else if (maxOpen !== undefined && count >= maxOpen)
      why = `${count} of Promoter's pull requests are open in ${environment} (updates.maxOpenPullRequests: ${maxOpen})`;
    if (why) {
      for (const member of membersOf(proposal))
        result.deferred.push({
          environment,
          dependency: member.dependency,
          reason: `${member.to} waits: ${why}`,
        });
      continue;
    }
    opened++;
    openIn.set(environment, (openIn.get(environment) ?? new Set()).add(-opened));
    result.proposals.push(proposal);
  }
  return result;
}
