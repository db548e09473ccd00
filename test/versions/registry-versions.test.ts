import nock from "nock";
import { beforeEach, describe, expect, it } from "vitest";
import { useNock } from "../support/nock-github.js";
import {
  RegistryError,
  RegistryModuleNotFoundError,
  clearRegistryDiscoveryCache,
  listRegistryVersions,
} from "../../src/versions/registry-versions.js";
import type { RegistryStats } from "../../src/versions/registry-versions.js";
import { createEtagCache, type CachedPage, type EtagCache } from "../../src/github/tags.js";

const vpc = { namespace: "terraform-aws-modules", name: "vpc", provider: "aws" };
const versions = (...list: string[]) => ({
  modules: [
    { source: "terraform-aws-modules/vpc/aws", versions: list.map((version) => ({ version })) },
  ],
});

useNock();
beforeEach(() => clearRegistryDiscoveryCache());

describe("listRegistryVersions", () => {
  it("discovers registry.terraform.io once, then lists the versions", async () => {
    const scope = nock("https://registry.terraform.io")
      .get("/.well-known/terraform.json")
      .once()
      .reply(200, { "modules.v1": "/v1/modules/", "providers.v1": "/v1/providers/" })
      .get("/v1/modules/terraform-aws-modules/vpc/aws/versions")
      .reply(200, versions("5.0.0", "5.1.0"))
      .get("/v1/modules/terraform-aws-modules/vpc/aws/versions")
      .reply(200, versions("5.0.0", "5.1.0", "5.2.0"));
    const first: RegistryStats = { requests: 0 };
    expect(await listRegistryVersions("https://registry.terraform.io", vpc, fetch, first)).toEqual([
      "5.0.0",
      "5.1.0",
    ]);
    expect(first.requests).toBe(2);
    const second: RegistryStats = { requests: 0 };
    expect(
      await listRegistryVersions("https://registry.terraform.io/", vpc, fetch, second),
    ).toEqual(["5.0.0", "5.1.0", "5.2.0"]);
    expect(second.requests).toBe(1);
    expect(scope.isDone()).toBe(true);
  });

  it("follows an absolute modules.v1 URL (registry.opentofu.org)", async () => {
    nock("https://registry.opentofu.org")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "https://registry.opentofu.org/v1/modules/" })
      .get("/v1/modules/terraform-aws-modules/vpc/aws/versions")
      .reply(200, versions("5.1.0", "5.0.0"));
    expect(await listRegistryVersions("https://registry.opentofu.org", vpc)).toEqual([
      "5.1.0",
      "5.0.0",
    ]);
  });

  it("reads a private registry with its own modules path (app.terraform.io/org/name/provider)", async () => {
    nock("https://app.terraform.io")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/api/registry/v1/modules/" })
      .get("/api/registry/v1/modules/acme/network/aws/versions")
      .reply(200, versions("0.3.0"));
    expect(
      await listRegistryVersions("https://app.terraform.io", {
        namespace: "acme",
        name: "network",
        provider: "aws",
      }),
    ).toEqual(["0.3.0"]);
  });

  it("reads a mirror whose base URL has a path", async () => {
    nock("https://mirror.example.com")
      .get("/tf/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/tf/v1/modules" })
      .get("/tf/v1/modules/terraform-aws-modules/vpc/aws/versions")
      .reply(200, versions("5.1.0"));
    expect(await listRegistryVersions("https://mirror.example.com/tf", vpc)).toEqual(["5.1.0"]);
  });

  it("throws RegistryModuleNotFoundError for an unknown module", async () => {
    nock("https://registry.terraform.io")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/acme/nope/aws/versions")
      .reply(404, { errors: ["Not Found"] });
    const error = await listRegistryVersions("https://registry.terraform.io", {
      namespace: "acme",
      name: "nope",
      provider: "aws",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryModuleNotFoundError);
    expect(error).toMatchObject({ status: 404 });
  });

  it("reports a host without discovery as not a registry, and tries discovery again later", async () => {
    nock("https://not-a-registry.example.com")
      .get("/.well-known/terraform.json")
      .reply(404, "Not Found")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/terraform-aws-modules/vpc/aws/versions")
      .reply(200, versions("1.0.0"));
    const error = await listRegistryVersions("https://not-a-registry.example.com", vpc).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).not.toBeInstanceOf(RegistryModuleNotFoundError);
    expect((error as Error).message).toMatch(/does not offer service discovery/);
    expect(await listRegistryVersions("https://not-a-registry.example.com", vpc)).toEqual([
      "1.0.0",
    ]);
  });

  it("rejects a discovery document without modules.v1", async () => {
    nock("https://registry.example.com")
      .get("/.well-known/terraform.json")
      .reply(200, { "providers.v1": "/v1/providers/" });
    await expect(listRegistryVersions("https://registry.example.com", vpc)).rejects.toThrow(
      /does not offer the module registry protocol/,
    );
  });

  it("turns a network error into a RegistryError without status", async () => {
    nock("https://registry.terraform.io")
      .get("/.well-known/terraform.json")
      .replyWithError("connect ECONNREFUSED");
    const error = await listRegistryVersions("https://registry.terraform.io", vpc).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ status: undefined, message: "connect ECONNREFUSED" });
  });

  it("uses the fetch passed in", async () => {
    const seen: string[] = [];
    const fake = ((input: string | URL) => {
      const url = String(input);
      seen.push(url);
      const body = url.endsWith("terraform.json")
        ? { "modules.v1": "/v1/modules/" }
        : versions("2.0.0");
      return Promise.resolve(
        new Response(JSON.stringify(body), {
          headers: { "content-type": "application/json" },
        }),
      );
    }) as typeof fetch;
    expect(await listRegistryVersions("https://registry.fake", vpc, fake)).toEqual(["2.0.0"]);
    expect(seen).toEqual([
      "https://registry.fake/.well-known/terraform.json",
      "https://registry.fake/v1/modules/terraform-aws-modules/vpc/aws/versions",
    ]);
  });
});

