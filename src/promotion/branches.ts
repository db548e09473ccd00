/**
 * The app's branches: which names git accepts, which branches have the app's form, and which commits
 * are the app's. Pure: the callers read the branches and commits.
 */

import { PROMOTER_BRANCH_PREFIX } from "./names.js";

/** The committer GitHub records for a commit it signs: web UI edits, and the app's API commits. */
const GITHUB_COMMITTER = "web-flow";

/**
 * What makes `name` an invalid git branch name, by `git check-ref-format`'s rules (in words fit for a
 * report, never the offending text itself), or undefined when it is valid.
 */
export function branchNameProblem(name: string): string | undefined {
  const problems: string[] = [];
  const has = (what: string, test: boolean) => {
    if (test) problems.push(what);
  };
  has(
    "a control character",
    [...name].some((c) => c.charCodeAt(0) < 0x20 || c === "\u007f"),
  );
  has("a space", name.includes(" "));
  for (const [text, what] of [
    ["..", '".."'],
    ["@{", '"@{"'],
    ["~", '"~"'],
    ["^", '"^"'],
    [":", '":"'],
    ["?", '"?"'],
    ["*", '"*"'],
    ["[", '"["'],
    ["\\", "a backslash"],
  ] as const) {
    has(what, name.includes(text));
  }
  const parts = name.split("/");
  has(
    "an empty path component",
    parts.some((part) => part === ""),
  );
  has(
    'a path component that starts with "."',
    parts.some((part) => part.startsWith(".")),
  );
  has(
    'a path component that ends with ".lock"',
    parts.some((part) => part.endsWith(".lock")),
  );
  has('a "." at the end', name.endsWith("."));
  has('only "@"', name === "@");
  if (problems.length === 0) return undefined;
  const listed =
    problems.length === 1
      ? problems[0]
      : `${problems.slice(0, -1).join(", ")} and ${problems[problems.length - 1]}`;
  return `it contains ${listed}`;
}

/**
 * Whether `branch` has the form of a promotion branch the app creates, `promoter/<env>/<dependency-id>`
 * for one of `environments`; a dependency id has at least two components (`org/repo`,
 * `namespace/name/provider`).
 */
export function isPromotionBranchName(branch: string, environments: readonly string[]): boolean {
  return environments.some((env) => {
    const prefix = `${PROMOTER_BRANCH_PREFIX}${env}/`;
    if (!branch.startsWith(prefix)) return false;
    const id = branch.slice(prefix.length).split("/");
    return id.length >= 2 && id.every((part) => part !== "");
  });
}

/** A commit of a branch, with who made it (as GitHub links them to accounts). */
export interface CommitAuthorship {
  authorLogin?: string;
  committerLogin?: string;
  verified: boolean;
}

/**
 * Whether a commit is the app's own: authored by the app, and committed by the app or by GitHub
 * signing for it (without a committer account, only when GitHub verified it). A person's amend keeps
 * the app as author but not as committer.
 */
export function isAppCommit(commit: CommitAuthorship, appLogin: string): boolean {
  if (commit.authorLogin !== appLogin) return false;
  if (commit.committerLogin === undefined) return commit.verified;
  return commit.committerLogin === appLogin || commit.committerLogin === GITHUB_COMMITTER;
}
