/**
 * `updates.minimumReleaseAge`: a new version goes to the first environment only once it is that old,
 * so a release pulled back within hours never reaches anyone. Pure: the callers read the dates.
 */
import { durationMs, formatDuration, type Config } from "../config/index.js";
import { code } from "./markdown.js";
import type { Deferral, Plan, Proposal } from "./plan.js";

/** The key of a version's date: the dependency and the version. */
export function versionKey(dependency: string, version: string): string {
  return `${dependency}\n${version}`;
}

/** The updates whose version's age counts (none without `minimumReleaseAge`). */
export function updatesToAge(
  proposals: readonly Proposal[],
  updates: Pick<Config["updates"], "minimumReleaseAge">,
): Proposal[] {
  return updates.minimumReleaseAge === undefined
    ? []
    : proposals.filter((p) => p.reason === "update");
}

/** The plan with the updates to versions younger than `minimumReleaseAge` held back until they are old enough. */
export function withReleaseAge(
  planned: Plan,
  dates: ReadonlyMap<string, string | undefined>,
  updates: Pick<Config["updates"], "minimumReleaseAge">,
  now: number,
): { plan: Plan; dueAt?: number; warnings: { subject: string; message: string }[] } {
  const age =
    updates.minimumReleaseAge === undefined ? undefined : durationMs(updates.minimumReleaseAge);
  if (age === undefined) return { plan: planned, warnings: [] };
  const proposals: Proposal[] = [];
  const deferred: Deferral[] = [...planned.deferred];
  const warnings: { subject: string; message: string }[] = [];
  let dueAt: number | undefined;
  for (const proposal of planned.proposals) {
    const key = versionKey(proposal.dependency, proposal.to);
    if (proposal.reason !== "update" || !dates.has(key)) {
      proposals.push(proposal);
      continue;
    }
    const date = dates.get(key);
    const released = date === undefined ? NaN : Date.parse(date);
    if (Number.isNaN(released)) {
      warnings.push({
        subject: proposal.dependency,
        message: `the release date of ${code(proposal.to)} is unknown: it is proposed without \`updates.minimumReleaseAge\``,
      });
      proposals.push(proposal);
      continue;
    }
    const oldEnough = released + age;
    if (now >= oldEnough) {
      proposals.push(proposal);
      continue;
    }
    dueAt = Math.min(dueAt ?? Infinity, oldEnough);
    deferred.push({
      environment: proposal.environment,
      dependency: proposal.dependency,
      reason: `${proposal.to} came out ${formatDuration(now - released)} ago: it is proposed from ${new Date(oldEnough).toISOString()}, once ${formatDuration(age)} old (updates.minimumReleaseAge)`,
    });
  }
  return { plan: { proposals, deferred }, ...(dueAt === undefined ? {} : { dueAt }), warnings };
}
