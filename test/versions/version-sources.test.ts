import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useNock } from "../support/nock-github.js";
import type { DependencyOrigin } from "../../src/iac/types.js";
import { createEtagCache } from "../../src/github/tags.js";
import { createListingCache } from "../../src/versions/listing-cache.js";
import type { GitHubClient } from "../../src/github/clients.js";
import { clearRegistryDiscoveryCache } from "../../src/versions/registry-versions.js";
import {
  parseAllowHttpHosts,
  parseSourceHosts,
  readHostCredentials,
} from "../../src/versions/source-hosts.js";
import { serveAdvertisements, startFakeHost, type FakeHost } from "../support/fake-hosts.js";
import { resolveVersions } from "../../src/versions/version-sources.js";
import type { ResolveVersionsOptions } from "../../src/versions/version-sources.js";

const API = "https://api.github.com";
const GHE = "https://ghe.example.com/api/v3";

const git = (owner: string, repo: string, host = "github.com"): DependencyOrigin => ({
  type: "git",
  host,
  owner,
  repo,
});
const registry = (namespace: string, name: string, provider: string, host?: string) =>
  ({ type: "registry", namespace, name, provider, ...(host ? { host } : {}) }) as DependencyOrigin;

const tagList = (...names: string[]) => names.map((name) => ({ name }));
const moduleVersions = (...list: string[]) => ({
  modules: [{ versions: list.map((version) => ({ version })) }],
});

/** Options with real ProbotOctokit clients, one per API base URL; records which were asked for. */
function options(overrides: Partial<ResolveVersionsOptions> = {}) {
  const asked: string[] = [];
  const clients = new Map<string, GitHubClient>();
  const warnings: string[] = [];
  const result: ResolveVersionsOptions = {
    clientFor(apiBaseUrl) {
      asked.push(apiBaseUrl);
      let client = clients.get(apiBaseUrl);
      if (!client) {
        client = new ProbotOctokit({
          baseUrl: apiBaseUrl,
          auth: { token: apiBaseUrl === result.appBaseUrl ? "installation" : "other" },
          retry: { enabled: false },
          throttle: { enabled: false },
        });
        clients.set(apiBaseUrl, client);
      }
      return client;
    },
    hosts: new Map(),
    appBaseUrl: API,
    registry: "terraform",
    etags: createEtagCache(),
    log: { warn: (_obj, msg) => warnings.push(msg) },
    ...overrides,
  };
  return { options: result, asked, logged: warnings };
}

useNock();
beforeEach(() => clearRegistryDiscoveryCache());

