/**
 * The simulator's state (users, installations, repositories with their git objects, pull requests,
 * issues, comments, reactions, labels, collaborators, releases, check runs) and the operations shared by
 * the REST routes and the test-facing control API.
 */
import { GitStore, isSha, type FlatEntry, type GitIdentity } from "./git.js";

/** A collaborator's role, as GitHub names it. */
export type Permission = "admin" | "maintain" | "write" | "triage" | "read";

export interface SimUser {
  login: string;
  id: number;
  type: "User" | "Organization" | "Bot";
  name: string;
  email: string;
}

export interface SimInstallation {
  id: number;
  account: SimUser;
  /** Full names of the repositories it covers, lower-case. */
  repositories: Set<string>;
  createdAt: string;
}

export interface SimLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

/** An issue or a pull request: they share numbers, labels and comments. */
export interface SimIssue {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  labels: string[];
  user: string;
  createdAt: string;
  updatedAt: string;
  /** Order of updates (timestamps have one-second resolution). */
  updatedSeq: number;
  closedAt: string | null;
  pull?: SimPullData;
}

export interface SimPullData {
  id: number;
  headRef: string;
  /** The head commit when last seen (kept after the branch is deleted). */
  headSha: string;
  baseRef: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
}

export type SimPull = SimIssue & { pull: SimPullData };

