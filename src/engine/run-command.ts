import type { Logger } from "probot";
import { comment, react } from "../github/comments.js";
import { isTeamMember, permissionOf } from "../github/permissions.js";
import { listPullRequestsFrom, readPullRequest } from "../github/pull-requests.js";
import type { RepositoryTree } from "../github/read-repository.js";
import type { Octokit } from "../github/repo-ref.js";
import {
  commandDecision,
  noConfigReply,
  notConfiguredReply,
  permissionRefusal,
  type OnboardingState,
  trustedMetadata,
  type CommandFacts,
} from "../promotion/command-target.js";
import { parseCommand, type Command } from "../promotion/commands.js";
import { ONBOARDING_BRANCH } from "../promotion/names.js";
import { onboardingStep } from "../promotion/onboarding.js";
import type { PullRequestMetadata } from "../promotion/pull-request-content.js";
import { describePromotion } from "../promotion/requested-promotion.js";
import type { CommandJob } from "../queue/job-queue.js";
import { onboardRepository } from "./onboard-repository.js";
import { commandGate } from "./gate-evidence.js";
import { promote } from "./promote.js";
import {
  readScannedRepository,
  type CheckTarget,
  type ScannedRepository,
} from "./repository-state.js";
import type { Services } from "./services.js";
import { refreshDashboard } from "./update-dashboard.js";

/**
 * The metadata of the pull request the comment is on, when it can be trusted (see
 * {@link trustedMetadata}). 1 request (reading the pull request), or none.
 */
async function readTrustedMetadata(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  job: CommandAuthor,
): Promise<PullRequestMetadata | undefined> {
  if (!job.issue.isPullRequest) return undefined;
  const appLogin = await services.appLogin();
  // Only a pull request the app opened is worth the request of reading it.
  if (job.issue.author !== appLogin) return undefined;
  return trustedMetadata(await readPullRequest(octokit, target, job.issue.number), appLogin);
}

/**
 * In a repository without config: `/promoter onboard` opens the onboarding PR (even after a decline);
 * any other command only looks it up (1 request), to point at it.
 */
async function onboardingState(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  command: Command,
  tree: RepositoryTree,
): Promise<OnboardingState | undefined> {
  if (command.kind === "onboard") {
    const result = await onboardRepository(octokit, target, services, log, tree, {
      requested: true,
    });
    switch (result.action) {
      case "opened":
      case "updated":
      case "unchanged":
      case "declined":
        return { kind: "opened", pullRequest: result.pullRequest };
      case "no-iac":
        return { kind: "no-iac" };
      case "left-alone":
      case "no-access":
        return { kind: "unavailable", reason: result.reason };
    }
  }
  const step = onboardingStep({
    pullRequests: await listPullRequestsFrom(octokit, target, ONBOARDING_BRANCH),
    appLogin: await services.appLogin(),
    requested: false,
  });
  switch (step.kind) {
    case "up-to-date":
    case "refresh":
      return { kind: "open", pullRequest: step.pullRequest.number };
    case "declined":
      return { kind: "declined", pullRequest: step.pullRequest.number };
    default:
      return undefined;
  }
}

/** Who gave a command, and where: a comment's author and issue, or a dashboard tick's editor. */
export type CommandAuthor = Pick<CommandJob, "author" | "issue">;

/**
 * The answer to a command of a permitted author on the scanned repository, without the mention of its
 * author: the decision, with each fact it asks for read on the way, and the promotion it asks for
 * (`done.written` is set when one was written).
 */
export async function answer(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  job: CommandAuthor,
  command: Command,
  repository: ScannedRepository,
  done?: { written: boolean },
): Promise<string> {
  const { config, inventory } = repository;
  const context = { command, config, inventory, author: job.author };
  const teams = new Map<string, boolean>();
  const facts: CommandFacts = { teams };
  // Decide, and read only the fact the decision asks for next: each costs a request on its path alone.
  for (;;) {
    const decision = commandDecision(context, facts);
    switch (decision.kind) {
      case "reply":
        return decision.text;
      case "promote": {
        // The environment before must have verified the version (`verify`): a refusal says what is missing.
        const refusal = await commandGate(
          octokit,
          target,
          services,
          repository,
          decision.request,
          log,
        );
        if (refusal) return refusal;
        const [result] = await promote(octokit, target, services, log, repository, [
          decision.request,
        ]);
        if (!result) throw new Error("no result for the promotion");
        // A tick's caller queues a check after a write, which renders the dashboard; a comment's renders it here.
        if (result.status === "written" && done) done.written = true;
        else if (result.status === "written")
          await refreshDashboard(octokit, target, services, log, {
            inventory,
            outcomes: [result.outcome],
            now: services.now(),
          });
        return describePromotion(result, decision.request);
      }
      case "read-metadata":
        facts.metadata = (await readTrustedMetadata(octokit, target, services, job)) ?? null;
        break;
      case "read-team":
        teams.set(
          decision.promoter,
          await isTeamMember(octokit, decision.org, decision.team, job.author),
        );
        break;
      case "read-listed": {
        const { dependency } = decision;
        const listed = await services.listVersions(
          octokit,
          undefined,
          [dependency],
          config.updates.registry,
          log,
        );
        facts.listed = listed.versions.get(dependency.id) ?? null;
        break;
      }
    }
  }
}

/** The reply to a permitted command: from the scanned repository, or about the config it lacks. */
async function replyTo(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  job: CommandJob,
  command: Command,
): Promise<string> {
  const repository = await readScannedRepository(octokit, target, services);
  if (!("unusable" in repository))
    return answer(octokit, target, services, log, job, command, repository);
  if (repository.unusable === "invalid-config") return noConfigReply(target.defaultBranch);
  const onboarding = await onboardingState(
    octokit,
    target,
    services,
    log,
    command,
    repository.tree,
  );
  return notConfiguredReply(target.defaultBranch, onboarding);
}

/**
 * Carries out the `/promote` or `/help` command of a comment, if it holds one (a comment whose command
 * sits in code or HTML holds none): acknowledges it with 👀, checks the author's permission, and replies
 * with the result (the PR opened or updated, or why nothing was done). Returns the reply, if any.
 */
export async function runCommand(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  job: CommandJob,
): Promise<string | undefined> {
  const command = parseCommand(job.comment.body);
  if (!command) return undefined;
  // Only an acknowledgement: without it the command still runs.
  await react(octokit, target, job.comment.id, "eyes").catch((error: unknown) => {
    log.warn({ err: error, comment: job.comment.id }, "👀 reaction failed");
  });
  // 1. Read the author's permission first, for every command: a refusal costs one request, and
  //    reads nothing of the repository.
  const refused = permissionRefusal(await permissionOf(octokit, target, job.author));
  // 2. Decide the answer, reading what it needs on the way (and promoting, when it is a promotion).
  const text = refused ?? (await replyTo(octokit, target, services, log, job, command));
  // 3. Write the reply. The author's login comes from GitHub: a mention of them is the one it means to make.
  const reply = `@${job.author} ${text}`;
  await comment(octokit, target, job.issue.number, reply);
  log.info({ issue: job.issue.number, command: command.kind }, "command answered");
  return reply;
}
