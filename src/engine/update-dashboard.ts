import type { Logger } from "probot";
import {
  closeDashboard,
  editDashboardBody,
  writeDashboard,
  type DashboardWrite,
} from "../github/dashboard-issue.js";
import { errorMessage } from "../github/errors.js";
import type { Octokit } from "../github/repo-ref.js";
import {
  dashboardFactsAfter,
  dashboardTitle,
  renderDashboard,
  renderUnusableConfig,
  type DashboardChange,
  type DashboardFacts,
} from "../promotion/dashboard.js";
import type { CheckTarget } from "./repository-state.js";
import type { Services } from "./services.js";

/** What became of the dashboard at the end of a check. */
export type DashboardResult =
  DashboardWrite | { action: "off" } | { action: "failed"; reason: string };

/**
 * Brings the repository's dashboard issue up to date with what a check found (or closes it once when
 * the config turns it off), remembering its number so that the next check reads it with one request.
 * A failure (issues turned off, no permission) is returned, never thrown: the check goes on.
 */
export async function updateDashboard(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  facts: DashboardFacts,
): Promise<DashboardResult> {
  const key = `${target.owner}/${target.repo}`.toLowerCase();
  const remembered = services.dashboards.get(key);
  const known = typeof remembered === "number" ? { known: remembered } : {};
  try {
    const appLogin = await services.appLogin();
    const title = dashboardTitle(facts.config);
    if (title === undefined) {
      // Closed once per process: the issue is not read at every check of a repository that turned it off.
      if (remembered !== "off") {
        const closed = await closeDashboard(octokit, target, { appLogin, ...known });
        if (closed !== undefined) log.info({ issue: closed }, "dashboard closed");
        services.dashboards.set(key, "off");
      }
      services.dashboardFacts.delete(key);
      return { action: "off" };
    }
    const written = await writeDashboard(octokit, target, {
      appLogin,
      title,
      body: renderDashboard(facts),
      ...known,
    });
    services.dashboards.set(key, written.number);
    services.rememberDashboardFacts(key, facts);
    return written;
  } catch (error) {
    log.warn({ err: error }, "dashboard not written");
    return { action: "failed", reason: errorMessage(error) };
  }
}

/**
 * Renders the dashboard again after a merge's follow-up or a command, from what the last check here
 * showed with `change` applied: 1 request when the text is the same, 2 when it changed; none when this
 * process has no check's facts for the repository (the next check renders it). Never throws.
 */
export async function refreshDashboard(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  change: DashboardChange,
): Promise<DashboardResult | undefined> {
  const facts = services.dashboardFacts.get(`${target.owner}/${target.repo}`.toLowerCase());
  if (!facts) return undefined;
  return updateDashboard(octokit, target, services, log, dashboardFactsAfter(facts, change));
}

/**
 * Says on the dashboard issue, when this process knows it, that the config cannot be used and why:
 * 1 or 2 requests (its read, and its edit when the text differs); none when the dashboard is not
 * known (no listing for a repository whose config, and so whose `dashboard` setting, is unknown).
 */
export async function reportUnusableConfig(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  problems: readonly string[],
): Promise<void> {
  const known = services.dashboards.get(`${target.owner}/${target.repo}`.toLowerCase());
  if (typeof known !== "number") return;
  try {
    await editDashboardBody(octokit, target, known, await services.appLogin(), () =>
      renderUnusableConfig(problems),
    );
  } catch (error) {
    log.warn({ err: error }, "dashboard not written");
  }
}
