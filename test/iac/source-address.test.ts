import { describe, expect, it } from "vitest";
import { classifyRef, parseSourceAddress } from "../../src/iac/source-address.js";

interface GitCase {
  address: string;
  host: string;
  owner: string;
  repo: string;
  subpath: string;
  id: string;
  source: string;
  ref?: string;
}

const gitCases: GitCase[] = [
  {
    address: "git::git@github.com:gruntwork-io/terraform-aws-messaging.git//modules/sqs?ref=v0.8.0",
    host: "github.com",
    owner: "gruntwork-io",
    repo: "terraform-aws-messaging",
    subpath: "modules/sqs",
    id: "gruntwork-io/terraform-aws-messaging/sqs",
    source: "git::git@github.com:gruntwork-io/terraform-aws-messaging.git//modules/sqs",
    ref: "v0.8.0",
  },
  {
    address:
      "git::https://github.com/gruntwork-io/terraform-aws-messaging.git//modules/sqs?ref=v0.8.0",
    host: "github.com",
    owner: "gruntwork-io",
    repo: "terraform-aws-messaging",
    subpath: "modules/sqs",
    id: "gruntwork-io/terraform-aws-messaging/sqs",
    source: "git::https://github.com/gruntwork-io/terraform-aws-messaging.git//modules/sqs",
    ref: "v0.8.0",
  },
  {
    address: "git::https://ghe.example.com/org/repo.git?ref=1.0.0",
    host: "ghe.example.com",
    owner: "org",
    repo: "repo",
    subpath: "",
    id: "ghe.example.com/org/repo",
    source: "git::https://ghe.example.com/org/repo.git",
    ref: "1.0.0",
  },
  {
    address: "git::ssh://git@github.com/org/repo.git//x?ref=v1",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "x",
    id: "org/repo/x",
    source: "git::ssh://git@github.com/org/repo.git//x",
    ref: "v1",
  },
  {
    address: "git@github.com:org/repo.git//x?ref=v1",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "x",
    id: "org/repo/x",
    source: "git@github.com:org/repo.git//x",
    ref: "v1",
  },
  {
    // ssh port dropped from host; no ref
    address: "git::ssh://git@ghe.example.com:2222/org/repo.git",
    host: "ghe.example.com",
    owner: "org",
    repo: "repo",
    subpath: "",
    id: "ghe.example.com/org/repo",
    source: "git::ssh://git@ghe.example.com:2222/org/repo.git",
  },
  {
    // https port kept: it is the web/API host
    address: "git::https://ghe.example.com:8443/org/repo.git?ref=v2.0.0",
    host: "ghe.example.com:8443",
    owner: "org",
    repo: "repo",
    subpath: "",
    id: "ghe.example.com:8443/org/repo",
    source: "git::https://ghe.example.com:8443/org/repo.git",
    ref: "v2.0.0",
  },
  {
    address: "github.com/org/repo//modules/x?ref=v1.2.0",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "modules/x",
    id: "org/repo/x",
    source: "github.com/org/repo//modules/x",
    ref: "v1.2.0",
  },
  {
    address: "github.com/org/repo.git//x?ref=v1.2.0",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "x",
    id: "org/repo/x",
    source: "github.com/org/repo.git//x",
    ref: "v1.2.0",
  },
  {
    // GitHub shorthand: segments after the repository are a subdirectory
    address: "github.com/org/repo/modules/x?ref=v1.2.0",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "modules/x",
    id: "org/repo/x",
    source: "github.com/org/repo/modules/x",
    ref: "v1.2.0",
  },
  {
    address: "git::https://github.com/org/repo.git//modules/x?depth=1&ref=v1.2.0",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "modules/x",
    id: "org/repo/x",
    source: "git::https://github.com/org/repo.git//modules/x?depth=1",
    ref: "v1.2.0",
  },
  {
    address: "git::https://github.com/org/repo.git//modules/x?ref=v1.2.0&depth=1",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "modules/x",
    id: "org/repo/x",
    source: "git::https://github.com/org/repo.git//modules/x?depth=1",
    ref: "v1.2.0",
  },
  {
    // ref in the middle
    address: "git::https://github.com/org/repo.git?depth=1&ref=v3&sshkey=abc",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "",
    id: "org/repo",
    source: "git::https://github.com/org/repo.git?depth=1&sshkey=abc",
    ref: "v3",
  },
  {
    // `.git` missing
    address: "git::https://github.com/org/repo//modules/a/b?ref=v1.0.0",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "modules/a/b",
    id: "org/repo/a/b",
    source: "git::https://github.com/org/repo//modules/a/b",
    ref: "v1.0.0",
  },
  {
    // `//.` is the root of the repository
    address: "git::https://github.com/cloudposse/terraform-aws-cloudtrail.git//.?ref=0.21.0",
    host: "github.com",
    owner: "cloudposse",
    repo: "terraform-aws-cloudtrail",
    subpath: "",
    id: "cloudposse/terraform-aws-cloudtrail",
    source: "git::https://github.com/cloudposse/terraform-aws-cloudtrail.git//.",
    ref: "0.21.0",
  },
  {
    // git's `tags/` spelling: the tag is what follows it
    address: "git::https://github.com/org/repo.git//modules/x?ref=tags/0.18.0",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "modules/x",
    id: "org/repo/x",
    source: "git::https://github.com/org/repo.git//modules/x",
    ref: "0.18.0",
  },
  {
    address: "git::https://github.com/org/repo.git?ref=refs/tags/v1.0.0",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "",
    id: "org/repo",
    source: "git::https://github.com/org/repo.git",
    ref: "v1.0.0",
  },
  {
    // Terraform's Bitbucket shorthand
    address: "bitbucket.org/org/repo.git//sub?ref=v1.0.0",
    host: "bitbucket.org",
    owner: "org",
    repo: "repo",
    subpath: "sub",
    id: "bitbucket.org/org/repo/sub",
    source: "bitbucket.org/org/repo.git//sub",
    ref: "v1.0.0",
  },
  {
    // Azure DevOps ssh: `v3/` is the protocol version, not an owner
    address: "git::git@ssh.dev.azure.com:v3/org/project/repo//modules/x?ref=v1.0.0",
    host: "ssh.dev.azure.com",
    owner: "org/project",
    repo: "repo",
    subpath: "modules/x",
    id: "ssh.dev.azure.com/org/project/repo/x",
    source: "git::git@ssh.dev.azure.com:v3/org/project/repo//modules/x",
    ref: "v1.0.0",
  },
  {
    // subpath not starting with modules/ is kept
    address: "git::https://github.com/org/repo.git//examples/x?ref=v1.0.0",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "examples/x",
    id: "org/repo/examples/x",
    source: "git::https://github.com/org/repo.git//examples/x",
    ref: "v1.0.0",
  },
  {
    // trailing slashes
    address: "git::https://github.com/org/repo.git//modules/x/?ref=v1.0.0",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "modules/x",
    id: "org/repo/x",
    source: "git::https://github.com/org/repo.git//modules/x/",
    ref: "v1.0.0",
  },
  {
    address: "git::https://github.com/org/repo.git/",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "",
    id: "org/repo",
    source: "git::https://github.com/org/repo.git/",
  },
  {
    // case kept in owner/repo, host lower-cased
    address: "git::https://GitHub.com/Gruntwork-IO/Terraform-AWS-VPC.git//modules/vpc?ref=v1.0.0",
    host: "github.com",
    owner: "Gruntwork-IO",
    repo: "Terraform-AWS-VPC",
    subpath: "modules/vpc",
    id: "Gruntwork-IO/Terraform-AWS-VPC/vpc",
    source: "git::https://GitHub.com/Gruntwork-IO/Terraform-AWS-VPC.git//modules/vpc",
    ref: "v1.0.0",
  },
  {
    // nested groups (GitLab)
    address: "git::https://gitlab.example.com/group/sub/repo.git//modules/db?ref=v1.0.0",
    host: "gitlab.example.com",
    owner: "group/sub",
    repo: "repo",
    subpath: "modules/db",
    id: "gitlab.example.com/group/sub/repo/db",
    source: "git::https://gitlab.example.com/group/sub/repo.git//modules/db",
    ref: "v1.0.0",
  },
  {
    // percent-encoded refs keep their raw text
    address: "git::https://github.com/org/repo.git?ref=feature%2Fx",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "",
    id: "org/repo",
    source: "git::https://github.com/org/repo.git",
    ref: "feature%2Fx",
  },
  {
    address: "git::git@ghe.example.com:platform/terraform-modules.git//modules/a/b?ref=vpc-v1.2.3",
    host: "ghe.example.com",
    owner: "platform",
    repo: "terraform-modules",
    subpath: "modules/a/b",
    id: "ghe.example.com/platform/terraform-modules/a/b",
    source: "git::git@ghe.example.com:platform/terraform-modules.git//modules/a/b",
    ref: "vpc-v1.2.3",
  },
  {
    // an empty ref counts as no ref
    address: "git::https://github.com/org/repo.git?ref=",
    host: "github.com",
    owner: "org",
    repo: "repo",
    subpath: "",
    id: "org/repo",
    source: "git::https://github.com/org/repo.git",
  },
];

