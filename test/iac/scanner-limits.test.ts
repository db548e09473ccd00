import { describe, expect, it } from "vitest";
import { MAX_NESTING_DEPTH, MAX_SOURCE_FILE_BYTES } from "../../src/iac/limits.js";
import { scan } from "../../src/iac/scanner.js";
import type { Inventory, SourceFile } from "../../src/iac/types.js";
import { dependencyOf, locate, onlyUsage, sourceFiles, threeEnvConfig } from "./helpers.js";

const GIT_VPC = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc-app";
const VPC = "acme/terraform-aws-vpc/vpc-app";
const GOOD_UNIT = `terraform {\n  source = "${GIT_VPC}?ref=v1.0.0"\n}\n`;

function scanRecord(record: Record<string, string>): Inventory {
  return scan(sourceFiles(record), threeEnvConfig).inventory;
}

/** Milliseconds `run` takes; speed is asserted only as "finishes", far above what it needs. */
function elapsed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

describe("a file nested too deeply (finding 10)", () => {
  const deep = `locals {\n  a = ${"[".repeat(2000)}1${"]".repeat(2000)}\n}\n${GOOD_UNIT}`;

  it("is one warning naming the file, line and column; the other units are scanned", () => {
    const inventory = scanRecord({
      "dev-a/deep/terragrunt.hcl": deep,
      "dev-a/vpc/terragrunt.hcl": GOOD_UNIT,
    });
    // The locals block is the first level: the 100th bracket is one too many.
    const column = "  a = ".length + MAX_NESTING_DEPTH;
    expect(inventory.warnings).toEqual([
      {
        file: "dev-a/deep/terragrunt.hcl",
        message: `2:${column}: syntax error: nesting deeper than ${MAX_NESTING_DEPTH} levels; the file is not scanned`,
      },
    ]);
    expect(dependencyOf(inventory, "dev", VPC).usages.map((u) => u.file)).toEqual([
      "dev-a/vpc/terragrunt.hcl",
    ]);
  });

  it("in an included file: one warning for it, and the units that need it say why", () => {
    const unit = `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n`;
    const inventory = scanRecord({
      "root.hcl": deep,
      "dev-a/one/terragrunt.hcl": unit,
      "dev-a/two/terragrunt.hcl": unit,
    });
    expect(inventory.warnings.map((w) => w.file)).toEqual(["root.hcl"]);
    expect(inventory.skipped.map((s) => s.reason)).toEqual([
      'include "root" cannot be resolved: root.hcl does not parse',
      'include "root" cannot be resolved: root.hcl does not parse',
    ]);
  });
});

describe("one file cannot fail the scan", () => {
  it("an exception while scanning one unit is a warning naming it; the scan completes", () => {
    const broken: SourceFile = {
      path: "dev-a/broken/terragrunt.hcl",
      hash: "0".repeat(40),
      bytes: Buffer.from("terraform {}\n"),
      get content(): string {
        throw new Error("the blob could not be decoded");
      },
    };
    const files = [...sourceFiles({ "dev-a/vpc/terragrunt.hcl": GOOD_UNIT }), broken];
    const { inventory } = scan(files, threeEnvConfig);
    expect(inventory.warnings).toEqual([
      {
        file: "dev-a/broken/terragrunt.hcl",
        message: "the file could not be scanned: the blob could not be decoded",
      },
    ]);
    expect(onlyUsage(inventory, "dev", VPC).file).toBe("dev-a/vpc/terragrunt.hcl");
  });
});

