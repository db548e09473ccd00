import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import { parseConfig } from "../../src/config/index.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "live");
const CONFIG = ".github/promoter.yml";

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
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory holding `files` (path → content). */
function checkout(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "promoter-init-"));
  temporary.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** The live fixture without its config. */
function fixtureWithoutConfig(): string {
  const dir = checkout({});
  cpSync(FIXTURE, dir, { recursive: true });
  rmSync(join(dir, ".github"), { recursive: true });
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

/** The environments of the config init wrote, loaded by the config loader, as name → globs. */
function written(dir: string): Record<string, string[]> {
  const result = parseConfig(readFileSync(join(dir, CONFIG), "utf8"));
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return Object.fromEntries(result.config.environments.map((e) => [e.name, e.paths]));
}

const unit = (ref: string) =>
  `terraform {\n  source = "git::https://github.com/acme/terraform-aws-vpc.git?ref=${ref}"\n}\n`;

describe("promoter init", () => {
  it("writes a config the loader accepts and prints the environments and the report with it", async () => {
    const dir = fixtureWithoutConfig();
    const init = await run("init", dir);
    expect(init.code).toBe(0);
    expect(init.stderr).toBe("");
    expect(written(dir)).toEqual({
      dev: ["dev-account/**"],
      stage: ["stage-account/**"],
      prod: ["prod-account/**"],
    });
    expect(init.stdout).toContain("  1. dev: dev-account/**\n");
    expect(init.stdout).toContain("  3. prod (manual: on /promote): prod-account/**\n");
    expect(init.stdout).toContain(`Wrote ${join(dir, CONFIG)}.`);
    // The preview's matrix is what `promoter report` prints once the config is there.
    const report = await run("report", dir);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/gruntwork-io\/terraform-aws-data-storage\/rds\s+v0\.29\.0\s+1/);
    expect(init.stdout).toContain(report.stdout);
  });

  it("refuses to overwrite an existing config, leaving it untouched; --force replaces it", async () => {
    const dir = checkout({
      "dev/vpc/terragrunt.hcl": unit("v1.1.0"),
      "prod/vpc/terragrunt.hcl": unit("v1.0.0"),
      [CONFIG]: "# mine\nenvironments: []\n",
    });
    const before = snapshot(dir);
    const refused = await run("init", dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/promoter\.yml already exists; nothing was written \(--force/);
    expect(snapshot(dir)).toEqual(before);

    const forced = await run("init", dir, "--force");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("(replaced)");
    expect(written(dir)).toEqual({ dev: ["dev/**"], prod: ["prod/**"] });
  });

  it("--dry-run prints the preview and the file, and writes nothing", async () => {
    const dir = checkout({
      "live/dev/vpc/terragrunt.hcl": unit("v1.1.0"),
      "live/prod/vpc/terragrunt.hcl": unit("v1.0.0"),
    });
    const before = snapshot(dir);
    const { code, stdout, stderr } = await run("init", dir, "--dry-run");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, ".github"))).toBe(false);
    expect(stdout).toContain(
      "  1. dev: live/dev/**\n  2. prod (manual: on /promote): live/prod/**\n",
    );
    expect(stdout).toMatch(/prod: 1 dependency\n.*\n {2}acme\/terraform-aws-vpc\s+v1\.0\.0\s+1/);
    expect(stdout).toContain(`Dry run, nothing written. ${CONFIG} would be:`);
    const yaml = stdout.slice(stdout.indexOf("# Promoter's configuration"));
    const parsed = parseConfig(yaml);
    expect(parsed.ok && parsed.config.environments.map((e) => e.paths)).toEqual([
      ["live/dev/**"],
      ["live/prod/**"],
    ]);
  });

  it("--dry-run over an existing config says it would need --force", async () => {
    const dir = checkout({ "dev/main.tf": "", "prod/main.tf": "", [CONFIG]: "# mine\n" });
    const { code, stdout } = await run("init", dir, "--dry-run");
    expect(code).toBe(0);
    expect(stdout).toContain("(it exists: init would need --force)");
    expect(readFileSync(join(dir, CONFIG), "utf8")).toBe("# mine\n");
  });

  it("says a directory has no IaC files, writes nothing and exits 1", async () => {
    // Terraform files only in folders the scanner skips do not count.
    const dir = checkout({
      "README.md": "# hi\n",
      "dev/app.py": "",
      "node_modules/m/prod/main.tf": "",
      ".terraform/modules/dev/main.tf": "",
      ".terragrunt-cache/x/dev/main.tf": "",
    });
    const before = snapshot(dir);
    const { code, stdout, stderr } = await run("init", dir);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `promoter: ${dir} has no Terraform, OpenTofu or Terragrunt files (.tf, .tofu, .hcl); nothing was written\n`,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it("writes the one-environment config for a repository with one environment, and says so", async () => {
    const dir = checkout({
      "main.tf":
        'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n  version = "5.1.0"\n}\n',
      "modules/x/main.tf": "",
      ".terragrunt-cache/abc/prod/main.tf": "",
    });
    const { code, stdout } = await run("init", dir);
    expect(code).toBe(0);
    expect(written(dir)).toEqual({ production: ["**"] });
    expect(stdout).toContain("  1. production: **\n");
    expect(stdout).toContain("Only one environment could be told apart");
    expect(stdout).toMatch(
      /production: 1 dependency\n.*\n {2}terraform-aws-modules\/vpc\/aws\s+5\.1\.0/,
    );
    expect(readFileSync(join(dir, CONFIG), "utf8")).toMatch(/A chain looks like:/);
  });

  it("infers Gruntwork's layout from the env.hcl values: non-prod/us-east-1/qa, prod/us-east-1/prod", async () => {
    const dir = checkout({
      "root.hcl": "",
      "_envcommon/mysql.hcl": "",
      "non-prod/account.hcl": 'locals {\n  account_name = "non-prod"\n}\n',
      "non-prod/us-east-1/region.hcl": 'locals {\n  aws_region = "us-east-1"\n}\n',
      // A folder name that says nothing: only its env.hcl says qa.
      "non-prod/us-east-1/team-a/env.hcl": 'locals {\n  environment = "qa"\n}\n',
      "non-prod/us-east-1/team-a/mysql/terragrunt.hcl": unit("v1.2.0"),
      "non-prod/us-east-1/stage/env.hcl": 'locals {\n  environment = "stage"\n}\n',
      "non-prod/us-east-1/stage/mysql/terragrunt.hcl": unit("v1.1.0"),
      "prod/account.hcl": 'locals {\n  account_name = "prod"\n}\n',
      "prod/us-east-1/prod/env.hcl": 'locals {\n  environment = "prod"\n}\n',
      "prod/us-east-1/prod/mysql/terragrunt.hcl": unit("v1.0.0"),
    });
    const { code, stdout } = await run("init", dir);
    expect(code).toBe(0);
    expect(written(dir)).toEqual({
      qa: ["non-prod/us-east-1/team-a/**"],
      stage: ["non-prod/us-east-1/stage/**"],
      prod: ["prod/us-east-1/prod/**"],
    });
    expect(stdout).toMatch(/qa: 1 dependency\n.*\n {2}acme\/terraform-aws-vpc\s+v1\.2\.0\s+1/);
    expect((await run("report", dir)).code).toBe(0);
  });

  it("takes only --force and --dry-run", async () => {
    const { code, stderr } = await run("init", "--config", "x.yml");
    expect(code).toBe(2);
    expect(stderr).toMatch(/Unknown option '--config'/);
  });
});

describe("commands without a config", () => {
  it.each([
    ["report", []],
    ["plan", ["--versions", "v.json"]],
    ["update", ["--env", "dev", "--dependency", "x", "--to", "v1.0.0"]],
  ])("%s suggests promoter init", async (command, extra) => {
    const dir = checkout({ "dev/main.tf": "" });
    const { code, stderr } = await run(command, dir, ...extra);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `cannot read the config file ${join(dir, CONFIG)}; \`promoter init ${dir}\` writes one`,
    );
  });

  it("does not suggest it for a --config file that is missing", async () => {
    const dir = checkout({ "dev/main.tf": "" });
    const { stderr } = await run("report", dir, "--config", join(dir, "nope.yml"));
    expect(stderr).toContain("cannot read the config file");
    expect(stderr).not.toContain("promoter init");
  });
});

describe("promoter help", () => {
  it("lists init", async () => {
    const { stdout } = await run("help");
    expect(stdout).toMatch(/promoter init \[DIR\] \[--force\] \[--dry-run\]/);
    expect(stdout).toMatch(/\n {2}init {5}writes DIR\/\.github\/promoter\.yml/);
  });
});
