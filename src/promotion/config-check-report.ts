/** The check run of a pull request that changes `.github/promoter.yml`: the new config, checked, not obeyed. */
import { DEFAULT_CONFIG_FILE } from "../config/index.js";
import type { Config, ConfigProblem } from "../config/index.js";
import type { CheckReport } from "./check-report.js";
import type { ConfigChange } from "./config-diff.js";
import { code, inlineMarkdown, tableCell } from "./markdown.js";

/** A problem shown on the line of the file it is about, in the pull request's diff. */
export interface ConfigAnnotation {
  path: string;
  line: number;
  column: number;
  /** Plain text: GitHub does not render an annotation's message. */
  message: string;
}

/** What the pull request's head holds at `.github/promoter.yml`, read and validated. */
export type PullRequestConfig =
  | { kind: "invalid"; errors: ConfigProblem[]; warnings: ConfigProblem[] }
  | {
      kind: "valid";
      config: Config;
      warnings: ConfigProblem[];
      /** The base branch's config: none, one that does not validate, or the changes from it. */
      base: { kind: "none" } | { kind: "invalid" } | { kind: "valid"; changes: ConfigChange[] };
    }
  | { kind: "removed" };

/** The check run's content, with the annotations of an invalid config. */
export interface ConfigCheckReport extends CheckReport {
  annotations: ConfigAnnotation[];
}

const NOT_OBEYED =
  "This pull request is only checked: Promoter does nothing with this config until it is merged.";

/** The `promoter` check run of a pull request that changes the config. */
export function configCheckReport(result: PullRequestConfig): ConfigCheckReport {
  const file = code(DEFAULT_CONFIG_FILE);
  if (result.kind === "removed") {
    return {
      conclusion: "neutral",
      title: `${DEFAULT_CONFIG_FILE} removed`,
      summary: `This pull request removes ${file}: once it is merged, Promoter opens no pull request in this repository and reports the config as missing.`,
      text: "",
      annotations: [],
    };
  }
  if (result.kind === "invalid") {
    return {
      conclusion: "failure",
      title: `Invalid ${DEFAULT_CONFIG_FILE}: ${plural(result.errors.length, "problem")}`,
      summary: [
        `${file} of this pull request cannot be used: merged as it is, Promoter would do nothing in this repository until it is fixed. Fix these and push again:`,
        "",
        ...result.errors.map(problemItem),
        ...warningsSection(result.warnings),
        "",
        NOT_OBEYED,
      ].join("\n"),
      text: "",
      annotations: result.errors.map((p) => ({
        path: p.file,
        line: p.line,
        column: p.column,
        message: p.path ? `${p.path}: ${p.message}` : p.message,
      })),
    };
  }
  const changes = result.base.kind === "valid" ? result.base.changes : [];
  const title =
    result.base.kind === "valid"
      ? `Valid ${DEFAULT_CONFIG_FILE}: ${changes.length === 0 ? "no change" : plural(changes.length, "change")}`
      : `Valid ${DEFAULT_CONFIG_FILE}: ${plural(result.config.environments.length, "environment")}`;
  return {
    conclusion: "success",
    title,
    summary: [
      `${file} of this pull request is valid. Promoter would promote through ${chain(result.config)}.`,
      "",
      "### What would change",
      "",
      ...changeSection(result),
      "",
      "### Environments",
      "",
      ...environmentTable(result.config),
      ...warningsSection(result.warnings),
      "",
      NOT_OBEYED,
    ].join("\n"),
    text: "",
    annotations: [],
  };
}

function changeSection(result: Extract<PullRequestConfig, { kind: "valid" }>): string[] {
  if (result.base.kind === "none") {
    return ["The base branch has no config: merging this one sets Promoter up in this repository."];
  }
  if (result.base.kind === "invalid") {
    return [
      "The base branch's config is invalid (Promoter does nothing there now): merging this one replaces it.",
    ];
  }
  if (result.base.changes.length === 0) {
    return ["Nothing: this config means the same as the base branch's."];
  }
  return result.base.changes.map((change) => `- ${describeChange(change)}`);
}

function describeChange(change: ConfigChange): string {
  switch (change.kind) {
    case "environment-added":
      return `Adds environment ${code(change.environment)} (${ordinal(change.position + 1)} in the chain).`;
    case "environment-removed":
      return `Removes environment ${code(change.environment)}: its open pull requests are closed as obsolete.`;
    case "reordered":
      return `Reorders the chain: ${names(change.before)} becomes ${names(change.after)}.`;
    case "promotion":
      return `${code(change.environment)}: promotion ${code(change.before)} → ${code(change.after)}${
        change.first
          ? " (ignored: the first environment is updated on the schedule and on new releases)"
          : change.after === "manual"
            ? " (waits for `/promote`)"
            : " (opened when the previous environment's pull request is merged)"
      }.`;
    case "promoters":
      return `${code(change.environment)}: who may promote, ${promoters(change.before)} → ${promoters(change.after)}.`;
    case "paths":
      return `${code(change.environment)}: its \`paths\` or \`exclude\` change which files belong to it.`;
    case "setting":
      return `${code(change.key)}: ${value(change.before)} → ${value(change.after)}.`;
  }
}

function environmentTable(config: Config): string[] {
  return [
    "| Environment | Promotion | Who may promote |",
    "| --- | --- | --- |",
    ...config.environments.map((env, i) =>
      [
        "",
        tableCell(code(env.name)),
        i === 0 ? "first: new releases, schedule" : env.promotion === "manual" ? "manual" : "auto",
        tableCell(promoters(env.promoters)),
        "",
      ]
        .join(" | ")
        .trim(),
    ),
  ];
}

function warningsSection(warnings: readonly ConfigProblem[]): string[] {
  if (warnings.length === 0) return [];
  return ["", "### Warnings", "", ...warnings.map(problemItem)];
}

/** A problem as a list item: its position and path as code, its message without mention or HTML. */
function problemItem(p: ConfigProblem): string {
  const where = code(`${p.file}:${p.line}:${p.column}`);
  const path = p.path ? ` ${code(p.path)}` : "";
  return `- ${where}${path}: ${inlineMarkdown(p.message)}`;
}

function chain(config: Config): string {
  return names(config.environments.map((e) => e.name));
}

function names(list: readonly string[]): string {
  return list.map((n) => code(n)).join(" → ");
}

function promoters(list: readonly string[] | undefined): string {
  return list === undefined ? "anyone with write access" : list.map((p) => code(p)).join(", ");
}

/** Longer values are cut: the config file itself shows them in full. */
function value(v: unknown): string {
  const text = JSON.stringify(v) ?? "unset";
  return code(text.length <= 80 ? text : `${text.slice(0, 79)}…`);
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

function plural(count: number, one: string): string {
  return `${count} ${count === 1 ? one : `${one}s`}`;
}
