/**
 * git's rules for ref names (`git check-ref-format`), for the parts of the config that become part of
 * one: environment names (`refs/heads/promoter/<environment>/…`) and tag prefixes (`refs/tags/<prefix>v1.2.3`).
 */

/** Characters git refuses anywhere in a ref name, besides control characters and the space. */
const FORBIDDEN = new Set(["~", "^", ":", "?", "*", "[", "\\"]);

function hasForbiddenCharacter(text: string): boolean {
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (code <= 0x20 || code === 0x7f || FORBIDDEN.has(c)) return true;
  }
  return false;
}

/**
 * Why an environment name cannot be a git branch name of its own (`git check-ref-format --branch`),
 * or `undefined` when it can. The characters are checked before (letters, digits, `-`, `_`, `.`).
 */
export function environmentNameProblem(name: string): string | undefined {
  const why = "as it becomes part of a git branch name";
  if (name === "HEAD") return '"HEAD" is reserved by git';
  if (name.startsWith("-")) return `must not start with "-", ${why}`;
  if (name.startsWith(".") || name.includes("..")) {
    return `must not start with "." or contain "..", ${why}`;
  }
  if (name.endsWith(".lock")) return `must not end with ".lock", ${why}`;
  if (name.endsWith(".")) return `must not end with ".", ${why}`;
  return undefined;
}

/**
 * Why no tag can start with `prefix` (the rest of the tag being a version such as `v1.2.3`), or
 * `undefined` when tags can.
 */
export function tagPrefixProblem(prefix: string): string | undefined {
  if (hasForbiddenCharacter(prefix)) {
    return "may not contain a space, a control character or any of ~^:?*[\\ in a git tag";
  }
  if (prefix.includes("..")) return 'must not contain ".." in a git tag';
  if (prefix.includes("@{")) return 'must not contain "@{" in a git tag';
  const parts = prefix.split("/");
  // The last part goes on with the version, so only its start is known.
  const whole = parts.slice(0, -1);
  if (parts.some((part, i) => part === "" && i < parts.length - 1)) {
    return 'must not start with "/" or contain "//" in a git tag';
  }
  if (parts.some((part) => part.startsWith("."))) return 'no part of a git tag may start with "."';
  if (whole.some((part) => part.endsWith(".lock"))) {
    return 'no part of a git tag may end with ".lock"';
  }
  return undefined;
}
