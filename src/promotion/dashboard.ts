/**
 * The promotion dashboard: one issue per repository that shows every environment's version of every
 * dependency, what waits and why, and checkboxes that act (`- [ ] promote <id> <version> to <env>`,
 * `- [ ] check now`). Pure: the check reads and writes, this renders the body and reads ticks back.
 */
import type { SemVer } from "semver";
import { DEFAULT_CONFIG_FILE, DEFAULT_DASHBOARD_TITLE, type Config } from "../config/index.js";
import type { Inventory } from "../iac/types.js";
import { isVersionOf } from "../versions/version-shape.js";
import { parseVersionTag } from "../versions/strategies.js";
import type { WriteOutcome } from "./check-report.js";
import { isDependencyId } from "./commands.js";
import { code, inlineMarkdown, plainText, singleLine, tableCell } from "./markdown.js";
import { tagPrefixFor, type Deferral, type PromotionPullRequest } from "./plan.js";
import { versionKey } from "./release-age.js";

/** The first line of every dashboard body: how the app finds its issue again. */
export const DASHBOARD_MARKER = "<!-- promoter:dashboard -->";
/** Opens and closes the part of the body whose checkboxes act. */
const ACTIONS_START = "<!-- promoter:actions -->";
const ACTIONS_END = "<!-- /promoter:actions -->";

/** GitHub's limit on an issue body, in characters. */
export const MAX_DASHBOARD_LENGTH = 65_536;

/** The checkbox that queues a check. */
const CHECK_NOW = "check now";

/** The dashboard issue's title, or undefined when the config turns the dashboard off. */
export function dashboardTitle(config: Pick<Config, "dashboard">): string | undefined {
  if (config.dashboard === false) return undefined;
  return singleLine(config.dashboard === true ? DEFAULT_DASHBOARD_TITLE : config.dashboard.title);
}

