/**
 * What a `/promote` or `/help` command targets and whether it may: the reply, or the promotion it
 * asks for. Pure: each fact that costs a request (the commented PR's metadata, a team membership,
 * the dependency's listed versions) is asked for only on the path that needs it, and the caller reads
 * it and decides again.
 */
import type { Config } from "../config/index.js";
import type { Permission, PullRequestInfo } from "./github-facts.js";
import type { DependencyOrigin, Inventory } from "../iac/types.js";
import { isVersionOf } from "../versions/version-shape.js";
import { helpText, isDependencyId, type Command } from "./commands.js";
import { appPullRequestMetadata } from "./existing-promotions.js";
import { code } from "./markdown.js";
import { tagPrefixFor } from "./plan.js";
import { isGroupMetadata, type PullRequestMetadata } from "./pull-request-content.js";
import { versionsIn, type PromotionRequest } from "./requested-promotion.js";

const MAY_PROMOTE = new Set<Permission>(["admin", "maintain", "write"]);

/** Why the author may not run a command here at all, or undefined when they may. */
export function permissionRefusal(permission: Permission): string | undefined {
  if (MAY_PROMOTE.has(permission)) return undefined;
  return `\`/promote\` needs write, maintain or admin permission on this repository; you have ${permission}.`;
}

/** The reply when the default branch's config cannot be used. */
export function noConfigReply(defaultBranch: string): string {
  return `Promoter has no usable \`.github/promoter.yml\` on ${code(defaultBranch)}: see its \`promoter\` check run.`;
}

/** What became of the onboarding pull request, as a command's reply tells it. */
export type OnboardingState =
  | { kind: "open" | "opened" | "declined"; pullRequest: number }
  | { kind: "no-iac" }
  | { kind: "unavailable"; reason: string };

/**
 * The reply in a repository without `.github/promoter.yml`: how to get started, pointing at the onboarding
 * pull request; `onboarding` is what a `/promoter onboard` did, or the PR there is (undefined when none).
 */
export function notConfiguredReply(
  defaultBranch: string,
  onboarding: OnboardingState | undefined,
): string {
  const intro = `Promoter is not set up here yet: there is no \`.github/promoter.yml\` on ${code(defaultBranch)}.`;
  const ask = "comment `/promoter onboard` to have Promoter open a pull request that proposes one";
  switch (onboarding?.kind) {
    case "open":
      return `${intro} To get started, review and merge #${onboarding.pullRequest} (Configure Promoter): it proposes a config inferred from your folders and previews the pull requests Promoter will open.`;
    case "opened":
      return `${intro} #${onboarding.pullRequest} (Configure Promoter) proposes a config inferred from your folders and previews what Promoter will do: edit it there, then merge it to start.`;
    case "declined":
      return `${intro} The onboarding pull request #${onboarding.pullRequest} was closed without merging; ${ask}, or add the file yourself (see Promoter's README).`;
    case "no-iac":
      return `${intro} This repository has no Terraform, OpenTofu or Terragrunt files, so there is nothing to configure.`;
    case "unavailable":
      return `${intro} The onboarding pull request could not be opened (${onboarding.reason}); add the file yourself (see Promoter's README).`;
    case undefined:
      return `${intro} To get started, ${ask}, or add the file yourself (see Promoter's README).`;
  }
}

/**
 * The metadata of the pull request a command is on, when it can be trusted: one the app opened, from
 * its own branch in the repository itself, the branch of the environment and dependency the metadata
 * names, a dependency id as the app writes them.
 */
export function trustedMetadata(
  pull: Pick<PullRequestInfo, "author" | "fromFork" | "body" | "headRef">,
  appLogin: string,
): PullRequestMetadata | undefined {
  const metadata = appPullRequestMetadata(pull, appLogin);
  if (!metadata) return undefined;
  const members = isGroupMetadata(metadata) ? metadata.members : [metadata];
  return members.every((m) => isDependencyId(m.dependency)) ? metadata : undefined;
}

/** The command and the repository as read before any fact is asked for. */
export interface CommandContext {
  command: Command;
  config: Config;
  inventory: Inventory;
  /** The login of the comment's author. */
  author: string;
}

/** The facts read so far; each is read only once a decision asked for it. */
export interface CommandFacts {
  /** The trusted metadata of the pull request commented on; `null`: there is none. */
  metadata?: PullRequestMetadata | null;
  /** Whether the author is an active member, by the `org/team` of `promoters` that names it. */
  teams?: ReadonlyMap<string, boolean>;
  /** The versions listed for the dependency; `null`: it has no listing. */
  listed?: readonly string[] | null;
}

/** What to do about a command: reply, promote, or first read one more fact. */
export type CommandDecision =
  | { kind: "reply"; text: string }
  | { kind: "promote"; request: PromotionRequest }
  | { kind: "read-metadata" }
  | { kind: "read-team"; promoter: string; org: string; team: string }
  | { kind: "read-listed"; dependency: { id: string; origin: DependencyOrigin } };

const reply = (text: string): CommandDecision => ({ kind: "reply", text });

/**
 * Whether the author is one of the environment's `promoters` (anyone may without them): a login
 * matches by name, a team by membership, asked for team by team in the order listed until one matches.
 */
