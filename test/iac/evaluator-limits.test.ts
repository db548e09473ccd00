import { describe, expect, it } from "vitest";
import { MAX_EVALUATION_DEPTH, MAX_EVALUATED_STRING_LENGTH } from "../../src/iac/limits.js";
import { scan } from "../../src/iac/scanner.js";
import type { Inventory } from "../../src/iac/types.js";
import { onlyUsage, sourceFiles, threeEnvConfig } from "./helpers.js";

const GIT_VPC = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc-app";
const VPC = "acme/terraform-aws-vpc/vpc-app";
const UNIT = "dev-a/vpc/terragrunt.hcl";

function scanRecord(record: Record<string, string>): Inventory {
  return scan(sourceFiles(record), threeEnvConfig).inventory;
}

/** A unit whose source's ref is `${ref}`, after `before` (locals and the like). */
function unit(before: string, ref: string): string {
  return `${before}\nterraform {\n  source = "${GIT_VPC}?ref=\${${ref}}"\n}\n`;
}

function reasons(inventory: Inventory): string[] {
  return inventory.skipped.map((s) => s.reason);
}

// Each of these recursed without bound before: a RangeError escaped scan(), or the scan did not end.
describe("the evaluator's recursion is bounded", () => {
  it("a chain of 20,000 locals is skipped with a reason instead of overflowing the stack", () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => `  l${i} = local.l${i + 1}\n`).join("");
    const inventory = scanRecord({
      [UNIT]: unit(`locals {\n${chain}  l20000 = "v1.0.0"\n}\n`, "local.l0"),
    });
    expect(reasons(inventory)).toEqual([
      `the source cannot be resolved statically: the value refers through more than ${MAX_EVALUATION_DEPTH} levels of locals, includes and expressions`,
    ]);
  });

  it("a chain of locals within the bound is followed to its literal", () => {
    const length = Math.floor(MAX_EVALUATION_DEPTH / 8);
    const chain = Array.from({ length }, (_, i) => `  l${i} = local.l${i + 1}\n`).join("");
    const inventory = scanRecord({
      [UNIT]: unit(`locals {\n${chain}  l${length} = "v1.0.0"\n}\n`, "local.l0"),
    });
    expect(onlyUsage(inventory, "dev", VPC).version).toBe("v1.0.0");
  });

  it("locals that refer to each other in a cycle are skipped with a reason", () => {
    const inventory = scanRecord({
      [UNIT]: unit(`locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n`, "local.a"),
    });
    expect(reasons(inventory)).toEqual([
      "the source cannot be resolved statically: local.a refers to itself",
    ]);
  });

  it("a local object whose entry refers to itself is skipped with a reason", () => {
    const inventory = scanRecord({
      [UNIT]: unit(`locals {\n  o = { k = local.o.k }\n}\n`, "local.o.k"),
    });
    expect(reasons(inventory)).toEqual([
      "the source cannot be resolved statically: local.o.k refers to itself",
    ]);
  });

  it("two files that read each other with read_terragrunt_config are skipped with a reason", () => {
    const inventory = scanRecord({
      [UNIT]: unit(`locals {\n  a = read_terragrunt_config("a.hcl")\n}\n`, "local.a.locals.v"),
      "dev-a/vpc/a.hcl": `locals {\n  b = read_terragrunt_config("b.hcl")\n  v = local.b.locals.v\n}\n`,
      "dev-a/vpc/b.hcl": `locals {\n  a = read_terragrunt_config("a.hcl")\n  v = local.a.locals.v\n}\n`,
    });
    expect(reasons(inventory)).toEqual([
      "the source cannot be resolved statically: local.a.locals.v refers to itself",
    ]);
  });

  it("a unit that reads itself with read_terragrunt_config is evaluated once", () => {
    const inventory = scanRecord({
      [UNIT]: unit(
        `locals {\n  v = "v1.2.0"\n  self = read_terragrunt_config("terragrunt.hcl")\n}\n`,
        "local.self.locals.v",
      ),
    });
    expect(onlyUsage(inventory, "dev", VPC).version).toBe("v1.2.0");
  });

  it("an include whose path reads the unit itself is resolved without looping", () => {
    const inventory = scanRecord({
      [UNIT]: unit(
        `locals {\n  root = "root.hcl"\n  self = read_terragrunt_config("terragrunt.hcl")\n}\ninclude "root" {\n  path = local.self.locals.root\n}\n`,
        "include.root.locals.v",
      ),
      "dev-a/vpc/root.hcl": `locals {\n  v = "v1.3.0"\n}\n`,
    });
    expect(onlyUsage(inventory, "dev", VPC).version).toBe("v1.3.0");
  });

  it("a unit that includes itself is scanned", () => {
    const inventory = scanRecord({
      [UNIT]: unit(
        `locals {\n  v = "v1.4.0"\n}\ninclude "self" {\n  path = "terragrunt.hcl"\n}\n`,
        "include.self.locals.v",
      ),
    });
    expect(onlyUsage(inventory, "dev", VPC).version).toBe("v1.4.0");
  });

  it("a chain of files each read by the one before is bounded", () => {
    const record: Record<string, string> = {
      [UNIT]: unit(`locals {\n  r = read_terragrunt_config("r0.hcl")\n}\n`, "local.r.locals.v"),
    };
    for (let i = 0; i < 3000; i++) {
      record[`dev-a/vpc/r${i}.hcl`] =
        `locals {\n  r = read_terragrunt_config("r${i + 1}.hcl")\n  v = local.r.locals.v\n}\n`;
    }
    record["dev-a/vpc/r3000.hcl"] = `locals {\n  v = "v1.0.0"\n}\n`;
    expect(reasons(scanRecord(record))).toEqual([
      `the source cannot be resolved statically: the value refers through more than ${MAX_EVALUATION_DEPTH} levels of locals, includes and expressions`,
    ]);
  });
});

describe("the evaluator's work and values are bounded", () => {
  it(
    "objects whose entries each use the one before twice are evaluated once each, not 2^40 times",
    { timeout: 20_000 },
    () => {
      const levels = Array.from(
        { length: 40 },
        (_, i) => `  o${i + 1} = { k = "\${local.o${i}.k}\${local.o${i}.k}" }\n`,
      ).join("");
      const inventory = scanRecord({
        [UNIT]: unit(`locals {\n  o0 = { k = "" }\n${levels}}\n`, "local.o40.k"),
      });
      expect(reasons(inventory)).toEqual(["no ?ref= pin: the module's default branch is used"]);
    },
  );

  it(
    "a string that doubles 40 times is refused once it is too long, without exhausting memory",
    { timeout: 20_000 },
    () => {
      const levels = Array.from(
        { length: 40 },
        (_, i) => `  s${i + 1} = "\${local.s${i}}\${local.s${i}}"\n`,
      ).join("");
      const inventory = scanRecord({
        [UNIT]: unit(`locals {\n  s0 = "v"\n${levels}}\n`, "local.s40"),
      });
      expect(reasons(inventory)).toEqual([
        `the source cannot be resolved statically: the string is longer than ${MAX_EVALUATED_STRING_LENGTH} characters`,
      ]);
    },
  );

  it("an escape sequence that is not a code point is skipped with a reason, not a crash", () => {
    const inventory = scanRecord({
      [UNIT]: unit(`locals {\n  v = "\\UFFFFFFFF"\n}\n`, "local.v"),
    });
    expect(reasons(inventory)).toEqual([
      "the source cannot be resolved statically: `\\UFFFFFFFF` is not a valid escape sequence",
    ]);
  });
});
