/**
 * The limits on how many pull requests a check opens: `updates.maxOpenPullRequests` per environment
 * and `updates.maxNewPullRequests` per check. Pure: the plan and the app's open PRs in, the plan with
 * what waits held back out.
 */
import type { Config } from "../config/index.js";
import type { Plan, PromotionPullRequest } from "./plan.js";

/**
 * The plan with the proposals that would open a pull request beyond a limit held back, in the plan's
 * order (the first environment first); a proposal whose PR is open already is an update, never held.
 */
export function withPullRequestLimits(
  decided: Plan,
  existing: readonly Pick<PromotionPullRequest, "environment" | "dependency" | "state">[],
  updates: Pick<Config["updates"], "maxOpenPullRequests" | "maxNewPullRequests">,
): Plan {
  const { maxOpenPullRequests: maxOpen, maxNewPullRequests: maxNew } = updates;
  if (maxOpen === undefined && maxNew === undefined) return decided;
  const open = existing.filter((pr) => pr.state === "open");
  const isOpen = new Set(open.map((pr) => `${pr.environment}\n${pr.dependency}`));
  const openIn = new Map<string, number>();
  for (const pr of open) openIn.set(pr.environment, (openIn.get(pr.environment) ?? 0) + 1);
  let opened = 0;
  const result: Plan = { proposals: [], deferred: [...decided.deferred] };
  for (const proposal of decided.proposals) {
    const { environment, dependency } = proposal;
    if (isOpen.has(`${environment}\n${dependency}`)) {
      result.proposals.push(proposal);
      continue;
    }
    const count = openIn.get(environment) ?? 0;
    let reason: string | undefined;
    if (maxNew !== undefined && opened >= maxNew)
      reason = `${proposal.to} waits: this check opened ${maxNew} new pull request${maxNew === 1 ? "" : "s"} already (updates.maxNewPullRequests)`;
    else if (maxOpen !== undefined && count >= maxOpen)
      reason = `${proposal.to} waits: ${count} of Promoter's pull requests are open in ${environment} (updates.maxOpenPullRequests: ${maxOpen})`;
    if (reason) {
      result.deferred.push({ environment, dependency, reason });
      continue;
    }
    opened++;
    openIn.set(environment, count + 1);
    result.proposals.push(proposal);
  }
  return result;
}
