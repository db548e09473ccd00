import type { Logger } from "probot";
import { DEFAULT_CONFIG_FILE } from "../config/index.js";
import { writeCheckRun } from "../github/check-runs.js";
import { listPromoterPullRequests } from "../github/pull-requests.js";
import type { Octokit } from "../github/repo-ref.js";
import { listBranches } from "../github/branches.js";
import { PROMOTER_BRANCH_PREFIX } from "../promotion/names.js";
import { scan } from "../iac/scanner.js";
import {
  checkReport,
  conflictProblems,
  invalidConfigReport,
  type CheckReport,
} from "../promotion/check-report.js";
import { existingPromotions, heldForMergesSinceRead } from "../promotion/existing-promotions.js";
import { modulesOf } from "../promotion/module-users.js";
import { obsoletePullRequests } from "../promotion/obsolete-pull-requests.js";
import { withPullRequestLimits } from "../promotion/pull-request-limits.js";
import { checkCommitPins } from "../promotion/commit-pins.js";
import { dependenciesToList, plan } from "../promotion/plan.js";
import { gatedPlan, promotionGates } from "../promotion/verification.js";
import { updatesToAge, withReleaseAge } from "../promotion/release-age.js";
import { readReleaseDates } from "./release-dates.js";
import { commentOnGates, readGateEvidence } from "./gate-evidence.js";
import { groupedProposals, type PullRequestPlan } from "../promotion/groups.js";
import { readRepositoryState, type CheckTarget } from "./repository-state.js";
import type { Services } from "./services.js";
import { closeObsoletePullRequests } from "./close-obsolete.js";
import {
  closeSupersededOnboarding,
  onboardRepository,
  type OnboardingResult,
} from "./onboard-repository.js";
import { nextCheckAt, spreadCheckAt } from "../queue/schedule.js";
import { dashboardTitle, versionsToDate, versionTable } from "../promotion/dashboard.js";
import { reportUnusableConfig, updateDashboard } from "./update-dashboard.js";
import { removeStrayBranches, writeProposals } from "./write-proposals.js";

/** The earlier of two times, either unknown. */
function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * When the scheduler checks the repository again after a check at `checkedAt`: with its id, the moment
 * the scheduler picks (the same for every check until then, so the dashboard stays unchanged); without,
 * the latest it can be, rounded up to the hour. Undefined for a schedule it cannot read.
 */
function nextScheduledCheck(
  schedule: string,
  checkedAt: number,
  repositoryId: number | undefined,
): number | undefined {
  try {
    if (repositoryId !== undefined) return spreadCheckAt(schedule, checkedAt, String(repositoryId));
    return Math.ceil(nextCheckAt(schedule, checkedAt) / HOUR_MS) * HOUR_MS;
  } catch {
    return undefined;
  }
}

/** The schedule of a repository whose config gives none (missing or invalid). */
const FALLBACK_SCHEDULE = "daily";

/** What a check did. */
export type CheckResult =
  | { status: "no-config"; onboarding: OnboardingResult }
  | { status: "invalid-config"; problems: string[] }
  | {
      status: "checked";
      report: CheckReport;
      plan: PullRequestPlan;
      /** When a check should look again (a soak ends), before the schedule's next time. */
      dueAt?: number;
    };

/**
 * Checks one repository: reads its default branch, scans it, resolves versions, plans, writes one
 * commit and one PR per proposal, and reports everything in the `promoter` check run.
 */