describe("resolveVersions", () => {
  it("lists a module repository once for all the dependencies that use it", async () => {
    const scope = nock(API)
      .get("/repos/gruntwork-io/terraform-aws-messaging/tags")
      .query({ per_page: "100", page: "1" })
      .once()
      .reply(200, tagList("v0.9.0", "v0.8.0"), { etag: '"m"' });
    const { options: opts, asked } = options();
    const result = await resolveVersions(
      [
        {
          id: "gruntwork-io/terraform-aws-messaging/sqs",
          origin: git("gruntwork-io", "terraform-aws-messaging"),
        },
        {
          id: "gruntwork-io/terraform-aws-messaging/sns",
          origin: git("gruntwork-io", "terraform-aws-messaging"),
        },
        {
          id: "gruntwork-io/terraform-aws-messaging/sqs",
          origin: git("gruntwork-io", "terraform-aws-messaging"),
        },
      ],
      opts,
    );
    expect(Object.fromEntries(result.versions)).toEqual({
      "gruntwork-io/terraform-aws-messaging/sqs": ["v0.9.0", "v0.8.0"],
      "gruntwork-io/terraform-aws-messaging/sns": ["v0.9.0", "v0.8.0"],
    });
    expect(result.warnings).toEqual([]);
    expect(result.requests).toBe(1);
    expect(asked).toEqual([API]);
    expect(scope.isDone()).toBe(true);
  });

  it("answers an unchanged repository from the ETag cache on the next check", async () => {
    const { options: opts } = options();
    const deps = [{ id: "acme/modules/vpc", origin: git("acme", "modules") }];
    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tagList("v1.0.0"), { etag: '"e1"' });
    await resolveVersions(deps, opts);
    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .matchHeader("if-none-match", '"e1"')
      .reply(304, "");
    const second = await resolveVersions(deps, opts);
    expect(second.versions.get("acme/modules/vpc")).toEqual(["v1.0.0"]);
    expect(second).toMatchObject({ requests: 1, notModified: 1, warnings: [] });
  });

  it("gives each git dependency its tags' commits, shared within the window like the tags", async () => {
    const A = "a".repeat(40);
    const shared = { cache: createListingCache(600), installationId: 7 };
    const { options: opts } = options({ shared });
    const deps = [
      { id: "acme/modules/vpc", origin: git("acme", "modules") },
      { id: "acme/modules/db", origin: git("acme", "modules") },
    ];
    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .once()
      .reply(200, [{ name: "v1.0.0", commit: { sha: A } }]);
    const first = await resolveVersions(deps, opts);
    expect(Object.fromEntries(first.commits.get("acme/modules/vpc") ?? [])).toEqual({
      "v1.0.0": A,
    });
    expect(first.commits.get("acme/modules/db")).toEqual(first.commits.get("acme/modules/vpc"));
    const second = await resolveVersions(deps, opts);
    expect(second.requests).toBe(0);
    expect(Object.fromEntries(second.commits.get("acme/modules/db") ?? [])).toEqual({
      "v1.0.0": A,
    });

    // A listing shared without its commits (by an older Promoter) is read again.
    const other = { cache: createListingCache(600), installationId: 8 };
    await other.cache.set(8, "git https://api.github.com acme/modules", ["v1.0.0"]);
    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, [{ name: "v1.0.0", commit: { sha: A } }]);
    const again = await resolveVersions(deps, options({ shared: other }).options);
    expect(again.requests).toBe(1);
    expect(again.commits.get("acme/modules/vpc")?.get("v1.0.0")).toBe(A);
  });

  it("lists an artifact's releases repository on the app's GitHub, and nothing for one without", async () => {
    nock(API)
      .get("/repos/acme/payments-api/tags")
      .query({ per_page: "100", page: "1" })
      .once()
      .reply(200, tagList("v1.5.0", "v1.4.2"));
    const { options: opts, asked } = options();
    const result = await resolveVersions(
      [
        {
          id: "payments-api",
          origin: {
            type: "artifact",
            name: "payments-api",
            releases: { owner: "acme", repo: "payments-api" },
          },
        },
        { id: "web", origin: { type: "artifact", name: "web" } },
      ],
      opts,
    );
    expect(Object.fromEntries(result.versions)).toEqual({ "payments-api": ["v1.5.0", "v1.4.2"] });
    expect(result).toMatchObject({ requests: 1, warnings: [] });
    expect(asked).toEqual([API]);
  });

  it("answers an unchanged registry module from the ETag cache on the next check", async () => {
    const { options: opts } = options();
    const deps = [{ id: "acme/vpc/aws", origin: registry("acme", "vpc", "aws") }];
    nock("https://registry.terraform.io")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/acme/vpc/aws/versions")
      .reply(200, { modules: [{ versions: [{ version: "1.0.0" }] }] }, { etag: '"r1"' });
    await resolveVersions(deps, opts);
    nock("https://registry.terraform.io")
      .get("/v1/modules/acme/vpc/aws/versions")
      .matchHeader("if-none-match", '"r1"')
      .reply(304, "");
    const second = await resolveVersions(deps, opts);
    expect(second.versions.get("acme/vpc/aws")).toEqual(["1.0.0"]);
    expect(second).toMatchObject({ requests: 1, notModified: 1, warnings: [] });
  });

  it("turns a missing or private repository into a warning on each of its dependencies", async () => {
    nock(API)
      .get("/repos/acme/private/tags")
      .query({ per_page: "100", page: "1" })
      .reply(404, { message: "Not Found" })
      .get("/repos/acme/public/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tagList("v2.0.0"));
    const { options: opts, logged } = options();
    const result = await resolveVersions(
      [
        { id: "acme/private/a", origin: git("acme", "private") },
        { id: "acme/public/b", origin: git("acme", "public") },
        { id: "acme/private/c", origin: git("acme", "private") },
      ],
      opts,
    );
    const message = "module repository acme/private not found or not accessible to the app";
    expect(result.warnings).toEqual([
      { dependency: "acme/private/a", message },
      { dependency: "acme/private/c", message },
    ]);
    expect([...result.versions.keys()]).toEqual(["acme/public/b"]);
    expect(logged).toEqual([message]);
  });

  it("turns a rate limit into a warning", async () => {
    nock(API)
      .get("/repos/acme/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(
        403,
        { message: "API rate limit exceeded for installation ID 1." },
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000" },
      )
      .get("/repos/acme/other/tags")
      .query({ per_page: "100", page: "1" })
      .reply(429, { message: "Too many requests" });
    const { options: opts } = options({ concurrency: 1 });
    const result = await resolveVersions(
      [
        { id: "acme/modules/vpc", origin: git("acme", "modules") },
        { id: "acme/other/x", origin: git("acme", "other") },
      ],
      opts,
    );
    expect(result.warnings).toEqual([
      {
        dependency: "acme/modules/vpc",
        message: "rate limited by api.github.com; retried next check",
      },
      { dependency: "acme/other/x", message: "rate limited by api.github.com; retried next check" },
    ]);
  });

  it("turns an unreachable host into a warning", async () => {
    nock("https://git.acme.io")
      .get("/acme/modules.git/info/refs")
      .query({ service: "git-upload-pack" })
      .replyWithError("getaddrinfo ENOTFOUND git.acme.io");
    const { options: opts } = options({ hosts: parseSourceHosts("git.acme.io") });
    const result = await resolveVersions(
      [{ id: "acme/modules/vpc", origin: git("acme", "modules", "git.acme.io") }],
      opts,
    );
    expect(result.warnings).toEqual([
      {
        dependency: "acme/modules/vpc",
        message: "git.acme.io unreachable: getaddrinfo ENOTFOUND git.acme.io",
      },
    ]);
  });

  it("reads the app's own GitHub Enterprise host through the app's base URL", async () => {
    nock(GHE.replace("/api/v3", ""), { reqheaders: { authorization: "token installation" } })
      .get("/api/v3/repos/platform/modules/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tagList("v3.1.0"));
    nock(API, { reqheaders: { authorization: "token other" } })
      .get("/repos/hashicorp/consul/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tagList("v0.12.0"));
    const { options: opts, asked } = options({ appBaseUrl: GHE });
    const result = await resolveVersions(
      [
        { id: "platform/modules/vpc", origin: git("platform", "modules", "ghe.example.com") },
        { id: "hashicorp/consul", origin: git("hashicorp", "consul") },
      ],
      opts,
    );
    expect(result.versions.get("platform/modules/vpc")).toEqual(["v3.1.0"]);
    expect(result.versions.get("hashicorp/consul")).toEqual(["v0.12.0"]);
    expect(asked.sort()).toEqual([API, GHE]);
  });

  it("reads github.com sources from a mirror set in PROMOTER_SOURCE_HOSTS", async () => {
    nock("https://mirror.example.com")
      .get("/api/v3/repos/gruntwork-io/terraform-aws-messaging/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tagList("v0.8.0"));
    const { options: opts, asked } = options({
      hosts: parseSourceHosts("github.com=https://mirror.example.com/api/v3"),
    });
    const result = await resolveVersions(
      [
        {
          id: "gruntwork-io/terraform-aws-messaging/sqs",
          origin: git("gruntwork-io", "terraform-aws-messaging"),
        },
      ],
      opts,
    );
    expect(result.versions.get("gruntwork-io/terraform-aws-messaging/sqs")).toEqual(["v0.8.0"]);
    expect(asked).toEqual(["https://mirror.example.com/api/v3"]);
  });

  it("reads registry modules from the configured registry, explicit hosts and mirrors", async () => {
    nock("https://registry.opentofu.org")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "https://registry.opentofu.org/v1/modules/" })
      .get("/v1/modules/terraform-aws-modules/vpc/aws/versions")
      .once()
      .reply(200, moduleVersions("5.0.0", "5.1.0"));
    nock("https://app.terraform.io")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/api/registry/v1/modules/" })
      .get("/api/registry/v1/modules/acme/network/aws/versions")
      .reply(200, moduleVersions("0.3.0"));
    nock("https://tf-mirror.example.com")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/hashicorp/consul/aws/versions")
      .reply(200, moduleVersions("0.12.0"));
    const { options: opts } = options({
      registry: "opentofu",
      hosts: parseSourceHosts(
        "registry.terraform.io=https://tf-mirror.example.com,app.terraform.io",
      ),
    });
    const result = await resolveVersions(
      [
        {
          id: "terraform-aws-modules/vpc/aws",
          origin: registry("terraform-aws-modules", "vpc", "aws"),
        },
        {
          id: "registry.opentofu.org/terraform-aws-modules/vpc/aws",
          origin: registry("terraform-aws-modules", "vpc", "aws", "registry.opentofu.org"),
        },
        { id: "acme/network/aws", origin: registry("acme", "network", "aws", "app.terraform.io") },
        {
          id: "hashicorp/consul/aws",
          origin: registry("hashicorp", "consul", "aws", "registry.terraform.io"),
        },
      ],
      opts,
    );
    expect(Object.fromEntries(result.versions)).toEqual({
      "terraform-aws-modules/vpc/aws": ["5.0.0", "5.1.0"],
      "registry.opentofu.org/terraform-aws-modules/vpc/aws": ["5.0.0", "5.1.0"],
      "acme/network/aws": ["0.3.0"],
      "hashicorp/consul/aws": ["0.12.0"],
    });
    expect(result.warnings).toEqual([]);
    expect(result.requests).toBe(6);
  });

  it("turns registry failures into warnings", async () => {
    nock("https://registry.terraform.io")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/acme/nope/aws/versions")
      .reply(404, { errors: ["Not Found"] })
      .get("/v1/modules/acme/busy/aws/versions")
      .reply(429, "slow down");
    nock("https://down.example.com")
      .get("/.well-known/terraform.json")
      .replyWithError("connect ECONNREFUSED");
    const { options: opts } = options({
      concurrency: 1,
      hosts: parseSourceHosts("down.example.com"),
    });
    const result = await resolveVersions(
      [
        { id: "acme/nope/aws", origin: registry("acme", "nope", "aws") },
        { id: "acme/busy/aws", origin: registry("acme", "busy", "aws") },
        { id: "acme/gone/aws", origin: registry("acme", "gone", "aws", "down.example.com") },
      ],
      opts,
    );
    expect(result.warnings).toEqual([
      {
        dependency: "acme/nope/aws",
        message: "module acme/nope/aws not found in the registry registry.terraform.io",
      },
      {
        dependency: "acme/busy/aws",
        message: "rate limited by registry.terraform.io; retried next check",
      },
      {
        dependency: "acme/gone/aws",
        message: "down.example.com unreachable: connect ECONNREFUSED",
      },
    ]);
    expect(result.versions.size).toBe(0);
  });

  it("runs at most `concurrency` listings at a time", async () => {
    const repos = ["a", "b", "c", "d", "e", "f"];
    for (const repo of repos) {
      nock(API)
        .get(`/repos/acme/${repo}/tags`)
        .query({ per_page: "100", page: "1" })
        .delay(20)
        .reply(200, tagList("v1.0.0"));
    }
    let running = 0;
    let most = 0;
    const { options: base } = options();
    const opts: ResolveVersionsOptions = {
      ...base,
      concurrency: 2,
      clientFor(apiBaseUrl) {
        const client = base.clientFor(apiBaseUrl);
        return {
          async request(route, params) {
            running++;
            most = Math.max(most, running);
            try {
              return await client.request(route, params);
            } finally {
              running--;
            }
          },
        };
      },
    };
    const result = await resolveVersions(
      repos.map((repo) => ({ id: `acme/${repo}/m`, origin: git("acme", repo) })),
      opts,
    );
    expect(result.versions.size).toBe(6);
    expect(most).toBe(2);
  });

  it("warns about a registry source when the configured registry is invalid", async () => {
    const { options: opts } = options({ registry: "nonsense" });
    const result = await resolveVersions(
      [{ id: "acme/vpc/aws", origin: registry("acme", "vpc", "aws") }],
      opts,
    );
    expect(result.warnings).toEqual([
      { dependency: "acme/vpc/aws", message: expect.stringMatching(/updates.registry/) as string },
    ]);
    expect(result.requests).toBe(0);
  });
});

