import type { Logger } from "probot";
import type { Config } from "../config/index.js";
import { comment } from "../github/comments.js";
import { isTeamMember, permissionOf, type Permission } from "../github/permissions.js";
import type { Octokit } from "../github/repo-ref.js";
import { helpText } from "../promotion/commands.js";
import { parseMetadata } from "../promotion/pull-request-content.js";
import type { CommandJob } from "../queue/job-queue.js";
import { describePromotion } from "./after-merge.js";
import type { CheckTarget } from "./check-repository.js";
import { promote, readScannedRepository, versionsIn, type ScannedRepository } from "./promote.js";
import type { Services } from "./services.js";

const MAY_PROMOTE = new Set<Permission>(["admin", "maintain", "write"]);

/** Why the author may not run `/promote` here at all, or undefined when they may. */
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
  return `promotions to ${environment} are for ${promoters.map((p) => `\`${p}\``).join(", ")} only.`;
}

/** The answer to a command, without the mention of its author. */
async function answer(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  job: CommandJob,
  repository: ScannedRepository,
): Promise<string> {
  const { config, inventory } = repository;
  const names = config.environments.map((e) => e.name);
  const { command } = job;
  if (command.kind === "help") return helpText(names);
  if (command.kind === "invalid") return `${command.message}.\n\n${helpText(names)}`;

  const metadata = job.issue.isPullRequest ? parseMetadata(job.issue.body) : undefined;
  const environment =
    command.environment ?? (metadata ? names[names.indexOf(metadata.env) + 1] : undefined);
  if (environment === undefined) {
    return metadata
      ? `${metadata.env} is the last environment: there is nowhere to promote to.`
      : "name the environment: `/promote <environment> <dependency-id>`.";
  }
  const index = names.indexOf(environment);
  if (index === -1) {
    return `there is no environment \`${environment}\`; the environments are ${names.map((n) => `\`${n}\``).join(", ")}.`;
  }
  const dependency = command.dependency ?? metadata?.dependency;
  if (dependency === undefined)
    return `name the dependency: \`/promote ${environment} <dependency-id>\`.`;

  const denied = await notAPromoter(octokit, config, environment, job.author);
  if (denied) return denied;

  const previous = names[index - 1];
  const upstream = previous === undefined ? [] : versionsIn(inventory, previous, dependency);
  const version =
    command.version ??
    (metadata?.dependency === dependency && command.dependency === undefined
      ? metadata.to
      : undefined) ??
    (upstream.length === 1 ? upstream[0] : undefined);
  if (version === undefined) {
    return previous === undefined
      ? `name the version: \`/promote ${environment} ${dependency}@<version>\`.`
      : `${previous} runs ${upstream.length === 0 ? "no version" : upstream.map((v) => `\`${v}\``).join(", ")} of ${dependency}: name the version, \`/promote ${environment} ${dependency}@<version>\`.`;
  }
  if (previous !== undefined && !upstream.includes(version) && !config.allowSkipping) {
    return `${dependency} \`${version}\` has not run in ${previous} (it runs ${upstream.length === 0 ? "no version of it" : upstream.map((v) => `\`${v}\``).join(", ")}), so it cannot go to ${environment}. Promote it to ${previous} first, or set \`allowSkipping: true\` in .github/promoter.yml.`;
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
        return `${dependency} has no version \`${version}\`.`;
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
 * Carries out a `/promote` or `/help` comment (already acknowledged with 👀) and replies with the
 * result: the PR opened or updated, or why nothing was done.
 */
export async function runCommand(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  job: CommandJob,
): Promise<string> {
  // Permission first: a refusal costs one request, and reads nothing of the repository.
  const refused =
    job.command.kind === "promote"
      ? await missingPermission(octokit, target, job.author)
      : undefined;
  const repository = refused ? undefined : await readScannedRepository(octokit, target, services);
  const text =
    refused ??
    (repository
      ? await answer(octokit, target, services, log, job, repository)
      : `Promoter has no usable \`.github/promoter.yml\` on ${target.defaultBranch}: see its \`promoter\` check run.`);
  const reply = `@${job.author} ${text}`;
  await comment(octokit, target, job.issue.number, reply);
  log.info({ issue: job.issue.number, command: job.command.kind }, "command answered");
  return reply;
}
