/**
 * The REST routes the simulator implements, keyed by OpenAPI method + path template. Each answers from
 * and writes to the {@link World}; app-made changes that GitHub reports by webhook are reported the same
 * way (through `emit`, not awaited).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Identity, TokenStore } from "./auth.js";
import { isSha, type FlatEntry, type GitMode, type GitIdentity } from "./git.js";
import {
  HttpError,
  notFound,
  validationFailed,
  type CommitResult,
  type Permission,
  type SimComment,
  type SimIssue,
  type SimPull,
  type SimRepo,
  type SimUser,
  type World,
} from "./model.js";
import {
  createPayload,
  deletePayload,
  issueCommentPayload,
  issuesPayload,
  pullRequestPayload,
  pushPayload,
} from "./payloads.js";
import {
  APP_PERMISSIONS,
  appJson,
  blobJson,
  checkRunJson,
  deploymentJson,
  deploymentStatusJson,
  statusJson,
  commentJson,
  commitJson,
  gitCommitJson,
  installationJson,
  issueJson,
  labelJson,
  lineStats,
  permissionJson,
  pullJson,
  reactionJson,
  refJson,
  releaseJson,
  repoJson,
  tagJson,
  treeJson,
} from "./representations.js";

type Json = Record<string, unknown>;

/** What a route answers. */
export interface RouteResult {
  status: number;
  /** JSON body (undefined: none). */
  body?: unknown;
  /** Raw bytes instead of JSON. */
  raw?: { bytes: Buffer; contentType: string };
  headers?: Record<string, string>;
}

export interface RouteContext {
  world: World;
  identity: Identity;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body ({} when none). */
  body: Json;
  headers: IncomingHttpHeaders;
  /** The request path below `/api/v3`, without the query. */
  path: string;
  tokens: TokenStore;
  /** Reports an app-made change by webhook (delivered in the background). */
  emit: (event: string, payload: Json) => void;
}

/**
 * Who may call a route: `app` (JWT), `installation` (installation token), `read` (the repository is
 * public, or private and covered by the caller's installation), `write` (the caller's installation
 * covers the repository).
 */
export type Access = "app" | "installation" | "read" | "write";

export interface Route {
  access: Access;
  handle(ctx: RouteContext): RouteResult | Promise<RouteResult>;
}

const ok = (body: unknown, headers?: Record<string, string>): RouteResult => ({
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});
const created = (body: unknown): RouteResult => ({ status: 201, body });

/** Throws GitHub's answer when `identity` may not call a route with `access`. */
export function checkAccess(
  world: World,
  identity: Identity,
  access: Access,
  params: Record<string, string>,
): void {
  if (access === "app") {
    if (identity.kind !== "app")
      throw new HttpError(
        401,
        "A JSON web token could not be decoded: this endpoint requires the app's JWT (Authorization: Bearer <jwt>)",
      );
    return;
  }
  if (identity.kind === "app")
    throw new HttpError(
      403,
      "Resource not accessible by integration: a JWT cannot be used here, use an installation token",
    );
  if (access === "installation") {
    if (identity.kind !== "installation") throw new HttpError(401, "Requires authentication");
    return;
  }
  const { owner, repo: name } = params;
  if (owner === undefined || name === undefined) return;
  const repo = world.repo(`${owner}/${name}`);
  if (!repo) throw notFound();
  const covered =
    identity.kind === "installation" && world.installationCovers(identity.installationId, repo);
  if (repo.private && !covered) throw notFound();
  if (access === "write" && !covered) {
    if (identity.kind === "anonymous") throw new HttpError(401, "Requires authentication");
    throw new HttpError(403, "Resource not accessible by integration");
  }
}

/** The account acting: the app's bot for an installation token. */
function actor(ctx: RouteContext): SimUser {
  return ctx.world.appUser;
}

function repoOf(ctx: RouteContext): SimRepo {
  return ctx.world.requireRepo(ctx.params.owner ?? "", ctx.params.repo ?? "");
}

function intParam(ctx: RouteContext, name: string): number {
  const value = Number(ctx.params[name]);
  if (!Number.isInteger(value)) throw notFound();
  return value;
}

/** `per_page` (default 30, max 100) and `page` (default 1) of a listing. */
function pageOf(query: URLSearchParams): { perPage: number; page: number } {
  const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  return { perPage, page };
}