describe("resolveVersions: hosts the operator did not allow", () => {
  it("asks no client for a git source on a host nobody allowed, and says how to allow it", async () => {
    const { options: opts, asked } = options();
    const result = await resolveVersions(
      [
        { id: "acme/x", origin: git("acme", "x", "attacker.example") },
        { id: "acme/y", origin: git("acme", "y", "github.com:8443") },
      ],
      opts,
    );
    expect(result.warnings).toEqual([
      {
        dependency: "acme/x",
        message:
          "source host attacker.example is not allowed; the operator can allow it in PROMOTER_SOURCE_HOSTS (attacker.example to list its tags with git over HTTPS, or attacker.example=<GitHub API base URL> for a GitHub Enterprise server)",
      },
      {
        dependency: "acme/y",
        message: expect.stringMatching(/^source host github.com:8443 is not allowed/) as string,
      },
    ]);
    expect(asked).toEqual([]);
    expect(result.requests).toBe(0);
  });

  it("sends nothing to a URL registry from the config whose host the operator did not allow", async () => {
    const { options: opts } = options({ registry: "https://registry.acme.io" });
    const result = await resolveVersions(
      [{ id: "acme/vpc/aws", origin: registry("acme", "vpc", "aws") }],
      opts,
    );
    expect(result.warnings).toEqual([
      {
        dependency: "acme/vpc/aws",
        message:
          "updates.registry https://registry.acme.io: the host registry.acme.io is not allowed; the operator can allow it in PROMOTER_SOURCE_HOSTS (registry.acme.io)",
      },
    ]);
    expect(result.requests).toBe(0);
  });

  it("reads a URL registry whose host the operator allowed, as written", async () => {
    nock("https://registry.acme.io")
      .get("/tf/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/tf/v1/modules/" })
      .get("/tf/v1/modules/acme/vpc/aws/versions")
      .reply(200, moduleVersions("1.0.0"));
    const { options: opts } = options({
      registry: "https://registry.acme.io/tf",
      hosts: parseSourceHosts("registry.acme.io"),
    });
    const result = await resolveVersions(
      [{ id: "acme/vpc/aws", origin: registry("acme", "vpc", "aws") }],
      opts,
    );
    expect(result.versions.get("acme/vpc/aws")).toEqual(["1.0.0"]);
  });

  it("reads a plain http URL registry only on a host in PROMOTER_ALLOW_HTTP_HOSTS", async () => {
    nock("http://127.0.0.1:8080")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/acme/vpc/aws/versions")
      .reply(200, moduleVersions("1.0.0"));
    const deps = [{ id: "acme/vpc/aws", origin: registry("acme", "vpc", "aws") }];
    const refused = await resolveVersions(
      deps,
      options({ registry: "http://127.0.0.1:8080", hosts: parseSourceHosts("127.0.0.1:8080") })
        .options,
    );
    expect(refused.warnings).toEqual([
      {
        dependency: "acme/vpc/aws",
        message:
          "updates.registry http://127.0.0.1:8080: plain http is allowed only for the hosts the operator lists in PROMOTER_ALLOW_HTTP_HOSTS",
      },
    ]);
    const allowed = await resolveVersions(
      deps,
      options({
        registry: "http://127.0.0.1:8080",
        httpHosts: parseAllowHttpHosts("127.0.0.1:8080"),
      }).options,
    );
    expect(allowed.versions.get("acme/vpc/aws")).toEqual(["1.0.0"]);
  });
});

