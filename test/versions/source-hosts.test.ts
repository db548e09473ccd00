import { describe, expect, it } from "vitest";
import {
  HostNotAllowedError,
  allowedGitApiBaseUrl,
  gitApiBaseUrl,
  gitHtmlBaseUrl,
  isAllowedGitApi,
  isAppApi,
  parseAllowHttpHosts,
  parseSourceHosts,
  registryBaseUrl,
} from "../../src/versions/source-hosts.js";

describe("parseSourceHosts", () => {
  it("reads comma-separated host=baseUrl pairs and bare hosts, trimming and normalizing", () => {
    const hosts = parseSourceHosts(
      " GitHub.com = https://ghe.example.com/api/v3/ ,registry.terraform.io=https://mirror.example.com,, App.Terraform.io ",
    );
    expect([...hosts]).toEqual([
      ["github.com", { baseUrl: "https://ghe.example.com/api/v3" }],
      ["registry.terraform.io", { baseUrl: "https://mirror.example.com" }],
      ["app.terraform.io", {}],
    ]);
  });

  it("is empty when unset or blank", () => {
    expect(parseSourceHosts(undefined).size).toBe(0);
    expect(parseSourceHosts("  ").size).toBe(0);
  });

  it("accepts a host with a port and an http URL", () => {
    expect([...parseSourceHosts("git.internal:8443=http://proxy:8080/api/v3")]).toEqual([
      ["git.internal:8443", { baseUrl: "http://proxy:8080/api/v3" }],
    ]);
  });

  it.each([
    ["=https://x.example.com", "host name"],
    ["https://github.com=https://x.example.com", "host name"],
    ["https://github.com", "host name"],
    ["github.com=", "http(s) URL"],
    ["github.com=ftp://x.example.com", "http(s) URL"],
    ["github.com=not a url", "http(s) URL"],
    ["github.com=https://a.example.com,GITHUB.COM=https://b.example.com", "more than once"],
    ["app.terraform.io,app.terraform.io", "more than once"],
  ])("rejects %j naming the entry", (value, problem) => {
    expect(() => parseSourceHosts(value)).toThrow(problem);
    expect(() => parseSourceHosts(value)).toThrow(/PROMOTER_SOURCE_HOSTS: invalid entry "/);
  });
});

describe("parseAllowHttpHosts", () => {
  it("reads comma-separated hosts, lower-cased", () => {
    expect([...parseAllowHttpHosts(" 127.0.0.1:8080, Registry.Test ,")]).toEqual([
      "127.0.0.1:8080",
      "registry.test",
    ]);
    expect(parseAllowHttpHosts(undefined).size).toBe(0);
  });

  it("rejects an entry that is not a host", () => {
    expect(() => parseAllowHttpHosts("http://127.0.0.1:8080")).toThrow(
      'PROMOTER_ALLOW_HTTP_HOSTS: invalid entry "http://127.0.0.1:8080"',
    );
  });
});

describe("gitApiBaseUrl", () => {
  const none = parseSourceHosts(undefined);
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

describe("allowedGitApiBaseUrl", () => {
  const ghe = "https://ghe.example.com/api/v3";

  it("allows github.com, the app's own host and the hosts the operator listed", () => {
    const hosts = parseSourceHosts(
      "git.acme.io,mirrored.example=https://mirror.example.com/api/v3",
    );
    expect(allowedGitApiBaseUrl("github.com", hosts, ghe)).toBe("https://api.github.com");
    expect(allowedGitApiBaseUrl("GHE.example.com", hosts, ghe)).toBe(ghe);
    expect(allowedGitApiBaseUrl("git.acme.io", hosts, ghe)).toBe("https://git.acme.io/api/v3");
    expect(allowedGitApiBaseUrl("mirrored.example", hosts, ghe)).toBe(
      "https://mirror.example.com/api/v3",
    );
  });

  it.each([
    "attacker.example",
    "github.com:8443",
    "ghe.example.com.attacker.example",
    "ghe.example.com@attacker.example",
    "attacker.example/x?",
  ])("refuses %j, saying how to allow it", (host) => {
    const hosts = parseSourceHosts("git.acme.io");
    expect(() => allowedGitApiBaseUrl(host, hosts, ghe)).toThrow(HostNotAllowedError);
    expect(() => allowedGitApiBaseUrl(host, hosts, ghe)).toThrow(/PROMOTER_SOURCE_HOSTS/);
  });
});

describe("isAllowedGitApi", () => {
  it("knows the APIs that allowed hosts are read from, and nothing else", () => {
    const hosts = parseSourceHosts("git.acme.io,m.example=https://mirror.example.com/api/v3/");
    const app = "https://ghe.example.com/api/v3";
    for (const url of [
      "https://api.github.com",
      "https://ghe.example.com/api/v3/",
      "https://git.acme.io/api/v3",
      "https://mirror.example.com/api/v3",
    ]) {
      expect(isAllowedGitApi(url, hosts, app)).toBe(true);
    }
    for (const url of [
      "https://attacker.example/api/v3",
      "https://m.example/api/v3",
      "http://api.github.com",
      "https://git.acme.io/api/v4",
    ]) {
      expect(isAllowedGitApi(url, hosts, app)).toBe(false);
    }
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
  const none = parseSourceHosts(undefined);

  it("reads a bare ns/name/provider from the configured registry", () => {
    expect(registryBaseUrl(undefined, "terraform", none)).toBe("https://registry.terraform.io");
    expect(registryBaseUrl(undefined, "opentofu", none)).toBe("https://registry.opentofu.org");
    expect(registryBaseUrl(undefined, "https://registry.terraform.io/", none)).toBe(
      "https://registry.terraform.io",
    );
  });

  it("reads a configured registry URL on a host the operator allowed, as written", () => {
    const hosts = parseSourceHosts("registry.acme.io=https://elsewhere.example.com");
    expect(registryBaseUrl(undefined, "https://registry.acme.io/tf/", hosts)).toBe(
      "https://registry.acme.io/tf",
    );
    expect(
      registryBaseUrl(
        undefined,
        "https://registry.test",
        none,
        parseAllowHttpHosts("registry.test"),
      ),
    ).toBe("https://registry.test");
  });

  it("refuses a configured registry URL on a host nobody allowed, and plain http but on the hosts allowed for it", () => {
    const hosts = parseSourceHosts("registry.acme.io");
    expect(() => registryBaseUrl(undefined, "https://registry.evil.example", hosts)).toThrow(
      "updates.registry https://registry.evil.example: the host registry.evil.example is not allowed; the operator can allow it in PROMOTER_SOURCE_HOSTS (registry.evil.example)",
    );
    expect(() => registryBaseUrl(undefined, "http://registry.acme.io", hosts)).toThrow(
      /plain http is allowed only for the hosts the operator lists in PROMOTER_ALLOW_HTTP_HOSTS/,
    );
    expect(
      registryBaseUrl(
        undefined,
        "http://127.0.0.1:8080/",
        hosts,
        parseAllowHttpHosts("127.0.0.1:8080"),
      ),
    ).toBe("http://127.0.0.1:8080");
  });

  it("reads an explicit host the operator allowed from that host", () => {
    expect(
      registryBaseUrl("app.terraform.io", "opentofu", parseSourceHosts("app.terraform.io")),
    ).toBe("https://app.terraform.io");
    expect(registryBaseUrl("Registry.OpenTofu.org", "terraform", none)).toBe(
      "https://registry.opentofu.org",
    );
  });

  it("refuses an explicit host nobody allowed", () => {
    expect(() => registryBaseUrl("app.terraform.io", "terraform", none)).toThrow(
      "registry host app.terraform.io is not allowed; the operator can allow it in PROMOTER_SOURCE_HOSTS (app.terraform.io, or app.terraform.io=<registry base URL>)",
    );
    expect(() => registryBaseUrl("registry.terraform.io:444", "terraform", none)).toThrow(
      HostNotAllowedError,
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
