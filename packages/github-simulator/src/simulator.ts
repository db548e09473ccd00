/**
 * An in-process, stateful GitHub for end-to-end tests: an HTTP server on 127.0.0.1 (random port) that
 * the real app talks to as GitHub Enterprise (`GHE_HOST=127.0.0.1:<port>`, `GHE_PROTOCOL=http`, API
 * under `/api/v3`), with repositories kept as real git objects, pull requests, comments, reactions,
 * labels, collaborators, teams, tags, releases, check runs and installation tokens.
 *
 * Every request is checked against GitHub's OpenAPI description: an unknown route, a missing or
 * ill-typed parameter or a body that does not fit the schema is answered 422 and recorded in
 * {@link GitHubSimulator.violations}, which a test asserts empty. Changes made by the test (merging a
 * PR, commenting, pushing, publishing a release, ...) are sent to the app as signed webhooks and
 * awaited; changes made by the app through the API are reported by webhook too, in the background
 * ({@link GitHubSimulator.idle} waits for them).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createGzip } from "node:zlib";
import { createHash, randomUUID, type KeyObject } from "node:crypto";
import tar from "tar-stream";
import { AuthError, authenticate, publicKeyOf, TokenStore, type Identity } from "./auth.js";
import { OpenApiDescription } from "./openapi.js";
import {
  HttpError,
  World,
  type CommitResult,
  type Permission,
  type SimPull,
  type SimRepo,
} from "./model.js";
import {
  createPayload,
  installationPayload,
  issueCommentPayload,
  pullRequestPayload,
  pushPayload,
  releasePayload,
  checkRunPayload,
  repositoryDispatchPayload,
} from "./payloads.js";
import { labelJson } from "./representations.js";
import {
  addComment,
  checkAccess,
  createRoutes,
  newPull,
  type Route,
  type RouteResult,
} from "./routes.js";
import { WebhookSender, type Delivery } from "./webhooks.js";

export type { Delivery } from "./webhooks.js";
export type { Permission } from "./model.js";

const API_PREFIX = "/api/v3";
const DOCS = "https://docs.github.com/rest";

export interface SimulatorOptions {
  appId: number;
  /** The app's private key (PEM); the simulator verifies JWTs with its public key. */
  privateKey: string;
  webhookSecret: string;
  /** Default `promoter`: the bot is `<slug>[bot]`. */
  appSlug?: string;
  appName?: string;
  /** Where webhooks go (can be set later with {@link GitHubSimulator.setWebhookUrl}). */
  webhookUrl?: string;
  /** Events the app is subscribed to (default: all). Installation events are always delivered. */
  events?: readonly string[];
  /**
   * Whether changes the app makes through the API (PRs opened, labels added, comments, refs created or
   * moved) are reported to it by webhook, as GitHub does. Default true.
   */
  appWebhooks?: boolean;
  /**
   * Check every 2xx JSON answer against the operation's response schema and record a mismatch as a
   * violation. Default: `GITHUB_SIMULATOR_VALIDATE_RESPONSES=1`.
   */
  validateResponses?: boolean;
}

/** One API request, as logged. */
export interface RequestRecord {
  method: string;
  /** Path below `/api/v3`, decoded, without the query (e.g. `/repos/acme/live/git/ref/heads/main`). */
  path: string;
  /** Path below `/api/v3` as sent, with the query. */
  url: string;
  /** The OpenAPI path template it matched. */
  route?: string;
  status: number;
  /** Set when sent with an installation token. */
  installationId?: number;
  auth: Identity["kind"];
  /** The injected fault, if any. */
  fault?: string;
  durationMs: number;
}

/** An injected failure. */
export type Fault =
  | { status: number; message?: string; secondaryRateLimit?: false }
  | { status: 403; secondaryRateLimit: true; retryAfterSeconds?: number }
  | { delayMs: number };

/** Which requests a fault applies to: a method (any when omitted) and a path. */
export interface FaultMatcher {
  method?: string;
  /** Tested against the decoded path below `/api/v3` (a string: that path or the OpenAPI template). */
  path: RegExp | string;
}

interface FaultRule {
  matcher: FaultMatcher;
  remaining: number;
  fault: Fault;
}

/** A pull request as a test reads it. */
export interface PullRequestView {
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  merged: boolean;
  head: string;
  headSha: string;
  base: string;
  labels: string[];
  user: string;
  mergeCommitSha: string | null;
  draft: boolean;
}

export interface CommentView {
  id: number;
  user: string;
  body: string;
  createdAt: string;
}

export interface CheckRunView {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
}