function promoterDecision(
  config: Config,
  environment: string,
  author: string,
  teams: ReadonlyMap<string, boolean>,
): CommandDecision | "allowed" {
  const promoters = config.environments.find((e) => e.name === environment)?.promoters;
  if (!promoters) return "allowed";
  for (const promoter of promoters) {
    const [org, team] = promoter.split("/");
    if (team === undefined) {
      if (promoter.toLowerCase() === author.toLowerCase()) return "allowed";
      continue;
    }
    const member = teams.get(promoter);
    if (member === undefined) return { kind: "read-team", promoter, org: org as string, team };
    if (member) return "allowed";
  }
  return reply(
    `promotions to ${environment} are for ${promoters.map((p) => code(p)).join(", ")} only.`,
  );
}

/**
 * What a command targets and whether it may, given the facts read so far: `/help` and an unreadable
 * command get the help; `/promote` names (or takes from the commented promotion PR) the environment,
 * the dependency and the version, which must have run in the environment before unless
 * `allowSkipping`, and for the first environment must be one the dependency has.
 */
export function commandDecision(context: CommandContext, facts: CommandFacts): CommandDecision {
  const { command, config, inventory, author } = context;
  const names = config.environments.map((e) => e.name);
  if (command.kind === "help") return reply(helpText(names));
  if (command.kind === "onboard")
    return reply(
      `Promoter is set up already: \`.github/promoter.yml\` is on the default branch.\n\n${helpText(names)}`,
    );
  if (command.kind === "invalid") return reply(`${command.message}.\n\n${helpText(names)}`);

  if (command.environment !== undefined && !names.includes(command.environment)) {
    return reply(
      `there is no environment ${code(command.environment)}; the environments are ${names.map((n) => code(n)).join(", ")}.`,
    );
  }
  const needsMetadata = command.environment === undefined || command.dependency === undefined;
  if (needsMetadata && facts.metadata === undefined) return { kind: "read-metadata" };
  const metadata = needsMetadata ? (facts.metadata ?? undefined) : undefined;
  let environment = command.environment;
  if (environment === undefined) {
    if (!metadata)
      return reply(`name the environment: ${code("/promote <environment> <dependency-id>")}.`);
    const index = names.indexOf(metadata.env);
    if (index === -1) {
      return reply(
        `this pull request promotes to ${code(metadata.env)}, which is not an environment of .github/promoter.yml: nothing was promoted.`,
      );
    }
    environment = names[index + 1];
    if (environment === undefined) {
      return reply(`${metadata.env} is the last environment: there is nowhere to promote to.`);
    }
  }
  const index = names.indexOf(environment);
  const group = metadata && isGroupMetadata(metadata) ? metadata : undefined;
  const single = metadata && !isGroupMetadata(metadata) ? metadata : undefined;
  const dependency = command.dependency ?? single?.dependency;
  if (dependency === undefined) {
    const members = group
      ? ` (this pull request moves ${group.members.map((m) => code(m.dependency)).join(", ")})`
      : "";
    return reply(
      `name the dependency: ${code(`/promote ${environment} <dependency-id>`)}${members}.`,
    );
  }

  const promoter = promoterDecision(config, environment, author, facts.teams ?? new Map());
  if (promoter !== "allowed") return promoter;

  if (versionsIn(inventory, environment, dependency).length === 0) {
    return reply(`${environment} does not use ${code(dependency)}: nothing to promote.`);
  }
  const previous = names[index - 1];
  const upstream = previous === undefined ? [] : versionsIn(inventory, previous, dependency);
  const runs = (versions: string[]) => versions.map((v) => code(v)).join(", ");
  const version =
    command.version ??
    (single?.dependency === dependency && command.dependency === undefined
      ? single.to
      : undefined) ??
    (upstream.length === 1 ? upstream[0] : undefined);
  if (version === undefined) {
    return reply(
      previous === undefined
        ? `name the version: ${code(`/promote ${environment} ${dependency}@<version>`)}.`
        : `${previous} runs ${upstream.length === 0 ? "no version" : runs(upstream)} of ${code(dependency)}: name the version, ${code(`/promote ${environment} ${dependency}@<version>`)}.`,
    );
  }
  if (!isVersionOf(version, tagPrefixFor(config)(dependency))) {
    return reply(`${code(version)} is not a version of ${code(dependency)}.`);
  }
  if (previous !== undefined && !upstream.includes(version) && !config.allowSkipping) {
    return reply(
      `${code(dependency)} ${code(version)} has not run in ${previous} (it runs ${upstream.length === 0 ? "no version of it" : runs(upstream)}), so it cannot go to ${environment}. Promote it to ${previous} first, or set \`allowSkipping: true\` in .github/promoter.yml.`,
    );
  }
  if (previous === undefined) {
    const origin = inventory.environments[0]?.dependencies.find((d) => d.id === dependency)?.origin;
    if (origin) {
      if (facts.listed === undefined) {
        return { kind: "read-listed", dependency: { id: dependency, origin } };
      }
      if (facts.listed && !facts.listed.includes(version)) {
        return reply(`${code(dependency)} has no version ${code(version)}.`);
      }
    }
  }
  return { kind: "promote", request: { environment, dependency, version } };
}
