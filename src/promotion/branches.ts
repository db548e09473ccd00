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

/** The characters an id keeps as they are in a branch name; any other is percent-encoded. */
const KEPT = /^[A-Za-z0-9._-]$/;

/** `%XX` for each UTF-8 byte of `char`. */
function percentEncoded(char: string): string {
  return [...Buffer.from(char, "utf8")]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`)
    .join("");
}

/**
 * A dependency id as one component of a branch name: each `/` becomes `+`, and every character other
 * than letters, digits, `.`, `_` and `-` (so also `+` and `%`) is percent-encoded, as is a `.` that
 * git would refuse (a leading or trailing one, one before another, or the one of a trailing `.lock`).
 * Decoding gives the id back, so two ids never share a name.
 */
function encodedId(dependency: string): string {
  const flat = dependency
    .split("/")
    .map((part) => [...part].map((c) => (KEPT.test(c) ? c : percentEncoded(c))).join(""))
    .join("+");
  return flat
    .replace(/\.(?=\.)/g, "%2E")
    .replace(/^\./, "%2E")
    .replace(/\.$/, "%2E")
    .replace(/\.lock$/, "%2Elock");
}

/** The id an {@link encodedId} component names, or undefined when `component` is not one. */
function decodedId(component: string): string | undefined {
  try {
    const id = component.split("+").map(decodeURIComponent).join("/");
    return encodedId(id) === component ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The branch of a dependency's promotion PRs in an environment: `promoter/<env>/<id>` with the id in
 * one component, its `/` as `+` (`promoter/qa/acme+terraform-aws-vpc+subnets`). Since environment names
 * hold no `/` and ids are one component, no promotion branch is a path prefix of another, which git
 * would refuse (`a` and `a/b` cannot both be branches).
 */
export function promotionBranch(environment: string, dependency: string): string {
  return `${PROMOTER_BRANCH_PREFIX}${environment}/${encodedId(dependency)}`;
}

/**
 * The branch the app used before {@link promotionBranch}: `promoter/<env>/<dependency-id>` as it is.
 * Its open PRs are still updated in place, and a merge of one still promotes.
 */
export function legacyPromotionBranch(environment: string, dependency: string): string {
  return `${PROMOTER_BRANCH_PREFIX}${environment}/${dependency}`;
}

/** The branches a dependency's PRs in an environment may come from: the current form, then the legacy one. */
export function promotionBranches(environment: string, dependency: string): string[] {
  return [promotionBranch(environment, dependency), legacyPromotionBranch(environment, dependency)];
}

/** What starts the one component of a group's branch: no dependency id's component is without a `+`. */
const GROUP_COMPONENT_PREFIX = "group-";

/** A group name as the config accepts it: one component of a branch name, without `+`. */
const GROUP_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * The branch of a group's PRs in an environment: `promoter/<env>/group-<name>`. A dependency's branch
 * component always holds a `+` (an id has at least two parts), a group's never, so the two never meet.
 */
export function groupBranch(environment: string, group: string): string {
  return `${PROMOTER_BRANCH_PREFIX}${environment}/${GROUP_COMPONENT_PREFIX}${group}`;
}

/** The longest prefix all `names` start with: one listing of the branches that start with it finds them all. */
export function sharedPrefix(names: readonly string[]): string {
  let prefix = names[0] ?? "";
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/**
 * What a promotion branch names: the environment and the dependency, and whether it has the legacy
 * form; or the environment and a group of dependencies.
 */
export type PromotionBranch =
  | { environment: string; dependency: string; legacy: boolean }
  | { environment: string; group: string };

/**
 * The environment (one of `environments`) and the dependency a branch of the app's form names, in the
 * current form or the legacy one, or the group a group's branch names (a module's id has at least
 * two components: `org/repo`, `namespace/name/provider`; an id of one component only when
 * `singleSegmentIds`, the config's artifacts, has it); undefined for any other branch.
 */
export function parsePromotionBranch(
  branch: string,
  environments: readonly string[],
  singleSegmentIds: ReadonlySet<string> = new Set(),
): PromotionBranch | undefined {
  for (const environment of environments) {
    const prefix = `${PROMOTER_BRANCH_PREFIX}${environment}/`;
    if (!branch.startsWith(prefix)) continue;
    const rest = branch.slice(prefix.length);
    const parts = rest.split("/");
    if (parts.length === 1 && rest.startsWith(GROUP_COMPONENT_PREFIX) && !rest.includes("+")) {
      const group = rest.slice(GROUP_COMPONENT_PREFIX.length);
      if (GROUP_NAME.test(group)) return { environment, group };
    } else if (parts.length === 1) {
      const dependency = decodedId(rest);
      if (
        dependency !== undefined &&
        dependency.split("/").every((p) => p !== "") &&
        (rest.includes("+") || singleSegmentIds.has(dependency))
      )
        return { environment, dependency, legacy: false };
    } else if (parts.every((part) => part !== "")) {
      return { environment, dependency: rest, legacy: true };
    }
  }
  return undefined;
}

/** Whether `branch` has the form of a promotion branch the app creates (or created), for one of `environments` (`artifacts`: see {@link parsePromotionBranch}). */
export function isPromotionBranchName(
  branch: string,
  environments: readonly string[],
  artifacts?: ReadonlySet<string>,
): boolean {
  return parsePromotionBranch(branch, environments, artifacts) !== undefined;
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
