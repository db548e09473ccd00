import { MAX_QUOTED_ADDRESS_LENGTH, oneLine, quoted } from "./reason-text.js";
import { classifyRef, parseSourceAddress, type RefSpan } from "./source-address.js";
import type { Value } from "./terragrunt-evaluator.js";
import type { TextIndex } from "./text-index.js";
import { originOf, type TracedString } from "./traced-string.js";
import type {
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
    if (refKind === "commit")
      return skip(`ref ${ref.value} is a commit SHA, not a version tag`, address.id);
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