describe("parseSourceAddress: git", () => {
  it.each(gitCases)("$address", (c) => {
    const parsed = parseSourceAddress(c.address);
    expect(parsed).toMatchObject({
      type: "git",
      host: c.host,
      owner: c.owner,
      repo: c.repo,
      subpath: c.subpath,
      id: c.id,
      source: c.source,
    });
    if (parsed.type !== "git") return;
    if (c.ref === undefined) {
      expect(parsed.ref).toBeUndefined();
    } else {
      expect(parsed.ref?.value).toBe(c.ref);
      expect(c.address.slice(parsed.ref?.start, parsed.ref?.end)).toBe(c.ref);
    }
  });

  it("reports exact UTF-16 offsets of the ref", () => {
    const address = "git::https://github.com/org/repo.git?depth=1&ref=v1.2.0";
    const parsed = parseSourceAddress(address);
    expect(parsed).toMatchObject({
      ref: { value: "v1.2.0", start: address.length - 6, end: address.length },
    });
  });
});

interface RegistryCase {
  address: string;
  host?: string;
  namespace: string;
  name: string;
  provider: string;
  subpath: string;
  id: string;
  source: string;
  version?: string;
}

const registryCases: RegistryCase[] = [
  {
    address: "terraform-aws-modules/vpc/aws",
    namespace: "terraform-aws-modules",
    name: "vpc",
    provider: "aws",
    subpath: "",
    id: "terraform-aws-modules/vpc/aws",
    source: "terraform-aws-modules/vpc/aws",
  },
  {
    address: "app.terraform.io/acme/network/azurerm",
    host: "app.terraform.io",
    namespace: "acme",
    name: "network",
    provider: "azurerm",
    subpath: "",
    id: "app.terraform.io/acme/network/azurerm",
    source: "app.terraform.io/acme/network/azurerm",
  },
  {
    address: "registry.terraform.io/hashicorp/consul/aws//modules/consul-cluster",
    host: "registry.terraform.io",
    namespace: "hashicorp",
    name: "consul",
    provider: "aws",
    subpath: "modules/consul-cluster",
    id: "hashicorp/consul/aws",
    source: "registry.terraform.io/hashicorp/consul/aws//modules/consul-cluster",
  },
  {
    address: "registry.opentofu.org/ns/name/provider",
    host: "registry.opentofu.org",
    namespace: "ns",
    name: "name",
    provider: "provider",
    subpath: "",
    id: "ns/name/provider",
    source: "registry.opentofu.org/ns/name/provider",
  },
  {
    address: "tfr:///terraform-aws-modules/vpc/aws?version=5.1.0",
    namespace: "terraform-aws-modules",
    name: "vpc",
    provider: "aws",
    subpath: "",
    id: "terraform-aws-modules/vpc/aws",
    source: "tfr:///terraform-aws-modules/vpc/aws",
    version: "5.1.0",
  },
  {
    address: "tfr://registry.terraform.io/ns/name/provider?version=5.1.0",
    host: "registry.terraform.io",
    namespace: "ns",
    name: "name",
    provider: "provider",
    subpath: "",
    id: "ns/name/provider",
    source: "tfr://registry.terraform.io/ns/name/provider",
    version: "5.1.0",
  },
  {
    address: "tfr:///ns/name/provider//modules/x?version=1.0.0",
    namespace: "ns",
    name: "name",
    provider: "provider",
    subpath: "modules/x",
    id: "ns/name/provider",
    source: "tfr:///ns/name/provider//modules/x",
    version: "1.0.0",
  },
  {
    address: "tfr:///ns/name/provider",
    namespace: "ns",
    name: "name",
    provider: "provider",
    subpath: "",
    id: "ns/name/provider",
    source: "tfr:///ns/name/provider",
  },
];

