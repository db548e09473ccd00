import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig, type Config } from "../../src/config/index.js";
import { blobSha } from "../../src/iac/blob-sha.js";
import type { TokenLocation } from "../../src/iac/types.js";
import { listDirectory, readFiles } from "../../src/local/read-directory.js";
import { createDirectoryScanCache, scanDirectory } from "../../src/local/scan-directory.js";
import { dependencyOf, idsByEnvironment, onlyUsage, tokenText } from "../iac/helpers.js";

const LIVE = fileURLToPath(new URL("../fixtures/live", import.meta.url));

function liveConfig(dir = LIVE): Config {
  const result = parseConfig(readFileSync(join(dir, ".github/promoter.yml"), "utf8"));
  if (!result.ok) throw new Error("the fixture config is invalid");
  return result.config;
}

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function copyOfLive(): string {
  const dir = mkdtempSync(join(tmpdir(), "promoter-live-"));
  temporary.push(dir);
  cpSync(LIVE, dir, { recursive: true });
  return dir;
}

describe("scanDirectory on test/fixtures/live", () => {
  it("finds the environments and dependencies", () => {
    const result = scanDirectory(LIVE, { config: liveConfig() });
    expect(result.conflicts).toEqual([]);
    expect(idsByEnvironment(result.inventory)).toEqual({
      dev: [
        "acme/terraform-aws-vpc/vpc-app",
        "acme/terraform-modules/app",
        "acme/terragrunt-stacks/stacks/services",
        "ghe.example.com/platform/terraform-aws-cache/redis",
        "gruntwork-io/terraform-aws-data-storage/rds",
        "gruntwork-io/terraform-aws-messaging/sqs",
        "terraform-aws-modules/eks/aws",
        "terraform-aws-modules/lambda/aws",
        "terraform-aws-modules/s3-bucket/aws",
      ],
      stage: [
        "acme/terraform-aws-vpc/vpc-app",
        "gruntwork-io/terraform-aws-data-storage/rds",
        "gruntwork-io/terraform-aws-messaging/sqs",
      ],
      prod: [
        "gruntwork-io/terraform-aws-data-storage/rds",
        "gruntwork-io/terraform-aws-messaging/sqs",
      ],
    });

    const { inventory, files } = result;
    const rds = onlyUsage(inventory, "dev", "gruntwork-io/terraform-aws-data-storage/rds");
    expect(rds).toMatchObject({
      file: "dev-account/us-east-1/mysql/terragrunt.hcl",
      line: 12,
      version: "v0.30.0",
      kind: "git-tag",
      token: { file: "dev-account/us-east-1/mysql/terragrunt.hcl", line: 12 },
    });
    expect(tokenText(files, rds.token as TokenLocation)).toBe("v0.30.0");

    const redis = onlyUsage(inventory, "dev", "ghe.example.com/platform/terraform-aws-cache/redis");
    expect(redis).toMatchObject({
      file: "dev-account/us-east-1/redis/terragrunt.hcl",
      version: "v0.5.0",
      token: { file: "dev-account/account.hcl", line: 3 },
    });
    expect(redis.notPromotable).toBeUndefined();

    for (const env of ["dev", "stage", "prod"]) {
      const sqs = onlyUsage(inventory, env, "gruntwork-io/terraform-aws-messaging/sqs");
      expect(sqs.token?.file).toBe("_envcommon/sqs.hcl");
      expect(sqs.notPromotable).toBe(
        "not promotable per environment: the version is set in _envcommon/sqs.hcl:6, shared by environments dev, stage, prod",
      );
    }
    expect(
      dependencyOf(inventory, "dev", "acme/terraform-aws-vpc/vpc-app").usages.map((u) => u.file),
    ).toEqual([
      "dev-account/stack/terragrunt.stack.hcl",
      "dev-account/us-east-1/vpc/terragrunt.hcl",
    ]);
    expect(onlyUsage(inventory, "dev", "terraform-aws-modules/eks/aws")).toMatchObject({
      version: "19.21.0",
      kind: "registry-version",
    });

    expect(inventory.warnings).toEqual([
      {
        file: "dev-account/us-east-1/broken/terragrunt.hcl",
        message: '5:1: syntax error: missing "}"; the file is not scanned',
      },
    ]);
    expect(inventory.skipped.map((s) => `${s.file}:${s.line} ${s.id ?? "-"}`)).toEqual([
      "dev-account/us-east-1/app/main.tf:7 terraform-aws-modules/lambda/aws",
      "dev-account/us-east-1/app/main.tf:16 acme/terraform-aws-iam",
      "dev-account/us-east-1/app/main.tf:20 acme/terraform-aws-iam",
      "dev-account/us-east-1/app/main.tf:24 acme/terraform-aws-iam",
      "dev-account/us-east-1/runtime/terragrunt.hcl:2 -",
      "dev-account/us-east-1/sqs/terragrunt.hcl:5 gruntwork-io/terraform-aws-messaging/sqs",
      "prod-account/us-east-1/sqs/terragrunt.hcl:5 gruntwork-io/terraform-aws-messaging/sqs",
      "stage-account/us-east-1/sqs/terragrunt.hcl:5 gruntwork-io/terraform-aws-messaging/sqs",
    ]);
  });

  it("lists every path but reads only IaC files, and never .terraform/", () => {
    const result = scanDirectory(LIVE, { config: liveConfig() });
    expect(result.paths).toContain(".github/promoter.yml");
    expect(result.paths.some((p) => p.includes(".terraform/"))).toBe(false);
    expect(result.files.map((f) => f.path)).not.toContain(".github/promoter.yml");
    expect(result.files.map((f) => f.path)).toContain("root.hcl");
    for (const file of result.files) expect(file.hash).toBe(blobSha(file.content));
    const ids = result.inventory.environments.flatMap((e) => e.dependencies.map((d) => d.id));
    expect(ids).not.toContain("acme/ignored");
  });

  it("a warm scan with a cache returns an equal inventory", () => {
    const config = liveConfig();
    const cache = createDirectoryScanCache();
    const cold = scanDirectory(LIVE, { config, cache });
    expect(cache.stamps.size).toBe(cold.files.length);
    const warm = scanDirectory(LIVE, { config, cache });
    expect(warm.inventory).toEqual(cold.inventory);
    expect(warm.conflicts).toEqual(cold.conflicts);
    expect(warm.files).toEqual(cold.files);
    const uncached = scanDirectory(LIVE, { config });
    expect(warm.inventory).toEqual(uncached.inventory);
  });
});