describe("resolveVersions: git hosts through git's smart HTTP protocol", () => {
  const started: FakeHost[] = [];
  beforeEach(() => nock.enableNetConnect("127.0.0.1"));
  afterEach(async () => {
    nock.disableNetConnect();
    for (const host of started.splice(0)) await host.close();
  });
  async function gitHost(repositories: Record<string, readonly string[]>) {
    const host = await startFakeHost(serveAdvertisements(repositories));
    started.push(host);
    return host;
  }

  it("lists a bare-listed host's tags through git, with credentials only for that host", async () => {
    const gitlab = await gitHost({
      "/acme/mods.git/info/refs": [
        "refs/heads/main",
        "refs/tags/v1.2.0",
        "refs/tags/v1.3.0",
        "refs/tags/v1.3.0^{}",
      ],
    });
    const gitea = await gitHost({ "/acme/mods.git/info/refs": ["refs/tags/v0.1.0"] });
    nock(API, { reqheaders: { authorization: "token installation" } })
      .get("/repos/acme/mods/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tagList("v2.0.0"));
    const { options: opts, asked } = options({
      hosts: parseSourceHosts(`${gitlab.host},${gitea.host}`),
      httpHosts: parseAllowHttpHosts(`${gitlab.host},${gitea.host}`),
      credentials: readHostCredentials({
        PROMOTER_GIT_CREDENTIALS: `http://oauth2:glpat-secret@${gitlab.host}`,
      }),
    });
    const result = await resolveVersions(
      [
        { id: "acme/mods/vpc", origin: git("acme", "mods") },
        { id: `${gitlab.host}/acme/mods/vpc`, origin: git("acme", "mods", gitlab.host) },
        { id: `${gitlab.host}/acme/mods/db`, origin: git("acme", "mods", gitlab.host) },
        { id: `${gitea.host}/acme/mods`, origin: git("acme", "mods", gitea.host) },
      ],
      opts,
    );
    expect(result.warnings).toEqual([]);
    expect(Object.fromEntries(result.versions)).toEqual({
      "acme/mods/vpc": ["v2.0.0"],
      [`${gitlab.host}/acme/mods/vpc`]: ["v1.2.0", "v1.3.0"],
      [`${gitlab.host}/acme/mods/db`]: ["v1.2.0", "v1.3.0"],
      [`${gitea.host}/acme/mods`]: ["v0.1.0"],
    });
    const refs = "/acme/mods.git/info/refs?service=git-upload-pack";
    expect(gitlab.received).toEqual([
      {
        method: "GET",
        url: refs,
        authorization: `Basic ${Buffer.from("oauth2:glpat-secret").toString("base64")}`,
      },
    ]);
    expect(gitea.received).toEqual([{ method: "GET", url: refs }]);
    expect(asked).toEqual([API]);
    expect(result.requests).toBe(3);
  });

  it("says whether credentials went with a refused listing", async () => {
    const host = await gitHost({});
    const deps = [{ id: `${host.host}/acme/private`, origin: git("acme", "private", host.host) }];
    const settings = {
      hosts: parseSourceHosts(host.host),
      httpHosts: parseAllowHttpHosts(host.host),
    };
    const without = await resolveVersions(deps, options(settings).options);
    const withCredentials = await resolveVersions(
      deps,
      options({
        ...settings,
        credentials: readHostCredentials({ PROMOTER_GIT_CREDENTIALS: `http://u:p@${host.host}` }),
      }).options,
    );
    expect([...without.warnings, ...withCredentials.warnings].map((w) => w.message)).toEqual([
      `module repository acme/private not found on ${host.host} or not readable without credentials (none in PROMOTER_GIT_CREDENTIALS for it) (HTTP 404)`,
      `module repository acme/private not found on ${host.host} or not readable with the credentials configured for it (HTTP 404)`,
    ]);
  });

  it("sends no credentials of https://host over plain http to it", async () => {
    const host = await gitHost({ "/acme/mods.git/info/refs": ["refs/tags/v1.0.0"] });
    const { options: opts } = options({
      hosts: parseSourceHosts(host.host),
      httpHosts: parseAllowHttpHosts(host.host),
      credentials: readHostCredentials({ PROMOTER_GIT_CREDENTIALS: `https://u:p@${host.host}` }),
    });
    const result = await resolveVersions(
      [{ id: `${host.host}/acme/mods`, origin: git("acme", "mods", host.host) }],
      opts,
    );
    expect(result.versions.get(`${host.host}/acme/mods`)).toEqual(["v1.0.0"]);
    expect(host.received[0]?.authorization).toBeUndefined();
  });
});

describe("resolveVersions: private registries with a token per host", () => {
  const started: FakeHost[] = [];
  beforeEach(() => nock.enableNetConnect("127.0.0.1"));
  afterEach(async () => {
    nock.disableNetConnect();
    for (const host of started.splice(0)) await host.close();
  });

  /** A module registry on 127.0.0.1 whose discovery gives `modulesV1` (default its own /v1/modules/). */
  async function registryServer(modulesV1?: (self: string) => string) {
    const host = await startFakeHost((request, response) => {
      const json = (body: unknown) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
        return true;
      };
      if (request.url === "/.well-known/terraform.json") {
        return json({ "modules.v1": modulesV1?.(host.origin) ?? "/v1/modules/" });
      }
      if (request.url === "/v1/modules/acme/vpc/aws/versions") {
        return json(moduleVersions("1.0.0", "1.1.0"));
      }
      return false;
    });
    started.push(host);
    return host;
  }

  it("sends TF_TOKEN_<host> to that host's registry only, discovery included", async () => {
    const tfc = await registryServer();
    const other = await registryServer();
    const { options: opts } = options({
      hosts: parseSourceHosts(
        `app.terraform.io=${tfc.origin},registry.example.com=${other.origin}`,
      ),
      credentials: readHostCredentials({
        TF_TOKEN_app_terraform_io: "tfc-secret",
        TF_TOKEN_registry_terraform_io: "public-secret",
      }),
    });
    const result = await resolveVersions(
      [
        {
          id: "app.terraform.io/acme/vpc/aws",
          origin: registry("acme", "vpc", "aws", "app.terraform.io"),
        },
        {
          id: "registry.example.com/acme/vpc/aws",
          origin: registry("acme", "vpc", "aws", "registry.example.com"),
        },
      ],
      opts,
    );
    expect(result.warnings).toEqual([]);
    expect(result.versions.get("app.terraform.io/acme/vpc/aws")).toEqual(["1.0.0", "1.1.0"]);
    expect(result.versions.get("registry.example.com/acme/vpc/aws")).toEqual(["1.0.0", "1.1.0"]);
    const asked = ["/.well-known/terraform.json", "/v1/modules/acme/vpc/aws/versions"];
    expect(tfc.received).toEqual(
      asked.map((url) => ({ method: "GET", url, authorization: "Bearer tfc-secret" })),
    );
    expect(other.received).toEqual(asked.map((url) => ({ method: "GET", url })));
  });

  it("refuses a discovery that points modules.v1 to another host, which gets nothing", async () => {
    const elsewhere = await registryServer();
    const tfc = await registryServer(() => `${elsewhere.origin}/v1/modules/`);
    const { options: opts } = options({
      hosts: parseSourceHosts(`app.terraform.io=${tfc.origin}`),
      credentials: readHostCredentials({ TF_TOKEN_app_terraform_io: "tfc-secret" }),
    });
    const result = await resolveVersions(
      [
        {
          id: "app.terraform.io/acme/vpc/aws",
          origin: registry("acme", "vpc", "aws", "app.terraform.io"),
        },
      ],
      opts,
    );
    expect(result.warnings).toEqual([
      {
        dependency: "app.terraform.io/acme/vpc/aws",
        message: `could not list the versions of acme/vpc/aws on ${tfc.host}: ${tfc.origin}: its service discovery points "modules.v1" to another host (${elsewhere.origin}); refused`,
      },
    ]);
    expect(tfc.received.map((r) => r.url)).toEqual(["/.well-known/terraform.json"]);
    expect(elsewhere.received).toEqual([]);
  });

  it("names the token variable when a registry refuses", async () => {
    const tfc = await startFakeHost((request, response) => {
      if (request.url === "/.well-known/terraform.json") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ "modules.v1": "/v1/modules/" }));
      } else {
        response.writeHead(401).end();
      }
      return true;
    });
    started.push(tfc);
    const deps = [
      {
        id: "tfe-1.example.com/acme/vpc/aws",
        origin: registry("acme", "vpc", "aws", "tfe-1.example.com"),
      },
    ];
    const hosts = parseSourceHosts(`tfe-1.example.com=${tfc.origin}`);
    const without = await resolveVersions(deps, options({ hosts }).options);
    clearRegistryDiscoveryCache();
    const withToken = await resolveVersions(
      deps,
      options({
        hosts,
        credentials: readHostCredentials({ TF_TOKEN_tfe__1_example_com: "t" }),
      }).options,
    );
    expect([...without.warnings, ...withToken.warnings].map((w) => w.message)).toEqual([
      `module acme/vpc/aws is not readable on ${tfc.host} without a token (none in TF_TOKEN_tfe__1_example_com) (HTTP 401)`,
      `module acme/vpc/aws is not readable on ${tfc.host} with the token in TF_TOKEN_tfe__1_example_com (HTTP 401)`,
    ]);
  });
});

