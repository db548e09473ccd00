/**
 * How a usage pins its version. `git-commit`: a commit SHA as the ref, with the version tag it is
 * in a comment after it (`?ref=3f2a9c1…" # v1.2.0`); the version is the comment's.
 */
export type UsageKind =
  | "git-tag"
  | "git-commit"
  | "registry-version"
  | "registry-constraint"
  /** The value of a configured artifact's `key` (`payments_api_version = "1.4.2"`). */
  | "artifact-value";

/** The commit SHA of a `git-commit` usage: as written, and where. */
export interface CommitPin {
  sha: string;
  token: TokenLocation;
}

/** Where a dependency's code comes from: a module's git repository or registry, or an artifact of the config. */
export type DependencyKind = "git" | "registry" | "artifact";

/**
 * A span of a file, end exclusive, with its 1-based line and column. Offsets are UTF-8 byte offsets of
 * the file's decoded `content`: the same as in its bytes unless they hold invalid UTF-8 (see
 * `decodedToRawOffsets`).
 */
export interface TokenLocation {
  /** Repository-relative POSIX path of the file that holds the version literal. */
  file: string;
  start: number;
  end: number;
  line: number;
  column: number;
}

/** One place in one file where a dependency's version is pinned. */
export interface Usage {
  /** The file that declares the module or Terragrunt source. */
  file: string;
  /** 1-based line of the declaration's `source` attribute. */
  line: number;
  /** The current version exactly as written (a tag such as `v0.8.0`, `1.2.0`, or a constraint). */
  version: string;
  kind: UsageKind;
  /** Where the version literal really lives (may be another file, e.g. a `locals` block it includes); absent when the version is computed. */
  token?: TokenLocation;
  /** Why this usage cannot be edited per environment; absent when it can. */
  notPromotable?: string;
  /** For a `git-commit` usage: the SHA pinned (its comment's version is {@link Usage.version} at {@link Usage.token}). */
  commit?: CommitPin;
  /**
   * The other dependencies of the environment whose version is this same literal: submodules of the
   * same repository, which an edit of this usage updates with it.
   */
  editedWith?: string[];
}

/** Where a dependency's versions are listed: a git repository's tags, or a module registry. */
export type DependencyOrigin =
  | { type: "git"; host: string; owner: string; repo: string }
  | { type: "registry"; host?: string; namespace: string; name: string; provider: string }
  /**
   * An artifact of the config (`artifacts:`): its versions are those of the `releases` repository
   * (on the app's GitHub) when it names one, else only those people set.
   */
  | { type: "artifact"; name: string; releases?: { owner: string; repo: string } };

/** A versioned module reference with its usages in one environment. */
export interface Dependency {
  /**
   * Patcher-compatible id: `org/repo/subpath` for git, `namespace/name/provider` for registry modules,
   * with the host first (`gitlab.example.com/org/repo/subpath`) unless it is github.com or a public registry.
   */
  id: string;
  kind: DependencyKind;
  /** The source without its version, e.g. `git::https://github.com/org/repo.git//modules/sqs`. */
  source: string;
  origin: DependencyOrigin;
  /** Distinct versions of its usages, sorted. */
  versions: string[];
  usages: Usage[];
  /**
   * The commit SHA (lower case) of each tag of its repository, when its `git-commit` usages were
   * checked against them (`checkCommitPins`): what an edit of them writes.
   */
  commits?: ReadonlyMap<string, string>;
}

/** Something the scanner found but cannot update, with the reason. */
export interface Skipped {
  file: string;
  line: number;
  id?: string;
  reason: string;
}

/** A problem with one file (it does not parse, an include cannot be found, ...). */
export interface Warning {
  file: string;
  message: string;
}

/** The dependencies of one environment. */
export interface EnvironmentInventory {
  name: string;
  dependencies: Dependency[];
}

/** The result of a scan. */
export interface Inventory {
  environments: EnvironmentInventory[];
  skipped: Skipped[];
  warnings: Warning[];
}

/** A file of the repository: its bytes, and the text the scanner reads (build one with `sourceFile`). */
export interface SourceFile {
  /** Repository-relative POSIX path. */
  path: string;
  /** The file's bytes exactly as stored: what an edit changes and what is written back. */
  bytes: Buffer;
  /** The bytes decoded as UTF-8 (a byte order mark kept, each invalid sequence one U+FFFD). */
  content: string;
  /** Content hash (the git blob SHA where known); the cache key of everything derived from the file. */
  hash: string;
}

/** A byte-exact replacement of one version token. */
export interface Edit {
  file: string;
  /** Where the token is, as a {@link TokenLocation} gives it (offsets of the decoded content). */
  start: number;
  end: number;
  /** 1-based line of the token, for people reading the change. */
  line?: number;
  before: string;
  after: string;
}