export interface CommitView {
  sha: string;
  message: string;
  parents: string[];
  tree: string;
  author: { name: string; email: string; login?: string };
  committer: { name: string; email: string; login?: string };
  verified: boolean;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function decodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join("/");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorBody(
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { message, ...extra, documentation_url: DOCS, status: String(status) };
}

function stripEtag(value: string): string {
  return value.trim().replace(/^W\//, "");
}

export class GitHubSimulator {
  readonly world: World;
  readonly openapi: OpenApiDescription;
  /** Every API request, in order. */
  readonly requests: RequestRecord[] = [];
  /** Requests GitHub would reject (and other contract breaches); a test asserts this empty. */
  readonly violations: string[] = [];
  /** What GitHub would accept but ignore (unknown query parameters or body fields), and routes not simulated. */
  readonly warnings: string[] = [];
  readonly #server: Server;
  readonly #publicKey: KeyObject;
  readonly #tokens = new TokenStore();
  readonly #routes: Map<string, Route> = createRoutes();
  readonly #webhooks: WebhookSender;
  readonly #faults: FaultRule[] = [];
  /** Each installation's primary rate-limit window: requests left, of how many, until when (ms). */
  readonly #rateLimits = new Map<number, { remaining: number; limit: number; resetAt: number }>();
  readonly #appWebhooks: boolean;
  readonly #validateResponses: boolean;
  readonly #options: SimulatorOptions;
  #url = "";

  private constructor(options: SimulatorOptions) {
    this.#options = options;
    this.openapi = OpenApiDescription.load();
    this.#publicKey = publicKeyOf(options.privateKey);
    this.world = new World(
      options.appId,
      options.appSlug ?? "promoter",
      options.appName ?? "Promoter",
      "http://127.0.0.1",
    );
    this.#webhooks = new WebhookSender({
      secret: options.webhookSecret,
      appId: options.appId,
      ...(options.events ? { events: options.events } : {}),
    });
    this.#webhooks.url = options.webhookUrl;
    this.#appWebhooks = options.appWebhooks ?? true;
    this.#validateResponses =
      options.validateResponses ?? process.env.GITHUB_SIMULATOR_VALIDATE_RESPONSES === "1";
    this.#server = createServer((request, response) => {
      void this.#serve(request, response);
    });
  }

  /** Starts a simulator on 127.0.0.1 and a random port. */
  static async start(options: SimulatorOptions): Promise<GitHubSimulator> {
    const simulator = new GitHubSimulator(options);
    await new Promise<void>((resolve, reject) => {
      simulator.#server.once("error", reject);
      simulator.#server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = simulator.#server.address() as AddressInfo;
    simulator.#url = `http://127.0.0.1:${port}`;
    simulator.world.htmlUrl = simulator.#url;
    return simulator;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return this.#url;
  }

  /** `http://127.0.0.1:<port>/api/v3`: the app's GitHub API base URL. */
  get apiBaseUrl(): string {
    return `${this.#url}${API_PREFIX}`;
  }

  /** `127.0.0.1:<port>`: the `GHE_HOST` to give the app. */
  get host(): string {
    return new URL(this.#url).host;
  }

  get appId(): number {
    return this.#options.appId;
  }

  /** The login of the app's bot, `promoter[bot]`. */
  get botLogin(): string {
    return this.world.appUser.login;
  }

  setWebhookUrl(url: string | undefined): void {
    this.#webhooks.url = url;
  }

  /** Stops the server (waits for webhooks in flight first). */
  async close(): Promise<void> {
    await this.#webhooks.idle();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------------ setup

  /** Installs the app on an account (an organization unless `type` says otherwise); its id. */
  createInstallation(account: string | { login: string; type?: "Organization" | "User" }): number {
    const { login, type = "Organization" } =
      typeof account === "string" ? { login: account } : account;
    const id = this.world.nextId();
    this.world.installations.set(id, {
      id,
      account: this.world.user(login, type),
      repositories: new Set(),
      createdAt: this.world.now(),
    });
    return id;
  }

  /**
   * Creates `owner/name` with one commit holding `files` (default a README) on `defaultBranch`
   * (default `main`), covered by the installation (none: a repository the app is not installed on,
   * readable when public, e.g. a module repository). Returns the head commit.
   */
  createRepository(
    installationId: number | undefined,
    fullName: string,
    options: {
      files?: Readonly<Record<string, string | Buffer>>;
      defaultBranch?: string;
      private?: boolean;
      description?: string;
    } = {},
  ): { fullName: string; headSha: string } {
    const repo = this.world.createRepo(fullName, {
      ...(installationId === undefined ? {} : { installationId }),
      ...options,
    });
    return { fullName: repo.fullName, headSha: this.#head(repo) };
  }

  /** Gives `login` a role in the repository. */
  addCollaborator(repo: string, login: string, permission: Permission): void {
    const user = this.world.user(login);
    this.#repo(repo).collaborators.set(user.login.toLowerCase(), permission);
  }

  /** Makes `login` an active member of `org/team`. */
  addTeamMember(
    org: string,
    team: string,
    login: string,
    role: "member" | "maintainer" = "member",
  ): void {
    const key = `${org}/${team}`.toLowerCase();
    const members = this.world.teams.get(key) ?? new Map<string, "member" | "maintainer">();
    members.set(this.world.user(login).login.toLowerCase(), role);
    this.world.teams.set(key, members);
  }

  /**
   * Creates a lightweight tag (no webhook): on the default branch's head, or, with `files`, on a new
   * commit of the default branch whose tree is exactly `files` (a module repository's release). Returns
   * the tagged commit.
   */
  createTag(
    repo: string,
    tag: string,
    options: { files?: Readonly<Record<string, string>>; message?: string } = {},
  ): string {
    const r = this.#repo(repo);
    if (r.refs.has(`refs/tags/${tag}`))
      throw new Error(`tag ${tag} exists already in ${r.fullName}`);
    let sha = this.#head(r);
    if (options.files) {
      sha = this.world.commit(r, {
        branch: r.defaultBranch,
        files: options.files,
        replace: true,
        message: options.message ?? `Release ${tag}`,
        author: r.owner.type === "Organization" ? this.world.webFlow : r.owner,
        committer: this.world.webFlow,
      }).sha;
    }
    r.refs.set(`refs/tags/${tag}`, sha);
    return sha;
  }

  /** Creates (or moves) a branch with a commit of `files` over `from` (default: the default branch), silently. */
  createBranch(
    repo: string,
    branch: string,
    files: Readonly<Record<string, string | Buffer | null>>,
    options: { from?: string; message?: string; by?: string } = {},
  ): string {
    const r = this.#repo(repo);
    const from = this.world.resolveCommit(r, options.from ?? r.defaultBranch);
    if (from === undefined) throw new Error(`no ${options.from} in ${r.fullName}`);
    const author = this.world.user(options.by ?? r.owner.login);
    return this.world.commit(r, {
      branch,
      files,
      message: options.message ?? `Update ${Object.keys(files).join(", ")}`,
      author,
      parents: [from],
    }).sha;
  }

  /**
   * Sets installation `installationId`'s rate-limit window, e.g. to simulate one nearly spent: its
   * answers then say `x-ratelimit-remaining: remaining`, each request spends one, and once none is left
   * requests are refused (403, "API rate limit exceeded") until the reset, when `limit` are left again.
   * By default every installation has 5,000 an hour.
   */
  setRateLimit(
    installationId: number,
    window: { remaining: number; limit?: number; resetInSeconds?: number },
  ): void {
    const limit = window.limit ?? 5000;
    this.#rateLimits.set(installationId, {
      remaining: Math.min(window.remaining, limit),
      limit,
      resetAt: Date.now() + (window.resetInSeconds ?? 3600) * 1000,
    });
  }

  /** Installation `installationId`'s rate-limit window now (a new one once the last has reset). */
  rateLimit(installationId: number): { remaining: number; limit: number; resetAt: number } {
    let window = this.#rateLimits.get(installationId);
    if (!window || window.resetAt <= Date.now()) {
      const limit = window?.limit ?? 5000;
      window = { remaining: limit, limit, resetAt: Date.now() + 3600 * 1000 };
      this.#rateLimits.set(installationId, window);
    }
    return window;
  }

  /** Revokes the installation tokens handed out (all, or one installation's). */
  revokeTokens(installationId?: number): void {
    this.#tokens.revoke(installationId);
  }

  // ------------------------------------------------------------------ reading state

  /** The files of a branch, tag or commit (default: the default branch). */
  files(repo: string, ref?: string): Record<string, string> {
    const r = this.#repo(repo);
    const sha = this.world.resolveCommit(r, ref ?? r.defaultBranch);
    if (sha === undefined) throw new Error(`no ${ref} in ${r.fullName}`);
    return this.world.filesAt(r, sha);
  }

  /** The bytes of one file of a branch, tag or commit (default: the default branch); undefined when absent. */
  fileBytes(repo: string, path: string, ref?: string): Buffer | undefined {
    const r = this.#repo(repo);
    const sha = ref === undefined ? this.#head(r) : this.world.resolveCommit(r, ref);
    const tree = sha === undefined ? undefined : r.git.commit(sha)?.tree;
    if (tree === undefined) throw new Error(`no ${ref} in ${r.fullName}`);
    const entry = r.git.flatten(tree).get(path);
    return entry?.type === "blob" ? r.git.blob(entry.sha) : undefined;
  }

  /** Branch names, sorted. */
  branches(repo: string): string[] {
    return [...this.#repo(repo).refs.keys()]
      .filter((ref) => ref.startsWith("refs/heads/"))
      .map((ref) => ref.slice("refs/heads/".length))
      .sort();
  }

  /** The commit a branch points to. */
  branchSha(repo: string, branch?: string): string | undefined {
    const r = this.#repo(repo);
    return this.world.branchSha(r, branch ?? r.defaultBranch);
  }

  /** Tag names, newest first. */
  tags(repo: string): string[] {
    return [...this.#repo(repo).refs.keys()]
      .filter((ref) => ref.startsWith("refs/tags/"))
      .map((ref) => ref.slice("refs/tags/".length))
      .reverse();
  }

  /** A commit, with who made it. */
  commit(repo: string, sha: string): CommitView {
    const r = this.#repo(repo);
    const commit = r.git.commit(sha);
    if (!commit) throw new Error(`no commit ${sha} in ${r.fullName}`);
    const meta = r.commitMeta.get(sha);
    return {
      sha,
      message: commit.message,
      parents: commit.parents,
      tree: commit.tree,
      author: {
        name: commit.author.name,
        email: commit.author.email,
        ...(meta?.authorLogin ? { login: meta.authorLogin } : {}),
      },
      committer: {
        name: commit.committer.name,
        email: commit.committer.email,
        ...(meta?.committerLogin ? { login: meta.committerLogin } : {}),
      },
      verified: meta?.verified ?? false,
    };
  }

  /** The commits of a branch (default: the default branch), newest first, following first parents. */
  log(repo: string, ref?: string): CommitView[] {
    const r = this.#repo(repo);
    let sha = this.world.resolveCommit(r, ref ?? r.defaultBranch);
    const out: CommitView[] = [];
    while (sha !== undefined) {
      out.push(this.commit(repo, sha));
      sha = r.git.commit(sha)?.parents[0];
    }
    return out;
  }

  pullRequests(repo: string): PullRequestView[] {
    const r = this.#repo(repo);
    return this.world.pulls(r).map((pull) => this.#pullView(r, pull));
  }

  pullRequest(repo: string, number: number): PullRequestView {
    const r = this.#repo(repo);
    return this.#pullView(r, this.#pull(r, number));
  }

  comments(repo: string, number: number): CommentView[] {
    return this.#repo(repo)
      .comments.filter((c) => c.issueNumber === number)
      .map((c) => ({ id: c.id, user: c.user, body: c.body, createdAt: c.createdAt }));
  }

  reactions(repo: string, commentId: number): { user: string; content: string }[] {
    return this.#repo(repo)
      .reactions.filter((r) => r.commentId === commentId)
      .map((r) => ({ user: r.user, content: r.content }));
  }

  checkRuns(repo: string): CheckRunView[] {
    return this.#repo(repo).checkRuns.map((run) => ({
      id: run.id,
      name: run.name,
      headSha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
    }));
  }

  /** Names of the repository's labels. */
  labels(repo: string): string[] {
    return [...this.#repo(repo).labels.values()].map((label) => label.name);
  }

  /** Webhook deliveries, in order (dropped ones included, marked). */
  get deliveries(): readonly Delivery[] {
    return this.#webhooks.deliveries;
  }

  /** Throws with every violation recorded, if any. */
  assertNoViolations(): void {
    if (this.violations.length > 0)
      throw new Error(
        `GitHub simulator: ${this.violations.length} violation(s):\n- ${this.violations.join("\n- ")}`,
      );
  }

  /** Forgets the request log (not the state). */
  clearRequests(): void {
    this.requests.length = 0;
  }

  // ------------------------------------------------------------------ actions (webhooks)

  /**
   * Merges an open pull request as `by`: a commit on the current base head whose tree is the base's
   * plus what the PR's head changed since their merge base (a file-level 3-way merge; a file both sides
   * changed differently throws). `merge` (default) makes a two-parent merge commit, `squash` a single
   * parent one. Marks the PR merged, then delivers `pull_request.closed` (merged) and the base
   * branch's `push`. Returns the status of the `pull_request` delivery (0 when dropped).
   */
  async mergePullRequest(
    repo: string,
    number: number,
    options: {
      by?: string;
      method?: "merge" | "squash";
      deleteBranch?: boolean;
      push?: boolean;
    } = {},
  ): Promise<number> {
    const { world } = this;
    const r = this.#repo(repo);
    const pull = this.#pull(r, number);
    if (pull.state !== "open") throw new Error(`#${number} of ${r.fullName} is not open`);
    let merge: ReturnType<World["mergeTree"]>;
    try {
      merge = world.mergeTree(r, pull);
    } catch (error) {
      throw new Error(`#${number} of ${r.fullName} cannot be merged: ${(error as Error).message}`);
    }
    const by = world.user(options.by ?? r.owner.login);
    const squash = options.method === "squash";
    const date = world.now();
    const message = squash
      ? `${pull.title} (#${number})`
      : `Merge pull request #${number} from ${r.owner.login}/${pull.pull.headRef}\n\n${pull.title}`;
    const sha = r.git.writeCommit({
      tree: merge.tree,
      parents: squash ? [merge.baseSha] : [merge.baseSha, merge.headSha],
      author: world.identity(by, date),
      committer: world.identity(world.webFlow, date),
      message,
    });
    r.commitMeta.set(sha, {
      authorLogin: by.login,
      committerLogin: world.webFlow.login,
      verified: true,
    });
    r.refs.set(`refs/heads/${pull.pull.baseRef}`, sha);
    r.pushedAt = date;
    pull.state = "closed";
    pull.closedAt = date;
    pull.pull.merged = true;
    pull.pull.mergedAt = date;
    pull.pull.mergedBy = by.login;
    pull.pull.mergeCommitSha = sha;
    pull.pull.headSha = merge.headSha;
    world.touch(pull);
    if (options.deleteBranch) r.refs.delete(`refs/heads/${pull.pull.headRef}`);
    const closed = this.#webhooks.deliver(
      "pull_request",
      pullRequestPayload(world, r, pull, "closed", by),
    );
    const pushed =
      options.push === false
        ? undefined
        : this.#webhooks.deliver(
            "push",
            pushPayload(world, r, {
              ref: `refs/heads/${pull.pull.baseRef}`,
              before: merge.baseSha,
              after: sha,
              commits: this.#commitResults(r, merge.baseSha, sha),
              pusher: by,
            }),
          );
    const [delivery] = await Promise.all([closed, pushed]);
    return delivery.status;
  }

  /** Closes an open pull request without merging; delivers `pull_request.closed`. */
  async closePullRequest(
    repo: string,
    number: number,
    options: { by?: string } = {},
  ): Promise<number> {
    const r = this.#repo(repo);
    const pull = this.#pull(r, number);
    if (pull.state !== "open") throw new Error(`#${number} of ${r.fullName} is not open`);
    pull.state = "closed";
    pull.closedAt = this.world.now();
    this.world.touch(pull);
    const by = this.world.user(options.by ?? r.owner.login);
    return (
      await this.#webhooks.deliver(
        "pull_request",
        pullRequestPayload(this.world, r, pull, "closed", by),
      )
    ).status;
  }

  /**
   * Opens a pull request by a person (a hand-written one): with `files`, first commits them on `head`
   * (created from `base`). Delivers `pull_request.opened`.
   */
  async openPullRequest(
    repo: string,
    spec: {
      head: string;
      base?: string;
      title: string;
      body?: string;
      labels?: string[];
      by: string;
      files?: Readonly<Record<string, string | Buffer | null>>;
    },
  ): Promise<{ number: number; status: number }> {
    const r = this.#repo(repo);
    const base = spec.base ?? r.defaultBranch;
    if (spec.files)
      this.createBranch(repo, spec.head, spec.files, {
        from: base,
        by: spec.by,
        message: spec.title,
      });
    if (this.world.branchSha(r, spec.head) === undefined)
      throw new Error(`no branch ${spec.head} in ${r.fullName}`);
    const by = this.world.user(spec.by);
    const pull = newPull(this.world, r, {
      title: spec.title,
      body: spec.body ?? null,
      head: spec.head,
      base,
      user: by.login,
      ...(spec.labels ? { labels: spec.labels } : {}),
    });
    const delivery = await this.#webhooks.deliver(
      "pull_request",
      pullRequestPayload(this.world, r, pull, "opened", by),
    );
    return { number: pull.number, status: delivery.status };
  }

  /** Adds a label to an issue or pull request as `by`; delivers `pull_request.labeled` (or `issues.labeled`). */
  async addLabel(
    repo: string,
    number: number,
    label: string,
    options: { by?: string } = {},
  ): Promise<number> {
    const r = this.#repo(repo);
    const issue = this.world.requireIssue(r, number);
    const found = this.world.label(r, label);
    if (!issue.labels.includes(found.name)) issue.labels.push(found.name);
    this.world.touch(issue);
    const by = this.world.user(options.by ?? r.owner.login);
    if (!issue.pull) return 0;
    const payload = pullRequestPayload(this.world, r, issue as SimPull, "labeled", by, {
      label: labelJson(this.world, r, found),
    });
    return (await this.#webhooks.deliver("pull_request", payload)).status;
  }

  /** Opens an issue (no webhook); its number. */
  createIssue(
    repo: string,
    spec: { title: string; body?: string; by: string; labels?: string[] },
  ): number {
    const r = this.#repo(repo);
    const now = this.world.now();
    const number = r.nextNumber++;
    r.issues.set(number, {
      number,
      id: this.world.nextId(),
      title: spec.title,
      body: spec.body ?? null,
      state: "open",
      labels: (spec.labels ?? []).map((label) => this.world.label(r, label).name),
      user: this.world.user(spec.by).login,
      createdAt: now,
      updatedAt: now,
      updatedSeq: this.world.nextSeq(),
      closedAt: null,
    });
    return number;
  }

  /** `login` comments `body` on an issue or pull request; delivers `issue_comment.created`. */
  async comment(
    repo: string,
    number: number,
    login: string,
    body: string,
  ): Promise<{ id: number; status: number }> {
    const r = this.#repo(repo);
    const issue = this.world.requireIssue(r, number);
    const user = this.world.user(login);
    const comment = addComment(this.world, r, issue, user.login, body);
    const delivery = await this.#webhooks.deliver(
      "issue_comment",
      issueCommentPayload(this.world, r, issue, comment, user),
    );
    return { id: comment.id, status: delivery.status };
  }

  /**
   * `by` pushes one commit with `files` (`null` deletes) to a branch (default: the default branch);
   * delivers `push` (and `create` for a new branch). Returns the `push` delivery's status.
   */
  async push(
    repo: string,
    files: Readonly<Record<string, string | Buffer | null>>,
    options: { message?: string; by?: string; branch?: string } = {},
  ): Promise<number> {
    const r = this.#repo(repo);
    const branch = options.branch ?? r.defaultBranch;
    const by = this.world.user(options.by ?? r.owner.login);
    const result = this.world.commit(r, {
      branch,
      files,
      message: options.message ?? `Update ${Object.keys(files).join(", ")}`,
      author: by,
    });
    const push = this.#webhooks.deliver(
      "push",
      pushPayload(this.world, r, {
        ref: `refs/heads/${branch}`,
        before: result.before,
        after: result.sha,
        commits: [result],
        pusher: by,
      }),
    );
    const create =
      result.before === null
        ? this.#webhooks.deliver("create", createPayload(this.world, r, branch, "branch", by))
        : undefined;
    const [delivery] = await Promise.all([push, create]);
    return delivery.status;
  }

  /**
   * Publishes a release of `tag` (created on the default branch's head when missing: then `create`
   * with `ref_type: tag` is delivered first), then delivers `release.published`.
   */
  async publishRelease(
    repo: string,
    tag: string,
    options: { body?: string; name?: string; prerelease?: boolean; by?: string } = {},
  ): Promise<{ id: number; status: number }> {
    const r = this.#repo(repo);
    const by = this.world.user(options.by ?? r.owner.login);
    if (!r.refs.has(`refs/tags/${tag}`)) {
      this.createTag(repo, tag);
      await this.#webhooks.deliver("create", createPayload(this.world, r, tag, "tag", by));
    }
    const now = this.world.now();
    const release = {
      id: this.world.nextId(),
      tagName: tag,
      name: options.name ?? tag,
      body: options.body ?? null,
      draft: false,
      prerelease: options.prerelease ?? false,
      createdAt: now,
      publishedAt: now,
      author: by.login,
      targetCommitish: r.defaultBranch,
    };
    r.releases.push(release);
    const delivery = await this.#webhooks.deliver(
      "release",
      releasePayload(this.world, r, release, "published", by),
    );
    return { id: release.id, status: delivery.status };
  }

  /**
   * Another app (a CI, `app`, default `ci`) reports check run `name` on `sha` (default: the default
   * branch's head): a new run, or, with `id`, a change of that run; delivers `check_run` (`created`,
   * or `completed` once it has a conclusion). Returns the run's id and the delivery's status.
   */
  async reportCheckRun(
    repo: string,
    name: string,
    options: {
      sha?: string;
      id?: number;
      status?: "queued" | "in_progress" | "completed";
      conclusion?: "success" | "failure" | "neutral" | "cancelled" | "timed_out";
      app?: string;
      deliver?: boolean;
    } = {},
  ): Promise<{ id: number; status: number }> {
    const r = this.#repo(repo);
    const now = this.world.now();
    const status = options.conclusion ? "completed" : (options.status ?? "in_progress");
    const existing =
      options.id === undefined ? undefined : r.checkRuns.find((run) => run.id === options.id);
    const run = existing ?? {
      id: this.world.nextId(),
      headSha: options.sha ?? this.branchSha(repo) ?? "",
      name,
      status,
      conclusion: null,
      startedAt: now,
      completedAt: null,
      externalId: null,
      detailsUrl: null,
      output: { title: null, summary: null, text: null },
      app: options.app ?? "ci",
    };
    run.status = status;
    run.conclusion = options.conclusion ?? null;
    run.completedAt = status === "completed" ? now : null;
    if (!existing) r.checkRuns.push(run);
    if (options.deliver === false) return { id: run.id, status: 0 };
    const delivery = await this.#webhooks.deliver(
      "check_run",
      checkRunPayload(
        this.world,
        r,
        run,
        status === "completed" ? "completed" : "created",
        r.owner,
      ),
    );
    return { id: run.id, status: delivery.status };
  }

  /** Delivers `repository_dispatch` with `action` = `type`. */
  async dispatch(
    repo: string,
    type: string,
    clientPayload: Record<string, unknown> = {},
    options: { by?: string } = {},
  ): Promise<number> {
    const r = this.#repo(repo);
    const by = this.world.user(options.by ?? r.owner.login);
    return (
      await this.#webhooks.deliver(
        "repository_dispatch",
        repositoryDispatchPayload(this.world, r, type, clientPayload, by),
      )
    ).status;
  }

  /** Delivers `installation.created` for an installation and its repositories. */
  async installationCreated(
    installationId: number,
    options: { by?: string } = {},
  ): Promise<number> {
    const installation = this.world.installations.get(installationId);
    if (!installation) throw new Error(`no installation ${installationId}`);
    const by = this.world.user(options.by ?? "octocat");
    return (
      await this.#webhooks.deliver(
        "installation",
        installationPayload(this.world, installation, "created", by),
      )
    ).status;
  }

  /** Delivers any payload as `event` (signed like the others). */
  async deliver(event: string, payload: Record<string, unknown>): Promise<number> {
    return (await this.#webhooks.deliver(event, payload)).status;
  }

  /** Loses the next `count` deliveries of `event` (recorded as dropped). */
  dropWebhooks(event: string, count = 1): void {
    this.#webhooks.drop(event, count);
  }

  /** Delivers the last delivery again, with the same delivery id and body. */
  async redeliverLast(): Promise<number> {
    return (await this.#webhooks.redeliverLast()).status;
  }

  /** Resolves when every webhook delivery started so far (including those for the app's own changes) was answered. */
  async idle(): Promise<void> {
    await this.#webhooks.idle();
  }

  // ------------------------------------------------------------------ faults

  /**
   * The next `count` requests that match fail with `fault`: `{ status: 502 }` (any status, optional
   * message), `{ status: 403, secondaryRateLimit: true, retryAfterSeconds }` (GitHub's secondary rate
   * limit answer with `retry-after`), or `{ delayMs }` (answered normally after a delay).
   */
  failNext(matcher: FaultMatcher, count: number, fault: Fault): void {
    this.#faults.push({ matcher, remaining: count, fault });
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  // ------------------------------------------------------------------ internals

  #repo(fullName: string): SimRepo {
    const repo = this.world.repo(fullName);
    if (!repo) throw new Error(`no repository ${fullName}`);
    return repo;
  }

  #pull(repo: SimRepo, number: number): SimPull {
    const issue = repo.issues.get(number);
    if (!issue?.pull) throw new Error(`no pull request #${number} in ${repo.fullName}`);
    return issue as SimPull;
  }

  #head(repo: SimRepo): string {
    const sha = this.world.branchSha(repo, repo.defaultBranch);
    if (sha === undefined) throw new Error(`${repo.fullName} has no ${repo.defaultBranch}`);
    return sha;
  }

  #pullView(repo: SimRepo, pull: SimPull): PullRequestView {
    return {
      number: pull.number,
      title: pull.title,
      body: pull.body,
      state: pull.state,
      merged: pull.pull.merged,
      head: pull.pull.headRef,
      headSha: this.world.pullHeadSha(repo, pull),
      base: pull.pull.baseRef,
      labels: [...pull.labels],
      user: pull.user,
      mergeCommitSha: pull.pull.mergeCommitSha,
      draft: pull.pull.draft,
    };
  }

  #commitResults(repo: SimRepo, base: string, head: string): CommitResult[] {
    return repo.git.commitsBetween(base, head).map((sha) => {
      const parent = repo.git.commit(sha)?.parents[0];
      const diff = this.world.diff(repo, parent, sha);
      return {
        sha,
        before: parent ?? null,
        added: diff.added,
        modified: diff.modified,
        removed: diff.removed,
      };
    });
  }

  #takeFault(method: string, path: string, template: string | undefined): Fault | undefined {
    for (const rule of this.#faults) {
      if (rule.remaining <= 0) continue;
      if (rule.matcher.method && rule.matcher.method.toUpperCase() !== method) continue;
      const { path: wanted } = rule.matcher;
      const hit =
        typeof wanted === "string" ? wanted === path || wanted === template : wanted.test(path);
      if (!hit) continue;
      rule.remaining--;
      return rule.fault;
    }
    return undefined;
  }

  #violation(message: string): void {
    this.violations.push(message);
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (request.method ?? "GET").toUpperCase();
    const url = new URL(request.url ?? "/", this.#url || "http://127.0.0.1");
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch {
      response.destroy();
      return;
    }
    if (url.pathname.startsWith("/_codeload/")) {
      this.#serveTarball(url.pathname, response);
      return;
    }
    if (url.pathname !== API_PREFIX && !url.pathname.startsWith(`${API_PREFIX}/`)) {
      this.#violation(
        `${method} ${url.pathname}: not under ${API_PREFIX} (GitHub Enterprise's API prefix)`,
      );
      this.#send(response, method, request, { status: 404, body: errorBody(404, "Not Found") });
      return;
    }
    const rawPath = url.pathname.slice(API_PREFIX.length) || "/";
    const record: RequestRecord = {
      method,
      path: decodePath(rawPath),
      url: rawPath + url.search,
      status: 0,
      auth: "anonymous",
      durationMs: 0,
    };
    this.requests.push(record);
    let result: RouteResult;
    try {
      result = await this.#dispatch(method, rawPath, url.searchParams, request, body, record);
    } catch (error) {
      if (error instanceof HttpError) {
        result = {
          status: error.status,
          body: errorBody(error.status, error.message, error.extra),
        };
      } else {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        this.#violation(`${method} ${record.path}: the simulator failed: ${message}`);
        result = { status: 500, body: errorBody(500, `GitHub simulator error: ${String(error)}`) };
      }
    }
    record.status = this.#send(response, method, request, result);
    record.durationMs = performance.now() - started;
  }

  async #dispatch(
    method: string,
    rawPath: string,
    query: URLSearchParams,
    request: IncomingMessage,
    rawBody: Buffer,
    record: RequestRecord,
  ): Promise<RouteResult> {
    const label = `${method} ${record.url}`;
    const match = this.openapi.match(method, rawPath);
    if (!match) {
      this.#violation(`${label}: no such operation in GitHub's OpenAPI description`);
      return { status: 422, body: errorBody(422, "Not Found in GitHub's OpenAPI description") };
    }
    const { operation, params } = match;
    record.route = operation.template;
    let json: unknown;
    const present = rawBody.length > 0;
    if (present) {
      try {
        json = JSON.parse(rawBody.toString("utf8"));
      } catch {
        this.#violation(`${label}: the body is not JSON`);
        return { status: 400, body: errorBody(400, "Problems parsing JSON") };
      }
    }
    const warnings: string[] = [];
    const problems = this.openapi.validateRequest(match, query, { present, json }, warnings);
    for (const warning of warnings)
      this.warnings.push(`${method} ${operation.template}: ${warning}`);
    if (problems.length > 0) {
      this.#violation(`${label} (${operation.operationId}): ${problems.join("; ")}`);
      return { status: 422, body: errorBody(422, `Invalid request.\n\n${problems.join("\n")}`) };
    }

    const fault = this.#takeFault(method, record.path, operation.template);
    if (fault) {
      if ("delayMs" in fault) {
        record.fault = `delay ${fault.delayMs} ms`;
        await sleep(fault.delayMs);
      } else if (fault.secondaryRateLimit) {
        const retryAfter = fault.retryAfterSeconds ?? 1;
        record.fault = `secondary rate limit (retry-after ${retryAfter})`;
        return {
          status: 403,
          headers: { "retry-after": String(retryAfter) },
          body: errorBody(
            403,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
          ),
        };
      } else {
        record.fault = `status ${fault.status}`;
        return {
          status: fault.status,
          body: errorBody(fault.status, fault.message ?? `Injected fault (${fault.status})`),
        };
      }
    }

    let identity: Identity;
    try {
      identity = authenticate(request.headers.authorization, {
        publicKey: this.#publicKey,
        appId: this.#options.appId,
        tokens: this.#tokens,
      });
    } catch (error) {
      if (error instanceof AuthError) return { status: 401, body: errorBody(401, error.message) };
      throw error;
    }
    record.auth = identity.kind;
    let rateHeaders: Record<string, string> = {};
    if (identity.kind === "installation") {
      record.installationId = identity.installationId;
      const window = this.rateLimit(identity.installationId);
      const exhausted = window.remaining === 0;
      if (!exhausted) window.remaining--;
      rateHeaders = {
        "x-ratelimit-limit": String(window.limit),
        "x-ratelimit-remaining": String(window.remaining),
        "x-ratelimit-used": String(window.limit - window.remaining),
        "x-ratelimit-reset": String(Math.ceil(window.resetAt / 1000)),
      };
      if (exhausted) {
        record.fault = "rate limit exhausted";
        return {
          status: 403,
          headers: rateHeaders,
          body: errorBody(
            403,
            `API rate limit exceeded for installation ID ${identity.installationId}.`,
          ),
        };
      }
    }

    const route = this.#routes.get(`${method} ${operation.template}`);
    if (!route) {
      this.warnings.push(`${method} ${operation.template}: not simulated (answered 404)`);
      return {
        status: 404,
        body: errorBody(
          404,
          `Not Found (the GitHub simulator does not implement ${method} ${operation.template})`,
        ),
      };
    }
    checkAccess(this.world, identity, route.access, params);
    const result = await route.handle({
      world: this.world,
      identity,
      params,
      query,
      body: json !== null && typeof json === "object" ? (json as Record<string, unknown>) : {},
      headers: request.headers,
      path: rawPath,
      tokens: this.#tokens,
      emit: (event, payload) => {
        if (this.#appWebhooks) void this.#webhooks.deliver(event, payload);
      },
    });
    if (
      this.#validateResponses &&
      result.status >= 200 &&
      result.status < 300 &&
      result.raw === undefined &&
      result.body !== undefined
    ) {
      const mismatches = this.openapi.validateResponse(operation, result.status, result.body);
      if (mismatches.length > 0)
        this.#violation(
          `${label}: the simulator's ${result.status} answer does not fit the schema: ${mismatches.join("; ")}`,
        );
    }
    return { ...result, headers: { ...rateHeaders, ...result.headers } };
  }

  /** Writes an answer (with ETag / 304 for GETs); the status sent. */
  #send(
    response: ServerResponse,
    method: string,
    request: IncomingMessage,
    result: RouteResult,
  ): number {
    const headers: Record<string, string> = {
      "x-github-request-id": randomUUID().toUpperCase(),
      "x-github-media-type": "github.v3; format=json",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-used": "1",
      "x-ratelimit-resource": "core",
      ...result.headers,
    };
    if (result.raw) {
      headers["content-type"] = result.raw.contentType;
      headers["content-length"] = String(result.raw.bytes.length);
      response.writeHead(result.status, headers).end(result.raw.bytes);
      return result.status;
    }
    if (result.body === undefined) {
      response.writeHead(result.status, headers).end();
      return result.status;
    }
    const text = JSON.stringify(result.body);
    if (method === "GET" && result.status === 200) {
      const etag = `W/"${createHash("sha1").update(text).digest("hex")}"`;
      headers.etag = etag;
      headers["cache-control"] = "private, max-age=60, s-maxage=60";
      const ifNoneMatch = request.headers["if-none-match"];
      if (
        ifNoneMatch !== undefined &&
        ifNoneMatch.split(",").some((v) => stripEtag(v) === stripEtag(etag))
      ) {
        response.writeHead(304, headers).end();
        return 304;
      }
    }
    headers["content-type"] = "application/json; charset=utf-8";
    response.writeHead(result.status, headers).end(text);
    return result.status;
  }

  /** The archive behind `GET /tarball/{ref}`'s redirect: `<owner>-<repo>-<sha7>/` + the files. */
  #serveTarball(pathname: string, response: ServerResponse): void {
    const match = /^\/_codeload\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(pathname);
    const repo = match ? this.world.repo(`${match[1]}/${match[2]}`) : undefined;
    const sha = match?.[3];
    const commit = repo && sha ? repo.git.commit(sha) : undefined;
    if (!repo || !sha || !commit) {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
      return;
    }
    const top = `${repo.owner.login}-${repo.name}-${sha.slice(0, 7)}`;
    const pack = tar.pack();
    response.writeHead(200, { "content-type": "application/x-gzip" });
    const gzip = createGzip();
    pack.pipe(gzip).pipe(response);
    pack.entry({ name: `${top}/`, type: "directory", mode: 0o755 });
    for (const [path, entry] of repo.git.flatten(commit.tree)) {
      if (entry.type !== "blob") continue;
      const bytes = repo.git.blob(entry.sha) ?? Buffer.alloc(0);
      if (entry.mode === "120000") {
        pack.entry({ name: `${top}/${path}`, type: "symlink", linkname: bytes.toString("utf8") });
      } else {
        pack.entry(
          { name: `${top}/${path}`, mode: entry.mode === "100755" ? 0o755 : 0o644 },
          bytes,
        );
      }
    }
    pack.finalize();
  }
}
