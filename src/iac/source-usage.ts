import { MAX_QUOTED_ADDRESS_LENGTH, oneLine, quoted } from "./reason-text.js";
import { classifyRef, parseSourceAddress, type RefSpan } from "./source-address.js";
import type { Value } from "./terragrunt-evaluator.js";
import type { TextIndex } from "./text-index.js";
import { originOf, type TracedString } from "./traced-string.js";
import type {
  CommitPin,
  DependencyKind,
  DependencyOrigin,
  Skipped,
  TokenLocation,
  UsageKind,
} from "./types.js";

/** A usage as found in one unit, before the repository-wide checks; offsets are string offsets. */
export interface FoundUsage {
  file: string;
  line: number;
  id: string;
  kind: DependencyKind;
  source: string;
  origin: DependencyOrigin;
  version: string;
  usageKind: UsageKind;
  token?: TokenLocation;
  notPromotable?: string;
  commit?: CommitPin;
}

/** Where one unit's usages and skips go, and how to locate offsets in the file a version token lives in. */
export interface UsageSink {
  file: string;
  usages: FoundUsage[];
  skipped: Skipped[];
  indexOf: (path: string) => TextIndex;
}

const EXACT_VERSION = /^(\s*=?\s*)(v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\s*$/;

/** Records the usage (or the reason it is skipped) of one `source` value declared at `line`. */
export function addSource(sink: UsageSink, line: number, value: Value, versionValue?: Value): void {
  const { file } = sink;
  const skip = (why: string, id?: string): void => {
    const reason = oneLine(why);
    sink.skipped.push(id === undefined ? { file, line, reason } : { file, line, id, reason });
  };
  const add = (usage: FoundUsage, traced: TracedString, span: RefSpan): void => {
    sink.usages.push(located(usage, traced, span, sink.indexOf));
  };
  if (value.type === "unknown") {
    return skip(`the source cannot be resolved statically: ${value.reason}`);
  }
  if (value.type !== "string") return skip("the source is not a string");
  const address = parseSourceAddress(value.value.text);
  if (address.type === "local") return;
  if (address.type === "unsupported") {
    const shown = quoted(value.value.text, MAX_QUOTED_ADDRESS_LENGTH);
    return skip(`unsupported source "${shown}": ${address.reason}`);
  }

  const origin: DependencyOrigin =
    address.type === "git"
      ? { type: "git", host: address.host, owner: address.owner, repo: address.repo }
      : {
          type: "registry",
          ...(address.host === undefined ? {} : { host: address.host }),
          namespace: address.namespace,
          name: address.name,
          provider: address.provider,
        };
  const base = { file, line, id: address.id, kind: address.type, source: address.source, origin };
  if (address.type === "git") {
    const ref = address.ref;
    if (!ref) return skip("no ?ref= pin: the module's default branch is used", address.id);
    const refKind = classifyRef(ref.value);
    if (refKind === "commit") {
      const pin = commentedCommit(value.value, ref, sink.indexOf);
      if (!pin) {
        return skip(
          `ref ${ref.value} is a commit SHA, not a version tag, and no version comment follows it (such as "# v1.2.0")`,
          address.id,
        );
      }
      sink.usages.push({ ...base, usageKind: "git-commit", ...pin });
      return;
    }
    if (refKind === "branch")
      return skip(`ref ${quoted(ref.value)} is not a version tag`, address.id);
    return add({ ...base, version: ref.value, usageKind: "git-tag" }, value.value, ref);
  }
  if (address.version) {
    const version = address.version;
    return add(
      { ...base, version: version.value, usageKind: "registry-version" },
      value.value,
      version,
    );
  }
  if (!versionValue)
    return skip("no version pinned: the newest version is used on every run", address.id);
  if (versionValue.type !== "string") {
    const why = versionValue.type === "unknown" ? versionValue.reason : "it is not a string";
    return skip(`the version cannot be resolved statically: ${why}`, address.id);
  }
  const text = versionValue.value.text;
  const exact = EXACT_VERSION.exec(text);
  if (!exact) {
    return add(
      {
        ...base,
        version: text,
        usageKind: "registry-constraint",
        notPromotable: `version constraint "${text}" is not an exact pin`,
      },
      versionValue.value,
      { value: text, start: 0, end: text.length },
    );
  }
  const start = (exact[1] ?? "").length;
  const version = exact[2] ?? "";
  add({ ...base, version, usageKind: "registry-version" }, versionValue.value, {
    value: version,
    start,
    end: start + version.length,
  });
}

/** The comment after a commit SHA's string, up to its version: `"…?ref=<sha>"  # v1.2.0` or `// v1.2.0`. */
const VERSION_COMMENT = /^[ \t,]*(?:#|\/\/)[ \t]*/;

/**
 * The version comment after the string a commit SHA is written in, on the same line, with where both
 * are; undefined when the SHA is computed or no version comment follows its string.
 */
function commentedCommit(
  value: TracedString,
  ref: RefSpan,
  indexOf: (path: string) => TextIndex,
): { version: string; token: TokenLocation; commit: CommitPin } | undefined {
  const origin = originOf(value, ref.start, ref.end);
  if (!origin) return undefined;
  const index = indexOf(origin.file);
  const text = index.text;
  // The rest of the string literal: plain characters up to its closing quote, nothing interpolated.
  let at = origin.offset + ref.value.length;
  for (; at < text.length && text[at] !== '"'; at++) {
    const c = text[at];
    if (c === "\n" || c === "\\" || ((c === "$" || c === "%") && text[at + 1] === "{")) {
      return undefined;
    }
  }
  if (text[at] !== '"') return undefined;
  const lineEnd = text.indexOf("\n", at);
  const rest = text.slice(at + 1, lineEnd === -1 ? text.length : lineEnd);
  const lead = VERSION_COMMENT.exec(rest);
  if (!lead) return undefined;
  const version = /^[^\s]+/.exec(rest.slice(lead[0].length))?.[0];
  if (version === undefined || classifyRef(version) !== "version") return undefined;
  const locate = (offset: number, length: number): TokenLocation => ({
    file: origin.file,
    start: index.byteOffset(offset),
    end: index.byteOffset(offset + length),
    ...index.location(offset),
  });
  return {
    version,
    token: locate(at + 1 + lead[0].length, version.length),
    commit: { sha: ref.value, token: locate(origin.offset, ref.value.length) },
  };
}

/** Sets where the usage's version literal lives, or why it has no single place. */
function located(
  usage: FoundUsage,
  value: TracedString,
  span: RefSpan,
  indexOf: (path: string) => TextIndex,
): FoundUsage {
  const origin = originOf(value, span.start, span.end);
  if (!origin) {
    usage.notPromotable ??= `the version ${span.value} is computed by an expression, not written in one place`;
    return usage;
  }
  const index = indexOf(origin.file);
  usage.token = {
    file: origin.file,
    start: index.byteOffset(origin.offset),
    end: index.byteOffset(origin.offset + span.value.length),
    ...index.location(origin.offset),
  };
  return usage;
}
