/**
 * Whether a text from outside (a comment, a command line, a PR's metadata) may be written into a file as
 * a version: a tag or registry version such as `v1.2.3`, `1.2.3-rc.1` or `vpc-v1.2.3`, and nothing else.
 * Pure.
 */
import { parseVersionTag } from "./strategies.js";

/** Longer than any real tag; a longer text is not read at all. */
const MAX_VERSION_LENGTH = 128;

/** A monorepo tag prefix that can stand in a file, a URL and a branch name: no `/`, space or `..`. */
const SAFE_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isSafePrefix(prefix: string): boolean {
  return SAFE_PREFIX.test(prefix) && !prefix.includes("..");
}

/**
 * Whether `text` is a version of a dependency whose configured tag prefix is `tagPrefix` (none when
 * undefined): the prefix, an optional `v`, a semver (as {@link parseVersionTag} reads tags). A prefix with
 * a `/`, a space or `..` makes no version.
 */
export function isVersionOf(text: string, tagPrefix?: string): boolean {
  if (text.length > MAX_VERSION_LENGTH) return false;
  if (tagPrefix !== undefined && !isSafePrefix(tagPrefix)) return false;
  return parseVersionTag(text, tagPrefix) !== undefined;
}

/**
 * Whether `text` is a version with some tag prefix or none (`v1.2.3`, `1.2.3`, `vpc-v1.2.3`): the check
 * where the configured prefix is not known. `../../v1.3.0`, `x/v1.3.0` and `a b-v1.3.0` are not.
 */
export function isVersionShaped(text: string): boolean {
  if (text.length > MAX_VERSION_LENGTH) return false;
  if (isVersionOf(text)) return true;
  for (let end = 1; end < text.length; end++) {
    const prefix = text.slice(0, end);
    // A prefix that is not safe stays unsafe however long it grows.
    if (!isSafePrefix(prefix)) return false;
    if (isVersionOf(text, prefix)) return true;
  }
  return false;
}
