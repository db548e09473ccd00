import nock from "nock";
import { ProbotOctokit } from "probot";
import { beforeEach, describe, expect, it } from "vitest";
import { Services } from "../../src/engine/services.js";
import type { Octokit } from "../../src/github/repo-ref.js";
import type { DependencyOrigin } from "../../src/iac/types.js";
import { clearRegistryDiscoveryCache } from "../../src/versions/registry-versions.js";
import { releaseNotes } from "../../src/versions/release-notes.js";
import { readHostCredentials } from "../../src/versions/source-hosts.js";
import { serveAdvertisements, startFakeHost } from "../support/fake-hosts.js";
import { testOctokit, useNock } from "../support/nock-github.js";

const API = "https://api.github.com";
const GHE = "https://ghe.example.com/api/v3";
const TAGS = { per_page: "100", page: "1" };

const git = (owner: string, repo: string, host = "github.com"): DependencyOrigin => ({
  type: "git",
  host,
  owner,
  repo,
});
const tags = (...names: string[]) => names.map((name) => ({ name }));

/** The installation client of an app on ghe.example.com, with the token `ghe`. */
function gheInstallation(): Octokit {
  return new ProbotOctokit({
    baseUrl: GHE,
    auth: { token: "ghe" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

useNock();
beforeEach(() => clearRegistryDiscoveryCache());

describe("Services.listVersions: credentials and hosts", () => {
  it("sends the installation token to the app's GitHub only, and nothing to a host nobody allowed", async () => {
    const github = nock(API, { reqheaders: { authorization: "token test" } })
      .get("/repos/acme/vpc/tags")
      .query(TAGS)
      .reply(200, tags("v1.1.0"));
    const services = new Services(API);
    const result = await services.listVersions(
      testOctokit(),
      undefined,
      [
        { id: "acme/vpc", origin: git("acme", "vpc") },
        { id: "acme/x", origin: git("acme", "x", "attacker.example") },
      ],
      "terraform",
    );
    expect(result.versions.get("acme/vpc")).toEqual(["v1.1.0"]);
    expect(result.warnings).toEqual([
      {
        dependency: "acme/x",
        message: expect.stringMatching(
          /^source host attacker\.example is not allowed; .*PROMOTER_SOURCE_HOSTS/,
        ) as string,
      },
    ]);
    expect(result.requests).toBe(1);
    expect(github.isDone()).toBe(true);
  });

  it("on GitHub Enterprise, sends the token to the GHE host only and reads github.com without credentials", async () => {
    const ghe = nock("https://ghe.example.com", { reqheaders: { authorization: "token ghe" } })
      .get("/api/v3/repos/platform/modules/tags")
      .query(TAGS)
      .reply(200, tags("v3.0.0"));
    const github = nock(API, { badheaders: ["authorization"] })
      .get("/repos/hashicorp/consul/tags")
      .query(TAGS)
      .reply(200, tags("v0.12.0"));
    const gheClient = gheInstallation();
    const services = new Services(GHE);
    const result = await services.listVersions(
      gheClient,
      undefined,
      [
        { id: "platform/modules/vpc", origin: git("platform", "modules", "ghe.example.com") },
        { id: "hashicorp/consul", origin: git("hashicorp", "consul") },
        { id: "acme/x", origin: git("acme", "x", "attacker.example") },
      ],
      "terraform",
    );
    expect(result.versions.get("platform/modules/vpc")).toEqual(["v3.0.0"]);
    expect(result.versions.get("hashicorp/consul")).toEqual(["v0.12.0"]);
    expect(result.warnings).toEqual([
      {
        dependency: "acme/x",
        message: expect.stringMatching(/attacker\.example is not allowed/) as string,
      },
    ]);
    expect(ghe.isDone() && github.isDone()).toBe(true);
  });

  it("reads a host the operator mapped to the app's API with the installation token, any other mapping without", async () => {
    const ghe = nock("https://ghe.example.com", { reqheaders: { authorization: "token ghe" } })
      .get("/api/v3/repos/acme/mirrored/tags")
      .query(TAGS)
      .reply(200, tags("v1.0.0"));
    const mirror = nock("https://mirror.example.com", { badheaders: ["authorization"] })
      .get("/api/v3/repos/acme/elsewhere/tags")
      .query(TAGS)
      .reply(200, tags("v2.0.0"));
    const services = new Services(
      GHE,
      `git.acme.io=${GHE}/,attacker.example=https://mirror.example.com/api/v3`,
    );
    const result = await services.listVersions(
      gheInstallation(),
      undefined,
      [
        { id: "acme/mirrored", origin: git("acme", "mirrored", "git.acme.io") },
        { id: "acme/elsewhere", origin: git("acme", "elsewhere", "attacker.example") },
      ],
      "terraform",
    );
    expect(result.warnings).toEqual([]);
    expect(Object.fromEntries(result.versions)).toEqual({
      "acme/mirrored": ["v1.0.0"],
      "acme/elsewhere": ["v2.0.0"],
    });
    expect(ghe.isDone() && mirror.isDone()).toBe(true);
  });

  it("reads a host the operator mapped to its GitHub Enterprise API, without credentials", async () => {
    const scope = nock("https://git.acme.io", { badheaders: ["authorization"] })
      .get("/api/v3/repos/acme/modules/tags")
      .query(TAGS)
      .reply(200, tags("v1.0.0"));
    const services = new Services(API, "git.acme.io=https://git.acme.io/api/v3");
    const result = await services.listVersions(
      testOctokit(),
      undefined,
      [{ id: "acme/modules", origin: git("acme", "modules", "git.acme.io") }],
      "terraform",
    );
    expect(result.versions.get("acme/modules")).toEqual(["v1.0.0"]);
    expect(scope.isDone()).toBe(true);
  });

  it("lists a bare-listed git host's tags through git, with the operator's credentials for it only", async () => {
    const host = await startFakeHost(
      serveAdvertisements({ "/acme/mods.git/info/refs": ["refs/tags/v1.0.0", "refs/tags/v1.1.0"] }),
    );
    nock.enableNetConnect("127.0.0.1");
    try {
      const github = nock(API, { reqheaders: { authorization: "token test" } })
        .get("/repos/acme/mods/tags")
        .query(TAGS)
        .reply(200, tags("v2.0.0"));
      const services = new Services(
        API,
        host.host,
        host.host,
        readHostCredentials({ PROMOTER_GIT_CREDENTIALS: `http://deploy:secret@${host.host}` }),
      );
      const result = await services.listVersions(
        testOctokit(),
        undefined,
        [
          { id: "acme/mods", origin: git("acme", "mods") },
          { id: `${host.host}/acme/mods`, origin: git("acme", "mods", host.host) },
        ],
        "terraform",
      );
      expect(Object.fromEntries(result.versions)).toEqual({
        "acme/mods": ["v2.0.0"],
        [`${host.host}/acme/mods`]: ["v1.0.0", "v1.1.0"],
      });
      expect(host.received).toEqual([
        {
          method: "GET",
          url: "/acme/mods.git/info/refs?service=git-upload-pack",
          authorization: `Basic ${Buffer.from("deploy:secret").toString("base64")}`,
        },
      ]);
      expect(github.isDone()).toBe(true);
    } finally {
      nock.disableNetConnect();
      await host.close();
    }
  });

  it("sends nothing to a registry host nobody allowed, and reads the default registries without credentials", async () => {
    const registry = nock("https://registry.terraform.io", { badheaders: ["authorization"] })
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/acme/vpc/aws/versions")
      .reply(200, { modules: [{ versions: [{ version: "1.0.0" }] }] });
    const services = new Services(API);
    const result = await services.listVersions(
      testOctokit(),
      undefined,
      [
        {
          id: "acme/vpc/aws",
          origin: { type: "registry", namespace: "acme", name: "vpc", provider: "aws" },
        },
        {
          id: "evil.example/acme/vpc/aws",
          origin: {
            type: "registry",
            host: "evil.example",
            namespace: "acme",
            name: "vpc",
            provider: "aws",
          },
        },
      ],
      "terraform",
    );
    expect(result.versions.get("acme/vpc/aws")).toEqual(["1.0.0"]);
    expect(result.warnings).toEqual([
      {
        dependency: "evil.example/acme/vpc/aws",
        message: expect.stringMatching(
          /^registry host evil\.example is not allowed; .*PROMOTER_SOURCE_HOSTS/,
        ) as string,
      },
    ]);
    expect(registry.isDone()).toBe(true);
  });
});

describe("Services.listVersions: answers of hosts read without credentials", () => {
  it("refuses a tag page over 5 MiB and does not follow a redirect to another host, once each", async () => {
    const huge = JSON.stringify(tags(...Array.from({ length: 6 }, () => "v".repeat(1024 * 1024))));
    nock(API)
      .get("/repos/hashicorp/consul/tags")
      .query(TAGS)
      .once()
      .reply(200, huge, { "content-type": "application/json" })
      .get("/repos/hashicorp/vault/tags")
      .query(TAGS)
      .once()
      .reply(301, "", { location: "http://169.254.169.254/latest/meta-data/" });
    const services = new Services(GHE);
    const result = await services.listVersions(
      gheInstallation(),
      undefined,
      [
        { id: "hashicorp/consul", origin: git("hashicorp", "consul") },
        { id: "hashicorp/vault", origin: git("hashicorp", "vault") },
      ],
      "terraform",
    );
    expect(result.warnings).toEqual([
      {
        dependency: "hashicorp/consul",
        message:
          "could not list the tags of hashicorp/consul on api.github.com: https://api.github.com/repos/hashicorp/consul/tags?per_page=100&page=1: the answer is larger than 5 MiB; refused",
      },
      {
        dependency: "hashicorp/vault",
        message:
          "could not list the tags of hashicorp/vault on api.github.com: https://api.github.com/repos/hashicorp/vault/tags?per_page=100&page=1 redirected to another host (http://169.254.169.254); not followed",
      },
    ]);
  });
});

describe("Services.clientFor", () => {
  it("gives release notes of a host nobody allowed no request at all", async () => {
    const services = new Services(API);
    const client = services.clientFor(testOctokit())("https://attacker.example/api/v3");
    const text = await releaseNotes(
      client,
      { owner: "acme", repo: "x", htmlBaseUrl: "https://attacker.example" },
      "v1.0.0",
      "v1.1.0",
    );
    expect(text).toMatch(/^Release notes could not be read: .*attacker\.example is not allowed/);
    expect(text).toContain("https://attacker.example/acme/x/compare/v1.0.0...v1.1.0");
  });
});

describe("Services.listVersions: listings shared by the repositories of an installation", () => {
  const deps = [{ id: "acme/modules//vpc", origin: git("acme", "modules") }];
  const tagsOf = () => nock(API).get("/repos/acme/modules/tags").query(TAGS);

  it("lists a module repository once per installation per window, then revalidates it", async () => {
    const services = new Services(API);
    let now = 1_000_000;
    services.now = () => now;
    const first = tagsOf().once().reply(200, tags("v1.0.0"), { etag: '"e1"' });
    // Two repositories of installation 1, one after the other: one request.
    const a = await services.listVersions(testOctokit(), 1, deps, "terraform");
    now += 60_000;
    const b = await services.listVersions(testOctokit(), 1, deps, "terraform");
    expect(a.versions.get("acme/modules//vpc")).toEqual(["v1.0.0"]);
    expect(b.versions.get("acme/modules//vpc")).toEqual(["v1.0.0"]);
    expect([a.requests, b.requests]).toEqual([1, 0]);
    expect(first.isDone()).toBe(true);

    // Another installation never sees installation 1's listing: its own request.
    const other = tagsOf().matchHeader("if-none-match", '"e1"').reply(304, "", { etag: '"e1"' });
    const c = await services.listVersions(testOctokit(), 2, deps, "terraform");
    expect(c.requests).toBe(1);
    expect(other.isDone()).toBe(true);

    // After the window: a conditional request.
    now += 10 * 60_000;
    const revalidated = tagsOf()
      .matchHeader("if-none-match", '"e1"')
      .reply(304, "", { etag: '"e1"' });
    const d = await services.listVersions(testOctokit(), 1, deps, "terraform");
    expect(d).toMatchObject({ requests: 1, notModified: 1 });
    expect(d.versions.get("acme/modules//vpc")).toEqual(["v1.0.0"]);
    expect(revalidated.isDone()).toBe(true);
  });

  it("reads a released module repository again within the window", async () => {
    const services = new Services(API);
    tagsOf().reply(200, tags("v1.0.0"), { etag: '"e1"' });
    await services.listVersions(testOctokit(), 1, deps, "terraform");
    await services.forgetListing(1, "acme/modules");
    tagsOf()
      .matchHeader("if-none-match", '"e1"')
      .reply(200, tags("v1.1.0", "v1.0.0"), { etag: '"e2"' });
    const after = await services.listVersions(testOctokit(), 1, deps, "terraform");
    expect(after.versions.get("acme/modules//vpc")).toEqual(["v1.1.0", "v1.0.0"]);
    expect(after.requests).toBe(1);
  });

  it("shares nothing with a window of 0, nor without an installation (a command)", async () => {
    const off = new Services(API, undefined, undefined, undefined, 0);
    const on = new Services(API);
    const scope = tagsOf().times(4).reply(200, tags("v1.0.0"));
    await off.listVersions(testOctokit(), 1, deps, "terraform");
    await off.listVersions(testOctokit(), 1, deps, "terraform");
    await on.listVersions(testOctokit(), undefined, deps, "terraform");
    await on.listVersions(testOctokit(), undefined, deps, "terraform");
    expect(scope.isDone()).toBe(true);
  });
});

describe("Services.rememberDashboardFacts", () => {
  it("keeps the 64 repositories whose dashboard was written last, the rewritten one counting as new", () => {
    const services = new Services();
    const facts = (n: number) => ({ inventory: { n } }) as never;
    for (let i = 0; i < 64; i++) services.rememberDashboardFacts(`acme/r${i}`, facts(i));
    services.rememberDashboardFacts("acme/r0", facts(100));
    services.rememberDashboardFacts("acme/r64", facts(64));
    expect(services.dashboardFacts.size).toBe(64);
    expect(services.dashboardFacts.has("acme/r1")).toBe(false);
    expect(services.dashboardFacts.get("acme/r0")).toEqual(facts(100));
    expect(services.dashboardFacts.has("acme/r64")).toBe(true);
  });
});