describe("resolveVersions at scale", () => {
  it("costs one request per module repository for 20,000 dependencies in 10 repositories, and 304s after", async () => {
    const repositories = Array.from({ length: 10 }, (_, i) => `terraform-aws-module${i}`);
    const dependencies = Array.from({ length: 20_000 }, (_, i) => {
      const repo = repositories[i % 10] as string;
      return { id: `acme/${repo}/sub${i % 37}`, origin: git("acme", repo) };
    });
    for (const repo of repositories) {
      nock(API)
        .get(`/repos/acme/${repo}/tags`)
        .query({ per_page: "100", page: "1" })
        .reply(200, tagList("v1.1.0", "v1.0.0"), { etag: `"${repo}"` });
    }
    const { options: opts } = options();
    const cold = await resolveVersions(dependencies, opts);
    expect(cold.requests).toBe(10);
    expect(cold.versions.get("acme/terraform-aws-module3/sub3")).toEqual(["v1.1.0", "v1.0.0"]);
    expect(cold.warnings).toEqual([]);

    for (const repo of repositories) {
      nock(API, { reqheaders: { "if-none-match": `"${repo}"` } })
        .get(`/repos/acme/${repo}/tags`)
        .query({ per_page: "100", page: "1" })
        .reply(304, "", { etag: `"${repo}"` });
    }
    const warm = await resolveVersions(dependencies, opts);
    expect(warm.requests).toBe(10);
    expect(warm.notModified).toBe(10);
    expect(warm.versions).toEqual(cold.versions);
  });
});