/** One page of `items`, with GitHub's `link` header (next, last, first, prev). */
function paginate<T>(
  ctx: RouteContext,
  items: readonly T[],
): { items: T[]; headers: Record<string, string> } {
  const { perPage, page } = pageOf(ctx.query);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string): string => {
    const query = new URLSearchParams(ctx.query);
    query.set("per_page", String(perPage));
    query.set("page", String(n));
    return `<${ctx.world.apiUrl}${ctx.path}?${query.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"));
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  if (page > 1) links.push(link(1, "first"));
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(", ") } : {},
  };
}

function listing<T>(
  ctx: RouteContext,
  items: readonly T[],
  render: (item: T) => unknown,
): RouteResult {
  const { items: page, headers } = paginate(ctx, items);
  return ok(page.map(render), headers);
}

function str(body: Json, name: string): string | undefined {
  const value = body[name];
  return typeof value === "string" ? value : undefined;
}

// ---------------------------------------------------------------- refs and pushes

/** Reports a ref move made through the API: `push`, plus `create` for a new ref. */
function emitRefChange(
  ctx: RouteContext,
  repo: SimRepo,
  ref: string,
  before: string | null,
  after: string,
  forced: boolean,
): void {
  const { world } = ctx;
  const sender = actor(ctx);
  const isTag = ref.startsWith("refs/tags/");
  const short = ref.replace(/^refs\/(heads|tags)\//, "");
  const commits: CommitResult[] = [];
  if (!isTag && repo.git.commit(after)) {
    const base =
      before ??
      (ref === `refs/heads/${repo.defaultBranch}`
        ? undefined
        : world.branchSha(repo, repo.defaultBranch));
    const shas = base === undefined ? [after] : repo.git.commitsBetween(base, after).slice(-20);
    for (const sha of shas) {
      const parent = repo.git.commit(sha)?.parents[0];
      const diff = world.diff(repo, parent, sha);
      commits.push({
        sha,
        before: parent ?? null,
        added: diff.added,
        modified: diff.modified,
        removed: diff.removed,
      });
    }
  }
  ctx.emit(
    "push",
    pushPayload(world, repo, { ref, before, after, commits, pusher: sender, forced }),
  );
  if (before === null)
    ctx.emit("create", createPayload(world, repo, short, isTag ? "tag" : "branch", sender));
}

/** Whether `ref` would be a file where another ref needs a directory, or the reverse. */
function refPathConflict(repo: SimRepo, ref: string): boolean {
  for (const existing of repo.refs.keys())
    if (existing.startsWith(`${ref}/`) || ref.startsWith(`${existing}/`)) return true;
  return false;
}

const REF_NAME = /^refs\/[^/]+\/.+/;

function validRefName(ref: string): boolean {
  return REF_NAME.test(ref) && !/(\.\.|[~^:?*[\\\s]|\/\/|\/$|\.lock$|@\{)/.test(ref);
}

// ---------------------------------------------------------------- trees and commits

/** The files `head` changes since `from`, as compare and a pull request's files list them. */
function diffFiles(world: World, repo: SimRepo, from: string | undefined, head: string): Json[] {
  const html = `${world.htmlUrl}/${repo.fullName}`;
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  return world.diff(repo, from, head).entries.map((entry) => {
    const stats = lineStats(repo, entry.before?.sha, entry.after?.sha);
    const sha = entry.after?.sha ?? entry.before?.sha ?? "";
    return {
      sha,
      filename: entry.path,
      status: !entry.before ? "added" : !entry.after ? "removed" : "modified",
      additions: stats.additions,
      deletions: stats.deletions,
      changes: stats.additions + stats.deletions,
      blob_url: `${html}/blob/${head}/${entry.path}`,
      raw_url: `${html}/raw/${head}/${entry.path}`,
      contents_url: `${api}/contents/${entry.path}?ref=${head}`,
    };
  });
}

/** A tree-ish: a tree SHA, a commit SHA (its tree), or a branch or tag name. */
function resolveTree(world: World, repo: SimRepo, name: string): string | undefined {
  if (isSha(name)) {
    const object = repo.git.get(name);
    if (object?.type === "tree") return name;
    if (object?.type === "commit") return object.commit.tree;
    return undefined;
  }
  const commit = world.resolveCommit(repo, name);
  return commit === undefined ? undefined : repo.git.commit(commit)?.tree;
}

interface TreeInput {
  path?: unknown;
  mode?: unknown;
  type?: unknown;
  sha?: unknown;
  content?: unknown;
}

function createTree(ctx: RouteContext, repo: SimRepo): string {
  const { world } = ctx;
  const baseTree = str(ctx.body, "base_tree");
  let flat = new Map<string, FlatEntry>();
  if (baseTree !== undefined) {
    const tree = resolveTree(world, repo, baseTree);
    if (tree === undefined || !isSha(baseTree))
      throw validationFailed("base_tree is not a valid tree oid");
    flat = repo.git.flatten(tree);
  }
  const entries = (Array.isArray(ctx.body.tree) ? ctx.body.tree : []) as TreeInput[];
  for (const [i, entry] of entries.entries()) {
    const where = `tree.${i}`;
    const path = typeof entry.path === "string" ? entry.path.replace(/^\/+|\/+$/g, "") : "";
    if (path === "" || path.split("/").some((part) => part === "" || part === "." || part === ".."))
      throw validationFailed(`${where}.path contains a malformed path component`);
    const mode = (typeof entry.mode === "string" ? entry.mode : "100644") as GitMode;
    const type = typeof entry.type === "string" ? entry.type : mode === "040000" ? "tree" : "blob";
    const hasContent = "content" in entry && entry.content !== undefined;
    const hasSha = "sha" in entry && entry.sha !== undefined;
    if (hasContent && hasSha)
      throw validationFailed(`${where}: use either sha or content, not both`);
    if (!hasContent && !hasSha) throw validationFailed(`${where}: sha or content is required`);
    if (hasSha && entry.sha === null) {
      if (baseTree === undefined)
        throw validationFailed(`${where}.sha: null (deletion) requires base_tree`);
      for (const key of [...flat.keys()])
        if (key === path || key.startsWith(`${path}/`)) flat.delete(key);
      continue;
    }
    if (hasContent) {
      if (type !== "blob") throw validationFailed(`${where}: content is only allowed for blobs`);
      flat.set(path, { mode, type: "blob", sha: repo.git.writeBlob(String(entry.content)) });
      continue;
    }
    const sha = String(entry.sha);
    if (type === "tree") {
      if (!repo.git.tree(sha)) throw validationFailed(`${where}.sha ${sha} is not a valid tree`);
      for (const key of [...flat.keys()])
        if (key === path || key.startsWith(`${path}/`)) flat.delete(key);
      for (const [sub, leaf] of repo.git.flatten(sha)) flat.set(`${path}/${sub}`, leaf);
    } else if (type === "commit") {
      flat.set(path, { mode: "160000", type: "commit", sha });
    } else {
      if (!repo.git.blob(sha)) throw validationFailed(`${where}.sha ${sha} is not a valid blob`);
      flat.set(path, { mode, type: "blob", sha });
    }
  }
  return repo.git.buildTree(flat);
}

function gitIdentityFrom(value: unknown, fallbackDate: string): GitIdentity | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const v = value as Json;
  if (typeof v.name !== "string" || typeof v.email !== "string")
    throw validationFailed("author and committer need name and email");
  return {
    name: v.name,
    email: v.email,
    date:
      typeof v.date === "string" && !Number.isNaN(Date.parse(v.date))
        ? new Date(v.date).toISOString().replace(/\.\d{3}Z$/, "Z")
        : fallbackDate,
  };
}

function createCommit(ctx: RouteContext, repo: SimRepo): string {
  const { world, body } = ctx;
  const tree = str(body, "tree") ?? "";
  if (!repo.git.tree(tree)) throw validationFailed("Tree SHA does not exist");
  const parents = Array.isArray(body.parents) ? body.parents.map(String) : [];
  for (const parent of parents)
    if (!repo.git.commit(parent))
      throw validationFailed("Parent SHA does not exist or is not a commit object");
  const now = world.now();
  const givenAuthor = gitIdentityFrom(body.author, now);
  const givenCommitter = gitIdentityFrom(body.committer, givenAuthor?.date ?? now);
  const bot = world.appUser;
  // With no author and committer, GitHub writes an app's commit as the app's bot, committed and
  // signed by GitHub (web-flow), and marks it verified.
  const author = givenAuthor ?? world.identity(bot, now);
  const committer = givenCommitter ?? (givenAuthor ? author : world.identity(world.webFlow, now));
  const sha = repo.git.writeCommit({
    tree,
    parents,
    author,
    committer,
    message: str(body, "message") ?? "",
  });
  const authorUser = givenAuthor ? world.userByEmail(author.email) : bot;
  const committerUser = givenCommitter
    ? world.userByEmail(committer.email)
    : givenAuthor
      ? authorUser
      : world.webFlow;
  repo.commitMeta.set(sha, {
    ...(authorUser ? { authorLogin: authorUser.login } : {}),
    ...(committerUser ? { committerLogin: committerUser.login } : {}),
    verified: givenAuthor === undefined && givenCommitter === undefined,
  });
  return sha;
}

// ---------------------------------------------------------------- pull requests and issues

function openPullForHead(world: World, repo: SimRepo, head: string): SimPull | undefined {
  return world.pulls(repo).find((pull) => pull.state === "open" && pull.pull.headRef === head);
}

function headBranch(repo: SimRepo, head: string): string {
  const colon = head.indexOf(":");
  if (colon < 0) return head;
  const owner = head.slice(0, colon);
  if (owner.toLowerCase() !== repo.owner.login.toLowerCase())
    throw validationFailed("Validation Failed", [
      {
        resource: "PullRequest",
        field: "head",
        code: "invalid",
        message: "forks are not simulated",
      },
    ]);
  return head.slice(colon + 1);
}

function sortPulls(pulls: SimPull[], sort: string, direction: string): SimPull[] {
  const key = (pull: SimPull): number =>
    sort === "updated" ? pull.updatedSeq : sort === "popularity" ? pull.number : pull.number;
  const sorted = [...pulls].sort((a, b) => key(a) - key(b));
  return direction === "asc" ? sorted : sorted.reverse();
}

function addLabels(ctx: RouteContext, repo: SimRepo, issue: SimIssue, names: string[]): void {
  const added: string[] = [];
  for (const name of names) {
    const label = ctx.world.label(repo, name);
    if (issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) continue;
    issue.labels.push(label.name);
    added.push(label.name);
  }
  if (added.length === 0) return;
  ctx.world.touch(issue);
  if (issue.pull)
    for (const name of added)
      ctx.emit(
        "pull_request",
        pullRequestPayload(ctx.world, repo, issue as SimPull, "labeled", actor(ctx), {
          label: labelJson(ctx.world, repo, ctx.world.label(repo, name)),
        }),
      );
}

function labelNames(body: unknown): string[] {
  const list = Array.isArray(body)
    ? body
    : Array.isArray((body as Json).labels)
      ? ((body as Json).labels as unknown[])
      : [];
  return list.flatMap((item) =>
    typeof item === "string"
      ? [item]
      : item && typeof item === "object" && typeof (item as Json).name === "string"
        ? [String((item as Json).name)]
        : [],
  );
}

// ---------------------------------------------------------------- the routes

export function createRoutes(): Map<string, Route> {
  const routes = new Map<string, Route>();
  const add = (key: string, access: Access, handle: Route["handle"]): void => {
    routes.set(key, { access, handle });
  };

  // Apps and installations.
  add("POST /app/installations/{installation_id}/access_tokens", "app", (ctx) => {
    const installation = ctx.world.installations.get(intParam(ctx, "installation_id"));
    if (!installation) throw notFound();
    const token = ctx.tokens.issue(installation.id);
    return created({
      token: token.token,
      expires_at: token.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
      permissions: APP_PERMISSIONS,
      repository_selection: "selected",
      single_file: ".github/promoter.yml",
    });
  });
  add("GET /app", "app", (ctx) => ok(appJson(ctx.world)));
  add("GET /app/installations", "app", (ctx) =>
    listing(ctx, [...ctx.world.installations.values()], (i) => installationJson(ctx.world, i)),
  );
  add("GET /app/installations/{installation_id}", "app", (ctx) => {
    const installation = ctx.world.installations.get(intParam(ctx, "installation_id"));
    if (!installation) throw notFound();
    return ok(installationJson(ctx.world, installation));
  });
  add("GET /repos/{owner}/{repo}/installation", "app", (ctx) => {
    const repo = repoOf(ctx);
    const installation =
      repo.installationId === undefined
        ? undefined
        : ctx.world.installations.get(repo.installationId);
    if (!installation) throw notFound();
    return ok(installationJson(ctx.world, installation));
  });
  add("GET /installation/repositories", "installation", (ctx) => {
    const { world } = ctx;
    const id = ctx.identity.kind === "installation" ? ctx.identity.installationId : -1;
    const repos = [...(world.installations.get(id)?.repositories ?? [])].flatMap((key) => {
      const repo = world.repo(key);
      return repo ? [repo] : [];
    });
    const { items, headers } = paginate(ctx, repos);
    return ok(
      {
        total_count: repos.length,
        repository_selection: "selected",
        repositories: items.map((repo) => repoJson(world, repo)),
      },
      headers,
    );
  });

  // Repositories.
  add("GET /repos/{owner}/{repo}", "read", (ctx) => ok(repoJson(ctx.world, repoOf(ctx))));

  // Git references.
  add("GET /repos/{owner}/{repo}/git/ref/{ref}", "read", (ctx) => {
    const repo = repoOf(ctx);
    const ref = `refs/${ctx.params.ref}`;
    const sha = repo.refs.get(ref);
    if (sha === undefined) throw notFound();
    return ok(refJson(ctx.world, repo, ref, sha));
  });
  add("GET /repos/{owner}/{repo}/git/matching-refs/{ref}", "read", (ctx) => {
    const repo = repoOf(ctx);
    const prefix = `refs/${ctx.params.ref}`;
    const refs = [...repo.refs]
      .filter(([ref]) => ref.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return ok(refs.map(([ref, sha]) => refJson(ctx.world, repo, ref, sha)));
  });
  add("POST /repos/{owner}/{repo}/git/refs", "write", (ctx) => {
    const repo = repoOf(ctx);
    const ref = str(ctx.body, "ref") ?? "";
    const sha = str(ctx.body, "sha") ?? "";
    if (!validRefName(ref))
      throw validationFailed(
        "Reference name must start with 'refs/' and have at least two slashes.",
      );
    if (!repo.git.has(sha)) throw validationFailed("Object does not exist");
    if (repo.refs.has(ref)) throw validationFailed("Reference already exists");
    // Git stores refs as paths: `refs/heads/a` and `refs/heads/a/b` cannot both exist.
    if (refPathConflict(repo, ref)) throw validationFailed("Reference update failed");
    repo.refs.set(ref, sha);
    emitRefChange(ctx, repo, ref, null, sha, false);
    return created(refJson(ctx.world, repo, ref, sha));
  });
  add("PATCH /repos/{owner}/{repo}/git/refs/{ref}", "write", (ctx) => {
    const repo = repoOf(ctx);
    const ref = `refs/${ctx.params.ref}`;
    const sha = str(ctx.body, "sha") ?? "";
    const before = repo.refs.get(ref);
    if (before === undefined) throw validationFailed("Reference does not exist");
    if (!repo.git.has(sha)) throw validationFailed("Object does not exist");
    const fastForward = repo.git.ancestors(sha).has(before);
    if (!fastForward && ctx.body.force !== true)
      throw validationFailed("Update is not a fast forward");
    repo.refs.set(ref, sha);
    if (before !== sha) emitRefChange(ctx, repo, ref, before, sha, !fastForward);
    return ok(refJson(ctx.world, repo, ref, sha));
  });
  add("DELETE /repos/{owner}/{repo}/git/refs/{ref}", "write", (ctx) => {
    const { world } = ctx;
    const repo = repoOf(ctx);
    const ref = `refs/${ctx.params.ref}`;
    const before = repo.refs.get(ref);
    if (before === undefined) throw validationFailed("Reference does not exist");
    const branch = ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;
    if (branch === repo.defaultBranch) throw validationFailed("Cannot delete the default branch");
    repo.refs.delete(ref);
    ctx.emit(
      "delete",
      deletePayload(
        world,
        repo,
        ref.replace(/^refs\/(heads|tags)\//, ""),
        branch === undefined ? "tag" : "branch",
        actor(ctx),
      ),
    );
    ctx.emit(
      "push",
      pushPayload(world, repo, { ref, before, after: null, commits: [], pusher: actor(ctx) }),
    );
    // GitHub closes the open pull requests whose head branch is deleted.
    for (const pull of world.pulls(repo)) {
      if (branch === undefined || pull.state !== "open" || pull.pull.headRef !== branch) continue;
      pull.state = "closed";
      pull.closedAt = world.now();
      world.touch(pull);
      ctx.emit("pull_request", pullRequestPayload(world, repo, pull, "closed", actor(ctx)));
    }
    return { status: 204 };
  });

  // Trees, commits, blobs.
  add("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", "read", (ctx) => {
    const repo = repoOf(ctx);
    const tree = resolveTree(ctx.world, repo, ctx.params.tree_sha ?? "");
    if (tree === undefined) throw notFound();
    return ok(treeJson(ctx.world, repo, tree, ctx.query.has("recursive")));
  });
  add("POST /repos/{owner}/{repo}/git/trees", "write", (ctx) => {
    const repo = repoOf(ctx);
    return created(treeJson(ctx.world, repo, createTree(ctx, repo), false));
  });
  add("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", "read", (ctx) => {
    const repo = repoOf(ctx);
    const sha = ctx.params.commit_sha ?? "";
    if (!repo.git.commit(sha)) throw notFound();
    return ok(gitCommitJson(ctx.world, repo, sha));
  });
  add("POST /repos/{owner}/{repo}/git/commits", "write", (ctx) => {
    const repo = repoOf(ctx);
    return created(gitCommitJson(ctx.world, repo, createCommit(ctx, repo)));
  });
  add("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", "read", (ctx) => {
    const repo = repoOf(ctx);
    const sha = ctx.params.file_sha ?? "";
    const content = repo.git.blob(sha);
    if (content === undefined) throw notFound();
    const accept = String(ctx.headers.accept ?? "");
    if (/\bvnd\.github(\.v3)?\.raw\b/.test(accept))
      return { status: 200, raw: { bytes: content, contentType: "application/vnd.github.raw" } };
    return ok(blobJson(ctx.world, repo, sha, content));
  });
  // A file's contents at a ref (default: the default branch), base64 as GitHub sends it; a directory lists its entries.
  add("GET /repos/{owner}/{repo}/contents/{path}", "read", (ctx) => {
    const repo = repoOf(ctx);
    const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
    const tree = resolveTree(ctx.world, repo, ctx.query.get("ref") ?? repo.defaultBranch);
    if (tree === undefined) throw notFound();
    const files = repo.git.flatten(tree);
    const api = `${ctx.world.apiUrl}/repos/${repo.fullName}`;
    const describe = (name: string, type: string, sha: string, size: number) => ({
      type,
      name: name.slice(name.lastIndexOf("/") + 1),
      path: name,
      sha,
      size,
      url: `${api}/contents/${name}`,
      html_url: `${ctx.world.htmlUrl}/${repo.fullName}/blob/${sha}/${name}`,
      git_url: `${api}/git/blobs/${sha}`,
      download_url: null,
      _links: { self: `${api}/contents/${name}`, git: `${api}/git/blobs/${sha}`, html: null },
    });
    const entry = files.get(path);
    if (entry?.type === "blob") {
      const bytes = repo.git.blob(entry.sha) ?? Buffer.alloc(0);
      return ok({
        ...describe(path, entry.mode === "120000" ? "symlink" : "file", entry.sha, bytes.length),
        encoding: "base64",
        content: bytes.toString("base64"),
      });
    }
    const inside = [...files].filter(([name]) => name.startsWith(`${path}/`));
    if (inside.length === 0) throw notFound();
    const children = new Map<string, ReturnType<typeof describe>>();
    for (const [name, child] of inside) {
      const rest = name.slice(path.length + 1);
      const slash = rest.indexOf("/");
      const childPath = `${path}/${slash < 0 ? rest : rest.slice(0, slash)}`;
      if (children.has(childPath)) continue;
      children.set(
        childPath,
        slash < 0
          ? describe(childPath, "file", child.sha, repo.git.blob(child.sha)?.length ?? 0)
          : describe(childPath, "dir", child.sha, 0),
      );
    }
    return ok([...children.values()]);
  });
  add("POST /repos/{owner}/{repo}/git/blobs", "write", (ctx) => {
    const repo = repoOf(ctx);
    const content = str(ctx.body, "content") ?? "";
    const bytes =
      str(ctx.body, "encoding") === "base64"
        ? Buffer.from(content, "base64")
        : Buffer.from(content, "utf8");
    const sha = repo.git.writeBlob(bytes);
    return created({ sha, url: `${ctx.world.apiUrl}/repos/${repo.fullName}/git/blobs/${sha}` });
  });

  // Comparing commits.
  add("GET /repos/{owner}/{repo}/compare/{basehead}", "read", (ctx) => {
    const { world } = ctx;
    const repo = repoOf(ctx);
    const basehead = ctx.params.basehead ?? "";
    const parts = basehead.includes("...") ? basehead.split("...") : basehead.split("..");
    if (parts.length !== 2) throw notFound();
    const resolve = (name: string): string => {
      const plain = name.includes(":") ? name.slice(name.indexOf(":") + 1) : name;
      const sha = world.resolveCommit(repo, plain);
      if (sha === undefined) throw notFound();
      return sha;
    };
    const base = resolve(parts[0] ?? "");
    const head = resolve(parts[1] ?? "");
    const mergeBase = repo.git.mergeBase(base, head);
    if (mergeBase === undefined) throw notFound();
    const ahead = repo.git.commitsBetween(base, head);
    const behind = repo.git.commitsBetween(head, base);
    const status =
      ahead.length === 0 && behind.length === 0
        ? "identical"
        : behind.length === 0
          ? "ahead"
          : ahead.length === 0
            ? "behind"
            : "diverged";
    const html = `${world.htmlUrl}/${repo.fullName}`;
    const api = `${world.apiUrl}/repos/${repo.fullName}`;
    const files = diffFiles(world, repo, mergeBase, head);
    return ok({
      url: `${api}/compare/${basehead}`,
      html_url: `${html}/compare/${basehead}`,
      permalink_url: `${html}/compare/${repo.owner.login}:${base.slice(0, 7)}...${repo.owner.login}:${head.slice(0, 7)}`,
      diff_url: `${html}/compare/${basehead}.diff`,
      patch_url: `${html}/compare/${basehead}.patch`,
      base_commit: commitJson(world, repo, base),
      merge_base_commit: commitJson(world, repo, mergeBase),
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: ahead.slice(0, 250).map((sha) => commitJson(world, repo, sha)),
      files,
    });
  });

  // Tags and releases.
  add("GET /repos/{owner}/{repo}/tags", "read", (ctx) => {
    const repo = repoOf(ctx);
    const tags = [...repo.refs]
      .filter(([ref]) => ref.startsWith("refs/tags/"))
      .reverse()
      .map(([ref, sha]) => ({ name: ref.slice("refs/tags/".length), sha }));
    return listing(ctx, tags, (tag) => tagJson(ctx.world, repo, tag.name, tag.sha));
  });
  add("GET /repos/{owner}/{repo}/releases", "read", (ctx) => {
    const repo = repoOf(ctx);
    const covered =
      ctx.identity.kind === "installation" &&
      ctx.world.installationCovers(ctx.identity.installationId, repo);
    const releases = [...repo.releases]
      .filter((r) => !r.draft || covered)
      .sort((a, b) => b.id - a.id);
    return listing(ctx, releases, (release) => releaseJson(ctx.world, repo, release));
  });

  // Pull requests.
  add("GET /repos/{owner}/{repo}/pulls", "read", (ctx) => {
    const { world, query } = ctx;
    const repo = repoOf(ctx);
    const state = query.get("state") ?? "open";
    const head = query.get("head");
    const base = query.get("base");
    const sort = query.get("sort") ?? "created";
    const direction = query.get("direction") ?? (sort === "created" ? "desc" : "asc");
    let pulls = world.pulls(repo).filter((pull) => state === "all" || pull.state === state);
    if (head) {
      const colon = head.indexOf(":");
      const owner = colon < 0 ? repo.owner.login : head.slice(0, colon);
      const branch = colon < 0 ? head : head.slice(colon + 1);
      pulls =
        owner.toLowerCase() === repo.owner.login.toLowerCase()
          ? pulls.filter((pull) => pull.pull.headRef === branch)
          : [];
    }
    if (base) pulls = pulls.filter((pull) => pull.pull.baseRef === base);
    return listing(ctx, sortPulls(pulls, sort, direction), (pull) => pullJson(world, repo, pull));
  });
  add("POST /repos/{owner}/{repo}/pulls", "write", (ctx) => {
    const { world, body } = ctx;
    const repo = repoOf(ctx);
    const head = headBranch(repo, str(body, "head") ?? "");
    const base = str(body, "base") ?? "";
    const headSha = world.branchSha(repo, head);
    const baseSha = world.branchSha(repo, base);
    if (headSha === undefined)
      throw validationFailed("Validation Failed", [
        { resource: "PullRequest", field: "head", code: "invalid" },
      ]);
    if (baseSha === undefined)
      throw validationFailed("Validation Failed", [
        { resource: "PullRequest", field: "base", code: "invalid" },
      ]);
    if (openPullForHead(world, repo, head))
      throw validationFailed("Validation Failed", [
        {
          resource: "PullRequest",
          code: "custom",
          message: `A pull request already exists for ${repo.owner.login}:${head}.`,
        },
      ]);
    if (repo.git.commitsBetween(baseSha, headSha).length === 0)
      throw validationFailed("Validation Failed", [
        {
          resource: "PullRequest",
          code: "custom",
          message: `No commits between ${base} and ${head}`,
        },
      ]);
    if (str(body, "title") === undefined && body.issue === undefined)
      throw validationFailed("Validation Failed", [
        { resource: "PullRequest", field: "title", code: "missing_field" },
      ]);
    const pull = newPull(world, repo, {
      title: str(body, "title") ?? "",
      body: str(body, "body") ?? null,
      head,
      base,
      user: actor(ctx).login,
      draft: body.draft === true,
    });
    ctx.emit("pull_request", pullRequestPayload(world, repo, pull, "opened", actor(ctx)));
    return created(pullJson(world, repo, pull));
  });
  add("GET /repos/{owner}/{repo}/pulls/{pull_number}", "read", (ctx) => {
    const repo = repoOf(ctx);
    return ok(pullJson(ctx.world, repo, ctx.world.requirePull(repo, intParam(ctx, "pull_number"))));
  });
  add("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", "read", (ctx) => {
    const { world } = ctx;
    const repo = repoOf(ctx);
    const pull = world.requirePull(repo, intParam(ctx, "pull_number"));
    const headSha = world.pullHeadSha(repo, pull);
    const baseSha = world.branchSha(repo, pull.pull.baseRef) ?? headSha;
    const files = diffFiles(world, repo, repo.git.mergeBase(baseSha, headSha), headSha);
    return listing(ctx, files, (file) => file);
  });
  add("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", "write", (ctx) => {
    const { world, body } = ctx;
    const repo = repoOf(ctx);
    const pull = world.requirePull(repo, intParam(ctx, "pull_number"));
    const changes: Json = {};
    const title = str(body, "title");
    if (title !== undefined && title !== pull.title) {
      changes.title = { from: pull.title };
      pull.title = title;
    }
    if (
      "body" in body &&
      (body.body === null || typeof body.body === "string") &&
      body.body !== pull.body
    ) {
      changes.body = { from: pull.body ?? "" };
      pull.body = body.body;
    }
    const base = str(body, "base");
    if (base !== undefined && base !== pull.pull.baseRef) {
      if (world.branchSha(repo, base) === undefined)
        throw validationFailed("Validation Failed", [
          { resource: "PullRequest", field: "base", code: "invalid" },
        ]);
      changes.base = {
        ref: { from: pull.pull.baseRef },
        sha: { from: world.branchSha(repo, pull.pull.baseRef) },
      };
      pull.pull.baseRef = base;
    }
    const state = str(body, "state");
    let stateAction: string | undefined;
    if (state !== undefined && state !== pull.state) {
      if (pull.pull.merged)
        throw validationFailed("Validation Failed", [
          {
            resource: "PullRequest",
            code: "custom",
            message: "Cannot change the state of a merged pull request",
          },
        ]);
      if (state === "open" && openPullForHead(world, repo, pull.pull.headRef))
        throw validationFailed("Validation Failed", [
          {
            resource: "PullRequest",
            code: "custom",
            message: `A pull request already exists for ${repo.owner.login}:${pull.pull.headRef}.`,
          },
        ]);
      pull.state = state === "open" ? "open" : "closed";
      pull.closedAt = pull.state === "closed" ? world.now() : null;
      stateAction = pull.state === "closed" ? "closed" : "reopened";
    }
    world.touch(pull);
    if (Object.keys(changes).length > 0)
      ctx.emit(
        "pull_request",
        pullRequestPayload(world, repo, pull, "edited", actor(ctx), { changes }),
      );
    if (stateAction)
      ctx.emit("pull_request", pullRequestPayload(world, repo, pull, stateAction, actor(ctx)));
    return ok(pullJson(world, repo, pull));
  });

  // Labels.
  add("GET /repos/{owner}/{repo}/labels", "read", (ctx) => {
    const repo = repoOf(ctx);
    return listing(ctx, [...repo.labels.values()], (label) => labelJson(ctx.world, repo, label));
  });
  add("POST /repos/{owner}/{repo}/labels", "write", (ctx) => {
    const repo = repoOf(ctx);
    const name = str(ctx.body, "name") ?? "";
    if (repo.labels.has(name.toLowerCase()))
      throw validationFailed("Validation Failed", [
        { resource: "Label", code: "already_exists", field: "name" },
      ]);
    const color = (str(ctx.body, "color") ?? "ededed").replace(/^#/, "");
    if (!/^[0-9a-fA-F]{6}$/.test(color))
      throw validationFailed("Validation Failed", [
        { resource: "Label", code: "invalid", field: "color" },
      ]);
    const label = ctx.world.label(
      repo,
      name,
      color.toLowerCase(),
      str(ctx.body, "description") ?? null,
    );
    return created(labelJson(ctx.world, repo, label));
  });
  add("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", "write", (ctx) => {
    const repo = repoOf(ctx);
    const issue = ctx.world.requireIssue(repo, intParam(ctx, "issue_number"));
    addLabels(ctx, repo, issue, labelNames(ctx.body));
    return ok(issue.labels.map((name) => labelJson(ctx.world, repo, ctx.world.label(repo, name))));
  });

  // Issues (the repository's issues and pull requests, as GitHub lists them together).
  add("GET /repos/{owner}/{repo}/issues", "read", (ctx) => {
    const { world, query } = ctx;
    const repo = repoOf(ctx);
    const state = query.get("state") ?? "open";
    const creator = query.get("creator");
    const sort = query.get("sort") ?? "created";
    const direction = query.get("direction") ?? "desc";
    const issues = [...repo.issues.values()].filter(
      (issue) =>
        (state === "all" || issue.state === state) &&
        (creator === null || issue.user.toLowerCase() === creator.toLowerCase()),
    );
    const key = (issue: SimIssue) => (sort === "updated" ? issue.updatedSeq : issue.number);
    const sorted = issues.sort((a, b) => key(a) - key(b));
    if (direction !== "asc") sorted.reverse();
    return listing(ctx, sorted, (issue) => issueJson(world, repo, issue));
  });
  add("POST /repos/{owner}/{repo}/issues", "write", (ctx) => {
    const { world, body } = ctx;
    const repo = repoOf(ctx);
    const title = str(body, "title");
    if (title === undefined || title === "")
      throw validationFailed("Validation Failed", [
        { resource: "Issue", field: "title", code: "missing_field" },
      ]);
    const issue = newIssue(world, repo, {
      title,
      body: str(body, "body") ?? null,
      user: actor(ctx).login,
    });
    ctx.emit("issues", issuesPayload(world, repo, issue, "opened", actor(ctx)));
    return created(issueJson(world, repo, issue));
  });
  add("GET /repos/{owner}/{repo}/issues/{issue_number}", "read", (ctx) => {
    const repo = repoOf(ctx);
    return ok(
      issueJson(ctx.world, repo, ctx.world.requireIssue(repo, intParam(ctx, "issue_number"))),
    );
  });
  add("PATCH /repos/{owner}/{repo}/issues/{issue_number}", "write", (ctx) => {
    const { world, body } = ctx;
    const repo = repoOf(ctx);
    const issue = world.requireIssue(repo, intParam(ctx, "issue_number"));
    const changes = editIssue(world, issue, {
      ...(str(body, "title") === undefined ? {} : { title: str(body, "title") }),
      ...(typeof body.body === "string" || body.body === null ? { body: body.body } : {}),
      ...(str(body, "state") === undefined ? {} : { state: str(body, "state") }),
    });
    if (!issue.pull) {
      if (changes.edited)
        ctx.emit(
          "issues",
          issuesPayload(world, repo, issue, "edited", actor(ctx), { changes: changes.edited }),
        );
      if (changes.state)
        ctx.emit("issues", issuesPayload(world, repo, issue, changes.state, actor(ctx)));
    }
    return ok(issueJson(world, repo, issue));
  });

  // Comments and reactions.
  add("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", "write", (ctx) => {
    const { world } = ctx;
    const repo = repoOf(ctx);
    const issue = world.requireIssue(repo, intParam(ctx, "issue_number"));
    const comment = addComment(world, repo, issue, actor(ctx).login, str(ctx.body, "body") ?? "");
    ctx.emit("issue_comment", issueCommentPayload(world, repo, issue, comment, actor(ctx)));
    return created(commentJson(world, repo, comment));
  });
  add("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", "read", (ctx) => {
    const repo = repoOf(ctx);
    const number = intParam(ctx, "issue_number");
    ctx.world.requireIssue(repo, number);
    const since = ctx.query.get("since");
    const comments = repo.comments.filter(
      (c) =>
        c.issueNumber === number &&
        (since === null || Date.parse(c.updatedAt) >= Date.parse(since)),
    );
    return listing(ctx, comments, (comment) => commentJson(ctx.world, repo, comment));
  });
  add("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", "write", (ctx) => {
    const { world } = ctx;
    const repo = repoOf(ctx);
    const commentId = intParam(ctx, "comment_id");
    if (!repo.comments.some((c) => c.id === commentId)) throw notFound();
    const content = str(ctx.body, "content") ?? "";
    const user = actor(ctx).login;
    const existing = repo.reactions.find(
      (r) => r.commentId === commentId && r.user === user && r.content === content,
    );
    if (existing) return ok(reactionJson(world, existing));
    const reaction = { id: world.nextId(), commentId, user, content, createdAt: world.now() };
    repo.reactions.push(reaction);
    return created(reactionJson(world, reaction));
  });

  // Permissions and teams.
  add("GET /repos/{owner}/{repo}/collaborators/{username}/permission", "read", (ctx) => {
    const { world } = ctx;
    const repo = repoOf(ctx);
    const login = ctx.params.username ?? "";
    const user = world.users.get(login.toLowerCase());
    if (!user) throw new HttpError(404, `${login} is not a user`);
    let role: Permission | "none" =
      repo.collaborators.get(login.toLowerCase()) ?? (repo.private ? "none" : "read");
    if (repo.owner.type !== "Organization" && repo.owner === user) role = "admin";
    return ok(permissionJson(world, user, role));
  });
  add("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", "installation", (ctx) => {
    const team = `${ctx.params.org}/${ctx.params.team_slug}`.toLowerCase();
    const role = ctx.world.teams.get(team)?.get((ctx.params.username ?? "").toLowerCase());
    if (!role) throw notFound();
    return ok({
      url: `${ctx.world.apiUrl}/teams/1/memberships/${encodeURIComponent(ctx.params.username ?? "")}`,
      role,
      state: "active",
    });
  });

  // Check runs.
  add("POST /repos/{owner}/{repo}/check-runs", "write", (ctx) => {
    const { world, body } = ctx;
    const repo = repoOf(ctx);
    const headSha = str(body, "head_sha") ?? "";
    if (!repo.git.commit(headSha)) throw validationFailed(`No commit found for SHA: ${headSha}`);
    const conclusion = str(body, "conclusion") ?? null;
    const status = conclusion !== null ? "completed" : (str(body, "status") ?? "queued");
    if (status === "completed" && conclusion === null)
      throw validationFailed("Validation Failed", [
        { resource: "CheckRun", field: "conclusion", code: "missing_field" },
      ]);
    const output = (body.output ?? {}) as Json;
    const now = world.now();
    const run = {
      id: world.nextId(),
      headSha,
      name: str(body, "name") ?? "",
      status,
      conclusion,
      startedAt: str(body, "started_at") ?? now,
      completedAt: status === "completed" ? (str(body, "completed_at") ?? now) : null,
      externalId: str(body, "external_id") ?? null,
      detailsUrl: str(body, "details_url") ?? null,
      output: {
        title: str(output, "title") ?? null,
        summary: str(output, "summary") ?? null,
        text: str(output, "text") ?? null,
      },
      ...(ctx.identity.kind === "installation"
        ? { installationId: ctx.identity.installationId }
        : {}),
    };
    if (run.output.summary !== null && Buffer.byteLength(run.output.summary) > 65_535)
      throw validationFailed(
        "Invalid request.\n\nOnly 65535 characters are allowed; 'summary' is too long.",
      );
    if (run.output.text !== null && Buffer.byteLength(run.output.text) > 65_535)
      throw validationFailed(
        "Invalid request.\n\nOnly 65535 characters are allowed; 'text' is too long.",
      );
    repo.checkRuns.push(run);
    return created(checkRunJson(world, repo, run));
  });

  // A commit by SHA, branch or `tags/<name>` (what a release date falls back to without a release).
  add("GET /repos/{owner}/{repo}/commits/{ref}", "read", (ctx) => {
    const repo = repoOf(ctx);
    const sha = ctx.world.resolveCommit(repo, ctx.params.ref ?? "");
    if (sha === undefined) throw notFound();
    return ok(commitJson(ctx.world, repo, sha));
  });
  add("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", "read", (ctx) => {
    const repo = repoOf(ctx);
    const sha = ctx.world.resolveCommit(repo, ctx.params.ref ?? "");
    if (sha === undefined) throw notFound();
    // filter=latest (GitHub's default): the newest run of each name.
    const latest = new Map<string, (typeof repo.checkRuns)[number]>();
    for (const run of repo.checkRuns.filter((r) => r.headSha === sha)) latest.set(run.name, run);
    const runs =
      ctx.query.get("filter") === "all"
        ? repo.checkRuns.filter((r) => r.headSha === sha)
        : [...latest.values()];
    const { perPage, page } = pageOf(ctx.query);
    const pageRuns = runs.slice((page - 1) * perPage, page * perPage);
    return ok({
      total_count: runs.length,
      check_runs: pageRuns.map((run) => checkRunJson(ctx.world, repo, run)),
    });
  });
  add("GET /repos/{owner}/{repo}/commits/{ref}/status", "read", (ctx) => {
    const repo = repoOf(ctx);
    const sha = ctx.world.resolveCommit(repo, ctx.params.ref ?? "");
    if (sha === undefined) throw notFound();
    const api = `${ctx.world.apiUrl}/repos/${repo.fullName}`;
    // The latest status of each context, as GitHub combines them.
    const latest = new Map<string, (typeof repo.statuses)[number]>();
    for (const status of repo.statuses.filter((st) => st.sha === sha))
      latest.set(status.context, status);
    const statuses = [...latest.values()];
    const states = statuses.map((st) => st.state);
    const state = states.some((st) => st === "failure" || st === "error")
      ? "failure"
      : states.length > 0 && states.every((st) => st === "success")
        ? "success"
        : "pending";
    return ok({
      state,
      statuses: statuses.map((st) => statusJson(ctx.world, repo, st)),
      sha,
      total_count: statuses.length,
      repository: repoJson(ctx.world, repo),
      commit_url: `${api}/commits/${sha}`,
      url: `${api}/commits/${sha}/status`,
    });
  });

  add("GET /repos/{owner}/{repo}/deployments", "read", (ctx) => {
    const repo = repoOf(ctx);
    const sha = ctx.query.get("sha");
    const environment = ctx.query.get("environment");
    const deployments = repo.deployments
      .filter(
        (d) =>
          (sha === null || d.sha === sha) &&
          (environment === null || d.environment === environment),
      )
      .sort((a, b) => b.id - a.id);
    return listing(ctx, deployments, (d) => deploymentJson(ctx.world, repo, d));
  });
  add("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", "read", (ctx) => {
    const repo = repoOf(ctx);
    const deployment = repo.deployments.find((d) => d.id === intParam(ctx, "deployment_id"));
    if (!deployment) throw notFound();
    const statuses = [...deployment.statuses].reverse();
    return listing(ctx, statuses, (st) => deploymentStatusJson(ctx.world, repo, deployment, st));
  });
  add("GET /repos/{owner}/{repo}/releases/tags/{tag}", "read", (ctx) => {
    const repo = repoOf(ctx);
    const release = repo.releases.find((r) => r.tagName === ctx.params.tag && !r.draft);
    if (!release) throw notFound();
    return ok(releaseJson(ctx.world, repo, release));
  });

  // Archives.
  add("GET /repos/{owner}/{repo}/tarball/{ref}", "read", (ctx) => {
    const repo = repoOf(ctx);
    const sha = ctx.world.resolveCommit(repo, ctx.params.ref ?? "");
    if (sha === undefined) throw notFound();
    return {
      status: 302,
      headers: { location: `${ctx.world.htmlUrl}/_codeload/${repo.fullName}/legacy.tar.gz/${sha}` },
    };
  });

  return routes;
}

/** Opens a pull request (no webhook). */
export function newPull(
  world: World,
  repo: SimRepo,
  spec: {
    title: string;
    body: string | null;
    head: string;
    base: string;
    user: string;
    draft?: boolean;
    labels?: string[];
  },
): SimPull {
  const now = world.now();
  const number = repo.nextNumber++;
  const pull: SimPull = {
    number,
    id: world.nextId(),
    title: spec.title,
    body: spec.body,
    state: "open",
    labels: [],
    user: spec.user,
    createdAt: now,
    updatedAt: now,
    updatedSeq: world.nextSeq(),
    closedAt: null,
    pull: {
      id: world.nextId(),
      headRef: spec.head,
      headSha: world.branchSha(repo, spec.head) ?? "",
      baseRef: spec.base,
      draft: spec.draft ?? false,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
    },
  };
  for (const label of spec.labels ?? []) pull.labels.push(world.label(repo, label).name);
  repo.issues.set(number, pull);
  return pull;
}

/** Opens a plain issue (no webhook). */
export function newIssue(
  world: World,
  repo: SimRepo,
  spec: { title: string; body: string | null; user: string },
): SimIssue {
  const now = world.now();
  const number = repo.nextNumber++;
  const issue: SimIssue = {
    number,
    id: world.nextId(),
    title: spec.title,
    body: spec.body,
    state: "open",
    labels: [],
    user: spec.user,
    createdAt: now,
    updatedAt: now,
    updatedSeq: world.nextSeq(),
    closedAt: null,
  };
  repo.issues.set(number, issue);
  return issue;
}

/**
 * Applies an edit to an issue (no webhook): what an `issues.edited` delivery says changed, and the
 * `closed`/`reopened` action of a state change.
 */
export function editIssue(
  world: World,
  issue: SimIssue,
  edit: { title?: string; body?: string | null; state?: string },
): { edited?: Json; state?: "closed" | "reopened" } {
  const edited: Json = {};
  if (edit.title !== undefined && edit.title !== issue.title) {
    edited.title = { from: issue.title };
    issue.title = edit.title;
  }
  if (edit.body !== undefined && edit.body !== issue.body) {
    edited.body = { from: issue.body ?? "" };
    issue.body = edit.body;
  }
  let state: "closed" | "reopened" | undefined;
  if ((edit.state === "open" || edit.state === "closed") && edit.state !== issue.state) {
    issue.state = edit.state;
    issue.closedAt = edit.state === "closed" ? world.now() : null;
    state = edit.state === "closed" ? "closed" : "reopened";
  }
  world.touch(issue);
  return { ...(Object.keys(edited).length > 0 ? { edited } : {}), ...(state ? { state } : {}) };
}

/** Adds a comment (no webhook). */
export function addComment(
  world: World,
  repo: SimRepo,
  issue: SimIssue,
  login: string,
  body: string,
): SimComment {
  const now = world.now();
  const comment: SimComment = {
    id: world.nextId(),
    issueNumber: issue.number,
    user: login,
    body,
    createdAt: now,
    updatedAt: now,
  };
  repo.comments.push(comment);
  world.touch(issue);
  return comment;
}