/** Everything a check knows that the dashboard shows. */
export interface DashboardFacts {
  inventory: Inventory;
  config: Config;
  /** The versions available per dependency id (those listed for the check). */
  versions: ReadonlyMap<string, readonly string[]>;
  /** The app's promotion PRs (open ones are linked). */
  promotions: readonly PromotionPullRequest[];
  /** What the check wrote: PRs it opened or updated are linked too. */
  outcomes?: readonly WriteOutcome[];
  /** What the plan held back, and why. */
  deferred: readonly Deferral[];
  /** Warnings that are not about one file. */
  warnings?: readonly { subject: string; message: string }[];
  /** Versions' release dates (ISO 8601) by {@link versionKey}, where known. */
  releaseDates?: ReadonlyMap<string, string | undefined>;
  /** The time of the rendering (ms since the epoch): how long an environment has been behind. */
  now?: number;
  /** The latest time (ms since the epoch) the next check runs by: the schedule's, or a soak's end. */
  nextCheckBy?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A date and time of GitHub's (or ours) as `2026-12-04 10:30 UTC`; undefined when it is not one. */
function utcMinute(at: string | number | undefined): string | undefined {
  if (at === undefined) return undefined;
  const time = typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(time)) return undefined;
  return `${new Date(time).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A release date as `2026-12-04`; undefined when it is not one. */
function day(at: string | undefined): string | undefined {
  return utcMinute(at)?.slice(0, 10);
}

/** An open PR of one environment of one dependency. */
interface OpenPullRequest {
  number: number;
  to: string;
}

/** A list of the body that may be cut short to fit: its items, and what each is. */
interface Section {
  heading: string;
  items: string[];
  /** Folded into `<details>` (with the count in its summary) beyond this many items. */
  foldAbove?: number;
}

const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

/** The open PRs by `env\u0000dependency`: those the check wrote, else those it listed. */
function openPullRequests(facts: DashboardFacts): Map<string, OpenPullRequest> {
  const open = new Map<string, OpenPullRequest>();
  for (const pr of facts.promotions) {
    if (pr.state === "open")
      open.set(`${pr.environment}\u0000${pr.dependency}`, { number: pr.number, to: pr.to });
  }
  for (const o of facts.outcomes ?? []) {
    if (o.pullRequest !== undefined && o.action !== "failed" && o.action !== "left-alone")
      open.set(`${o.environment}\u0000${o.dependency}`, { number: o.pullRequest, to: o.to });
  }
  return open;
}

/** The highest of `versions` that parse with the prefix, as written. */
function highest(
  versions: readonly string[],
  parse: (v: string) => SemVer | undefined,
): string | undefined {
  let best: { text: string; parsed: SemVer } | undefined;
  for (const text of versions) {
    const parsed = parse(text);
    if (parsed && (!best || parsed.compare(best.parsed) > 0)) best = { text, parsed };
  }
  return best?.text;
}

/** How one dependency stands in one environment, relative to the one before it. */
interface Standing {
  versions: string[];
  /** The version it is behind of (the environment before's, or the newest for the first). */
  behind?: string;
  /** How many available versions it is behind, when the listing knows them. */
  lag?: number;
  /** Newer than the environment before it runs (a person's change, or `allowSkipping`). */
  ahead?: boolean;
  /**
   * Since when it has lacked `behind` (ISO 8601): for the first environment that version's release,
   * for a later one the merge of the app's PR that brought it to the environment before, else its release.
   */
  since?: string;
}

/** When the app's PR that brought `version` of `dependency` to `environment` was merged (the latest such). */
function mergedInto(
  facts: DashboardFacts,
  environment: string,
  dependency: string,
  version: string,
): string | undefined {
  let latest: string | undefined;
  for (const pr of facts.promotions) {
    if (pr.state !== "merged" || pr.mergedAt === undefined) continue;
    if (pr.environment !== environment || pr.dependency !== dependency || pr.to !== version)
      continue;
    if (latest === undefined || Date.parse(pr.mergedAt) > Date.parse(latest)) latest = pr.mergedAt;
  }
  return latest;
}

/**
 * A dependency's row: the newest available version and each environment's standing. The first
 * environment that uses it is compared with the newest version, each later one with the one before.
 */
function standings(
  facts: DashboardFacts,
  id: string,
  parse: (v: string) => SemVer | undefined,
): { newest?: string; byEnvironment: (Standing | undefined)[] } {
  const { inventory, config } = facts;
  const available = (facts.versions.get(id) ?? []).filter((v) => {
    const parsed = parse(v);
    return parsed !== undefined && (config.updates.prerelease || parsed.prerelease.length === 0);
  });
  const newest = highest(available, parse);
  let used = false;
  let previous: { environment: string; version?: string } | undefined;
  const byEnvironment = inventory.environments.map((env): Standing | undefined => {
    const versions = env.dependencies.find((d) => d.id === id)?.versions;
    // The chain starts at the first environment that uses it: that one is compared with the newest.
    const before = used ? previous : undefined;
    const reference = used ? previous?.version : newest;
    previous = undefined;
    if (!versions || versions.length === 0) return undefined;
    const againstPrevious = used;
    used = true;
    const current = highest(versions, parse);
    previous = { environment: env.name, ...(current === undefined ? {} : { version: current }) };
    const standing: Standing = { versions };
    const ref = reference === undefined ? undefined : parse(reference);
    const mine = current === undefined ? undefined : parse(current);
    if (ref && mine && ref.compare(mine) > 0 && reference !== undefined) {
      standing.behind = reference;
      const since =
        (before && mergedInto(facts, before.environment, id, reference)) ??
        facts.releaseDates?.get(versionKey(id, reference));
      if (since !== undefined && Number.isFinite(Date.parse(since))) standing.since = since;
      const between = available.filter((v) => {
        const p = parse(v);
        return p !== undefined && p.compare(mine) > 0 && p.compare(ref) <= 0;
      });
      if (between.length > 0) standing.lag = between.length;
    } else if (againstPrevious && ref && mine && ref.compare(mine) < 0) standing.ahead = true;
    return standing;
  });
  return { ...(newest === undefined ? {} : { newest }), byEnvironment };
}

/** How long since `since`, in whole days: "for 3 days", "for less than a day". */
function forDays(since: string, now: number): string {
  const days = Math.floor((now - Date.parse(since)) / DAY_MS);
  return days < 1 ? "for less than a day" : `for ${plural(days, "day")}`;
}

/** A version (or versions) in a table cell: code spans, bold with its lag (versions, days) when behind. */
function standingCell(
  standing: Standing | undefined,
  pr: OpenPullRequest | undefined,
  now: number | undefined,
): string {
  if (!standing) return "—";
  const versions = standing.versions.map((v) => tableCell(code(v))).join(", ");
  const days =
    standing.since === undefined || now === undefined ? "" : ` ${forDays(standing.since, now)}`;
  const lag =
    standing.behind === undefined
      ? ""
      : ` ⚠️ ${standing.lag === undefined ? "behind" : `${plural(standing.lag, "version")} behind`}${days}`;
  const text =
    standing.behind !== undefined
      ? `**${versions}**${lag}`
      : standing.ahead
        ? `${versions} ⬆️ ahead`
        : versions;
  return pr ? `${text} · #${pr.number} → ${tableCell(code(pr.to))}` : text;
}

