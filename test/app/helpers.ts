import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { gzipSync } from "node:zlib";
import nock from "nock";
import { pino } from "pino";
import tar from "tar-stream";
import { Probot, ProbotOctokit } from "probot";
import { Services } from "../../src/engine/services.js";
import { budgetGate } from "../../src/engine/defer-check.js";
import { jobRunner, promoterApp, recordRateLimits, type PromoterRuntime } from "../../src/index.js";
import { blobSha } from "../../src/iac/blob-sha.js";
import { InProcessQueue } from "../../src/queue/in-process-queue.js";
import { InProcessBudget } from "../../src/queue/rate-limit-budget.js";

export const API = "https://api.github.com";
export const INSTALLATION_ID = 1;

/**
 * A Probot app with Promoter loaded, talking to nock; check errors are collected instead of only logged.
 * With `rateLimitFloor`, checks wait while the rate limit its answers report is under that floor.
 */
export function testApp(options: { retry?: boolean; rateLimitFloor?: number } = {}) {
  const log = pino({ level: "silent" });
  const probot = new Probot({
    githubToken: "installation-token",
    log,
    // A function, applied after Probot's own defaults: Probot would otherwise turn throttling back on,
    // spacing writes a second apart.
    Octokit: ProbotOctokit.defaults((instanceOptions: object) => ({
      ...instanceOptions,
      retry: options.retry ? { enabled: true, retryAfterBaseValue: 1 } : { enabled: false },
      throttle: { enabled: false },
    })),
  });
  const errors: unknown[] = [];
  const services = new Services();
  services.appLogin = () => Promise.resolve("promoter[bot]");
  let runtime: PromoterRuntime | undefined;
  const budget = new InProcessBudget();
  const observe = recordRateLimits(budget, log);
  promoterApp((app) => {
    const run = jobRunner(
      app,
      services,
      (job) => queue.enqueueCheck(job),
      observe,
      (job, at) => queue.enqueueCheckAt(job, at),
    );
    const gate =
      options.rateLimitFloor === undefined
        ? undefined
        : budgetGate({
            auth: (id) => app.auth(id),
            budget,
            floor: options.rateLimitFloor,
            repositories: services.repositories,
            log,
          });
    const queue: InProcessQueue = new InProcessQueue(
      async (job) => {
        try {
          await run(job);
        } catch (error) {
          errors.push(error);
        }
      },
      log,
      undefined,
      gate,
    );
    runtime = { services, queue, observe };
    return runtime;
  })(probot);
  const ready = runtime as PromoterRuntime;
  return {
    probot,
    services,
    budget,
    /** What the runtime records of an installation client's answers (its budget). */
    observe,
    queue: ready.queue,
    errors,
    /** Delivers a webhook and waits for every check it queued. */
    async receive(name: string, payload: Record<string, unknown>) {
      await probot.receive({ id: `delivery-${Math.random()}`, name, payload } as never);
      await ready.queue.onIdle();
    },
  };
}

type Example = { name: string; examples: Record<string, unknown>[] };

/** A payload from @octokit/webhooks-examples, adjusted to the given repository and installation. */
export function webhook(
  name: string,
  action: string | undefined,
  repository: { owner: string; repo: string; defaultBranch?: string },
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const family = (examples as Example[]).find((e) => e.name === name);
  const example = family?.examples.find((e) => action === undefined || e.action === action);
  if (!example) throw new Error(`no example payload for ${name}.${action}`);
  const payload = structuredClone(example) as Record<string, unknown> & {
    repository?: Record<string, unknown>;
  };
  const base = payload.repository ?? {};
  payload.repository = {
    ...base,
    name: repository.repo,
    full_name: `${repository.owner}/${repository.repo}`,
    html_url: `https://github.com/${repository.owner}/${repository.repo}`,
    default_branch: repository.defaultBranch ?? "main",
    owner: { ...(base.owner as object), login: repository.owner },
  };
  payload.installation = {
    id: INSTALLATION_ID,
    node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==",
  };
  return { ...payload, ...overrides };
}

/** A repository as GitHub would serve it: files by path on one head commit. */
export interface RepoFixture {
  owner: string;
  repo: string;
  branch?: string;
  headSha: string;
  files: Record<string, string>;
  /**
   * The test answers the dashboard issue's requests itself. Otherwise {@link mockRepositoryRead} answers
   * them, optionally: no dashboard yet (a known one is gone), and it is created as #900.
   */
  ownDashboard?: boolean;
}

export const treeShaOf = (fixture: RepoFixture) => `tree-${fixture.headSha}`;

/** GitHub's answer to a recursive tree read of `files` (every one a blob named by its git SHA). */
export function treeAnswer(sha: string, files: Record<string, string>) {
  return {
    sha,
    truncated: false,
    tree: Object.entries(files).map(([path, content]) => ({
      path,
      mode: "100644",
      type: "blob",
      sha: blobSha(content),
      size: Buffer.byteLength(content),
    })),
  };
}

/**
 * Intercepts the reads of a check: the branch ref, the recursive tree, and the blobs of `downloads`
 * (default: every file). Each is answered once.
 */
