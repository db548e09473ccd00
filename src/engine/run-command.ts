import type { Logger } from "probot";
import type { Config } from "../config/index.js";
import { comment, react } from "../github/comments.js";
import { isTeamMember, permissionOf, type Permission } from "../github/permissions.js";
import { readPullRequest } from "../github/pull-requests.js";
import type { Octokit } from "../github/repo-ref.js";
import { helpText, isDependencyId, parseCommand, type Command } from "../promotion/commands.js";
import { code } from "../promotion/markdown.js";
import { proposalKey, tagPrefixFor } from "../promotion/plan.js";
import { parseMetadata, type PromotionMetadata } from "../promotion/pull-request-content.js";
import type { CommandJob } from "../queue/job-queue.js";
import { isVersionOf } from "../versions/version-shape.js";
import { describePromotion } from "./after-merge.js";
import type { CheckTarget } from "./repository-state.js";
import { promote, versionsIn } from "./promote.js";
import { readScannedRepository, type ScannedRepository } from "./repository-state.js";
import type { Services } from "./services.js";

const MAY_PROMOTE = new Set<Permission>(["admin", "maintain", "write"]);

/** Why the author may not run a command here at all, or undefined when they may. */
async function missingPermission(
  octokit: Octokit,
  target: CheckTarget,
  author: string,
): Promise<string | undefined> {
  const permission = await permissionOf(octokit, target, author);
  if (MAY_PROMOTE.has(permission)) return undefined;
  return `\`/promote\` needs write, maintain or admin permission on this repository; you have ${permission}.`;
}

/** Why the author may not promote to this environment (its `promoters`), or undefined when they may. */
async function notAPromoter(
  octokit: Octokit,
  config: Config,
  environment: string,
  author: string,
): Promise<string | undefined> {
  const promoters = config.environments.find((e) => e.name === environment)?.promoters;
  if (!promoters) return undefined;
  for (const promoter of promoters) {
    const [org, team] = promoter.split("/");
    const member =
      team === undefined
        ? promoter.toLowerCase() === author.toLowerCase()
        : await isTeamMember(octokit, org as string, team, author);
    if (member) return undefined;
  }
  return `promotions to ${environment} are for ${promoters.map((p) => code(p)).join(", ")} only.`;
}

/**
 * The metadata of the pull request the comment is on, when it can be trusted: one the app opened, from
 * its own branch in the repository itself, the branch of the environment and dependency the metadata
 * names. Undefined for any other pull request (or issue). 1 request (reading the pull request), or none.
 */
async function trustedMetadata(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  job: CommandJob,
): Promise<PromotionMetadata | undefined> {
  if (!job.issue.isPullRequest) return undefined;
  const appLogin = await services.appLogin();
  if (job.issue.author !== appLogin) return undefined;
  const pull = await readPullRequest(octokit, target, job.issue.number);
  if (pull.author !== appLogin || pull.fromFork) return undefined;
  const metadata = parseMetadata(pull.body);
  if (!metadata || !isDependencyId(metadata.dependency)) return undefined;
  return pull.headRef === proposalKey(metadata.env, metadata.dependency) ? metadata : undefined;
}

/** The answer to a command, without the mention of its author. */
async function answer(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  job: CommandJob,
  command: Command,
  repository: ScannedRepository,
): Promise<string> {
  const { config, inventory } = repository;
  const names = config.environments.map((e) => e.name);
  if (command.kind === "help") return helpText(names);
  if (command.kind === "invalid") return `${command.message}.\n\n${helpText(names)}`;

  if (command.environment !== undefined && !names.includes(command.environment)) {
    return `there is no environment ${code(command.environment)}; the environments are ${names.map((n) => code(n)).join(", ")}.`;
  }
  const metadata =
    command.environment === undefined || command.dependency === undefined
      ? await trustedMetadata(octokit, target, services, job)
      : undefined;
  let environment = command.environment;
  if (environment === undefined) {
    if (!metadata)
      return `name the environment: ${code("/promote <environment> <dependency-id>")}.`;
    const index = names.indexOf(metadata.env);
    if (index === -1) {
      return `this pull request promotes to ${code(metadata.env)}, which is not an environment of .github/promoter.yml: nothing was promoted.`;
    }
    environment = names[index + 1];
    if (environment === undefined) {
      return `${metadata.env} is the last environment: there is nowhere to promote to.`;
    }
  }
  const index = names.indexOf(environment);
  const dependency = command.dependency ?? metadata?.dependency;
  if (dependency === undefined) {
    return `name the dependency: ${code(`/promote ${environment} <dependency-id>`)}.`;
  }

  const denied = await notAPromoter(octokit, config, environment, job.author);
  if (denied) return denied;

  if (versionsIn(inventory, environment, dependency).length === 0) {
    return `${environment} does not use ${code(dependency)}: nothing to promote.`;
  }
  const previous = names[index - 1];
  const upstream = previous === undefined ? [] : versionsIn(inventory, previous, dependency);
  const runs = (versions: string[]) => versions.map((v) => code(v)).join(", ");
  const version =
    command.version ??
    (metadata?.dependency === dependency && command.dependency === undefined
      ? metadata.to
      : undefined) ??
    (upstream.length === 1 ? upstream[0] : undefined);
  if (version === undefined) {
    return previous === undefined
      ? `name the version: ${code(`/promote ${environment} ${dependency}@<version>`)}.`
      : `${previous} runs ${upstream.length === 0 ? "no version" : runs(upstream)} of ${code(dependency)}: name the version, ${code(`/promote ${environment} ${dependency}@<version>`)}.`;
  }
  if (!isVersionOf(version, tagPrefixFor(config)(dependency))) {
    return `${code(version)} is not a version of ${code(dependency)}.`;
  }
  if (previous !== undefined && !upstream.includes(version) && !config.allowSkipping) {
    return `${code(dependency)} ${code(version)} has not run in ${previous} (it runs ${upstream.length === 0 ? "no version of it" : runs(upstream)}), so it cannot go to ${environment}. Promote it to ${previous} first, or set \`allowSkipping: true\` in .github/promoter.yml.`;
  }
  if (previous === undefined) {
    const origin = inventory.environments[0]?.dependencies.find((d) => d.id === dependency)?.origin;
    if (origin) {
      const listed = await services.listVersions(
        octokit,
        [{ id: dependency, origin }],
        config.updates.registry,
        log,
      );
      const available = listed.versions.get(dependency);
      if (available && !available.includes(version)) {
        return `${code(dependency)} has no version ${code(version)}.`;
      }
    }
  }
  const request = { environment, dependency, version };
  return describePromotion(
    await promote(octokit, target, services, log, repository, request),
    request,
  );
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
  // Permission first, for every command: a refusal costs one request, and reads nothing of the repository.
  const refused = await missingPermission(octokit, target, job.author);
  const repository = refused ? undefined : await readScannedRepository(octokit, target, services);
  const text =
    refused ??
    (repository
      ? await answer(octokit, target, services, log, job, command, repository)
      : `Promoter has no usable \`.github/promoter.yml\` on ${code(target.defaultBranch)}: see its \`promoter\` check run.`);
  // The author's login comes from GitHub: a mention of them is the one the reply means to make.
  const reply = `@${job.author} ${text}`;
  await comment(octokit, target, job.issue.number, reply);
  log.info({ issue: job.issue.number, command: command.kind }, "command answered");
  return reply;
}
