import type { Config } from "../config/index.js";
import type { Inventory, Usage } from "../iac/types.js";
import {
  code,
  defuseMarkdown,
  inlineMarkdown,
  plainText,
  singleLine,
  tableCell,
} from "./markdown.js";
import { PROMOTER_LABEL_PREFIX } from "./names.js";
import type { Deferral, Proposal } from "./plan.js";
import type { GroupProposal, PullRequestProposal } from "./groups.js";

/** GitHub refuses a pull request body longer than this. */
export const MAX_PULL_REQUEST_BODY = 65_536;

/** Files listed in a PR body; a larger change says how many more there are. */
const MAX_TABLE_ROWS = 300;

/** The label that stops a merged PR's version from being promoted further automatically. */
export const HOLD_LABEL = `${PROMOTER_LABEL_PREFIX}hold`;

/** What the app writes into its PRs' bodies, hidden, to know later what a PR carries. */
export interface PromotionMetadata {
  v: 1;
  env: string;
  dependency: string;
  from: string[];
  to: string;
  /** Set once the app has said in a comment that a person pushed to the branch. */
  humanCommits?: true;
  /** Set once the app has said that it would close the PR, but a person pushed to its branch. */
  obsolete?: true;
  /** The default branch's commit the app built its commit on, and when (ISO 8601). */
  base?: string;
  builtAt?: string;
}

/** One dependency a group's PR moves, as its metadata remembers it. */
export interface GroupMember {
  dependency: string;
  from: string[];
  to: string;
}

/** What the app writes into a group's PR: the group, and each member's versions. */
export interface GroupMetadata extends Omit<PromotionMetadata, "dependency" | "from" | "to"> {
  group: string;
  members: GroupMember[];
}

/** The metadata of one of the app's PRs: one dependency's, or a group's. */
export type PullRequestMetadata = PromotionMetadata | GroupMetadata;

/** Whether metadata is a group's PR's. */
export function isGroupMetadata(metadata: PullRequestMetadata): metadata is GroupMetadata {
  return "group" in metadata;
}

/** The default branch's commit a PR's commit is built on, and when it was built. */
export interface BuiltOn {
  sha: string;
  /** ISO 8601. */
  at: string;
}

const METADATA = /<!-- promoter: (\{.*?\}) -->/gs;

/** The last metadata comment of a body: the app writes its own last, after everything it copies in. */
function lastMetadataComment(body: string): RegExpExecArray | undefined {
  let last: RegExpExecArray | undefined;
  for (const match of body.matchAll(METADATA)) last = match;
  return last;
}

/** The label of an environment's promotion PRs. */
export function environmentLabel(environment: string): string {
  return `${PROMOTER_LABEL_PREFIX}${environment}`;
}

/** The environment a `promoter:<env>` label names, or undefined for other labels and the hold label. */
export function environmentOfLabel(label: string): string | undefined {
  if (!label.startsWith(PROMOTER_LABEL_PREFIX) || label === HOLD_LABEL) return undefined;
  return label.slice(PROMOTER_LABEL_PREFIX.length) || undefined;
}

/** `[promoter] <env>: <dependency-id> <from> → <to>`, on one line and within GitHub's limit. */
export function pullRequestTitle(proposal: Proposal): string {
  return singleLine(
    `[promoter] ${proposal.environment}: ${proposal.dependency} ${proposal.from.join(", ")} → ${proposal.to}`,
  );
}

/** The metadata of a proposal, as written into its PR (with the commit it is built on, when known). */
export function metadataOf(proposal: Proposal, builtOn?: BuiltOn): PromotionMetadata;
export function metadataOf(proposal: GroupProposal, builtOn?: BuiltOn): GroupMetadata;
export function metadataOf(proposal: PullRequestProposal, builtOn?: BuiltOn): PullRequestMetadata;
export function metadataOf(proposal: PullRequestProposal, builtOn?: BuiltOn): PullRequestMetadata {
  if ("members" in proposal) {
    return {
      v: 1,
      env: proposal.environment,
      group: proposal.group,
      members: proposal.members.map(({ dependency, from, to }) => ({ dependency, from, to })),
      ...(builtOn ? { base: builtOn.sha, builtAt: builtOn.at } : {}),
    };
  }
  return {
    v: 1,
    env: proposal.environment,
    dependency: proposal.dependency,
    from: proposal.from,
    to: proposal.to,
    ...(builtOn ? { base: builtOn.sha, builtAt: builtOn.at } : {}),
  };
}

/**
 * The hidden comment that carries a PR's metadata. `<`, `>` and `&` are JSON escapes in it, so that no
 * id or version can end the comment early or open another.
 */