export interface SimComment {
  id: number;
  issueNumber: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface SimReaction {
  id: number;
  commentId: number;
  user: string;
  content: string;
  createdAt: string;
}

export interface SimCheckRun {
  id: number;
  headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** The installation that created it. */
  installationId?: number;
  /** Another app that created it (a CI), by slug; absent: the app under test. */
  app?: string;
}

export interface SimRelease {
  id: number;
  tagName: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  createdAt: string;
  publishedAt: string | null;
  author: string;
  targetCommitish: string;
}

/** What git cannot tell: which GitHub accounts made a commit and whether GitHub verified it. */
export interface CommitMeta {
  authorLogin?: string;
  committerLogin?: string;
  verified: boolean;
}

export interface SimRepo {
  id: number;
  owner: SimUser;
  name: string;
  fullName: string;
  private: boolean;
  description: string | null;
  defaultBranch: string;
  installationId?: number;
  git: GitStore;
  /** `refs/heads/main` → commit SHA. */
  refs: Map<string, string>;
  commitMeta: Map<string, CommitMeta>;
  /** By lower-case name. */
  labels: Map<string, SimLabel>;
  issues: Map<number, SimIssue>;
  nextNumber: number;
  comments: SimComment[];
  reactions: SimReaction[];
  collaborators: Map<string, Permission>;
  releases: SimRelease[];
  checkRuns: SimCheckRun[];
  createdAt: string;
  updatedAt: string;
  pushedAt: string;
}

/** What a commit on a branch changed, for `push` payloads. */
export interface CommitResult {
  sha: string;
  before: string | null;
  added: string[];
  modified: string[];
  removed: string[];
}

/** GitHub's timestamp format: ISO 8601 without milliseconds. */
function isoNow(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The legacy `permission` GitHub reports next to `role_name`. */
export function legacyPermission(role: Permission | "none"): "admin" | "write" | "read" | "none" {
  if (role === "admin") return "admin";
  if (role === "maintain" || role === "write") return "write";
  if (role === "triage" || role === "read") return "read";
  return "none";
}

/** A thrown HTTP answer: routes throw it for GitHub's error answers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function notFound(): HttpError {
  return new HttpError(404, "Not Found");
}

export function validationFailed(
  message: string,
  errors: Record<string, unknown>[] = [],
): HttpError {
  return new HttpError(422, message, errors.length > 0 ? { errors } : {});
}

/** All state, and the operations on it. */
export class World {
  readonly users = new Map<string, SimUser>();
  readonly installations = new Map<number, SimInstallation>();
  readonly repos = new Map<string, SimRepo>();
  /** `org/team` (lower-case) → login (lower-case) → role. */
  readonly teams = new Map<string, Map<string, "member" | "maintainer">>();
  readonly appUser: SimUser;
  readonly webFlow: SimUser;
  #nextId = 1000;
  #seq = 0;

  constructor(
    readonly appId: number,
    readonly appSlug: string,
    readonly appName: string,
    /** `http://127.0.0.1:port` */
    public htmlUrl: string,
  ) {
    this.appUser = this.user(`${appSlug}[bot]`, "Bot");
    this.webFlow = this.user("web-flow", "User");
    this.webFlow.name = "GitHub";
    this.webFlow.email = "noreply@github.com";
  }

  get apiUrl(): string {
    return `${this.htmlUrl}/api/v3`;
  }

  nextId(): number {
    return this.#nextId++;
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  now(): string {
    return isoNow();
  }

  /** The user with this login, created on first mention. */
  user(login: string, type: SimUser["type"] = "User"): SimUser {
    const key = login.toLowerCase();
    let user = this.users.get(key);
    if (!user) {
      const id = this.nextId();
      user = {
        login,
        id,
        type,
        name: login,
        email: `${id}+${login}@users.noreply.github.com`,
      };
      this.users.set(key, user);
    }
    return user;
  }

  /** The user behind an email, when GitHub would link it. */
  userByEmail(email: string): SimUser | undefined {
    const lower = email.toLowerCase();
    for (const user of this.users.values()) if (user.email.toLowerCase() === lower) return user;
    return undefined;
  }

  /** A git identity for a user (the author or committer line GitHub writes). */
  identity(user: SimUser, date = this.now()): GitIdentity {
    return { name: user.name, email: user.email, date };
  }

  repo(fullName: string): SimRepo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  /** The repository or a thrown 404. */
  requireRepo(owner: string, name: string): SimRepo {
    const repo = this.repo(`${owner}/${name}`);
    if (!repo) throw notFound();
    return repo;
  }

  createRepo(
    fullName: string,
    options: {
      installationId?: number;
      defaultBranch?: string;
      files?: Readonly<Record<string, string | Buffer>>;
      private?: boolean;
      description?: string | null;
      ownerType?: SimUser["type"];
    } = {},
  ): SimRepo {
    const [ownerLogin, name, ...rest] = fullName.split("/");
    if (!ownerLogin || !name || rest.length > 0) throw new Error(`not owner/name: ${fullName}`);
    if (this.repo(fullName)) throw new Error(`repository ${fullName} exists already`);
    const installation =
      options.installationId === undefined
        ? undefined
        : this.installations.get(options.installationId);
    if (options.installationId !== undefined && !installation)
      throw new Error(`no installation ${options.installationId}`);
    const owner = this.user(
      ownerLogin,
      options.ownerType ??
        (installation?.account.login.toLowerCase() === ownerLogin.toLowerCase()
          ? installation.account.type
          : "Organization"),
    );
    const now = this.now();
    const repo: SimRepo = {
      id: this.nextId(),
      owner,
      name,
      fullName: `${owner.login}/${name}`,
      private: options.private ?? false,
      description: options.description ?? null,
      defaultBranch: options.defaultBranch ?? "main",
      ...(installation ? { installationId: installation.id } : {}),
      git: new GitStore(),
      refs: new Map(),
      commitMeta: new Map(),
      labels: new Map(),
      issues: new Map(),
      nextNumber: 1,
      comments: [],
      reactions: [],
      collaborators: new Map(),
      releases: [],
      checkRuns: [],
      createdAt: now,
      updatedAt: now,
      pushedAt: now,
    };
    this.repos.set(repo.fullName.toLowerCase(), repo);
    installation?.repositories.add(repo.fullName.toLowerCase());
    const initial = options.files ?? { "README.md": `# ${name}\n` };
    this.commit(repo, {
      branch: repo.defaultBranch,
      files: initial,
      replace: true,
      message: "Initial commit",
      author: owner.type === "Organization" ? this.webFlow : owner,
    });
    for (const [label, color] of [
      ["bug", "d73a4a"],
      ["enhancement", "a2eeef"],
    ] as const) {
      repo.labels.set(label, {
        id: this.nextId(),
        name: label,
        color,
        description: null,
        default: true,
      });
    }
    return repo;
  }

  /**
   * Resolves a commit-ish: a full or abbreviated commit SHA, `refs/...`, `heads/x`, `tags/x`, a branch
   * or a tag name. Undefined when nothing matches.
   */
  resolveCommit(repo: SimRepo, name: string): string | undefined {
    if (isSha(name)) return repo.git.commit(name) ? name : undefined;
    for (const candidate of [name, `refs/${name}`, `refs/heads/${name}`, `refs/tags/${name}`]) {
      const sha = repo.refs.get(candidate);
      if (sha !== undefined) return sha;
    }
    if (/^[0-9a-f]{7,39}$/.test(name)) {
      const found = [...repo.git.objects.entries()].filter(
        ([sha, object]) => object.type === "commit" && sha.startsWith(name),
      );
      if (found.length === 1) return found[0]?.[0];
    }
    return undefined;
  }

  branchSha(repo: SimRepo, branch: string): string | undefined {
    return repo.refs.get(`refs/heads/${branch}`);
  }

  /** The files of a commit (UTF-8). */
  filesAt(repo: SimRepo, commitSha: string): Record<string, string> {
    const commit = repo.git.commit(commitSha);
    if (!commit) throw new Error(`no commit ${commitSha} in ${repo.fullName}`);
    return repo.git.readFiles(commit.tree);
  }

  /**
   * Writes a commit on a branch (created when missing, from the default branch) and moves the branch:
   * `files` are laid over the parent's tree (`null` deletes), or replace it when `replace`.
   */
  commit(
    repo: SimRepo,
    options: {
      branch: string;
      files: Readonly<Record<string, string | Buffer | null>>;
      message: string;
      author: SimUser;
      committer?: SimUser;
      replace?: boolean;
      /** Parents (default: the branch head, or the default branch's head for a new branch). */
      parents?: string[];
      verified?: boolean;
    },
  ): CommitResult {
    const ref = `refs/heads/${options.branch}`;
    const before = repo.refs.get(ref) ?? null;
    if (before === null)
      for (const existing of repo.refs.keys())
        if (existing.startsWith(`${ref}/`) || ref.startsWith(`${existing}/`))
          throw new Error(`${ref} cannot be created in ${repo.fullName}: ${existing} exists`);
    const parents =
      options.parents ??
      (before !== null
        ? [before]
        : ((sha) => (sha === undefined ? [] : [sha]))(this.branchSha(repo, repo.defaultBranch)));
    const parentTree = parents[0] === undefined ? undefined : repo.git.commit(parents[0])?.tree;
    const old =
      parentTree === undefined ? new Map<string, FlatEntry>() : repo.git.flatten(parentTree);
    const next = options.replace ? new Map<string, FlatEntry>() : new Map(old);
    for (const [path, content] of Object.entries(options.files)) {
      if (content === null) next.delete(path);
      else next.set(path, { mode: "100644", type: "blob", sha: repo.git.writeBlob(content) });
    }
    const tree = repo.git.buildTree(next);
    const date = this.now();
    const committer = options.committer ?? options.author;
    const sha = repo.git.writeCommit({
      tree,
      parents,
      author: this.identity(options.author, date),
      committer: this.identity(committer, date),
      message: options.message,
    });
    repo.commitMeta.set(sha, {
      authorLogin: options.author.login,
      committerLogin: committer.login,
      verified: options.verified ?? committer === this.webFlow,
    });
    repo.refs.set(ref, sha);
    repo.pushedAt = date;
    repo.updatedAt = date;
    const diff = diffFlat(old, next);
    return { sha, before, ...diff };
  }

  /** Whether `installationId` may write to `repo`. */
  installationCovers(installationId: number, repo: SimRepo): boolean {
    return (
      this.installations.get(installationId)?.repositories.has(repo.fullName.toLowerCase()) ?? false
    );
  }

  pulls(repo: SimRepo): SimPull[] {
    return [...repo.issues.values()].filter((issue): issue is SimPull => issue.pull !== undefined);
  }

  requirePull(repo: SimRepo, number: number): SimPull {
    const issue = repo.issues.get(number);
    if (!issue?.pull) throw notFound();
    return issue as SimPull;
  }

  requireIssue(repo: SimRepo, number: number): SimIssue {
    const issue = repo.issues.get(number);
    if (!issue) throw notFound();
    return issue;
  }

  /** The head SHA of a pull request: the branch's while it is open and the branch exists. */
  pullHeadSha(repo: SimRepo, pull: SimPull): string {
    if (pull.state === "open") {
      const sha = this.branchSha(repo, pull.pull.headRef);
      if (sha !== undefined) pull.pull.headSha = sha;
    }
    return pull.pull.headSha;
  }

  touch(issue: SimIssue): void {
    issue.updatedAt = this.now();
    issue.updatedSeq = this.nextSeq();
  }

  /** Makes sure a label exists (GitHub creates unknown labels added to an issue). */
  label(
    repo: SimRepo,
    name: string,
    color = "ededed",
    description: string | null = null,
  ): SimLabel {
    const key = name.toLowerCase();
    let label = repo.labels.get(key);
    if (!label) {
      label = { id: this.nextId(), name, color, description, default: false };
      repo.labels.set(key, label);
    }
    return label;
  }

  /**
   * The tree a merge of the pull request into its base would have: the base head's files, plus what the
   * head changed relative to their merge base (a 3-way merge at file level). Throws on a conflict (a file
   * both sides changed differently).
   */
  mergeTree(repo: SimRepo, pull: SimPull): { tree: string; baseSha: string; headSha: string } {
    const baseSha = this.branchSha(repo, pull.pull.baseRef);
    if (baseSha === undefined) throw new Error(`base branch ${pull.pull.baseRef} is gone`);
    const headSha = this.pullHeadSha(repo, pull);
    const mergeBase = repo.git.mergeBase(baseSha, headSha);
    const flat = (commit: string | undefined): Map<string, FlatEntry> => {
      const tree = commit === undefined ? undefined : repo.git.commit(commit)?.tree;
      return tree === undefined ? new Map<string, FlatEntry>() : repo.git.flatten(tree);
    };
    const ancestor = flat(mergeBase);
    const base = flat(baseSha);
    const head = flat(headSha);
    const merged = new Map(base);
    const conflicts: string[] = [];
    for (const path of new Set([...ancestor.keys(), ...head.keys()])) {
      const a = ancestor.get(path)?.sha;
      const h = head.get(path)?.sha;
      if (a === h) continue;
      const b = base.get(path)?.sha;
      if (b !== a && b !== h) {
        conflicts.push(path);
        continue;
      }
      const entry = head.get(path);
      if (entry) merged.set(path, entry);
      else merged.delete(path);
    }
    if (conflicts.length > 0)
      throw new HttpError(405, `Merge conflict in ${conflicts.join(", ")}`, { conflicts });
    return { tree: repo.git.buildTree(merged), baseSha, headSha };
  }

  /** Files changed from one commit to another. */
  diff(
    repo: SimRepo,
    fromSha: string | undefined,
    toSha: string,
  ): ReturnType<typeof diffFlat> & {
    entries: { path: string; before?: FlatEntry; after?: FlatEntry }[];
  } {
    const flat = (commit: string | undefined): Map<string, FlatEntry> => {
      const tree = commit === undefined ? undefined : repo.git.commit(commit)?.tree;
      return tree === undefined ? new Map<string, FlatEntry>() : repo.git.flatten(tree);
    };
    const before = flat(fromSha);
    const after = flat(toSha);
    const entries: { path: string; before?: FlatEntry; after?: FlatEntry }[] = [];
    for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const b = before.get(path);
      const a = after.get(path);
      if (b?.sha === a?.sha && b?.mode === a?.mode) continue;
      entries.push({ path, ...(b ? { before: b } : {}), ...(a ? { after: a } : {}) });
    }
    return { ...diffFlat(before, after), entries };
  }
}

/** Paths added, modified and removed between two flattened trees. */
export function diffFlat(
  before: ReadonlyMap<string, FlatEntry>,
  after: ReadonlyMap<string, FlatEntry>,
): { added: string[]; modified: string[]; removed: string[] } {
  const added: string[] = [];
  const modified: string[] = [];
  const removed: string[] = [];
  for (const [path, entry] of after) {
    const old = before.get(path);
    if (!old) added.push(path);
    else if (old.sha !== entry.sha || old.mode !== entry.mode) modified.push(path);
  }
  for (const path of before.keys()) if (!after.has(path)) removed.push(path);
  return { added: added.sort(), modified: modified.sort(), removed: removed.sort() };
}
