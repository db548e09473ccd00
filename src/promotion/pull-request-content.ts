import type { Config } from "../config/index.js";
import type { Inventory } from "../iac/types.js";
import type { Proposal } from "./plan.js";

/** GitHub refuses a pull request body longer than this. */
export const MAX_BODY_LENGTH = 65_536;

/** Files listed in a PR body; a larger change says how many more there are. */
const MAX_TABLE_ROWS = 300;

/** The label that stops a merged PR's version from being promoted further automatically. */
export const HOLD_LABEL = "promoter:hold";

/** What the app writes into its PRs' bodies, hidden, to know later what a PR carries. */
export interface PromotionMetadata {
  v: 1;
  env: string;
  dependency: string;
  from: string[];
  to: string;
  /** Set once the app has said in a comment that a person pushed to the branch. */
  humanCommits?: true;
}

const METADATA = /<!-- promoter: (\{.*?\}) -->/s;

/** The label of an environment's promotion PRs. */
export function environmentLabel(environment: string): string {
  return `promoter:${environment}`;
}

/** The environment a `promoter:<env>` label names, or undefined for other labels and the hold label. */
export function environmentOfLabel(label: string): string | undefined {
  if (!label.startsWith("promoter:") || label === HOLD_LABEL) return undefined;
  return label.slice("promoter:".length) || undefined;
}

/** `[promoter] <env>: <dependency-id> <from> → <to>`. */
export function pullRequestTitle(proposal: Proposal): string {
  return `[promoter] ${proposal.environment}: ${proposal.dependency} ${proposal.from.join(", ")} → ${proposal.to}`;
}

/** The metadata of a proposal, as written into its PR. */
export function metadataOf(proposal: Proposal): PromotionMetadata {
  return {
    v: 1,
    env: proposal.environment,
    dependency: proposal.dependency,
    from: proposal.from,
    to: proposal.to,
  };
}

/** The hidden comment that carries a PR's metadata. */
export function metadataComment(metadata: PromotionMetadata): string {
  return `<!-- promoter: ${JSON.stringify(metadata)} -->`;
}

/** Reads the metadata of one of the app's PRs; undefined for any other body. */
export function parseMetadata(body: string | null | undefined): PromotionMetadata | undefined {
  const match = body ? METADATA.exec(body) : null;
  if (!match?.[1]) return undefined;
  try {
    const data = JSON.parse(match[1]) as Partial<PromotionMetadata>;
    if (
      data.v !== 1 ||
      typeof data.env !== "string" ||
      typeof data.dependency !== "string" ||
      typeof data.to !== "string" ||
      !Array.isArray(data.from)
    ) {
      return undefined;
    }
    return data as PromotionMetadata;
  } catch {
    return undefined;
  }
}

/** Replaces the metadata comment of a body (or appends one). */
export function withMetadata(body: string, metadata: PromotionMetadata): string {
  const comment = metadataComment(metadata);
  // A function, so that `$` patterns in the metadata ($&, $$, $1) are not expanded as replacement patterns.
  return METADATA.test(body) ? body.replace(METADATA, () => comment) : `${body}\n\n${comment}`;
}

/** What a PR body says beyond the proposal: where the dependency is in every environment, and release notes. */
export interface BodyContext {
  config: Config;
  inventory: Inventory;
  /** Markdown of the release notes between the versions, already trimmed; empty when there are none. */
  releaseNotes: string;
}

function chainTable(proposal: Proposal, { config, inventory }: BodyContext): string {
  const rows = config.environments.map((environment, index) => {
    const versions =
      inventory.environments
        .find((e) => e.name === environment.name)
        ?.dependencies.find((d) => d.id === proposal.dependency)?.versions ?? [];
    const now = versions.length > 0 ? versions.map((v) => `\`${v}\``).join(", ") : "not used";
    let next = "";
    if (environment.name === proposal.environment)
      next = `→ \`${proposal.to}\` with this pull request`;
    else if (index === config.environments.findIndex((e) => e.name === proposal.environment) + 1) {
      next =
        environment.promotion === "manual"
          ? `after the merge: \`/promote ${environment.name}\``
          : "after the merge, a pull request opens here";
    }
    return `| ${environment.name} | ${now} | ${next} |`;
  });
  return ["| Environment | Version | |", "| --- | --- | --- |", ...rows].join("\n");
}

/** The body of a proposal's PR: the change, the chain, release notes, commands and the hidden metadata. */
export function pullRequestBody(proposal: Proposal, context: BodyContext): string {
  const verb = proposal.reason === "update" ? "updates" : "promotes";
  const origin =
    proposal.reason === "promotion"
      ? `, the version that runs in the environment before it`
      : ", a new version";
  const lines = [
    `Promoter ${verb} **${proposal.dependency}** in **${proposal.environment}** from ${proposal.from
      .map((v) => `\`${v}\``)
      .join(", ")} to \`${proposal.to}\`${origin}.`,
    "",
    "| File | Line | From | To |",
    "| --- | --- | --- | --- |",
    ...proposal.edits
      .slice(0, MAX_TABLE_ROWS)
      .map((e) => `| \`${e.file}\` | ${e.line ?? ""} | \`${e.before}\` | \`${e.after}\` |`),
    ...(proposal.edits.length > MAX_TABLE_ROWS
      ? [`| … and ${proposal.edits.length - MAX_TABLE_ROWS} more | | | |`]
      : []),
  ];
  if (proposal.untouched.length > 0) {
    lines.push("", "Left as they are:");
    for (const u of proposal.untouched) {
      lines.push(`- \`${u.file}\` line ${u.line}: ${u.notPromotable ?? "not editable"}`);
    }
  }
  lines.push("", "### Environments", "", chainTable(proposal, context));
  const commands = [
    "",
    "### Commands",
    "",
    "- `/promote <environment>` promotes this version to that environment now.",
    `- The label \`${HOLD_LABEL}\` keeps this version from being promoted further when this is merged.`,
    "- `/help` lists every command.",
    "",
    metadataComment(metadataOf(proposal)),
  ].join("\n");
  const head = lines.join("\n");
  const room = MAX_BODY_LENGTH - head.length - commands.length - 200;
  if (context.releaseNotes && room > 0) {
    // Never cut between the two halves of a surrogate pair (an emoji): a lone half is not valid text.
    const cut = isHighSurrogate(context.releaseNotes.charCodeAt(room - 1)) ? room - 1 : room;
    const notes =
      context.releaseNotes.length > room
        ? `${context.releaseNotes.slice(0, cut)}\n\n… (truncated)`
        : context.releaseNotes;
    return `${head}\n\n<details>\n<summary>Release notes</summary>\n\n${notes}\n\n</details>\n${commands}`;
  }
  return `${head}\n${commands}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