export function metadataComment(metadata: PullRequestMetadata): string {
  const json = JSON.stringify(metadata).replace(
    /[<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `<!-- promoter: ${json} -->`;
}

/**
 * Reads the metadata of a body the app wrote: its last metadata comment. Only the app's own PRs
 * (by author and branch) carry metadata worth reading; the text the app copies into them cannot
 * hold a metadata comment. Undefined for any other body.
 */
export function parseMetadata(body: string | null | undefined): PullRequestMetadata | undefined {
  const match = body ? lastMetadataComment(body) : undefined;
  if (!match?.[1]) return undefined;
  try {
    const data = JSON.parse(match[1]) as Partial<PromotionMetadata & GroupMetadata>;
    if (
      data.v !== 1 ||
      typeof data.env !== "string" ||
      (data.base !== undefined && typeof data.base !== "string") ||
      (data.builtAt !== undefined && typeof data.builtAt !== "string")
    ) {
      return undefined;
    }
    if (data.group !== undefined) {
      if (typeof data.group !== "string" || !Array.isArray(data.members)) return undefined;
      if (!data.members.every(isMember) || data.dependency !== undefined) return undefined;
      return data as GroupMetadata;
    }
    return isMember(data) ? (data as PromotionMetadata) : undefined;
  } catch {
    return undefined;
  }
}

function isMember(data: unknown): data is GroupMember {
  const member = data as Partial<GroupMember> | null;
  return (
    typeof member?.dependency === "string" &&
    typeof member.to === "string" &&
    Array.isArray(member.from) &&
    member.from.every((v) => typeof v === "string")
  );
}

/** Replaces the metadata comment of a body, the one {@link parseMetadata} reads (or appends one). */
export function withMetadata(body: string, metadata: PullRequestMetadata): string {
  const comment = metadataComment(metadata);
  const match = lastMetadataComment(body);
  if (!match) return `${body}\n\n${comment}`;
  return body.slice(0, match.index) + comment + body.slice(match.index + match[0].length);
}

/** What a PR body says beyond the proposal: where the dependency is in every environment, and release notes. */
export interface BodyContext {
  config: Config;
  /** The repository the PR is written against: what each environment runs. */
  inventory: Inventory;
  /**
   * Markdown of the release notes between the versions, as the module's repository wrote them (the
   * body makes them safe); empty when there are none.
   */
  releaseNotes: string;
  /** The default branch's commit the PR's commit is built on, remembered in its metadata. */
  builtOn?: BuiltOn;
}

const TRUNCATED = "\n\n… (truncated)";

function versionsOf(inventory: Inventory, environment: string, dependency: string): string[] {
  return (
    inventory.environments
      .find((e) => e.name === environment)
      ?.dependencies.find((d) => d.id === dependency)?.versions ?? []
  );
}

/** A list of versions as code spans, for a table cell. */
const versionCells = (versions: readonly string[]) =>
  versions.map((v) => tableCell(code(v))).join(", ");

function chainTable(proposal: Proposal, { config, inventory }: BodyContext): string {
  const rows = config.environments.map((environment, index) => {
    const versions = versionsOf(inventory, environment.name, proposal.dependency);
    const now = versions.length > 0 ? versionCells(versions) : "not used";
    let next = "";
    if (environment.name === proposal.environment)
      next = `→ ${tableCell(code(proposal.to))} with this pull request`;
    else if (index === config.environments.findIndex((e) => e.name === proposal.environment) + 1) {
      next =
        environment.promotion === "manual"
          ? `after the merge: ${tableCell(code(`/promote ${environment.name}`))}`
          : "after the merge, a pull request opens here";
    }
    return `| ${tableCell(plainText(environment.name))} | ${now} | ${next} |`;
  });
  return ["| Environment | Version | |", "| --- | --- | --- |", ...rows].join("\n");
}

/** Why the PR brings this version, as far as the repository shows it. */
function origin(proposal: Proposal, { config, inventory }: BodyContext): string {
  if (proposal.reason === "update") return ", a new version";
  const index = config.environments.findIndex((e) => e.name === proposal.environment);
  const previous = config.environments[index - 1]?.name;
  if (previous === undefined) return "";
  const upstream = versionsOf(inventory, previous, proposal.dependency);
  if (upstream.length === 1 && upstream[0] === proposal.to)
    return ", the version that runs in the environment before it";
  const name = `**${plainText(previous)}**`;
  if (upstream.includes(proposal.to)) return `, one of the versions that run in ${name}`;
  return `, a version that ${name} does not run`;
}

/**
 * The release notes made safe and cut to `room` characters (a cut is marked), or undefined when
 * they do not fit at all. Defusing can lengthen the text, so the cut is made again until it fits.
 */
function fittedNotes(notes: string, room: number): string | undefined {
  let length = notes.length <= room ? notes.length : room - TRUNCATED.length;
  for (let attempt = 0; attempt < 6 && length > 0; attempt++) {
    // Never cut between the two halves of a surrogate pair (an emoji): a lone half is not valid text.
    const end = isHighSurrogate(notes.charCodeAt(length - 1)) ? length - 1 : length;
    const cut = length < notes.length ? `${notes.slice(0, end).trimEnd()}${TRUNCATED}` : notes;
    const fitted = defuseMarkdown(cut);
    if (fitted.length <= room) return fitted;
    length = Math.min(length - 1, length - (fitted.length - room) - TRUNCATED.length);
  }
  return undefined;
}

/**
 * The body of a proposal's PR: the change, the chain, release notes, commands and the hidden metadata.
 * Every text it did not write is escaped: ids, versions, paths and names are code spans or plain
 * text, the release notes keep their markdown but no HTML, mention or reference; the metadata comment
 * it ends with is the only one.
 */
export function pullRequestBody(proposal: Proposal, context: BodyContext): string {
  const verb = proposal.reason === "update" ? "updates" : "promotes";
  const lines = [
    `Promoter ${verb} ${code(proposal.dependency)} in **${plainText(proposal.environment)}** from ${proposal.from
      .map(code)
      .join(", ")} to ${code(proposal.to)}${origin(proposal, context)}.`,
    "",
    "| File | Line | From | To |",
    "| --- | --- | --- | --- |",
    ...proposal.edits
      .slice(0, MAX_TABLE_ROWS)
      .map(
        (e) =>
          `| ${tableCell(code(e.file))} | ${e.line ?? ""} | ${tableCell(code(e.before))} | ${tableCell(code(e.after))} |`,
      ),
    ...(proposal.edits.length > MAX_TABLE_ROWS
      ? [`| … and ${proposal.edits.length - MAX_TABLE_ROWS} more | | | |`]
      : []),
  ];
  lines.push(...untouchedLines(proposal.untouched), ...verifiedLines([proposal]));
  lines.push("", "### Environments", "", chainTable(proposal, context));
  const commands = commandsSection(
    "- `/promote <environment>` promotes this version to that environment now.",
    "this version",
    metadataOf(proposal, context.builtOn),
  );
  const head = lines.join("\n");
  const room = MAX_PULL_REQUEST_BODY - head.length - commands.length - 200;
  const notes = context.releaseNotes ? fittedNotes(context.releaseNotes, room) : undefined;
  if (notes !== undefined) {
    return `${head}\n\n<details>\n<summary>Release notes</summary>\n\n${notes}\n\n</details>\n${commands}`;
  }
  return `${head}\n${commands}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** `[promoter] <env>: <group> (<id> <to>, …)`, on one line and within GitHub's limit. */
export function groupPullRequestTitle(proposal: GroupProposal): string {
  const members = proposal.members.map((m) => `${m.dependency} ${m.to}`).join(", ");
  return singleLine(`[promoter] ${proposal.environment}: ${proposal.group} (${members})`);
}

/** The title of a proposal's PR, a dependency's or a group's. */
export function titleOf(proposal: PullRequestProposal): string {
  return "members" in proposal ? groupPullRequestTitle(proposal) : pullRequestTitle(proposal);
}

/** What a group's PR body says beyond the proposal. */
export interface GroupBodyContext extends Omit<BodyContext, "releaseNotes"> {
  /** Each member's release notes (markdown as the module's repository wrote it), when it has some. */
  releaseNotes: { dependency: string; notes: string }[];
  /** The group's members in the environment this PR does not move, and why. */
  heldBack: readonly Deferral[];
}

/**
 * The body of a group's PR: each member's change (with where it comes from), the files, the members it
 * does not move and why, the chain, each member's release notes, commands and the hidden metadata.
 * Every text it did not write is escaped, as in {@link pullRequestBody}.
 */
export function groupPullRequestBody(proposal: GroupProposal, context: GroupBodyContext): string {
  const verb = proposal.reason === "update" ? "updates" : "promotes";
  const lines = [
    `Promoter ${verb} the group ${code(proposal.group)} in **${plainText(proposal.environment)}**: each dependency to exactly the version below.`,
    "",
    "| Dependency | From | To | |",
    "| --- | --- | --- | --- |",
    ...proposal.members.map(
      (m) =>
        `| ${tableCell(code(m.dependency))} | ${versionCells(m.from)} | ${tableCell(code(m.to))} | ${tableCell(origin(m, { ...context, releaseNotes: "" }).replace(/^, /, ""))} |`,
    ),
  ];
  if (context.heldBack.length > 0) {
    lines.push("", "Not moved by this pull request:");
    for (const d of context.heldBack)
      lines.push(`- ${code(d.dependency)}: ${inlineMarkdown(d.reason)}`);
  }
  const edits = proposal.members.flatMap((m) => m.edits.map((e) => ({ ...e, id: m.dependency })));
  lines.push(
    "",
    "| File | Line | Dependency | From | To |",
    "| --- | --- | --- | --- | --- |",
    ...edits
      .slice(0, MAX_TABLE_ROWS)
      .map(
        (e) =>
          `| ${tableCell(code(e.file))} | ${e.line ?? ""} | ${tableCell(code(e.id))} | ${tableCell(code(e.before))} | ${tableCell(code(e.after))} |`,
      ),
    ...(edits.length > MAX_TABLE_ROWS
      ? [`| … and ${edits.length - MAX_TABLE_ROWS} more | | | | |`]
      : []),
  );
  lines.push(
    ...untouchedLines(proposal.members.flatMap((m) => m.untouched)),
    ...verifiedLines(proposal.members),
  );
  lines.push("", "### Environments", "", groupChainTable(proposal, context));
  const commands = commandsSection(
    "- `/promote <environment> <dependency-id>` promotes one of these versions to that environment now.",
    "these versions",
    metadataOf(proposal, context.builtOn),
  );
  const head = lines.join("\n");
  const withNotes = context.releaseNotes.filter((n) => n.notes !== "");
  let room = MAX_PULL_REQUEST_BODY - head.length - commands.length - 200;
  const sections: string[] = [];
  withNotes.forEach(({ dependency, notes }, index) => {
    const summary = `<summary>Release notes: ${code(dependency)}</summary>`;
    const share = Math.floor(room / (withNotes.length - index)) - summary.length - 40;
    const fitted = share > 0 ? fittedNotes(notes, share) : undefined;
    if (fitted === undefined) return;
    const section = `<details>\n${summary}\n\n${fitted}\n\n</details>`;
    sections.push(section);
    room -= section.length + 2;
  });
  return sections.length > 0
    ? `${head}\n\n${sections.join("\n\n")}\n${commands}`
    : `${head}\n${commands}`;
}

/** The chain for a group: a column per member, and what happens in each environment. */
function groupChainTable(proposal: GroupProposal, { config, inventory }: GroupBodyContext): string {
  const index = config.environments.findIndex((e) => e.name === proposal.environment);
  const rows = config.environments.map((environment, i) => {
    const cells = proposal.members.map((m) => {
      const versions = versionsOf(inventory, environment.name, m.dependency);
      const now = versions.length > 0 ? versionCells(versions) : "not used";
      return environment.name === proposal.environment ? `${now} → ${tableCell(code(m.to))}` : now;
    });
    let next = "";
    if (i === index) next = "with this pull request";
    else if (i === index + 1) {
      next =
        environment.promotion === "manual"
          ? `after the merge: ${tableCell(code(`/promote ${environment.name} <dependency-id>`))}`
          : "after the merge, the group's pull request opens here";
    }
    return `| ${tableCell(plainText(environment.name))} | ${cells.join(" | ")} | ${next} |`;
  });
  const header = proposal.members.map((m) => tableCell(code(m.dependency))).join(" | ");
  const rule = proposal.members.map(() => "---").join(" | ");
  return [`| Environment | ${header} | |`, `| --- | ${rule} | --- |`, ...rows].join("\n");
}

/** What the environment before showed of each promoted version (its `verify` evidence), as a section. */
function verifiedLines(proposals: readonly Proposal[]): string[] {
  const verified = proposals.filter((p) => p.verified !== undefined);
  if (verified.length === 0) return [];
  const lines = ["", `### Verified in ${plainText(verified[0]?.verified?.environment ?? "")}`, ""];
  for (const p of verified) {
    const who = proposals.length > 1 ? `${code(p.dependency)}: ` : "";
    for (const line of p.verified?.evidence ?? []) lines.push(`- ${who}${inlineMarkdown(line)}`);
  }
  return lines;
}

/** The usages a PR leaves as they are, and why, as a list. */
function untouchedLines(untouched: readonly Usage[]): string[] {
  if (untouched.length === 0) return [];
  return [
    "",
    "Left as they are:",
    ...untouched.map(
      (u) =>
        `- ${code(u.file)} line ${u.line}: ${inlineMarkdown(u.notPromotable ?? "not editable")}`,
    ),
  ];
}

/** A PR body's commands, and the hidden metadata it ends with. */
function commandsSection(promote: string, what: string, metadata: PullRequestMetadata): string {
  return [
    "",
    "### Commands",
    "",
    promote,
    `- The label \`${HOLD_LABEL}\` keeps ${what} from being promoted further when this is merged.`,
    "- `/help` lists every command.",
    "",
    metadataComment(metadata),
  ].join("\n");
}
