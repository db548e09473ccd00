import type { Logger } from "probot";
import { comment } from "../github/comments.js";
import type { Octokit } from "../github/repo-ref.js";
import {
  HOLD_LABEL,
  environmentOfLabel,
  parseMetadata,
} from "../promotion/pull-request-content.js";
import type { MergedJob } from "../queue/job-queue.js";
import type { CheckTarget } from "./check-repository.js";
import {
  changedVersions,
  promote,
  readScannedRepository,
  type PromotionResult,
} from "./promote.js";
import type { Services } from "./services.js";

/** The reply line for one promotion to the next environment. */
export function describePromotion(
  result: PromotionResult,
  request: { environment: string; dependency: string; version: string },
): string {
  const { environment, dependency, version } = request;
  switch (result.status) {
    case "already":
      return `${environment} already runs ${dependency} ${result.versions.map((v) => `\`${v}\``).join(", ")}: nothing to promote.`;
    case "refused":
      return `${dependency} \`${version}\` cannot be promoted to ${environment}: ${result.reason}.`;
    case "written": {
      const { outcome } = result;
      if (outcome.action === "failed" || outcome.action === "left-alone") {
        return `${dependency} \`${version}\` was not promoted to ${environment}: ${outcome.reason ?? outcome.action}.`;
      }
      const verb =
        outcome.action === "created"
          ? "Opened"
          : outcome.action === "updated"
            ? "Updated"
            : "Already open:";
      return `${verb} #${outcome.pullRequest} to promote ${dependency} \`${version}\` to ${environment}.`;
    }
  }
}

/**
 * After a PR labelled `promoter:<env>` is merged: opens the next environment's PR with exactly the
 * version that was merged, or says in a comment why not (the end of the chain, a manual environment,
 * `promoter:hold`, the next environment already there). For a person's PR, what was promoted is what
 * the merge changed in `<env>`.
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
  const metadata = parseMetadata(pullRequest.body);
  const environment =
    pullRequest.labels.map(environmentOfLabel).find((e) => e !== undefined && names.includes(e)) ??
    (metadata && names.includes(metadata.env) ? metadata.env : undefined);
  if (environment === undefined) return [];
  const promoted =
    metadata && metadata.env === environment
      ? [{ dependency: metadata.dependency, version: metadata.to }]
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
    if (!next) {
      lines.push(`${dependency} \`${version}\` has reached ${environment}, the end of the chain.`);
    } else if (pullRequest.labels.includes(HOLD_LABEL)) {
      lines.push(
        `${dependency} \`${version}\` is on hold (\`${HOLD_LABEL}\`): comment \`/promote ${next.name} ${dependency}@${version}\` to promote it to ${next.name}.`,
      );
    } else if (next.promotion === "manual") {
      lines.push(
        `${next.name} is promoted by hand: comment \`/promote ${next.name} ${dependency}@${version}\` to open its pull request.`,
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