describe("scanDirectory with a cache over a changing directory", () => {
  it("picks up a changed included file on re-scan", () => {
    const dir = copyOfLive();
    const config = liveConfig(dir);
    const cache = createDirectoryScanCache();
    const before = scanDirectory(dir, { config, cache });
    expect(
      dependencyOf(before.inventory, "prod", "gruntwork-io/terraform-aws-messaging/sqs").versions,
    ).toEqual(["v0.8.0"]);

    const path = join(dir, "_envcommon/sqs.hcl");
    writeFileSync(path, readFileSync(path, "utf8").replace("?ref=v0.8.0", "?ref=v0.10.0"));
    const after = scanDirectory(dir, { config, cache });
    for (const env of ["dev", "stage", "prod"]) {
      expect(
        dependencyOf(after.inventory, env, "gruntwork-io/terraform-aws-messaging/sqs").versions,
      ).toEqual(["v0.10.0"]);
    }
    expect(after.inventory).toEqual(scanDirectory(dir, { config }).inventory);
  });

  it("picks up a changed unit file and a changed account.hcl on re-scan", () => {
    const dir = copyOfLive();
    const config = liveConfig(dir);
    const cache = createDirectoryScanCache();
    scanDirectory(dir, { config, cache });

    const unit = join(dir, "stage-account/us-east-1/vpc/terragrunt.hcl");
    writeFileSync(unit, readFileSync(unit, "utf8").replace("?ref=v1.1.0", "?ref=v1.10.0"));
    const account = join(dir, "dev-account/account.hcl");
    writeFileSync(account, readFileSync(account, "utf8").replace('"v0.5.0"', '"v0.5.10"'));

    const { inventory, files } = scanDirectory(dir, { config, cache });
    expect(onlyUsage(inventory, "stage", "acme/terraform-aws-vpc/vpc-app").version).toBe("v1.10.0");
    const redis = onlyUsage(inventory, "dev", "ghe.example.com/platform/terraform-aws-cache/redis");
    expect(redis.version).toBe("v0.5.10");
    expect(tokenText(files, redis.token as TokenLocation)).toBe("v0.5.10");
    expect(inventory).toEqual(scanDirectory(dir, { config }).inventory);
  });

  it("picks up a new and a removed file on re-scan", () => {
    const dir = copyOfLive();
    const config = liveConfig(dir);
    const cache = createDirectoryScanCache();
    scanDirectory(dir, { config, cache });

    writeFileSync(
      join(dir, "prod-account/us-east-1/vpc.tf"),
      `module "vpc" {\n  source = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc-app?ref=v1.0.0"\n}\n`,
    );
    rmSync(join(dir, "prod-account/us-east-1/mysql"), { recursive: true });
    const { inventory } = scanDirectory(dir, { config, cache });
    expect(idsByEnvironment(inventory).prod).toEqual([
      "acme/terraform-aws-vpc/vpc-app",
      "gruntwork-io/terraform-aws-messaging/sqs",
    ]);
  });
});

describe("readFiles", () => {
  it("reuses a file whose stamp is unchanged and re-reads one whose size changed", () => {
    const dir = copyOfLive();
    const stamps = new Map();
    const paths = listDirectory(dir).filter((p) => p.endsWith(".hcl"));
    const first = readFiles(dir, paths, stamps);
    const second = readFiles(dir, paths, stamps);
    second.forEach((file, i) => expect(file).toBe(first[i]));

    const changed = "root.hcl";
    writeFileSync(join(dir, changed), "# smaller\n");
    const third = readFiles(dir, paths, stamps);
    const index = paths.indexOf(changed);
    expect(third[index]).toEqual({
      path: changed,
      bytes: Buffer.from("# smaller\n"),
      content: "# smaller\n",
      hash: blobSha("# smaller\n"),
    });
    third.forEach((file, i) => {
      if (i !== index) expect(file).toBe(first[i]);
    });
  });
});
