import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/cli.js";
import type { PlanJson } from "../src/cli/plan-command.js";
import type { ReportJson } from "../src/promotion/inventory-report.js";
import { clearRegistryDiscoveryCache } from "../src/versions/registry-versions.js";
import { ADVERTISEMENT_TYPE, advertisement } from "./support/fake-hosts.js";

const FIXTURE = join(import.meta.dirname, "fixtures", "live");

async function run(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

const temporary: string[] = [];
function copyOfFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "promoter-cli-"));
  temporary.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

/** Every file under dir with its content, for before/after comparisons. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), readFileSync(path, "utf8"));
  }
  return files;
}

afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("promoter report", () => {
  it("prints one JSON document with every environment, skip and warning", async () => {
    const { code, stdout, stderr } = await run("report", FIXTURE, "--json");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const report = JSON.parse(stdout) as ReportJson;
    expect(report.environments.map((e: { name: string }) => e.name)).toEqual([
      "dev",
      "stage",
      "prod",
    ]);
    const dev = report.environments[0]!;
    const rds = dev.dependencies.find(
      (d: { id: string }) => d.id === "gruntwork-io/terraform-aws-data-storage/rds",
    );
    expect(rds).toEqual({
      id: "gruntwork-io/terraform-aws-data-storage/rds",
      kind: "git",
      source: "git::https://github.com/gruntwork-io/terraform-aws-data-storage.git//modules/rds",
      versions: ["v0.30.0"],
      usages: [
        {
          file: "dev-account/us-east-1/mysql/terragrunt.hcl",
          line: 12,
          version: "v0.30.0",
          versionFile: "dev-account/us-east-1/mysql/terragrunt.hcl",
          versionLine: 12,
        },
      ],
    });
    const redis = dev.dependencies.find(
      (d: { id: string }) => d.id === "ghe.example.com/platform/terraform-aws-cache/redis",
    );
    expect(redis!.usages[0]).toMatchObject({
      versionFile: "dev-account/account.hcl",
      versionLine: 3,
    });
    expect(report.skipped).toContainEqual({
      file: "dev-account/us-east-1/app/main.tf",
      line: 20,
      id: "acme/terraform-aws-iam",
      reason: "ref main is not a version tag",
    });
    expect(report.warnings).toEqual([
      {
        file: "dev-account/us-east-1/broken/terragrunt.hcl",
        message: '5:1: syntax error: missing "}"; the file is not scanned',
      },
    ]);
    expect(JSON.stringify(report)).not.toContain("ignored");
  });

  it("prints a table per environment for people", async () => {
    const { code, stdout } = await run("report", FIXTURE);
    expect(code).toBe(0);
    expect(stdout).toContain("stage: 3 dependencies");
    expect(stdout).toMatch(/gruntwork-io\/terraform-aws-data-storage\/rds\s+v0\.29\.0\s+1/);
    expect(stdout).toContain("Warnings (1):");
  });

  it("says which line of tags a fork's dependency follows, given the tags with --versions", async () => {
    const fork = join(import.meta.dirname, "fixtures", "real-world", "fork-suffixed-tags");
    const id = "acme-forks/terraform-aws-service-catalog/networking/vpc";
    const dir = mkdtempSync(join(tmpdir(), "promoter-cli-"));
    temporary.push(dir);
    const versions = join(dir, "versions.json");
    writeFileSync(versions, JSON.stringify({ [id]: ["v0.107.5", "v0.107.6-gwrc"] }));
    const text = await run("report", fork, "--versions", versions);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `  ${id} follows the "-gwrc" line of tags (a fork's own releases)\n`,
    );
    const json = await run("report", fork, "--versions", versions, "--json");
    const report = JSON.parse(json.stdout) as ReportJson;
    expect(report.environments[0]!.dependencies[0]).toMatchObject({ id, tagLine: "gwrc" });
    const unreadable = await run("report", fork, "--versions", join(dir, "missing.json"));
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain("cannot read --versions");
  });

  it("exits 2 with every config error on stderr", async () => {
    const dir = copyOfFixture();
    writeFileSync(
      join(dir, ".github/promoter.yml"),
      "environments:\n  - name: dev\n    paths: []\n    promotion: sometimes\nupdates:\n  strategy: fastest\n",
    );
    const { code, stdout, stderr } = await run("report", dir);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(".github/promoter.yml:3:");
    expect(stderr).toContain(".github/promoter.yml:4:16: environments[0].promotion");
    expect(stderr).toContain(".github/promoter.yml:6:13: updates.strategy");
  });

  it("exits 2 when two environments claim the same file", async () => {
    const dir = copyOfFixture();
    writeFileSync(
      join(dir, ".github/promoter.yml"),
      'environments:\n  - name: dev\n    paths: ["dev-*/**"]\n  - name: all\n    paths: ["**/terragrunt.hcl"]\n',
    );
    const { code, stderr } = await run("report", dir);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "dev-account/us-east-1/vpc/terragrunt.hcl is in environments dev and all",
    );
  });

  it("warns about a glob that matches nothing, and still reports", async () => {
    const dir = copyOfFixture();
    const config = readFileSync(join(dir, ".github/promoter.yml"), "utf8");
    writeFileSync(
      join(dir, ".github/promoter.yml"),
      config.replace('"prod-*/**"', '"production-*/**"'),
    );
    const { code, stderr } = await run("report", dir);
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: \.github\/promoter\.yml:7:\d+: environments\[2\]\.paths\[0\]/);
  });

  it("lists a file nested too deeply as one warning and still reports the rest", async () => {
    const dir = copyOfFixture();
    const deep = "dev-account/us-east-1/deep/terragrunt.hcl";
    mkdirSync(join(dir, "dev-account/us-east-1/deep"));
    writeFileSync(join(dir, deep), `locals {\n  a = ${"(".repeat(2000)}1${")".repeat(2000)}\n}\n`);
    const before = JSON.parse((await run("report", FIXTURE, "--json")).stdout) as ReportJson;
    const { code, stdout, stderr } = await run("report", dir, "--json");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as ReportJson;
    expect(report.warnings).toEqual([
      ...before.warnings,
      {
        file: deep,
        message: "2:106: syntax error: nesting deeper than 100 levels; the file is not scanned",
      },
    ]);
    expect(report.environments).toEqual(before.environments);
    expect(report.skipped).toEqual(before.skipped);
    const table = await run("report", dir);
    expect(table.stdout).toContain(`${deep}: 2:106: syntax error: nesting deeper than 100 levels`);
  });

  it("lists a file over 2 MiB as one warning with its size and still reports the rest", async () => {
    const dir = copyOfFixture();
    const big = "dev-account/us-east-1/big/main.tf";
    mkdirSync(join(dir, "dev-account/us-east-1/big"));
    writeFileSync(join(dir, big), `# ${"x".repeat(3 * 1024 * 1024)}\n`);
    const before = JSON.parse((await run("report", FIXTURE, "--json")).stdout) as ReportJson;
    const { code, stdout } = await run("report", dir, "--json");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as ReportJson;
    expect(report.warnings).toContainEqual({
      file: big,
      message: expect.stringMatching(
        /^the file is 3,145,731 bytes, more than the 2,097,152 bytes/,
      ) as string,
    });
    expect(report.warnings).toHaveLength(before.warnings.length + 1);
    expect(report.environments).toEqual(before.environments);
  });

  it("takes --config and rejects unknown options and commands", async () => {
    const dir = copyOfFixture();
    const alternative = join(dir, "promoter-alt.yml");
    writeFileSync(alternative, 'environments:\n  - name: staging\n    paths: ["stage-*/**"]\n');
    const report = await run("report", dir, "--config", alternative, "--json");
    expect(report.code).toBe(0);
    expect(
      (JSON.parse(report.stdout) as ReportJson).environments.map((e: { name: string }) => e.name),
    ).toEqual(["staging"]);
    expect((await run("report", dir, "--verbose")).code).toBe(2);
    expect((await run("deploy")).code).toBe(2);
    expect((await run("report", join(dir, "missing"))).stderr).toContain(
      "cannot read the config file",
    );
  });
});

