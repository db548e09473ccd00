import { HOLD_LABEL } from "./pull-request-content.js";

/** A command read from a comment. */
export type Command =
  | { kind: "promote"; environment?: string; dependency?: string; version?: string }
  | { kind: "help" }
  | { kind: "invalid"; message: string };

const COMMAND_LINE = /^\/(promote|promoter|help)(?:\s+(.*))?$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]+$/;
const DEPENDENCY = /^([A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)+)(?:@(\S+))?$/;

/**
 * The command of a comment: its first line that starts with `/promote`, `/promoter` or `/help`
 * (quoted lines and code blocks are not read). Undefined when the comment has none.
 */
export function parseCommand(body: string): Command | undefined {
  let inCode = false;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("```")) inCode = !inCode;
    if (inCode || line.startsWith(">")) continue;
    const match = COMMAND_LINE.exec(line);
    if (!match) continue;
    const [, name, rest = ""] = match;
    const args = rest.split(/\s+/).filter(Boolean);
    if (name === "help") return { kind: "help" };
    if (name === "promoter") {
      if (args.length === 0 || args[0] === "help") return { kind: "help" };
      return { kind: "invalid", message: `unknown command \`/promoter ${args.join(" ")}\`` };
    }
    return parsePromote(args);
  }
  return undefined;
}

function parsePromote(args: string[]): Command {
  if (args.length > 2) {
    return { kind: "invalid", message: "`/promote` takes at most an environment and a dependency" };
  }
  const [environment, dependency] = args;
  if (environment === undefined) return { kind: "promote" };
  if (!ENVIRONMENT.test(environment)) {
    return { kind: "invalid", message: `\`${environment}\` is not an environment name` };
  }
  if (dependency === undefined) return { kind: "promote", environment };
  const match = DEPENDENCY.exec(dependency);
  if (!match?.[1]) {
    return {
      kind: "invalid",
      message: `\`${dependency}\` is not a dependency id such as \`acme/terraform-aws-vpc/vpc@v1.4.0\``,
    };
  }
  return match[2] === undefined
    ? { kind: "promote", environment, dependency: match[1] }
    : { kind: "promote", environment, dependency: match[1], version: match[2] };
}

/** The reply to `/help` and to a command that cannot be read. */
export function helpText(environments: readonly string[]): string {
  const names = environments.map((e) => `\`${e}\``).join(" → ");
  return [
    "**Promoter's commands** (for people with write access to this repository):",
    "",
    "- `/promote <environment>`: on a promotion pull request, promote its dependency and version to that environment.",
    "- `/promote <environment> <dependency-id>`: promote that dependency to the version the environment before it runs.",
    "- `/promote <environment> <dependency-id>@<version>`: promote exactly that version, which must run in the environment before it.",
    "- `/promote`: on a promotion pull request, promote to the next environment.",
    "- `/help`: this text.",
    "",
    `Environments: ${names}. Merging a pull request labelled \`promoter:<environment>\` promotes what it changed to the next environment, unless that one is \`promotion: manual\` or the pull request carries \`${HOLD_LABEL}\`.`,
  ].join("\n");
}
