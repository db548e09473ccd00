import { describe, expect, it } from "vitest";
import {
  HostNotAllowedError,
  gitApiBaseUrl,
  gitTagSource,
  parseGitCredentials,
  parseRegistryTokens,
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

describe("gitTagSource", () => {
  const ghe = "https://ghe.example.com/api/v3";
  const repo = (host: string, owner = "acme", name = "mods") => ({ host, owner, repo: name });

  it("reads github.com, the app's own host and a mapped host through their GitHub API", () => {
    const hosts = parseSourceHosts(
      "git.acme.io,mirrored.example=https://mirror.example.com/api/v3",
    );
    expect(gitTagSource(repo("github.com"), hosts, ghe)).toEqual({
      type: "github-api",
      apiBaseUrl: "https://api.github.com",
    });
    expect(gitTagSource(repo("GHE.example.com"), hosts, ghe)).toEqual({
      type: "github-api",
      apiBaseUrl: ghe,
    });
    expect(gitTagSource(repo("mirrored.example"), hosts, ghe)).toEqual({
      type: "github-api",
      apiBaseUrl: "https://mirror.example.com/api/v3",
    });
  });

  it.each([
    [repo("git.acme.io"), "https://git.acme.io/acme/mods.git", "git.acme.io"],
    [
      repo("gitlab.example.com", "group/sub"),
      "https://gitlab.example.com/group/sub/mods.git",
      "gitlab.example.com",
    ],
    [repo("bitbucket.org"), "https://bitbucket.org/acme/mods.git", "bitbucket.org"],
    [
      repo("gitea.example.com:3000"),
      "https://gitea.example.com:3000/acme/mods.git",
      "gitea.example.com:3000",
    ],
    [
      repo("dev.azure.com", "org/project/_git"),
      "https://dev.azure.com/org/project/_git/mods",
      "dev.azure.com",
    ],
    [
      repo("ssh.dev.azure.com", "org/project"),
      "https://dev.azure.com/org/project/_git/mods",
      "dev.azure.com",
    ],
    [
      repo("vs-ssh.visualstudio.com", "org/project"),
      "https://dev.azure.com/org/project/_git/mods",
      "dev.azure.com",
    ],
    [repo("git.acme.io", "a b", "c#d"), "https://git.acme.io/a%20b/c%23d.git", "git.acme.io"],
  ])("lists a bare-listed host's %j through git at %s", (origin, url, host) => {
    const hosts = parseSourceHosts(
      "git.acme.io,gitlab.example.com,bitbucket.org,gitea.example.com:3000,dev.azure.com",
    );
    expect(gitTagSource(origin, hosts, ghe)).toEqual({ type: "git-http", url, host });
  });

  it("uses plain http only for a host also in PROMOTER_ALLOW_HTTP_HOSTS", () => {
    const hosts = parseSourceHosts("127.0.0.1:8080,git.acme.io");
    const http = parseAllowHttpHosts("127.0.0.1:8080");
    expect(gitTagSource(repo("127.0.0.1:8080"), hosts, ghe, http)).toMatchObject({
      url: "http://127.0.0.1:8080/acme/mods.git",
    });
    expect(gitTagSource(repo("git.acme.io"), hosts, ghe, http)).toMatchObject({
      url: "https://git.acme.io/acme/mods.git",
    });
  });

  it("refuses a path that climbs out with ..", () => {
    const hosts = parseSourceHosts("git.acme.io");
    expect(() => gitTagSource(repo("git.acme.io", "acme/.."), hosts, ghe)).toThrow(
      "the repository path acme/../mods is not a git path",
    );
  });

  it.each(["attacker.example", "github.com:8443", "ghe.example.com.attacker.example"])(
    "refuses %j, saying how to allow it",
    (host) => {
      const hosts = parseSourceHosts("git.acme.io");
      expect(() => gitTagSource(repo(host), hosts, ghe)).toThrow(HostNotAllowedError);
      expect(() => gitTagSource(repo(host), hosts, ghe)).toThrow(/PROMOTER_SOURCE_HOSTS/);
    },
  );

  it.each(["ghe.example.com@attacker.example", "attacker.example/x?"])(
    "refuses %j, which is no host name",
    (host) => {
      const hosts = parseSourceHosts("git.acme.io");
      expect(() => gitTagSource(repo(host), hosts, ghe)).toThrow(
        new HostNotAllowedError(`source host ${host} is not allowed: it is not a host name`),
      );
    },
  );

  it("asks to allow the host an Azure DevOps ssh source is listed from", () => {
    expect(() =>
      gitTagSource(
        repo("ssh.dev.azure.com", "org/project"),
        parseSourceHosts("ssh.dev.azure.com"),
        ghe,
      ),
    ).toThrow(
      "source host ssh.dev.azure.com is not allowed (its repositories are listed at dev.azure.com); the operator can allow it in PROMOTER_SOURCE_HOSTS (dev.azure.com to list its tags",
    );
  });
});

describe("isAllowedGitApi", () => {
  it("knows the GitHub APIs that allowed hosts are read from, and nothing else", () => {
    const hosts = parseSourceHosts("git.acme.io,m.example=https://mirror.example.com/api/v3/");
    const app = "https://ghe.example.com/api/v3";
    for (const url of [
      "https://api.github.com",
      "https://ghe.example.com/api/v3/",
      "https://mirror.example.com/api/v3",
    ]) {
      expect(isAllowedGitApi(url, hosts, app)).toBe(true);
    }
    for (const url of [
      "https://attacker.example/api/v3",
      "https://m.example/api/v3",
      "http://api.github.com",
      // listed bare: read through git, so its GitHub API (release notes) is never asked
      "https://git.acme.io/api/v3",
    ]) {
      expect(isAllowedGitApi(url, hosts, app)).toBe(false);
    }
  });
});

describe("parseGitCredentials", () => {
  it("reads git-credential-store lines by origin, decoding user and token", () => {
    const credentials = parseGitCredentials(
      "https://oauth2:glpat-x@GitLab.example.com\n  http://u%40x:p%3Aw@127.0.0.1:8080/ignored/path\n",
    );
    expect([...credentials]).toEqual([
      ["https://gitlab.example.com", { username: "oauth2", password: "glpat-x" }],
      ["http://127.0.0.1:8080", { username: "u@x", password: "p:w" }],
    ]);
    expect(parseGitCredentials(undefined).size).toBe(0);
    expect(parseGitCredentials(" \n").size).toBe(0);
  });

  it.each([
    ["https://gitlab.example.com", "entry 1 has no user name and token"],
    ["https://oauth2@gitlab.example.com", "entry 1 has no user name and token"],
    ["ssh://git:secret@gitlab.example.com", "entry 1 is not an http(s) URL"],
    ["glpat-secret", "entry 1 is not a URL"],
    ["https://a:b@h.example https://c:secret@H.example", "entry 2 repeats https://h.example"],
    [
      "https://a:%zz@h.example",
      "entry 1 has a user name or token that is not percent-encoded right",
    ],
  ])("refuses %j without repeating its secret", (value, problem) => {
    expect(() => parseGitCredentials(value)).toThrow(`PROMOTER_GIT_CREDENTIALS: ${problem}`);
    try {
      parseGitCredentials(value);
    } catch (error) {
      expect((error as Error).message).not.toContain("secret");
    }
  });
});

describe("parseRegistryTokens", () => {
  it("reads Terraform's TF_TOKEN_<host> variables, . as _ and - as __", () => {
    const tokens = parseRegistryTokens({
      TF_TOKEN_app_terraform_io: "at",
      TF_TOKEN_tfe__1_Example_com: " t1 ",
      TF_TOKEN_empty_example_com: "",
      TF_TOKEN_: "no host",
      GITHUB_TOKEN: "not a registry's",
    });
    expect([...tokens]).toEqual([
      ["app.terraform.io", "at"],
      ["tfe-1.example.com", "t1"],
    ]);
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