describe("promoter update", () => {
  it("rewrites only the version token, where the literal lives, and prints the files", async () => {
    const dir = copyOfFixture();
    const before = snapshot(dir);
    const { code, stdout } = await run(
      "update",
      dir,
      "--env",
      "dev",
      "--dependency",
      "ghe.example.com/platform/terraform-aws-cache/redis",
      "--to",
      "v0.6.0",
    );
    expect(code).toBe(0);
    expect(stdout).toBe("dev-account/account.hcl\n");
    const after = snapshot(dir);
    for (const [path, content] of before) {
      if (path === "dev-account/account.hcl") {
        expect(after.get(path)).toBe(
          content.replace('module_version = "v0.5.0"', 'module_version = "v0.6.0"'),
        );
      } else {
        expect(after.get(path)).toBe(content);
      }
    }
    const report = JSON.parse((await run("report", dir, "--json")).stdout) as ReportJson;
    const redis = report.environments[0]!.dependencies.find(
      (d: { id: string }) => d.id === "ghe.example.com/platform/terraform-aws-cache/redis",
    );
    expect(redis!.versions).toEqual(["v0.6.0"]);
  });

  it("writes a registry version without the v", async () => {
    const dir = copyOfFixture();
    const { code } = await run(
      "update",
      dir,
      "--env",
      "dev",
      "--dependency",
      "terraform-aws-modules/s3-bucket/aws",
      "--to",
      "v3.16.0",
    );
    expect(code).toBe(0);
    expect(readFileSync(join(dir, "dev-account/us-east-1/app/main.tf"), "utf8")).toContain(
      'version = "3.16.0"',
    );
  });

  it("refuses, writing nothing, a dependency shared by several environments", async () => {
    const dir = copyOfFixture();
    const before = snapshot(dir);
    const { code, stderr } = await run(
      "update",
      dir,
      "--env",
      "dev",
      "--dependency",
      "gruntwork-io/terraform-aws-messaging/sqs",
      "--to",
      "v0.9.0",
    );
    expect(code).toBe(2);
    expect(stderr).toContain("shared by environments dev, stage, prod");
    expect(snapshot(dir)).toEqual(before);
  });

  it("refuses a dependency the environment does not use, and missing arguments", async () => {
    const dir = copyOfFixture();
    const missing = await run(
      "update",
      dir,
      "--env",
      "prod",
      "--dependency",
      "acme/terraform-aws-vpc/vpc-app",
      "--to",
      "v1.2.0",
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "acme/terraform-aws-vpc/vpc-app is not used in environment prod",
    );
    expect((await run("update", dir, "--env", "dev")).code).toBe(2);
  });

  it.each(["../../v1.3.0", "x/v1.3.0", "a b-v1.3.0", "v1.3", "v0.6.0\n", '"v0.6.0"'])(
    "refuses --to %j, which is no version, writing nothing",
    async (to) => {
      const dir = copyOfFixture();
      const before = snapshot(dir);
      const { code, stdout, stderr } = await run(
        "update",
        dir,
        "--env",
        "dev",
        "--dependency",
        "ghe.example.com/platform/terraform-aws-cache/redis",
        "--to",
        to,
      );
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain(`--to ${JSON.stringify(to)} is not a version`);
      expect(snapshot(dir)).toEqual(before);
    },
  );

  it("keeps every byte outside the token: Latin-1, a byte order mark, CRLF and invalid UTF-8", async () => {
    const dir = mkdtempSync(join(tmpdir(), "promoter-cli-"));
    temporary.push(dir);
    writeFileSync(
      join(dir, ".github-config.yml"),
      'environments:\n  - name: dev\n    paths: ["dev/**"]\n',
    );
    const unit = (head: Buffer, tail: Buffer) =>
      Buffer.concat([
        head,
        Buffer.from(
          'terraform {\r\n  source = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc?ref=v1.0.0"',
        ),
        tail,
        Buffer.from("\r\n}\r\n"),
      ]);
    const files = {
      "dev/latin1/terragrunt.hcl": unit(
        Buffer.from("# Gr\u00fc\u00dfe\r\n", "latin1"),
        Buffer.from(" # \u00e9t\u00e9", "latin1"),
      ),
      "dev/bom/terragrunt.hcl": unit(Buffer.from("\ufeff# caf\u00e9\r\n"), Buffer.alloc(0)),
      "dev/broken/terragrunt.hcl": unit(
        Buffer.from([0x23, 0x20, 0xe2, 0x82, 0x0d, 0x0a, 0x23, 0xed, 0xa0, 0x80, 0x0a]),
        Buffer.from([0x20, 0x23, 0x20, 0xf0, 0x9f, 0x98]),
      ),
    };
    for (const [path, bytes] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), bytes);
    }
    const { code, stdout, stderr } = await run(
      "update",
      dir,
      "--config",
      join(dir, ".github-config.yml"),
      "--env",
      "dev",
      "--dependency",
      "acme/terraform-aws-vpc/vpc",
      "--to",
      "v1.1.0",
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n").filter(Boolean).sort()).toEqual(Object.keys(files).sort());
    for (const [path, bytes] of Object.entries(files)) {
      const at = bytes.indexOf("v1.0.0");
      const expected = Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from("v1.1.0"),
        bytes.subarray(at + "v1.0.0".length),
      ]);
      expect(readFileSync(join(dir, path)).toString("hex"), path).toBe(expected.toString("hex"));
    }
  });

  it("says so when the environment is already at the version", async () => {
    const dir = copyOfFixture();
    const { code, stdout } = await run(
      "update",
      dir,
      "--env",
      "stage",
      "--dependency",
      "acme/terraform-aws-vpc/vpc-app",
      "--to",
      "v1.1.0",
    );
    expect(code).toBe(0);
    expect(stdout).toContain("already at v1.1.0");
  });
});