export async function checkRepository(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  installationId: number,
): Promise<CheckResult> {
  const fullName = `${target.owner}/${target.repo}`;
  // 1. Read the default branch and scan it; a config that cannot be used is reported, and ends the check.
  const readAt = services.now();
  const state = await readRepositoryState(octokit, target, services);
  // Remembered too, so the scheduler checks it once a day rather than at every tick (a push of the config checks it at once).
  const unusable = {
    checkedAt: Date.now(),
    schedule: FALLBACK_SCHEDULE,
    modules: new Set<string>(),
  };
  if ("unconfigured" in state) {
    services.repositories.set(fullName, unusable);
    // Without a config the one thing to do is to offer one: the onboarding PR (once; see onboardRepository).
    const onboarding = await onboardRepository(octokit, target, services, log, state.unconfigured, {
      installationId,
    });
    log.debug({ onboarding: onboarding.action }, "no config file");
    return { status: "no-config", onboarding };
  }
  if ("problems" in state) {
    services.repositories.set(fullName, unusable);
    const report = invalidConfigReport(state.problems);
    await reportUnusableConfig(octokit, target, services, log, state.problems);
    await writeCheckRun(octokit, target, { headSha: state.headSha, ...report });
    log.info({ problems: state.problems.length }, "invalid config");
    return { status: "invalid-config", problems: state.problems };
  }
  const { config } = state;
  const scanCache = services.scanCache(fullName);
  const { inventory, conflicts } = scan(state.files, config, scanCache);
  const checkedAt = Date.now();
  services.repositories.set(fullName, {
    checkedAt,
    schedule: config.updates.schedule,
    headSha: state.headSha,
    modules: modulesOf(inventory),
    verifies: config.environments.some((e) => e.verify !== undefined),
  });
  if (conflicts.length > 0) {
    const problems = conflictProblems(conflicts);
    await reportUnusableConfig(octokit, target, services, log, problems);
    await writeCheckRun(octokit, target, {
      headSha: state.headSha,
      ...invalidConfigReport(problems),
    });
    return { status: "invalid-config", problems };
  }
  const versions = await services.listVersions(
    octokit,
    installationId,
    dependenciesToList(inventory, config),
    config.updates.registry,
    log,
  );
  const pullRequests = await listPromoterPullRequests(octokit, target, {});
  const appLogin = await services.appLogin();
  // Listed before writing: which proposals' branches exist already is then known without a request.
  const listed = await listBranches(octokit, target, PROMOTER_BRANCH_PREFIX);

  // 2. Decide the proposals from the versions in use, those available, and the app's PRs; a group's
  //    members in one environment share a PR; all within the limits.
  const existing = existingPromotions(pullRequests, appLogin);
  //    A SHA pin is held to its repository's tags; an update to a version younger than
  //    `minimumReleaseAge` waits. Dates are read for those, and for the dashboard each newest version
  //    and each version an environment lacks; each once per process.
  const pins = checkCommitPins(inventory, versions.commits);
  const planned = plan(pins.inventory, versions.versions, config, existing);
  const dates = await readReleaseDates(
    octokit,
    services,
    inventory,
    [
      ...updatesToAge(planned.proposals, config.updates),
      ...(dashboardTitle(config) === undefined
        ? []
        : versionsToDate({ inventory, config, versions: versions.versions, promotions: existing })),
    ],
    log,
    installationId,
  );
  const aged = withReleaseAge(planned, dates, config.updates, services.now());
  //    A promotion out of an environment with `verify` waits for its evidence (read for those only).
  const gates = promotionGates(aged.plan.proposals, config, pullRequests, appLogin, state.headSha);
  const evidence = await readGateEvidence(octokit, target, gates, appLogin, log);
  const gated = gatedPlan(aged.plan, gates, evidence, services.now());
  const dueAt = earliest(gated.dueAt, aged.dueAt);
  const decided = withPullRequestLimits(
    heldForMergesSinceRead(
      { proposals: groupedProposals(gated.plan.proposals, config), deferred: gated.plan.deferred },
      pullRequests,
      appLogin,
      readAt,
    ),
    existing,
    config.updates,
  );
  if (dueAt !== undefined)
    services.repositories.set(fullName, {
      ...(services.repositories.get(fullName) ?? { checkedAt: Date.now(), modules: new Set() }),
      dueAt,
    });

  // 3. Write each proposal, close the app's PRs nothing proposes any more, remove the branches nothing
  //    needs, and report it all in the check run.
  const outcomes = await writeProposals({
    octokit,
    target,
    services,
    log,
    state: { ...state, inventory, scanCache },
    proposals: decided.proposals,
    pullRequests,
    branches: new Set(listed),
    deferred: decided.deferred,
  });
  await closeSupersededOnboarding(octokit, target, pullRequests, appLogin, log);
  await commentOnGates(octokit, target, gated.results, appLogin, log, services.now());
  const obsolete = await closeObsoletePullRequests({
    octokit,
    target,
    services,
    headSha: state.headSha,
    obsolete: obsoletePullRequests(pullRequests, appLogin, decided.proposals, inventory, config),
    log,
  });
  const branches = await removeStrayBranches({
    octokit,
    target,
    services,
    headSha: state.headSha,
    environments: config.environments.map((e) => e.name),
    artifacts: new Set(config.artifacts?.map((a) => a.name)),
    branches: listed,
    proposals: decided.proposals,
    pullRequests,
    log,
  });
  const warnings = [
    ...[...versions.warnings, ...pins.warnings].map((w) => ({
      subject: w.dependency,
      message: w.message,
    })),
    ...state.configWarnings.map((message) => ({ subject: DEFAULT_CONFIG_FILE, message })),
    ...obsolete.warnings,
    ...branches.warnings,
    ...aged.warnings,
    ...gated.warnings,
  ];
  const dashboardFacts = {
    inventory,
    config,
    versions: versions.versions,
    promotions: existing.filter((p) => !obsolete.closed.some((c) => c.pullRequest === p.number)),
    outcomes,
    deferred: decided.deferred,
    warnings,
    releaseDates: dates,
    now: services.now(),
    nextCheckBy: earliest(
      dueAt,
      nextScheduledCheck(config.updates.schedule, checkedAt, target.repositoryId),
    ),
  };
  const dashboard = await updateDashboard(octokit, target, services, log, dashboardFacts);
  const report = checkReport({
    inventory,
    outcomes,
    closed: obsolete.closed,
    deferred: decided.deferred,
    ...("number" in dashboard ? { dashboard: dashboard.number } : {}),
    matrix: versionTable(dashboardFacts),
    warnings: [
      ...warnings,
      ...(dashboard.action === "failed"
        ? [
            {
              subject: "dashboard",
              message: `the dashboard issue was not written: ${dashboard.reason}`,
            },
          ]
        : []),
    ],
  });
  await writeCheckRun(octokit, target, { headSha: state.headSha, ...report });
  log.info(
    { proposals: decided.proposals.length, outcomes: outcomes.map((o) => `${o.key}:${o.action}`) },
    report.title,
  );
  return {
    status: "checked",
    report,
    plan: decided,
    ...(dueAt === undefined ? {} : { dueAt }),
  };
}
