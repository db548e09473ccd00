import { DEFAULT_CONFIG_FILE } from "../config/index.js";
import type { Inventory } from "../iac/types.js";
import { code, inlineMarkdown, plainText, tableCell } from "./markdown.js";
import type { Deferral } from "./plan.js";

/** GitHub's limit on a check run's summary and text. */
const MAX_OUTPUT = 65_535;

/** What happened to one proposal when the check wrote it. */
export interface WriteOutcome {
  key: string;
  environment: string;
  dependency: string;
  to: string;
  action: "created" | "updated" | "unchanged" | "failed" | "left-alone";
  pullRequest?: number;
  /** For failed and left-alone: why. */
  reason?: string;
}

/** One of the app's PRs a check closed because nothing proposes it any more. */
export interface ClosedPullRequest {
  environment: string;
  dependency: string;
  pullRequest: number;
  /** Markdown, every input in it escaped. */
  reason: string;
}

/** Everything a check found and did, for its check run. */
export interface CheckFindings {
  inventory: Inventory;
  outcomes: WriteOutcome[];
  /** The app's PRs it closed. */
  closed?: ClosedPullRequest[];
  deferred: Deferral[];
  /** Warnings that are not about one file: version listings, config globs that match nothing. */
  warnings: { subject: string; message: string }[];
  /** The number of the dashboard issue, when there is one. */
  dashboard?: number;
  /** The version matrix to show, as the dashboard renders it; else the inventory's versions alone. */
  matrix?: string;
}