describe("a file larger than the cap (finding 11)", () => {
  const padding = (bytes: number) => `# ${"x".repeat(bytes - 3)}\n`;

  it("is one warning naming the file and its size, and is not scanned", () => {
    const content = `${GOOD_UNIT}${padding(MAX_SOURCE_FILE_BYTES + 1 - GOOD_UNIT.length)}`;
    expect(Buffer.byteLength(content)).toBe(MAX_SOURCE_FILE_BYTES + 1);
    const inventory = scanRecord({
      "dev-a/big/terragrunt.hcl": content,
      "dev-a/vpc/terragrunt.hcl": GOOD_UNIT,
    });
    expect(inventory.warnings).toEqual([
      {
        file: "dev-a/big/terragrunt.hcl",
        message: `the file is 2,097,153 bytes, more than the 2,097,152 bytes (2 MiB) Promoter reads; it is not scanned`,
      },
    ]);
    expect(dependencyOf(inventory, "dev", VPC).usages.map((u) => u.file)).toEqual([
      "dev-a/vpc/terragrunt.hcl",
    ]);
  });

  it("counts bytes, not characters: 1 Mi two-byte characters are over the cap", () => {
    const content = `${GOOD_UNIT}# ${"é".repeat(MAX_SOURCE_FILE_BYTES / 2)}\n`;
    expect(content.length).toBeLessThan(MAX_SOURCE_FILE_BYTES);
    const inventory = scanRecord({ "dev-a/big/terragrunt.hcl": content });
    expect(inventory.warnings.map((w) => w.file)).toEqual(["dev-a/big/terragrunt.hcl"]);
    expect(inventory.environments[0]?.dependencies).toEqual([]);
  });

  it("a file of exactly the cap is scanned", () => {
    const content = `${GOOD_UNIT}${padding(MAX_SOURCE_FILE_BYTES - GOOD_UNIT.length)}`;
    expect(Buffer.byteLength(content)).toBe(MAX_SOURCE_FILE_BYTES);
    const inventory = scanRecord({ "dev-a/big/terragrunt.hcl": content });
    expect(inventory.warnings).toEqual([]);
    expect(onlyUsage(inventory, "dev", VPC).file).toBe("dev-a/big/terragrunt.hcl");
  });

  it("an included file over the cap: a warning for it, and the unit says why it is skipped", () => {
    const inventory = scanRecord({
      "root.hcl": `${GOOD_UNIT}${padding(MAX_SOURCE_FILE_BYTES)}`,
      "dev-a/one/terragrunt.hcl": `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n`,
    });
    expect(inventory.warnings.map((w) => w.file)).toEqual(["root.hcl"]);
    expect(inventory.skipped.map((s) => s.reason)).toEqual([
      `include "root" cannot be resolved: root.hcl is larger than the 2,097,152 bytes Promoter reads`,
    ]);
  });
});

describe("a shared file that cannot be read is worked out once per scan, not once per unit", () => {
  const unit = `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n`;
  const units = (root: string) => {
    const record: Record<string, string> = { "root.hcl": root };
    for (let u = 0; u < 5_000; u++) record[`dev-a/u${u}/terragrunt.hcl`] = unit;
    return sourceFiles(record);
  };

  it("5,000 units including a root.hcl of 100,000 lines with a syntax error at its end", () => {
    const files = units(`${"# comment\n".repeat(100_000)}}\n`);
    let inventory: Inventory | undefined;
    expect(elapsed(() => (inventory = scan(files, threeEnvConfig).inventory))).toBeLessThan(5_000);
    expect(inventory?.warnings).toEqual([
      {
        file: "root.hcl",
        message: '100001:1: syntax error: unexpected "}"; the file is not scanned',
      },
    ]);
    expect(inventory?.skipped).toHaveLength(5_000);
  });

  it("5,000 units including a root.hcl over the cap", () => {
    const files = units(`# ${"é".repeat(MAX_SOURCE_FILE_BYTES / 2)}\n`);
    let inventory: Inventory | undefined;
    expect(elapsed(() => (inventory = scan(files, threeEnvConfig).inventory))).toBeLessThan(5_000);
    expect(inventory?.warnings.map((w) => w.file)).toEqual(["root.hcl"]);
    expect(inventory?.skipped).toHaveLength(5_000);
  });
});