describe("parseSourceAddress: registry", () => {
  it.each(registryCases)("$address", (c) => {
    const parsed = parseSourceAddress(c.address);
    expect(parsed).toMatchObject({
      type: "registry",
      namespace: c.namespace,
      name: c.name,
      provider: c.provider,
      subpath: c.subpath,
      id: c.id,
      source: c.source,
    });
    if (parsed.type !== "registry") return;
    expect(parsed.host).toBe(c.host);
    if (c.version === undefined) {
      expect(parsed.version).toBeUndefined();
    } else {
      expect(parsed.version?.value).toBe(c.version);
      expect(c.address.slice(parsed.version?.start, parsed.version?.end)).toBe(c.version);
    }
  });
});

describe("parseSourceAddress: local", () => {
  it.each(["./x", "../x", "../../modules/vpc", "/abs/path", ".", ".."])("%s", (address) => {
    expect(parseSourceAddress(address)).toEqual({ type: "local" });
  });
});

describe("parseSourceAddress: unsupported", () => {
  it.each([
    "",
    "s3::https://s3-eu-west-1.amazonaws.com/bucket/vpc.zip",
    "gcs::https://www.googleapis.com/storage/v1/bucket/vpc.zip",
    "hg::http://example.com/vpc.hg",
    "https://example.com/vpc-module.zip",
    "https://github.com/org/repo.git",
    "http://example.com/vpc.tgz",
    "s3://bucket/key",
    "git::file:///tmp/repo",
    "git::https://github.com/repo.git",
    "git::https://github.com/org/repo.git/modules/x?ref=v1",
    "git::https://github.com/org/repo.git?ref=v1&ref=v2",
    "tfr:///ns/name/provider?version=1&version=2",
    "tfr:///ns/name?version=1",
    "github.com/org",
    "hashicorp/consul",
    "a/b/c/d",
    "ns/name/Provider",
    "ns/na!me/aws",
    "ns/name/aws/",
    "ns/name/aws?ref=v1",
    "not a source",
  ])("%s", (address) => {
    const parsed = parseSourceAddress(address);
    expect(parsed.type).toBe("unsupported");
    if (parsed.type === "unsupported") expect(parsed.reason).not.toBe("");
  });

  it("explains HTTP archives", () => {
    const parsed = parseSourceAddress("https://example.com/vpc.zip");
    expect(parsed).toMatchObject({ type: "unsupported" });
    if (parsed.type === "unsupported") expect(parsed.reason).toContain("HTTP archive");
  });
});