export function mockRepositoryRead(
  fixture: RepoFixture,
  downloads: string[] = Object.keys(fixture.files),
): nock.Scope {
  const { owner, repo } = fixture;
  const branch = fixture.branch ?? "main";
  const scope = nock(API)
    .get(`/repos/${owner}/${repo}/git/ref/heads%2F${branch}`)
    .reply(200, { ref: `refs/heads/${branch}`, object: { sha: fixture.headSha, type: "commit" } })
    .get(`/repos/${owner}/${repo}/git/trees/${fixture.headSha}`)
    .query({ recursive: "1" })
    .reply(200, treeAnswer(treeShaOf(fixture), fixture.files));
  if (!fixture.ownDashboard) {
    scope
      .get(`/repos/${owner}/${repo}/issues`)
      .query(true)
      .optionally()
      .times(10)
      .reply(200, [])
      .get(/\/repos\/[^/]+\/[^/]+\/issues\/\d+$/)
      .optionally()
      .times(10)
      .reply(404, { message: "Not Found" })
      .post(`/repos/${owner}/${repo}/issues`)
      .optionally()
      .times(10)
      .reply(201, { number: 900 });
  }
  const shas = new Set<string>();
  for (const path of downloads) {
    const content = fixture.files[path];
    if (content === undefined) throw new Error(`no file ${path}`);
    const sha = blobSha(content);
    // Files with the same content are one blob, downloaded once.
    if (shas.has(sha)) continue;
    shas.add(sha);
    scope.get(`/repos/${owner}/${repo}/git/blobs/${sha}`).reply(200, content);
  }
  return scope;
}

/** The repository's files as GitHub's tarball of its head commit lays them out (gzipped). */
async function tarballOf(fixture: RepoFixture): Promise<Buffer> {
  const archive = tar.pack();
  for (const [path, content] of Object.entries(fixture.files)) {
    archive.entry(
      { name: `${fixture.owner}-${fixture.repo}-${fixture.headSha.slice(0, 7)}/${path}` },
      content,
    );
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

/** Intercepts one download of the tarball of the repository's head commit. */
export async function mockTarball(fixture: RepoFixture): Promise<nock.Scope> {
  return nock(API)
    .get(`/repos/${fixture.owner}/${fixture.repo}/tarball/${fixture.headSha}`)
    .reply(200, await tarballOf(fixture), { "content-type": "application/x-gzip" });
}

/** Intercepts one tag listing of a module repository. */
export function mockTags(
  owner: string,
  repo: string,
  tags: string[],
  etag = `"${repo}-1"`,
): nock.Scope {
  return nock(API)
    .get(`/repos/${owner}/${repo}/tags`)
    .query({ per_page: "100", page: "1" })
    .reply(
      200,
      tags.map((name) => ({ name })),
      { etag },
    );
}

/** Intercepts the read of a version's GitHub release, published at `publishedAt`. */
export function mockReleaseDate(
  owner: string,
  repo: string,
  tag: string,
  publishedAt = "2026-05-30T09:00:00Z",
): nock.Scope {
  return nock(API)
    .get(`/repos/${owner}/${repo}/releases/tags/${tag}`)
    .reply(200, { tag_name: tag, published_at: publishedAt });
}

/** Intercepts the listing of the repository's pull requests. */
export function mockPullRequests(fixture: RepoFixture, pulls: unknown[] = []): nock.Scope {
  return nock(API)
    .get(`/repos/${fixture.owner}/${fixture.repo}/pulls`)
    .query({ state: "all", sort: "updated", direction: "desc", per_page: "100", page: "1" })
    .reply(200, pulls);
}

/** Intercepts the listing of the app's branches (`promoter/...`). */
export function mockBranches(fixture: RepoFixture, branches: string[] = []): nock.Scope {
  return nock(API)
    .get(`/repos/${fixture.owner}/${fixture.repo}/git/matching-refs/heads%2Fpromoter%2F`)
    .reply(
      200,
      branches.map((b) => ({ ref: `refs/heads/${b}`, object: { sha: "x", type: "commit" } })),
    );
}

/** Captures the JSON bodies nock receives, by a name. */
export function capture() {
  const bodies = new Map<string, unknown[]>();
  return {
    bodies,
    /** A body matcher that records the body under `name` and accepts it. */
    as(name: string) {
      return (body: unknown) => {
        bodies.set(name, [...(bodies.get(name) ?? []), body]);
        return true;
      };
    },
    one<T = Record<string, unknown>>(name: string, index = 0): T {
      const list = bodies.get(name);
      if (!list?.[index]) throw new Error(`no ${name} body #${index}`);
      return list[index] as T;
    },
  };
}

/** The dashboard issue as GitHub returns it: the app's, open, with `body`. */
export function dashboardIssue(
  number: number,
  body: string,
  overrides: Record<string, unknown> = {},
) {
  return {
    number,
    title: "Promoter: promotion dashboard",
    body,
    state: "open",
    locked: false,
    user: { login: "promoter[bot]", type: "Bot" },
    ...overrides,
  };
}

/**
 * Answers the dashboard's requests of one check of a fixture with `ownDashboard`: without `known`, the
 * listing of the app's issues (empty) and the creation of #50; with it, the read of that issue (a
 * check that renders the same body writes nothing; one that renders another may edit it, optionally).
 * The bodies written are captured as `dashboard`.
 */
export function mockDashboard(
  fixture: RepoFixture,
  bodies: ReturnType<typeof capture>,
  known?: { number: number; body: string },
): nock.Scope {
  const path = `/repos/${fixture.owner}/${fixture.repo}/issues`;
  if (known)
    return nock(API)
      .get(`${path}/${known.number}`)
      .reply(200, dashboardIssue(known.number, known.body))
      .patch(`${path}/${known.number}`, bodies.as("dashboard"))
      .optionally()
      .reply(200, {});
  return nock(API)
    .get(path)
    .query({
      creator: "promoter[bot]",
      state: "all",
      sort: "created",
      direction: "asc",
      per_page: "100",
      page: "1",
    })
    .reply(200, [])
    .post(path, bodies.as("dashboard"))
    .reply(201, { number: 50 });
}
