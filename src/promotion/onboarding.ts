/**
 * The onboarding pull request `Configure Promoter`: whether to open, refresh or leave it, and its body,
 * which previews what Promoter will do once it is merged. Pure: the engine reads the repository and
 * the app's PRs, plans with the proposed config, and writes what this decides.
 */
import { DEFAULT_CONFIG_FILE } from "../config/index.js";
import type { Inventory } from "../iac/types.js";
import { versionMatrix } from "./check-report.js";
import { isAppPullRequest } from "./existing-promotions.js";
import type { PullRequestInfo } from "./github-facts.js";
import { code, codeBlock, inlineMarkdown, plainText, tableCell } from "./markdown.js";
import { ONBOARDING_BRANCH } from "./names.js";
import type { Deferral, Proposal } from "./plan.js";
import { MAX_PULL_REQUEST_BODY } from "./pull-request-content.js";

/** The onboarding pull request's title. */
export const ONBOARDING_TITLE = "Configure Promoter";

/** The onboarding commit's message. */
export const ONBOARDING_COMMIT_MESSAGE = `Add ${DEFAULT_CONFIG_FILE} (Configure Promoter)`;

/** The hidden comment that records which commit of the branch the preview was rendered for. */
const RENDERED_FOR = /<!-- promoter-onboarding: ([0-9a-f]{40}) -->/;

/** At most this many lines per list of the preview: the body stays far under GitHub's limit. */
const MAX_LIST_LINES = 50;

/** What to do about the onboarding pull request of a repository without a config. */
export type OnboardingStep =
  /** Open it: a new commit on {@link ONBOARDING_BRANCH} with the inferred config. */
  | { kind: "open" }
  /** Its branch changed since the preview was rendered (someone edited the config): render it again. */
  | { kind: "refresh"; pullRequest: PullRequestInfo }
  /** Its preview is for the branch's head: nothing to do. */
  | { kind: "up-to-date"; pullRequest: PullRequestInfo }
  /** It was closed without merging and its branch is still there: "not now", it is not opened again. */
  | { kind: "declined"; pullRequest: PullRequestInfo }
  /** A pull request from the branch that is not the app's: left alone. */
  | { kind: "left-alone"; pullRequest: PullRequestInfo };

/** What {@link onboardingStep} decides from. */
export interface OnboardingFacts {
  /** The pull requests from {@link ONBOARDING_BRANCH}, open and closed, most recent first. */
  pullRequests: readonly PullRequestInfo[];
  appLogin: string;
  /** Whether the branch exists; asked for only when the last PR was closed (undefined before). */
  branchExists?: boolean;
  /** Someone asked for it (`/promoter onboard`): a declined PR does not stop a new one. */
  requested: boolean;
}

/**
 * The next step for the onboarding PR, or `read-branch` when whether the branch still exists decides it
 * (the app's last PR was closed without merging: with the branch gone, the user asked for a new one).
 */
export function onboardingStep(facts: OnboardingFacts): OnboardingStep | { kind: "read-branch" } {
  const fromRepository = facts.pullRequests.filter(
    (pr) => !pr.fromFork && pr.headRef === ONBOARDING_BRANCH,
  );
  const open = fromRepository.find((pr) => pr.state === "open");
  if (open) {
    if (!isAppPullRequest(open, facts.appLogin)) return { kind: "left-alone", pullRequest: open };
    return renderedFor(open.body) === open.headSha
      ? { kind: "up-to-date", pullRequest: open }
      : { kind: "refresh", pullRequest: open };
  }
  const last = fromRepository.find((pr) => isAppPullRequest(pr, facts.appLogin));
  if (!last || facts.requested) return { kind: "open" };
  // A merged one that left no config behind: the config was removed since, on purpose.
  if (last.merged) return { kind: "declined", pullRequest: last };
  if (facts.branchExists === undefined) return { kind: "read-branch" };
  return facts.branchExists ? { kind: "declined", pullRequest: last } : { kind: "open" };
}