describe("listRegistryVersions: where it goes and how much it reads", () => {
  it("refuses a discovery document that points modules.v1 at another host, without asking it", async () => {
    nock("https://registry.example.com")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "http://169.254.169.254/latest/meta-data/" });
    const error = await listRegistryVersions("https://registry.example.com", vpc).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toBe(
      'https://registry.example.com: its service discovery points "modules.v1" to another host (http://169.254.169.254); refused',
    );
  });

  it("refuses a modules.v1 on the same host over another scheme or port", async () => {
    nock("https://registry.example.com")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "https://registry.example.com:8443/v1/modules/" });
    await expect(listRegistryVersions("https://registry.example.com", vpc)).rejects.toThrow(
      /points "modules.v1" to another host \(https:\/\/registry.example.com:8443\); refused/,
    );
  });

  it("does not follow a redirect to another host", async () => {
    nock("https://registry.example.com")
      .get("/.well-known/terraform.json")
      .reply(302, "", { location: "http://127.0.0.1:9200/_cat/indices" });
    const error = await listRegistryVersions("https://registry.example.com", vpc).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(
      /redirected to another host \(http:\/\/127\.0\.0\.1:9200\); not followed/,
    );
  });

  it("follows a redirect on the registry's own host", async () => {
    nock("https://registry.example.com")
      .get("/.well-known/terraform.json")
      .reply(301, "", { location: "/registry/.well-known/terraform.json" })
      .get("/registry/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/terraform-aws-modules/vpc/aws/versions")
      .reply(200, versions("1.0.0"));
    expect(await listRegistryVersions("https://registry.example.com", vpc)).toEqual(["1.0.0"]);
  });

  it("refuses an answer larger than 5 MiB", async () => {
    const many = Array.from({ length: 300_000 }, (_, i) => ({ version: `1.0.${i}` }));
    const huge = JSON.stringify({ modules: [{ versions: many }] });
    expect(huge.length).toBeGreaterThan(5 * 1024 * 1024);
    nock("https://registry.terraform.io")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/terraform-aws-modules/vpc/aws/versions")
      .reply(200, huge, { "content-type": "application/json" });
    const error = await listRegistryVersions("https://registry.terraform.io", vpc).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/answer is larger than 5 MiB; refused/);
  });
});

