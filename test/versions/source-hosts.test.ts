import { describe, expect, it } from "vitest";
import {
  gitApiBaseUrl,
  gitHtmlBaseUrl,
  isAppApi,
  parseSourceHosts,
  registryBaseUrl,
} from "../../src/versions/source-hosts.js";

describe("parseSourceHosts", () => {
  it("reads comma-separated host=baseUrl pairs, trimming and normalizing", () => {
    const hosts = parseSourceHosts(
      " GitHub.com = https://ghe.example.com/api/v3/ ,registry.terraform.io=https://mirror.example.com,, ",
    );
    expect([...hosts]).toEqual([
      ["github.com", "https://ghe.example.com/api/v3"],
      ["registry.terraform.io", "https://mirror.example.com"],
    ]);
  });

  it("is empty when unset or blank", () => {
    expect(parseSourceHosts(undefined).size).toBe(0);
    expect(parseSourceHosts("  ").size).toBe(0);
  });

  it("accepts a host with a port and an http URL", () => {
    expect([...parseSourceHosts("git.internal:8443=http://proxy:8080/api/v3")]).toEqual([
      ["git.internal:8443", "http://proxy:8080/api/v3"],
    ]);
  });

  it.each([
    ["github.com", 'missing "="'],
    ["=https://x.example.com", "host name"],
    ["https://github.com=https://x.example.com", "host name"],
    ["github.com=", "http(s) URL"],
    ["github.com=ftp://x.example.com", "http(s) URL"],
    ["github.com=not a url", "http(s) URL"],
    ["github.com=https://a.example.com,GITHUB.COM=https://b.example.com", "more than once"],
  ])("rejects %j naming the entry", (value, problem) => {
    expect(() => parseSourceHosts(value)).toThrow(problem);
    expect(() => parseSourceHosts(value)).toThrow(/PROMOTER_SOURCE_HOSTS: invalid entry "/);
  });
});

describe("gitApiBaseUrl", () => {
  const none = new Map<string, string>();
  const ghe = "https://ghe.example.com/api/v3";

  it("reads github.com from api.github.com", () => {
    expect(gitApiBaseUrl("github.com", none, "https://api.github.com")).toBe(
      "https://api.github.com",
    );
    expect(gitApiBaseUrl("GitHub.com", none, ghe)).toBe("https://api.github.com");
  });

  it("reads the app's own GitHub Enterprise host through the app's base URL", () => {
    expect(gitApiBaseUrl("ghe.example.com", none, `${ghe}/`)).toBe(ghe);
  });

  it("reads any other host with the GitHub Enterprise convention", () => {
    expect(gitApiBaseUrl("git.acme.io", none, "https://api.github.com")).toBe(
      "https://git.acme.io/api/v3",
    );
  });

  it("prefers a PROMOTER_SOURCE_HOSTS mapping", () => {
    const hosts = parseSourceHosts("github.com=https://mirror.example.com/api/v3");
    expect(gitApiBaseUrl("github.com", hosts, "https://api.github.com")).toBe(
      "https://mirror.example.com/api/v3",
    );
  });

  it("links to the host's web pages", () => {
    expect(gitHtmlBaseUrl("GHE.example.com")).toBe("https://ghe.example.com");
  });
});

describe("isAppApi", () => {
  it("compares base URLs ignoring trailing slashes and host case", () => {
    expect(isAppApi("https://api.github.com", "https://api.github.com/")).toBe(true);
    expect(isAppApi("https://GHE.example.com/api/v3", "https://ghe.example.com/api/v3")).toBe(true);
    expect(isAppApi("https://api.github.com", "https://ghe.example.com/api/v3")).toBe(false);
  });
});

describe("registryBaseUrl", () => {
  const none = new Map<string, string>();

  it("reads a bare ns/name/provider from the configured registry", () => {
    expect(registryBaseUrl(undefined, "terraform", none)).toBe("https://registry.terraform.io");
    expect(registryBaseUrl(undefined, "opentofu", none)).toBe("https://registry.opentofu.org");
    expect(registryBaseUrl(undefined, "https://registry.acme.io/", none)).toBe(
      "https://registry.acme.io",
    );
  });

  it("reads an explicit host from that host", () => {
    expect(registryBaseUrl("app.terraform.io", "opentofu", none)).toBe("https://app.terraform.io");
    expect(registryBaseUrl("Registry.OpenTofu.org", "terraform", none)).toBe(
      "https://registry.opentofu.org",
    );
  });

  it("applies PROMOTER_SOURCE_HOSTS to explicit hosts and to the registry a keyword names", () => {
    const hosts = parseSourceHosts("registry.terraform.io=https://mirror.example.com/tf");
    expect(registryBaseUrl("registry.terraform.io", "opentofu", hosts)).toBe(
      "https://mirror.example.com/tf",
    );
    expect(registryBaseUrl(undefined, "terraform", hosts)).toBe("https://mirror.example.com/tf");
    expect(registryBaseUrl(undefined, "opentofu", hosts)).toBe("https://registry.opentofu.org");
  });

  it("rejects a configured registry that is neither a keyword nor a URL", () => {
    expect(() => registryBaseUrl(undefined, "hashicorp", none)).toThrow(/updates.registry/);
  });
});