/** A checkbox line the dashboard writes, unticked. */
function promoteLine(dependency: string, version: string, environment: string): string {
  return `- [ ] promote ${code(dependency)} ${code(version)} to ${environment}`;
}

/**
 * The versions a person could promote by hand: per environment, the version the one before runs
 * (for the first, the newest available) when newer than its own and no open PR carries it. Only ids
 * and versions the app would accept in a command, and environment names as the config spells them.
 */
function promotable(
  facts: DashboardFacts,
  ids: readonly string[],
  open: ReadonlyMap<string, OpenPullRequest>,
): string[] {
  const prefixOf = tagPrefixFor(facts.config);
  const names = new Set(facts.config.environments.map((e) => e.name));
  const lines: string[] = [];
  for (const id of ids) {
    if (!isDependencyId(id)) continue;
    const prefix = prefixOf(id);
    const parse = (v: string) => parseVersionTag(v, prefix)?.version;
    const { byEnvironment } = standings(facts, id, parse);
    facts.inventory.environments.forEach((env, index) => {
      const standing = byEnvironment[index];
      const version = standing?.behind;
      if (!standing || version === undefined || !names.has(env.name)) return;
      if (!isVersionOf(version, prefix)) return;
      // Only what ran in the environment before, as one version (several disagree and wait).
      const upstream = facts.inventory.environments[index - 1]?.dependencies.find(
        (d) => d.id === id,
      )?.versions;
      if (index > 0 && upstream?.length !== 1) return;
      if (open.get(`${env.name}\u0000${id}`)?.to === version) return;
      lines.push(promoteLine(id, version, env.name));
    });
  }
  return lines;
}

/** The rendered lines of a section, at most `cap` items, then "… and N more". */
function sectionLines(section: Section, cap: number): string[] {
  if (section.items.length === 0) return [];
  const shown = section.items.slice(0, cap);
  const rest = section.items.length - shown.length;
  const items = rest > 0 ? [...shown, `- … and ${rest} more`] : shown;
  if (section.foldAbove !== undefined && section.items.length > section.foldAbove) {
    return [
      `## ${section.heading}`,
      "",
      "<details>",
      `<summary>${plural(section.items.length, "item")}</summary>`,
      "",
      ...items,
      "",
      "</details>",
      "",
    ];
  }
  return [`## ${section.heading}`, "", ...items, ""];
}