describe("listRegistryVersions with an ETag cache", () => {
  const REGISTRY = "https://registry.terraform.io";
  const VERSIONS = "/v1/modules/terraform-aws-modules/vpc/aws/versions";
  const discovery = () =>
    nock(REGISTRY).get("/.well-known/terraform.json").reply(200, { "modules.v1": "/v1/modules/" });

  /** A memory cache that also records the keys it was given. */
  function recording(): EtagCache & { keys: string[] } {
    const cache = createEtagCache();
    const keys: string[] = [];
    return {
      keys,
      get: (key) => cache.get(key),
      set: (key: string, value: CachedPage) => {
        keys.push(key);
        return cache.set(key, value);
      },
    };
  }

  it("sends the last answer's ETag and reuses its versions on a 304", async () => {
    const etags = createEtagCache();
    discovery();
    nock(REGISTRY, { badheaders: ["if-none-match"] })
      .get(VERSIONS)
      .reply(200, versions("5.0.0", "5.1.0"), { etag: '"v1"' });
    expect(await listRegistryVersions(REGISTRY, vpc, fetch, undefined, undefined, etags)).toEqual([
      "5.0.0",
      "5.1.0",
    ]);

    const scope = nock(REGISTRY)
      .get(VERSIONS)
      .matchHeader("if-none-match", '"v1"')
      .reply(304, "", { etag: '"v1"' });
    const stats: RegistryStats = { requests: 0, notModified: 0 };
    expect(await listRegistryVersions(REGISTRY, vpc, fetch, stats, undefined, etags)).toEqual([
      "5.0.0",
      "5.1.0",
    ]);
    expect(stats).toEqual({ requests: 1, notModified: 1 });
    expect(scope.isDone()).toBe(true);
  });

  it("replaces the cached versions when the answer changed", async () => {
    const etags = createEtagCache();
    discovery();
    nock(REGISTRY).get(VERSIONS).reply(200, versions("5.0.0"), { etag: '"v1"' });
    await listRegistryVersions(REGISTRY, vpc, fetch, undefined, undefined, etags);
    nock(REGISTRY)
      .get(VERSIONS)
      .matchHeader("if-none-match", '"v1"')
      .reply(200, versions("5.0.0", "6.0.0"), { etag: '"v2"' })
      .get(VERSIONS)
      .matchHeader("if-none-match", '"v2"')
      .reply(304, "");
    expect(await listRegistryVersions(REGISTRY, vpc, fetch, undefined, undefined, etags)).toEqual([
      "5.0.0",
      "6.0.0",
    ]);
    expect(await listRegistryVersions(REGISTRY, vpc, fetch, undefined, undefined, etags)).toEqual([
      "5.0.0",
      "6.0.0",
    ]);
  });

  it("keys the cache by whether a token was sent, never by the token itself", async () => {
    const etags = recording();
    nock(REGISTRY)
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get(VERSIONS)
      .matchHeader("authorization", "Bearer s3cret-token")
      .reply(200, versions("5.0.0", "9.9.9-private"), { etag: '"with-token"' });
    await listRegistryVersions(REGISTRY, vpc, fetch, undefined, "s3cret-token", etags);

    // An anonymous request never revalidates (and so never reuses) what a token saw.
    const scope = nock(REGISTRY, { badheaders: ["if-none-match", "authorization"] })
      .get(VERSIONS)
      .reply(200, versions("5.0.0"), { etag: '"anonymous"' });
    expect(await listRegistryVersions(REGISTRY, vpc, fetch, undefined, undefined, etags)).toEqual([
      "5.0.0",
    ]);
    expect(scope.isDone()).toBe(true);
    expect(etags.keys).toHaveLength(2);
    expect(new Set(etags.keys).size).toBe(2);
    for (const key of etags.keys) {
      expect(key).toContain(REGISTRY);
      expect(key).not.toContain("s3cret");
    }
  });

  it("caches nothing from an answer without an ETag", async () => {
    const etags = recording();
    discovery();
    nock(REGISTRY, { badheaders: ["if-none-match"] })
      .get(VERSIONS)
      .twice()
      .reply(200, versions("5.0.0"));
    await listRegistryVersions(REGISTRY, vpc, fetch, undefined, undefined, etags);
    await listRegistryVersions(REGISTRY, vpc, fetch, undefined, undefined, etags);
    expect(etags.keys).toEqual([]);
  });
});