/** A check run's conclusion and output. */
export interface CheckReport {
  conclusion: "success" | "failure" | "neutral";
  title: string;
  summary: string;
  text: string;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The output cut to GitHub's limit at the end of a line, so that no code span is left open. */
function clip(text: string): string {
  if (text.length <= MAX_OUTPUT) return text;
  const note = "\n\n… (cut: GitHub keeps at most 65,535 characters)";
  const head = text.slice(0, MAX_OUTPUT - note.length);
  const line = head.lastIndexOf("\n");
  return (line > 0 ? head.slice(0, line) : "") + note;
}

/** A dependency id or a version in a table cell. */
const codeCell = (text: string) => tableCell(code(text));

/** A reason that quotes input, with the reference to the app's own PR it names left live. */
function reasonText(reason: string, pullRequest?: number): string {
  const text = inlineMarkdown(reason);
  return pullRequest === undefined
    ? text
    : text.replace(new RegExp(`#\u200b${pullRequest}(?!\\d)`, "g"), `#${pullRequest}`);
}

/** The environment × dependency matrix of versions, in markdown. */
export function versionMatrix(inventory: Inventory): string {
  const ids = [
    ...new Set(inventory.environments.flatMap((e) => e.dependencies.map((d) => d.id))),
  ].sort();
  if (ids.length === 0) return "No versioned module dependency was found in the environments.";
  const header = `| Dependency | ${inventory.environments.map((e) => tableCell(plainText(e.name))).join(" | ")} |`;
  const rule = `| --- |${inventory.environments.map(() => " --- |").join("")}`;
  const rows = ids.map((id) => {
    const cells = inventory.environments.map((e) => {
      const versions = e.dependencies.find((d) => d.id === id)?.versions ?? [];
      return versions.length === 0 ? "—" : versions.map(codeCell).join(", ");
    });
    return `| ${codeCell(id)} | ${cells.join(" | ")} |`;
  });
  return [header, rule, ...rows].join("\n");
}

/** The check run of a completed check: what was opened or updated, the matrix, and everything held back. */
export function checkReport(findings: CheckFindings): CheckReport {
  const by = (action: WriteOutcome["action"]) =>
    findings.outcomes.filter((o) => o.action === action);
  const created = by("created");
  const updated = by("updated");
  const failed = by("failed");
  const leftAlone = by("left-alone");
  const closed = findings.closed ?? [];
  const { inventory } = findings;
  const fileWarnings = inventory.warnings.length + findings.warnings.length;

  const title =
    failed.length > 0
      ? `${plural(failed.length, "pull request")} could not be written`
      : created.length + updated.length + closed.length > 0
        ? [
            created.length > 0 ? `${plural(created.length, "pull request")} opened` : "",
            updated.length > 0 ? `${plural(updated.length, "pull request")} updated` : "",
            closed.length > 0 ? `${plural(closed.length, "pull request")} closed` : "",
          ]
            .filter(Boolean)
            .join(", ")
        : "Up to date";

  const pr = (o: WriteOutcome) =>
    `- ${plainText(o.environment)}: ${code(o.dependency)} → ${code(o.to)}${o.pullRequest ? ` (#${o.pullRequest})` : ""}${o.reason ? `: ${inlineMarkdown(o.reason)}` : ""}`;
  const summary: string[] = [];
  if (created.length > 0) summary.push("**Opened**", ...created.map(pr), "");
  if (updated.length > 0) summary.push("**Updated**", ...updated.map(pr), "");
  if (failed.length > 0)
    summary.push("**Failed** (retried at the next check)", ...failed.map(pr), "");
  if (leftAlone.length > 0) summary.push("**Left alone**", ...leftAlone.map(pr), "");
  if (closed.length > 0) {
    summary.push(
      "**Closed** (nothing proposes them any more)",
      ...closed.map(
        (c) =>
          `- ${plainText(c.environment)}: ${code(c.dependency)} (#${c.pullRequest}): ${c.reason}`,
      ),
      "",
    );
  }
  const unchanged = by("unchanged").length;
  if (unchanged > 0)
    summary.push(`${plural(unchanged, "open pull request")} already up to date.`, "");
  summary.push(
    `${plural(inventory.skipped.length, "usage")} not updatable, ${plural(fileWarnings, "warning")}.`,
  );
  if (findings.dashboard !== undefined)
    summary.push("", `Every environment's versions, and boxes that act: #${findings.dashboard}.`);

  const text: string[] = [
    "## Versions",
    "",
    findings.matrix ? findings.matrix : versionMatrix(inventory),
  ];
  if (findings.deferred.length > 0) {
    text.push("", "## Held back", "");
    for (const d of findings.deferred) {
      text.push(
        `- ${plainText(d.environment)}: ${code(d.dependency)}: ${reasonText(d.reason, d.pullRequest)}`,
      );
    }
  }
  if (inventory.skipped.length > 0) {
    text.push("", "## Not updatable", "");
    for (const s of inventory.skipped) {
      text.push(
        `- ${code(s.file)} line ${s.line}${s.id ? ` (${code(s.id)})` : ""}: ${inlineMarkdown(s.reason)}`,
      );
    }
  }
  if (fileWarnings > 0) {
    text.push("", "## Warnings", "");
    for (const w of inventory.warnings)
      text.push(`- ${code(w.file)}: ${inlineMarkdown(w.message)}`);
    for (const w of findings.warnings)
      text.push(`- ${code(w.subject)}: ${inlineMarkdown(w.message)}`);
  }
  return {
    conclusion: failed.length > 0 ? "neutral" : "success",
    title,
    summary: clip(summary.join("\n")),
    text: clip(text.join("\n")),
  };
}

/** The problems of files that the config puts in more than one environment, one a file. */
export function conflictProblems(
  conflicts: readonly { file: string; environments: readonly string[] }[],
): string[] {
  return conflicts.map(
    (c) => `${DEFAULT_CONFIG_FILE}: ${c.file} is in environments ${c.environments.join(" and ")}`,
  );
}

/** The check run of a config that cannot be used: every problem, with file, line and column. */
export function invalidConfigReport(problems: string[]): CheckReport {
  return {
    conclusion: "failure",
    title: `Invalid configuration: ${plural(problems.length, "problem")}`,
    summary: clip(
      [
        "Promoter did nothing: its configuration cannot be used. Fix these and push again:",
        "",
        ...problems.map((p) => `- ${inlineMarkdown(p)}`),
      ].join("\n"),
    ),
    text: "",
  };
}

/** `HH:MM` of `at`, in UTC. */
function utcTime(at: number): string {
  return new Date(at).toISOString().slice(11, 16);
}

/**
 * The check run of a check that waits for the installation's rate limit to reset (at `until`, ms since
 * the epoch): nothing was read or written, the check runs then.
 */
export function deferredCheckReport(until: number): CheckReport {
  return {
    conclusion: "neutral",
    title: `Deferred: rate limit until ${utcTime(until)} UTC`,
    summary: [
      `The installation has little of its GitHub API rate limit left: this check waits until ${utcTime(until)} UTC, when the limit resets, and runs then.`,
      "Merges and commands go on meanwhile.",
    ].join("\n\n"),
    text: "",
  };
}
