import type { Logger } from "probot";
import { comment } from "../github/comments.js";
import { commitParents, readTreeAt } from "../github/read-repository.js";
import type { Octokit } from "../github/repo-ref.js";
import { scan } from "../iac/scanner.js";
import type { Inventory } from "../iac/types.js";
import { broughtByMerge, mergeFollowUps } from "../promotion/merge-promotion.js";
import { mergeSource } from "../promotion/merged-pull-request.js";
import { describePromotion } from "../promotion/requested-promotion.js";
import type { MergedJob } from "../queue/job-queue.js";
import {
  gatedPlan,
  gatesAfterMerge,
  verifiedSuffix,
  waitingLine,
} from "../promotion/verification.js";
import { readGateEvidence } from "./gate-evidence.js";
import { promote } from "./promote.js";
import {
  openSnapshot,
  readScannedRepository,
  wantedEntries,
  type CheckTarget,
  type ScannedRepository,
} from "./repository-state.js";
import type { Services } from "./services.js";
import { refreshDashboard } from "./update-dashboard.js";

/**
 * The inventory of a merge commit's first parent, scanned with the merge commit's config; undefined
 * for a commit without a parent.
 */
async function readParentInventory(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  merged: ScannedRepository,
  mergeCommitSha: string,
): Promise<Inventory | undefined> {
  const [parentSha] = await commitParents(octokit, target, mergeCommitSha);
  if (!parentSha) return undefined;
  const parent = await readTreeAt(octokit, target, parentSha);
  const wanted = wantedEntries(parent.entries, merged.config);
  const snapshot = await openSnapshot(octokit, target, services.blobs, parent, wanted);
  const files = await snapshot.read(wantedEntries(snapshot.entries, merged.config));
  const historyCache = services.scanCache(`${target.owner}/${target.repo}@history`);
  return scan(files, merged.config, historyCache).inventory;
}

/** Remembers when the repository should be checked again (a soak ends), for the scheduler. */
function rememberDue(services: Services, target: CheckTarget, dueAt: number): void {
  const fullName = `${target.owner}/${target.repo}`;
  const memory = services.repositories.get(fullName);
  if (memory) services.repositories.set(fullName, { ...memory, dueAt });
}

/**
 * After one of the app's PRs, or a person's PR labelled `promoter:<env>`, is merged: opens the next
 * environment's PR with exactly the version the merge brought, or says in a comment why not (the end of
 * the chain, a manual environment, `promoter:hold`, the next environment already there). What was
 * brought is read from the merge commit: for the app's PR, the version its dependency has there; for a
 * person's, what the merge changed in `<env>`. No PR body counts.
 */
export async function continueAfterMerge(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  job: MergedJob,
): Promise<string[]> {
  const { pullRequest } = job;
  // 1. Read the merge commit, the default branch as the merge left it: one request less than its head.
  //    A person's PR also needs the commit's parent, to tell what the merge changed.
  const repository = await readScannedRepository(
    octokit,
    target,
    services,
    pullRequest.mergeCommitSha,
  );
  if ("unusable" in repository) return [];
  const { environments } = repository.config;
  const source = mergeSource(
    pullRequest,
    await services.appLogin(),
    environments.map((e) => e.name),
    new Set(repository.config.artifacts?.map((a) => a.name)),
  );
  if (!source) {
    log.info({ pullRequest: pullRequest.number }, "the merged pull request promotes nothing");
    return [];
  }
  const before =
    source.kind !== "app"
      ? await readParentInventory(octokit, target, services, repository, pullRequest.mergeCommitSha)
      : undefined;

  // 2. Decide what the merge brought and, for each version, whether the next environment gets it.
  const brought = broughtByMerge(source, repository.inventory, before, repository.config);
  const followUps = mergeFollowUps(
    environments,
    source.environment,
    brought,
    pullRequest.labels,
    pullRequest.number,
  );
  if (followUps.length === 0) return [];

  //    Out of an environment with `verify`, a promotion waits for the merge commit's evidence (2 requests).
  const asked = followUps.flatMap((f) => (f.kind === "promote" ? [f.request] : []));
  const gates = gatesAfterMerge(asked, repository.config, pullRequest);
  const appLogin = await services.appLogin();
  const evidence = await readGateEvidence(octokit, target, gates, appLogin, log);
  const gated = gatedPlan(
    {
      proposals: asked.map((r) => ({
        environment: r.environment,
        dependency: r.dependency,
        to: r.version,
      })),
      deferred: [],
    },
    gates,
    evidence,
    services.now(),
  );
  if (gated.dueAt !== undefined) rememberDue(services, target, gated.dueAt);
  const waits = new Map(gated.plan.deferred.map((d) => [`${d.environment}\n${d.dependency}`, d]));
  const requests = asked.filter((r) => !waits.has(`${r.environment}\n${r.dependency}`));

  // 3. Write the promotions (a group's members in one PR), then one comment with a line per version.
  const results = await promote(octokit, target, services, log, repository, requests, {
    after: pullRequest.number,
  });
  const lines = followUps.map((followUp) => {
    if (followUp.kind === "say") return followUp.line;
    const wait = waits.get(`${followUp.request.environment}\n${followUp.request.dependency}`);
    if (wait) return waitingLine(followUp.request, wait.reason);
    const result = results[requests.indexOf(followUp.request)];
    if (!result) throw new Error("no result for the promotion");
    const verified = gated.plan.proposals.find(
      (p) =>
        p.environment === followUp.request.environment &&
        p.dependency === followUp.request.dependency,
    )?.verified;
    return describePromotion(result, followUp.request) + verifiedSuffix(verified);
  });
  await comment(octokit, target, pullRequest.number, lines.join("\n"));
  await refreshDashboard(octokit, target, services, log, {
    inventory: repository.inventory,
    outcomes: results.flatMap((r) => (r.status === "written" ? [r.outcome] : [])),
    merged: brought.map((b) => ({
      environment: source.environment,
      dependency: b.dependency,
      to: b.version,
      state: "merged" as const,
      number: pullRequest.number,
      mergedAt: new Date(services.now()).toISOString(),
    })),
    deferred: [
      ...gated.plan.deferred,
      ...followUps.flatMap((f) => (f.kind === "say" && f.wait ? [f.wait] : [])),
    ],
    now: services.now(),
  });
  log.info(
    { pullRequest: pullRequest.number, environment: source.environment, lines },
    "merge followed up",
  );
  return lines;
}