/** The app's open onboarding PR, which a config on the default branch has made needless. */
export function supersededOnboarding(
  pullRequests: readonly PullRequestInfo[],
  appLogin: string,
): PullRequestInfo | undefined {
  return pullRequests.find(
    (pr) =>
      pr.state === "open" && pr.headRef === ONBOARDING_BRANCH && isAppPullRequest(pr, appLogin),
  );
}

/** The comment on an onboarding PR the app closes because the default branch has a config now. */
export function supersededOnboardingComment(defaultBranch: string): string {
  return `Promoter is configured now: ${code(DEFAULT_CONFIG_FILE)} is on ${code(defaultBranch)}. This pull request is no longer needed, so Promoter closed it.`;
}

/** The commit a body's preview was rendered for, from its hidden comment. */
export function renderedFor(body: string): string | undefined {
  return RENDERED_FOR.exec(body)?.[1];
}

/** The environments of the proposed config, as the body lists them. */
export interface PreviewEnvironment {
  name: string;
  paths: readonly string[];
  promotion: "auto" | "manual";
}

/** Everything the onboarding PR's body shows. */
export interface OnboardingPreview {
  /** The commit of {@link ONBOARDING_BRANCH} the preview is for (recorded, to know when to refresh). */
  commitSha: string;
  /** Whether the config is the inferred one, or one a person edited on the branch. */
  inferred: boolean;
  /** How many Terraform, OpenTofu and Terragrunt files the repository has. */
  iacFiles: number;
  /** Fewer than two environments could be told apart. */
  singleEnvironment: boolean;
  /** Folders the inferred config leaves out (too many or too deep). */
  omittedFolders: number;
  /** The config's problems, when a person's edit made it invalid: the rest of the preview is then empty. */
  problems?: readonly string[];
  environments: readonly PreviewEnvironment[];
  inventory?: Inventory;
  /** The PRs the first check would open. */
  proposals: readonly Pick<Proposal, "environment" | "dependency" | "from" | "to">[];
  /** What the first check would hold back (PR limits), and why. */
  deferred: readonly Deferral[];
  /** Problems listing versions (a module repository the app cannot read). */
  warnings: readonly { subject: string; message: string }[];
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

/** At most {@link MAX_LIST_LINES} of `lines`, with how many more there are. */
function capped(lines: readonly string[]): string[] {
  if (lines.length <= MAX_LIST_LINES) return [...lines];
  return [
    ...lines.slice(0, MAX_LIST_LINES),
    `- … and ${plural(lines.length - MAX_LIST_LINES, "more")}`,
  ];
}

/**
 * The onboarding PR's body: what the config proposes, the environment × dependency matrix, the first
 * PRs, what cannot be updated and why, and how to adjust it. Every repository text in it is escaped;
 * it ends with the hidden comment naming the commit it was rendered for, and stays under GitHub's limit.
 */
export function onboardingBody(preview: OnboardingPreview): string {
  const lines: string[] = [
    `Promoter found ${plural(preview.iacFiles, "Terraform, OpenTofu or Terragrunt file")} here. This pull request adds ${code(DEFAULT_CONFIG_FILE)}, ${
      preview.inferred
        ? "with environments inferred from the folder layout"
        : "as edited on this branch"
    }. Nothing happens until it is merged; merging it starts the first check at once.`,
    "",
  ];
  if (preview.problems && preview.problems.length > 0) {
    lines.push(
      `## ${code(DEFAULT_CONFIG_FILE)} is not valid`,
      "",
      "Fix it on this branch: the preview is rendered again on the next push.",
      "",
      codeBlock(capped(preview.problems).join("\n")),
      "",
    );
  } else {
    lines.push(...environmentsSection(preview), ...plannedSection(preview));
  }
  lines.push(
    "## Adjusting it",
    "",
    `- Edit ${code(DEFAULT_CONFIG_FILE)} on this branch (${code(ONBOARDING_BRANCH)}): this preview is rendered again for each push.`,
    "- Merge it to enable Promoter; close it to say \u201cnot now\u201d: Promoter does not open it again unless you comment `/promoter onboard` on any issue or pull request, or delete the branch.",
  );
  const marker = `<!-- promoter-onboarding: ${preview.commitSha} -->`;
  const body = lines.join("\n");
  const room = MAX_PULL_REQUEST_BODY - marker.length - 200;
  return `${body.length > room ? `${body.slice(0, body.lastIndexOf("\n", room))}\n\n… (cut: GitHub keeps at most 65,536 characters)` : body}\n\n${marker}`;
}

function environmentsSection(preview: OnboardingPreview): string[] {
  const lines = ["## Environments", ""];
  if (preview.singleEnvironment) {
    lines.push(
      "Only one environment could be told apart from the folder names, so the config has one; its comments show what a chain of environments looks like.",
      "",
    );
  }
  lines.push("| Order | Environment | Paths | Promotion |", "| --- | --- | --- | --- |");
  preview.environments.forEach((env, i) => {
    const paths = env.paths.map((p) => tableCell(code(p))).join(" ");
    const promotion =
      env.promotion === "manual" ? `manual: ${code(`/promote ${env.name}`)}` : "automatic";
    lines.push(
      `| ${i + 1} | ${tableCell(plainText(env.name))} | ${paths} | ${tableCell(promotion)} |`,
    );
  });
  if (preview.omittedFolders > 0) {
    lines.push(
      "",
      `${plural(preview.omittedFolders, "folder")} could not be listed (too many or too deep): add their globs if they belong to an environment.`,
    );
  }
  lines.push("");
  return lines;
}

function plannedSection(preview: OnboardingPreview): string[] {
  const lines: string[] = [];
  const { inventory } = preview;
  const first = preview.environments[0]?.name ?? "";
  lines.push("## The first pull requests", "");
  if (preview.proposals.length === 0) {
    lines.push(
      `None: every dependency of ${plainText(first)} already runs the version Promoter would propose.`,
    );
  } else {
    lines.push(
      `Once merged, Promoter opens ${plural(preview.proposals.length, "pull request")}; each version merged in one environment is then proposed to the next.`,
      "",
      ...capped(
        preview.proposals.map(
          (p) =>
            `- ${plainText(p.environment)}: ${code(p.dependency)} ${p.from.map(code).join(", ")} → ${code(p.to)}`,
        ),
      ),
    );
  }
  if (preview.deferred.length > 0) {
    lines.push(
      "",
      "Held back for now:",
      "",
      ...capped(
        preview.deferred.map(
          (d) =>
            `- ${plainText(d.environment)}: ${code(d.dependency)}: ${inlineMarkdown(d.reason)}`,
        ),
      ),
    );
  }
  lines.push("");
  if (inventory) {
    lines.push("## Versions in use", "", versionMatrixCapped(inventory), "");
    if (inventory.skipped.length > 0) {
      lines.push(
        "## Not updatable",
        "",
        ...capped(
          inventory.skipped.map(
            (s) =>
              `- ${code(s.file)} line ${s.line}${s.id ? ` (${code(s.id)})` : ""}: ${inlineMarkdown(s.reason)}`,
          ),
        ),
        "",
      );
    }
  }
  const warnings = [
    ...(inventory?.warnings.map((w) => ({ subject: w.file, message: w.message })) ?? []),
    ...preview.warnings,
  ];
  if (warnings.length > 0) {
    lines.push(
      "## Warnings",
      "",
      ...capped(warnings.map((w) => `- ${code(w.subject)}: ${inlineMarkdown(w.message)}`)),
      "",
    );
  }
  return lines;
}

/** The matrix with at most {@link MAX_LIST_LINES} dependencies, saying how many more there are. */
function versionMatrixCapped(inventory: Inventory): string {
  const ids = [
    ...new Set(inventory.environments.flatMap((e) => e.dependencies.map((d) => d.id))),
  ].sort();
  if (ids.length <= MAX_LIST_LINES) return versionMatrix(inventory);
  const kept = new Set(ids.slice(0, MAX_LIST_LINES));
  const cut: Inventory = {
    ...inventory,
    environments: inventory.environments.map((e) => ({
      ...e,
      dependencies: e.dependencies.filter((d) => kept.has(d.id)),
    })),
  };
  return `${versionMatrix(cut)}\n\n… and ${plural(ids.length - MAX_LIST_LINES, "more dependency", "more dependencies")}.`;
}