describe("classifyRef", () => {
  it.each([
    ["v1.2.3", "version"],
    ["1.2.3", "version"],
    ["v1", "version"],
    ["v1.2", "version"],
    ["0.8.0", "version"],
    ["v1.2.3-rc.1", "version"],
    ["v1.2.3+build.5", "version"],
    ["1.0.0-alpha-1", "version"],
    ["vpc-v1.2.3", "version"],
    ["vpc_1.2.3", "version"],
    ["modules/vpc/v1.2.3", "version"],
    ["1234567", "version"],
    ["a1b2c3d", "commit"],
    ["deadbeef", "commit"],
    ["DEADBEEF12", "commit"],
    ["0123456789012345678901234567890123456789", "commit"],
    ["0123456789abcdef0123456789abcdef01234567", "commit"],
    ["abc123", "branch"],
    ["main", "branch"],
    ["master", "branch"],
    ["feature/new-thing", "branch"],
    ["v1.2.3.4", "branch"],
    ["latest", "branch"],
    ["", "branch"],
  ] as const)("%s → %s", (ref, kind) => {
    expect(classifyRef(ref)).toBe(kind);
  });
});

// Each of these took time quadratic in its length before (a 256 Ki address: more than a minute).
describe("long addresses and refs take linear time", () => {
  const elapsed = (run: () => unknown): number => {
    const start = performance.now();
    run();
    return performance.now() - start;
  };

  it("a git:: address of 256 Ki characters with a long dotted name", () => {
    const address = `git::${"a.".repeat(128 * 1024)}`;
    let result: ReturnType<typeof parseSourceAddress> | undefined;
    expect(elapsed(() => (result = parseSourceAddress(address)))).toBeLessThan(5_000);
    expect(result?.type).toBe("unsupported");
  });

  it.each([
    ["1-", "!"],
    ["1-1.", "!"],
    ["-1", "!"],
  ])("a ref of 256 Ki characters repeating %j, ending in %j, is a branch", (unit, end) => {
    const ref = `${unit.repeat((256 * 1024) / unit.length)}${end}`;
    let kind: string | undefined;
    expect(elapsed(() => (kind = classifyRef(ref)))).toBeLessThan(5_000);
    expect(kind).toBe("branch");
  });

  it("a version tag of up to 255 characters is a version; a longer ref is a branch", () => {
    const tag = (length: number) => `${"p-".repeat((length - 6) / 2)}v1.2.3`;
    expect(tag(254)).toHaveLength(254);
    expect(classifyRef(tag(254))).toBe("version");
    expect(classifyRef(tag(256))).toBe("branch");
  });

  it("a bare host address is read as before: host with a dot, optional port, then a path", () => {
    expect(parseSourceAddress("git::git.example.com:8443/org/repo//sub?ref=v1.0.0")).toMatchObject({
      type: "git",
      host: "git.example.com:8443",
      owner: "org",
      repo: "repo",
      subpath: "sub",
    });
    expect(parseSourceAddress("git::example.com:x/org/repo")).toEqual({
      type: "unsupported",
      reason: 'not a git URL: "example.com:x/org/repo"',
    });
  });
});