/** The table of versions, at most `cap` rows. */
function tableLines(rows: readonly string[], header: string[], cap: number): string[] {
  if (rows.length === 0)
    return ["No versioned module dependency was found in the environments.", ""];
  const shown = rows.slice(0, cap);
  const rest = rows.length - shown.length;
  const table = [...header, ...shown];
  const fold = rows.length > 30;
  return [
    "## Versions",
    "",
    ...(fold
      ? [
          "<details open>",
          `<summary>${plural(rows.length, "dependency", "dependencies")}</summary>`,
          "",
        ]
      : []),
    ...table,
    ...(rest > 0 ? ["", `… and ${rest} more`] : []),
    ...(fold ? ["", "</details>"] : []),
    "",
  ];
}

/**
 * The versions whose release date the dashboard shows or counts from: each dependency's newest, and
 * each version an environment is behind of. Pure: the check reads their dates.
 */
export function versionsToDate(
  facts: Pick<DashboardFacts, "inventory" | "config" | "versions" | "promotions">,
): { dependency: string; to: string }[] {
  const prefixOf = tagPrefixFor(facts.config);
  const ids = new Set(facts.inventory.environments.flatMap((e) => e.dependencies.map((d) => d.id)));
  const wanted = new Map<string, { dependency: string; to: string }>();
  for (const id of ids) {
    const prefix = prefixOf(id);
    const { newest, byEnvironment } = standings(
      { ...facts, deferred: [] },
      id,
      (v) => parseVersionTag(v, prefix)?.version,
    );
    for (const version of [newest, ...byEnvironment.map((s) => s?.behind)])
      if (version !== undefined)
        wanted.set(versionKey(id, version), { dependency: id, to: version });
  }
  return [...wanted.values()];
}

/** The version matrix: a header and one row per dependency, with the ids and the open PRs. */
function matrix(facts: DashboardFacts) {
  const { inventory, config } = facts;
  const prefixOf = tagPrefixFor(config);
  const ids = [
    ...new Set(inventory.environments.flatMap((e) => e.dependencies.map((d) => d.id))),
  ].sort();
  const open = openPullRequests(facts);
  const names = inventory.environments.map((e) => e.name);
  const header = [
    `| Dependency | Newest | ${names.map((n) => tableCell(plainText(n))).join(" | ")} |`,
    `| --- | --- |${names.map(() => " --- |").join("")}`,
  ];
  const rows = ids.map((id) => {
    const prefix = prefixOf(id);
    const { newest, byEnvironment } = standings(
      facts,
      id,
      (v) => parseVersionTag(v, prefix)?.version,
    );
    const cells = byEnvironment.map((s, i) =>
      standingCell(s, open.get(`${names[i]}\u0000${id}`), facts.now),
    );
    const released =
      newest === undefined ? undefined : day(facts.releaseDates?.get(versionKey(id, newest)));
    const newestCell =
      newest === undefined
        ? "?"
        : `${tableCell(code(newest))}${released === undefined ? "" : ` (${released})`}`;
    return `| ${tableCell(code(id))} | ${newestCell} | ${cells.join(" | ")} |`;
  });
  return { ids, open, header, rows };
}

/**
 * The dashboard's version matrix alone (newest available, each environment's version, how far
 * behind, the open PRs), for the check run; empty when no dependency was found.
 */
export function versionTable(facts: DashboardFacts): string {
  const { header, rows } = matrix(facts);
  return rows.length === 0 ? "" : [...header, ...rows].join("\n");
}

/** What a merge's follow-up or a command changed since the check whose facts the dashboard shows. */
export interface DashboardChange {
  /** The repository as the follow-up or command read it. */
  inventory: Inventory;
  /** What it wrote. */
  outcomes: readonly WriteOutcome[];
  /** The app's PRs merged since (their versions' lag counts from now). */
  merged?: readonly PromotionPullRequest[];
  /** What waits now, and why. */
  deferred?: readonly Deferral[];
  now: number;
}

