import type { Logger } from "probot";
import { comment } from "../github/comments.js";
import type { Octokit } from "../github/repo-ref.js";
import { code, inlineMarkdown, plainText } from "../promotion/markdown.js";
import { mergeSource, mergedVersion } from "../promotion/merged-pull-request.js";
import { HOLD_LABEL } from "../promotion/pull-request-content.js";
import type { MergedJob } from "../queue/job-queue.js";
import type { CheckTarget } from "./repository-state.js";
import { changedVersions, promote, versionsIn, type PromotionResult } from "./promote.js";
import { readScannedRepository } from "./repository-state.js";
import type { Services } from "./services.js";

/** The reply line for one promotion to the next environment; every id, version and reason escaped. */
export function describePromotion(
  result: PromotionResult,
  request: { environment: string; dependency: string; version: string },
): string {
  const environment = plainText(request.environment);
  const dependency = code(request.dependency);
  const version = code(request.version);
  switch (result.status) {
    case "already":
      return `${environment} already runs ${dependency} ${result.versions.map(code).join(", ")}: nothing to promote.`;
    case "refused":
      return `${dependency} ${version} cannot be promoted to ${environment}: ${inlineMarkdown(result.reason)}.`;
    case "written": {
      const { outcome } = result;
      if (outcome.action === "failed" || outcome.action === "left-alone") {
        return `${dependency} ${version} was not promoted to ${environment}: ${inlineMarkdown(outcome.reason || outcome.action)}.`;
      }
      const verb =
        outcome.action === "created"
          ? "Opened"
          : outcome.action === "updated"
            ? "Updated"
            : "Already open:";
      return `${verb} #${outcome.pullRequest} to promote ${dependency} ${version} to ${environment}.`;
    }
  }
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
  // The merge commit is the default branch's head as the merge left it: reading it costs one request less.
  const repository = await readScannedRepository(
    octokit,
    target,
    services,
    pullRequest.mergeCommitSha,
  );
  if (!repository) return [];
  const names = repository.config.environments.map((e) => e.name);
  const source = mergeSource(pullRequest, await services.appLogin(), names);
  if (!source) {
    log.info({ pullRequest: pullRequest.number }, "the merged pull request promotes nothing");
    return [];
  }
  const { environment } = source;
  const promoted =
    source.kind === "app"
      ? mergedVersion(
          versionsIn(repository.inventory, environment, source.dependency),
          source.dependency,
        )
      : await changedVersions(
          octokit,
          target,
          services,
          repository,
          pullRequest.mergeCommitSha,
          environment,
        );
  if (promoted.length === 0) return [];

  const index = names.indexOf(environment);
  const next = repository.config.environments[index + 1];
  const lines: string[] = [];
  for (const { dependency, version } of promoted) {
    const request = { environment: next?.name ?? "", dependency, version };
    const what = `${code(dependency)} ${code(version)}`;
    if (!next) {
      lines.push(`${what} has reached ${plainText(environment)}, the end of the chain.`);
    } else if (pullRequest.labels.includes(HOLD_LABEL)) {
      lines.push(
        `${what} is on hold (\`${HOLD_LABEL}\`): comment ${code(`/promote ${next.name} ${dependency}@${version}`)} to promote it to ${plainText(next.name)}.`,
      );
    } else if (next.promotion === "manual") {
      lines.push(
        `${plainText(next.name)} is promoted by hand: comment ${code(`/promote ${next.name} ${dependency}@${version}`)} to open its pull request.`,
      );
    } else {
      const result = await promote(octokit, target, services, log, repository, request);
      lines.push(describePromotion(result, request));
    }
  }
  await comment(octokit, target, pullRequest.number, lines.join("\n"));
  log.info({ pullRequest: pullRequest.number, environment, lines }, "merge followed up");
  return lines;
}