describe("scanning is linear in the modules of one file (finding 11)", () => {
  const modules = (n: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        `module "m${i}" {\n  source = "git::https://github.com/acme/m${i % 50}.git?ref=v1.${i}.0"\n}\n`,
    ).join("");

  // 20,000 module blocks in one file took 15 s before (each usage scanned the file from its start).
  it("20,000 module blocks in one file: every usage at its place, in far less than the old 15 s", () => {
    const path = "dev-a/all/main.tf";
    const content = `# é before every token: byte offsets differ from string offsets\n${modules(20_000)}`;
    expect(Buffer.byteLength(content)).toBeLessThan(MAX_SOURCE_FILE_BYTES);
    let inventory: Inventory | undefined;
    const files = sourceFiles({ [path]: content });
    expect(elapsed(() => (inventory = scan(files, threeEnvConfig).inventory))).toBeLessThan(5_000);
    const usages = (inventory as Inventory).environments[0]?.dependencies.flatMap((d) => d.usages);
    expect(usages).toHaveLength(20_000);
    const last = usages?.find((u) => u.version === "v1.19999.0");
    expect(last?.token).toEqual(locate(path, content, "v1.19999.0"));
    expect(last?.line).toBe(1 + 3 * 19_999 + 2);
  });

  it("a locals block of 60,000 attributes, the source using the last one", () => {
    const locals = Array.from({ length: 60_000 }, (_, i) => `  v${i} = "v1.${i}.0"\n`).join("");
    const content = `locals {\n${locals}}\nterraform {\n  source = "${GIT_VPC}?ref=\${local.v59999}"\n}\n`;
    let inventory: Inventory | undefined;
    const files = sourceFiles({ "dev-a/vpc/terragrunt.hcl": content });
    expect(elapsed(() => (inventory = scan(files, threeEnvConfig).inventory))).toBeLessThan(5_000);
    expect(onlyUsage(inventory as Inventory, "dev", VPC).version).toBe("v1.59999.0");
  });

  it("thousands of includes, and thousands of reads of one file of thousands of includes", () => {
    const includes = Array.from(
      { length: 2_000 },
      (_, i) => `include "i${i}" {\n  path = find_in_parent_folders("common.hcl")\n}\n`,
    ).join("");
    const reads = Array.from(
      { length: 5_000 },
      () => `    read_terragrunt_config(find_in_parent_folders("common.hcl")),\n`,
    ).join("");
    const files = sourceFiles({
      "common.hcl": `locals {\n  v = "v1.5.0"\n}\n${includes}`,
      "dev-a/reads/terragrunt.hcl": `locals {\n  all = [\n${reads}  ]\n}\nterraform {\n  source = "${GIT_VPC}?ref=\${local.all[4999].locals.v}"\n}\n`,
      "dev-a/includes/terragrunt.hcl": includes,
    });
    let inventory: Inventory | undefined;
    expect(elapsed(() => (inventory = scan(files, threeEnvConfig).inventory))).toBeLessThan(5_000);
    expect(onlyUsage(inventory as Inventory, "dev", VPC).file).toBe("dev-a/reads/terragrunt.hcl");
    expect(inventory?.skipped).toEqual([]);
  });

  it("a root.hcl of 80,000 attributes, one of them read by each of 2,000 units", () => {
    const attributes = Array.from({ length: 80_000 }, (_, i) => `v${i} = "v1.${i}.0"\n`).join("");
    const record: Record<string, string> = { "root.hcl": attributes };
    for (let u = 0; u < 2_000; u++) {
      record[`dev-a/u${u}/terragrunt.hcl`] =
        `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\nterraform {\n  source = "${GIT_VPC}?ref=\${include.root.v${u * 40}}"\n}\n`;
    }
    let inventory: Inventory | undefined;
    const files = sourceFiles(record);
    expect(elapsed(() => (inventory = scan(files, threeEnvConfig).inventory))).toBeLessThan(5_000);
    const usages = dependencyOf(inventory as Inventory, "dev", VPC).usages;
    expect(usages).toHaveLength(2_000);
    expect(usages.find((u) => u.file === "dev-a/u1999/terragrunt.hcl")?.token).toEqual(
      locate("root.hcl", attributes, "v1.79960.0"),
    );
  });

  it("heredocs with huge bodies and many interpolations", () => {
    const body = Array.from(
      { length: 40_000 },
      (_, i) => `line ${i} \${local.x} $\${literal}`,
    ).join("\n");
    const content = `locals {\n  x = "v1.0.0"\n  doc = <<-EOT\n${body}\n  EOT\n}\n${GOOD_UNIT}`;
    let inventory: Inventory | undefined;
    const files = sourceFiles({ "dev-a/vpc/terragrunt.hcl": content });
    expect(elapsed(() => (inventory = scan(files, threeEnvConfig).inventory))).toBeLessThan(5_000);
    expect(onlyUsage(inventory as Inventory, "dev", VPC).version).toBe("v1.0.0");
  });

  it("a string of 1 Mi characters on one line as the source", () => {
    const content = `terraform {\n  source = "${"a".repeat(1024 * 1024)}?ref=v1.0.0"\n}\n`;
    const inventory = scanRecord({ "dev-a/vpc/terragrunt.hcl": content });
    expect(inventory.skipped.map((s) => s.reason)).toEqual([
      "the source cannot be resolved statically: the string is longer than 65536 characters",
    ]);
  });
});