/**
 * The last check's facts with a later change applied: the inventory read since, its writes linked,
 * the merges it followed up; what waited for a dependency in an environment the change touched gives
 * way to what the change says.
 */
export function dashboardFactsAfter(
  facts: DashboardFacts,
  change: DashboardChange,
): DashboardFacts {
  const touched = new Set(
    [...change.outcomes, ...(change.merged ?? []), ...(change.deferred ?? [])].map(
      (c) => `${c.environment}\u0000${c.dependency}`,
    ),
  );
  return {
    ...facts,
    inventory: change.inventory,
    outcomes: [...(facts.outcomes ?? []), ...change.outcomes],
    promotions: [
      ...(change.merged ?? []),
      ...facts.promotions.filter((p) => !change.merged?.some((m) => m.number === p.number)),
    ],
    deferred: [
      ...facts.deferred.filter((d) => !touched.has(`${d.environment}\u0000${d.dependency}`)),
      ...(change.deferred ?? []),
    ],
    now: change.now,
  };
}

/** Caps tried in turn until the body fits GitHub's limit. */
const CAPS = [Infinity, 500, 200, 100, 50, 20, 10, 5, 0];

/**
 * The dashboard issue's body: the marker, the version matrix (newest available, each environment's
 * version, lagging ones in bold with how many versions behind, the open PR of each), what waits and
 * why, the checkboxes that promote by hand and check now, then not-updatable usages and warnings.
 * Every id, version, path and message is escaped; under {@link MAX_DASHBOARD_LENGTH} characters,
 * long lists end in "… and N more".
 */
export function renderDashboard(facts: DashboardFacts): string {
  const { inventory, config } = facts;
  const { ids, open, header, rows } = matrix(facts);
  const waiting: Section = {
    heading: "Waiting",
    items: facts.deferred.map(
      (d) => `- ${plainText(d.environment)}: ${code(d.dependency)}: ${inlineMarkdown(d.reason)}`,
    ),
    foldAbove: 20,
  };
  const actions: Section = {
    heading: "Promote by hand",
    items: promotable(facts, ids, open),
    foldAbove: 20,
  };
  const skipped: Section = {
    heading: "Not updatable",
    items: inventory.skipped.map(
      (s) =>
        `- ${code(s.file)} line ${s.line}${s.id ? ` (${code(s.id)})` : ""}: ${inlineMarkdown(s.reason)}`,
    ),
    foldAbove: 0,
  };
  const warnings: Section = {
    heading: "Warnings",
    items: [
      ...inventory.warnings.map((w) => `- ${code(w.file)}: ${inlineMarkdown(w.message)}`),
      ...(facts.warnings ?? []).map((w) => `- ${code(w.subject)}: ${inlineMarkdown(w.message)}`),
    ],
    foldAbove: 0,
  };
  const intro = [
    DASHBOARD_MARKER,
    `Promoter keeps this issue current: it is rewritten after every check (${code(config.updates.schedule)}, and at every module release). Tick a box to act; the answer comes as a comment.`,
    "",
  ];
  const next = utcMinute(facts.nextCheckBy);
  const outro = [
    ...(next === undefined ? [] : [`Next check: by ${next}.`, ""]),
    ACTIONS_START,
    `- [ ] ${CHECK_NOW}`,
    ACTIONS_END,
    "",
  ];
  let body = "";
  for (const cap of CAPS) {
    const actionLines = sectionLines(actions, cap);
    body = [
      ...intro,
      ...tableLines(rows, header, cap),
      ...sectionLines(waiting, cap),
      ...(actionLines.length > 0 ? [ACTIONS_START, ...actionLines, ACTIONS_END, ""] : []),
      ...sectionLines(skipped, cap),
      ...sectionLines(warnings, cap),
      ...outro,
    ].join("\n");
    if (body.length <= MAX_DASHBOARD_LENGTH) return body;
  }
  return body.slice(0, MAX_DASHBOARD_LENGTH);
}