describe("promoter update: acme/mods on github.com, a GitHub Enterprise host and GitLab", () => {
  const FILES = {
    "dev/github/terragrunt.hcl": "github.com/acme/mods//modules/vpc?ref=v1.2.0",
    "dev/ghe/terragrunt.hcl": "git::https://ghe.example.com/acme/mods.git//modules/vpc?ref=v1.2.0",
    "dev/gitlab/terragrunt.hcl":
      "git::git@gitlab.example.com:acme/mods.git//modules/vpc?ref=v1.2.0",
  };

  function threeHosts(): string {
    const dir = mkdtempSync(join(tmpdir(), "promoter-cli-"));
    temporary.push(dir);
    mkdirSync(join(dir, ".github"));
    writeFileSync(
      join(dir, ".github/promoter.yml"),
      'environments:\n  - name: dev\n    paths: ["dev/**"]\n',
    );
    for (const [path, source] of Object.entries(FILES)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), `terraform {\n  source = "${source}"\n}\n`);
    }
    return dir;
  }

  const update = (dir: string, dependency: string) =>
    run("update", dir, "--env", "dev", "--dependency", dependency, "--to", "v1.3.0");

  it("reports three dependencies", async () => {
    const report = JSON.parse((await run("report", threeHosts(), "--json")).stdout) as ReportJson;
    expect(report.environments[0]!.dependencies.map((d: { id: string }) => d.id)).toEqual([
      "acme/mods/vpc",
      "ghe.example.com/acme/mods/vpc",
      "gitlab.example.com/acme/mods/vpc",
    ]);
  });

  it.each([
    ["acme/mods/vpc", "dev/github/terragrunt.hcl"],
    ["ghe.example.com/acme/mods/vpc", "dev/ghe/terragrunt.hcl"],
    ["gitlab.example.com/acme/mods/vpc", "dev/gitlab/terragrunt.hcl"],
  ])("--dependency %s edits %s and no other host's usage", async (dependency, edited) => {
    const dir = threeHosts();
    const before = snapshot(dir);
    const { code, stdout, stderr } = await update(dir, dependency);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe(`${edited}\n`);
    const after = snapshot(dir);
    for (const [path, content] of before) {
      const expected = path === edited ? content.replace("ref=v1.2.0", "ref=v1.3.0") : content;
      expect(after.get(path), path).toBe(expected);
    }
  });

  it("names the hosts' ids when the one asked for is used on other hosts only", async () => {
    const dir = threeHosts();
    rmSync(join(dir, "dev/github"), { recursive: true });
    const before = snapshot(dir);
    const { code, stderr } = await update(dir, "acme/mods/vpc");
    expect(code).toBe(2);
    expect(stderr).toBe(
      "promoter: acme/mods/vpc is not used in environment dev (it uses ghe.example.com/acme/mods/vpc, gitlab.example.com/acme/mods/vpc)\n",
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it("plans one proposal per host, each with its host's versions and files", async () => {
    const dir = threeHosts();
    const versions = join(dir, "versions.json");
    writeFileSync(
      versions,
      JSON.stringify({
        "acme/mods/vpc": ["v1.2.0", "v1.3.0"],
        "gitlab.example.com/acme/mods/vpc": ["v1.2.1"],
      }),
    );
    const { code, stdout } = await run("plan", dir, "--versions", versions, "--json");
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as PlanJson;
    expect(result.proposals.map((p) => [p.dependency, p.to, p.files])).toEqual([
      ["acme/mods/vpc", "v1.3.0", ["dev/github/terragrunt.hcl"]],
      ["gitlab.example.com/acme/mods/vpc", "v1.2.1", ["dev/gitlab/terragrunt.hcl"]],
    ]);
  });
});

describe("promoter plan", () => {
  const VERSIONS = join(import.meta.dirname, "fixtures", "live-versions.json");

  it("prints the proposals for updates and promotions, offline from a versions file", async () => {
    const { code, stdout, stderr } = await run("plan", FIXTURE, "--versions", VERSIONS, "--json");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const result = JSON.parse(stdout) as PlanJson;
    expect(result.proposals).toEqual([
      {
        environment: "dev",
        dependency: "acme/terraform-aws-vpc/vpc-app",
        from: ["v1.2.0"],
        to: "v1.3.0",
        reason: "update",
        files: [
          "dev-account/stack/terragrunt.stack.hcl",
          "dev-account/us-east-1/vpc/terragrunt.hcl",
        ],
      },
      {
        environment: "dev",
        dependency: "acme/terragrunt-stacks/stacks/services",
        from: ["v0.3.1"],
        to: "v0.3.2",
        reason: "update",
        files: ["dev-account/stack/terragrunt.stack.hcl"],
      },
      {
        environment: "dev",
        dependency: "ghe.example.com/platform/terraform-aws-cache/redis",
        from: ["v0.5.0"],
        to: "v0.5.3",
        reason: "update",
        files: ["dev-account/account.hcl"],
      },
      {
        environment: "dev",
        dependency: "gruntwork-io/terraform-aws-data-storage/rds",
        from: ["v0.30.0"],
        to: "v0.30.1",
        reason: "update",
        files: ["dev-account/us-east-1/mysql/terragrunt.hcl"],
      },
      {
        environment: "dev",
        dependency: "terraform-aws-modules/s3-bucket/aws",
        from: ["3.15.1"],
        to: "3.15.2",
        reason: "update",
        files: ["dev-account/us-east-1/app/main.tf"],
      },
      {
        environment: "stage",
        dependency: "acme/terraform-aws-vpc/vpc-app",
        from: ["v1.1.0"],
        to: "v1.2.0",
        reason: "promotion",
        files: ["stage-account/us-east-1/vpc/terragrunt.hcl"],
      },
      {
        environment: "stage",
        dependency: "gruntwork-io/terraform-aws-data-storage/rds",
        from: ["v0.29.0"],
        to: "v0.30.0",
        reason: "promotion",
        files: ["stage-account/us-east-1/mysql/terragrunt.hcl"],
      },
    ]);
    expect(result.warnings).toEqual([
      {
        file: "dev-account/us-east-1/broken/terragrunt.hcl",
        message: '5:1: syntax error: missing "}"; the file is not scanned',
      },
    ]);
  });

  it("prints the note of an update outside the first environment, and report names it", async () => {
    const dir = join(import.meta.dirname, "fixtures", "real-world", "not-in-first-environment");
    const versions = join(mkdtempSync(join(tmpdir(), "promoter-cli-")), "versions.json");
    temporary.push(join(versions, ".."));
    writeFileSync(versions, JSON.stringify({ "acme/terraform-aws-waf/web-acl": ["v1.5.0"] }));
    const note =
      "not used in dev: stage is the first environment that uses it, so its updates start there";
    const planned = await run("plan", dir, "--versions", versions);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain(
      `  [promoter] stage: acme/terraform-aws-waf/web-acl v1.4.0 → v1.5.0 (update)\n      (${note})\n`,
    );
    const reported = await run("report", dir);
    expect(reported.stdout).toContain(`acme/terraform-aws-waf/web-acl: ${note}`);
  });

  it("holds back prod (promotion: manual) once stage runs a newer version", async () => {
    const dir = copyOfFixture();
    const stageVpc = join(dir, "prod-account/us-east-1/vpc");
    cpSync(join(dir, "stage-account/us-east-1/vpc"), stageVpc, { recursive: true });
    const stage = join(dir, "stage-account/us-east-1/vpc/terragrunt.hcl");
    writeFileSync(stage, readFileSync(stage, "utf8").replace("v1.1.0", "v1.2.0"));
    const { code, stdout } = await run("plan", dir, "--versions", VERSIONS);
    expect(code).toBe(0);
    expect(stdout).toContain("Held back (1):");
    expect(stdout).toContain(
      "prod: acme/terraform-aws-vpc/vpc-app: v1.2.0 waits for `/promote prod` (promotion: manual)",
    );
  });

  it("needs a token or a versions file, and says what is wrong with a versions file", async () => {
    const dir = copyOfFixture();
    const noToken = await run("plan", dir, "--token-env", "PROMOTER_TEST_NO_SUCH_TOKEN");
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("set PROMOTER_TEST_NO_SUCH_TOKEN to a GitHub token");
    const bad = join(dir, "versions.json");
    writeFileSync(bad, '{ "acme/x": "v1.0.0" }');
    const badFile = await run("plan", dir, "--versions", bad);
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toContain('"acme/x" must be a list of version strings');
  });
});

describe("promoter plan with a GitHub token", () => {
  afterEach(() => {
    delete process.env.PROMOTER_TEST_TOKEN;
    vi.unstubAllEnvs();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("reads tags and registry versions once per module, and turns an unreadable one into a warning", async () => {
    nock.disableNetConnect();
    clearRegistryDiscoveryCache();
    vi.stubEnv("GITHUB_API_URL", undefined);
    vi.stubEnv("PROMOTER_SOURCE_HOSTS", undefined);
    process.env.PROMOTER_TEST_TOKEN = "ghp_test";
    const tags = (...names: string[]) => names.map((name) => ({ name }));
    const github = nock("https://api.github.com", {
      reqheaders: { authorization: "token ghp_test" },
    });
    github
      .get("/repos/acme/terraform-aws-vpc/tags")
      .query({ per_page: "100", page: "1" })
      .reply(200, tags("v1.2.0", "v1.2.5", "v2.0.0"));
    github.get("/repos/acme/terraform-modules/tags").query(true).reply(200, tags("v2.1.0"));
    github.get("/repos/acme/terragrunt-stacks/tags").query(true).reply(200, tags("v0.3.1"));
    github
      .get("/repos/gruntwork-io/terraform-aws-data-storage/tags")
      .query(true)
      .reply(200, tags("v0.30.0"));
    const registry = nock("https://registry.terraform.io")
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/terraform-aws-modules/eks/aws/versions")
      .reply(200, { modules: [{ versions: [{ version: "19.21.0" }, { version: "19.22.0" }] }] })
      .get("/v1/modules/terraform-aws-modules/s3-bucket/aws/versions")
      .reply(200, { modules: [{ versions: [{ version: "3.15.1" }] }] });

    const { code, stdout, stderr } = await run(
      "plan",
      FIXTURE,
      "--json",
      "--token-env",
      "PROMOTER_TEST_TOKEN",
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as PlanJson;
    expect(
      result.proposals.map((p: { dependency: string; to: string }) => `${p.dependency}@${p.to}`),
    ).toEqual([
      "acme/terraform-aws-vpc/vpc-app@v1.2.5",
      "terraform-aws-modules/eks/aws@19.22.0",
      "acme/terraform-aws-vpc/vpc-app@v1.2.0",
      "gruntwork-io/terraform-aws-data-storage/rds@v0.30.0",
    ]);
    // GITHUB_TOKEN is github.com's: ghe.example.com is not asked (nor sent the token) unless allowed.
    expect(result.warnings).toContainEqual({
      dependency: "ghe.example.com/platform/terraform-aws-cache/redis",
      message: expect.stringMatching(/^source host ghe\.example\.com is not allowed; /) as string,
    });
    expect(github.isDone() && registry.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe("promoter plan: where the token goes", () => {
  const tags = (...names: string[]) => names.map((name) => ({ name }));
  const notAllowed = (host: string) =>
    expect.stringMatching(
      new RegExp(
        `^source host ${host.replace(/\./g, "\\.")} is not allowed; .*PROMOTER_SOURCE_HOSTS`,
      ),
    ) as string;

  /** A repository with one environment, dev, whose dev/main.tf holds `modules`. */
  function repositoryWithModules(modules: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), "promoter-cli-hosts-"));
    temporary.push(dir);
    mkdirSync(join(dir, ".github"));
    writeFileSync(
      join(dir, ".github/promoter.yml"),
      'environments:\n  - name: dev\n    paths: ["dev/**"]\n',
    );
    mkdirSync(join(dir, "dev"));
    writeFileSync(join(dir, "dev/main.tf"), [...modules, ""].join("\n"));
    return dir;
  }

  /** A repository with one environment whose units use github.com, a GHE host and attacker.example. */
  function repositoryWithSources(): string {
    return repositoryWithModules([
      'module "vpc" {\n  source = "git::https://github.com/acme/vpc.git?ref=v1.0.0"\n}',
      'module "cache" {\n  source = "git::https://ghe.example.com/platform/cache.git?ref=v1.0.0"\n}',
      'module "x" {\n  source = "git::https://attacker.example/acme/x.git?ref=v1.0.0"\n}',
    ]);
  }

  async function plan(dir: string) {
    const { code, stdout, stderr } = await run(
      "plan",
      dir,
      "--json",
      "--token-env",
      "PROMOTER_TEST_TOKEN",
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    return JSON.parse(stdout) as PlanJson;
  }

  beforeEach(() => {
    nock.disableNetConnect();
    vi.stubEnv("PROMOTER_TEST_TOKEN", "ghp_secret");
    vi.stubEnv("GITHUB_API_URL", undefined);
    vi.stubEnv("PROMOTER_SOURCE_HOSTS", undefined);
    vi.stubEnv("PROMOTER_GIT_CREDENTIALS", undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    expect(pending).toEqual([]);
  });

  it("sends GITHUB_TOKEN to api.github.com only, and no request to a host nobody allowed", async () => {
    nock("https://api.github.com", { reqheaders: { authorization: "token ghp_secret" } })
      .get("/repos/acme/vpc/tags")
      .query(true)
      .reply(200, tags("v1.0.1"));
    const result = await plan(repositoryWithSources());
    expect(result.warnings).toEqual([
      { dependency: "attacker.example/acme/x", message: notAllowed("attacker.example") },
      { dependency: "ghe.example.com/platform/cache", message: notAllowed("ghe.example.com") },
    ]);
  });

  it("with GITHUB_API_URL on GitHub Enterprise, sends the token to that host only", async () => {
    vi.stubEnv("GITHUB_API_URL", "https://ghe.example.com/api/v3");
    nock("https://ghe.example.com", { reqheaders: { authorization: "token ghp_secret" } })
      .get("/api/v3/repos/platform/cache/tags")
      .query(true)
      .reply(200, tags("v1.0.1"));
    nock("https://api.github.com", { badheaders: ["authorization"] })
      .get("/repos/acme/vpc/tags")
      .query(true)
      .reply(200, tags("v1.0.1"));
    const result = await plan(repositoryWithSources());
    expect(result.warnings).toEqual([
      { dependency: "attacker.example/acme/x", message: notAllowed("attacker.example") },
    ]);
  });

  it("lists a GitLab host's tags through git with its own credentials, and proposes from them", async () => {
    vi.stubEnv("PROMOTER_SOURCE_HOSTS", "gitlab.example.com");
    vi.stubEnv("PROMOTER_GIT_CREDENTIALS", "https://oauth2:glpat-secret@gitlab.example.com");
    const dir = repositoryWithModules([
      'module "a" {\n  source = "git::https://github.com/acme/mods.git//modules/vpc?ref=v1.2.0"\n}',
      'module "b" {\n  source = "git::git@gitlab.example.com:acme/mods.git//modules/vpc?ref=v1.2.0"\n}',
    ]);
    nock("https://api.github.com", { reqheaders: { authorization: "token ghp_secret" } })
      .get("/repos/acme/mods/tags")
      .query(true)
      .reply(200, tags("v1.2.0", "v1.2.5"));
    const basic = `Basic ${Buffer.from("oauth2:glpat-secret").toString("base64")}`;
    nock("https://gitlab.example.com", { reqheaders: { authorization: basic } })
      .get("/acme/mods.git/info/refs")
      .query({ service: "git-upload-pack" })
      .reply(
        200,
        advertisement([
          "refs/heads/main",
          "refs/tags/v1.2.0",
          "refs/tags/v1.3.0",
          "refs/tags/v1.3.0^{}",
        ]),
        {
          "content-type": ADVERTISEMENT_TYPE,
        },
      );
    const result = await plan(dir);
    expect(result.warnings).toEqual([]);
    expect(result.proposals.map((p) => [p.dependency, p.from, p.to])).toEqual([
      ["acme/mods/vpc", ["v1.2.0"], "v1.2.5"],
      ["gitlab.example.com/acme/mods/vpc", ["v1.2.0"], "v1.3.0"],
    ]);
  });

  it("sends TF_TOKEN_app_terraform_io to app.terraform.io only, and the GitHub token to GitHub only", async () => {
    vi.stubEnv("PROMOTER_SOURCE_HOSTS", "app.terraform.io");
    vi.stubEnv("TF_TOKEN_app_terraform_io", "tfc-secret");
    clearRegistryDiscoveryCache();
    const dir = repositoryWithModules([
      'module "a" {\n  source = "git::https://github.com/acme/vpc.git?ref=v1.0.0"\n}',
      'module "b" {\n  source  = "app.terraform.io/acme/vpc/aws"\n  version = "1.0.0"\n}',
      'module "c" {\n  source  = "acme/vpc/aws"\n  version = "1.0.0"\n}',
    ]);
    nock("https://api.github.com", { reqheaders: { authorization: "token ghp_secret" } })
      .get("/repos/acme/vpc/tags")
      .query(true)
      .reply(200, tags("v1.0.0"));
    nock("https://app.terraform.io", { reqheaders: { authorization: "Bearer tfc-secret" } })
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/api/registry/v1/modules/" })
      .get("/api/registry/v1/modules/acme/vpc/aws/versions")
      .reply(200, { modules: [{ versions: [{ version: "1.0.0" }, { version: "1.1.0" }] }] });
    nock("https://registry.terraform.io", { badheaders: ["authorization"] })
      .get("/.well-known/terraform.json")
      .reply(200, { "modules.v1": "/v1/modules/" })
      .get("/v1/modules/acme/vpc/aws/versions")
      .reply(200, { modules: [{ versions: [{ version: "1.0.0" }, { version: "1.0.1" }] }] });
    const result = await plan(dir);
    expect(result.warnings).toEqual([]);
    expect(result.proposals.map((p) => [p.dependency, p.to])).toEqual([
      ["acme/vpc/aws", "1.0.1"],
      ["app.terraform.io/acme/vpc/aws", "1.1.0"],
    ]);
  });

  it("reads a host the operator mapped to a GitHub API in PROMOTER_SOURCE_HOSTS without the token", async () => {
    vi.stubEnv(
      "PROMOTER_SOURCE_HOSTS",
      "attacker.example=https://attacker.example/api/v3,ghe.example.com=https://ghe.example.com/api/v3",
    );
    nock("https://api.github.com", { reqheaders: { authorization: "token ghp_secret" } })
      .get("/repos/acme/vpc/tags")
      .query(true)
      .reply(200, tags("v1.0.1"));
    for (const host of ["https://attacker.example", "https://ghe.example.com"]) {
      nock(host, { badheaders: ["authorization"] })
        .get(/\/api\/v3\/repos\/(acme\/x|platform\/cache)\/tags/)
        .query(true)
        .reply(200, tags("v1.0.1"));
    }
    const result = await plan(repositoryWithSources());
    expect(result.warnings).toEqual([]);
  });
});