/**
 * The dashboard of a repository whose config cannot be used: every problem (escaped), and the box
 * that checks again; under {@link MAX_DASHBOARD_LENGTH} characters.
 */
export function renderUnusableConfig(problems: readonly string[]): string {
  const section: Section = {
    heading: "The configuration cannot be used",
    items: problems.map((p) => `- ${inlineMarkdown(p)}`),
  };
  let body = "";
  for (const cap of CAPS) {
    body = [
      DASHBOARD_MARKER,
      `Promoter did nothing: ${code(DEFAULT_CONFIG_FILE)} on the default branch cannot be used. Fix these and push again; the \`promoter\` check run lists them too.`,
      "",
      ...sectionLines(section, cap),
      ACTIONS_START,
      `- [ ] ${CHECK_NOW}`,
      ACTIONS_END,
      "",
    ].join("\n");
    if (body.length <= MAX_DASHBOARD_LENGTH) return body;
  }
  return body;
}

/** A tick a person set on a checkbox the app wrote. */
export type DashboardTick =
  { kind: "promote"; dependency: string; version: string; environment: string } | { kind: "check" };

const PROMOTE_LINE = /^- \[([ xX])\] promote `([^`\s]+)` `([^`\s]+)` to ([A-Za-z0-9._-]+)$/;
const CHECK_LINE = /^- \[([ xX])\] check now$/;

/** The checkbox lines of the parts of a dashboard body that act, trimmed; none when it has no marker. */
function actionLines(body: string): string[] {
  const lines = body.split(/\r\n|\r|\n/);
  if (lines[0]?.trim() !== DASHBOARD_MARKER) return [];
  const found: string[] = [];
  let inside = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === ACTIONS_START) inside = true;
    else if (line === ACTIONS_END) inside = false;
    else if (inside && (PROMOTE_LINE.test(line) || CHECK_LINE.test(line))) found.push(line);
  }
  return found;
}

const unticked = (line: string) => line.replace(/^- \[[xX]\]/, "- [ ]");

/**
 * The ticks newly set by an edit of the dashboard from `before` (the body the app wrote) to `after`:
 * a checkbox of the acting parts of `after` that is ticked, stood unticked in the acting parts of
 * `before`, and was not ticked there already. A box in text a person added, or in a body without
 * the marker, is no tick. Each tick once.
 */
export function newTicks(before: string, after: string): DashboardTick[] {
  const old = actionLines(before);
  const offered = new Set(old.filter((l) => l.startsWith("- [ ]")));
  const ticked = new Set(old.filter((l) => !l.startsWith("- [ ]")));
  const ticks: DashboardTick[] = [];
  const seen = new Set<string>();
  for (const line of actionLines(after)) {
    if (line.startsWith("- [ ]") || ticked.has(line)) continue;
    const plain = unticked(line);
    if (!offered.has(plain) || seen.has(plain)) continue;
    seen.add(plain);
    const promote = PROMOTE_LINE.exec(line);
    if (promote) {
      const [, , dependency = "", version = "", environment = ""] = promote;
      ticks.push({ kind: "promote", dependency, version, environment });
    } else ticks.push({ kind: "check" });
  }
  return ticks;
}

/** The line of `tick`, unticked, as the dashboard writes it. */
function tickLine(tick: DashboardTick): string {
  return tick.kind === "check"
    ? `- [ ] ${CHECK_NOW}`
    : promoteLine(tick.dependency, tick.version, tick.environment);
}

/** `body` with the boxes of `ticks` unticked again (a refused tick). */
export function untick(body: string, ticks: readonly DashboardTick[]): string {
  const lines = new Set(ticks.map(tickLine));
  return body
    .split("\n")
    .map((line) => {
      const trimmed = line.replace(/\r$/, "").trim();
      return /^- \[[xX]\]/.test(trimmed) && lines.has(unticked(trimmed))
        ? line.replace(/- \[[xX]\]/, "- [ ]")
        : line;
    })
    .join("\n");
}
