import { describe, expect, it } from "vitest";
import {
  applyVerifiedEdits,
  parseWithReferenceParser,
  parsesWithReferenceParser,
  planEdits,
} from "../../src/iac/edits.js";
import { MAX_NESTING_DEPTH, MAX_SOURCE_FILE_BYTES } from "../../src/iac/limits.js";
import { scan } from "../../src/iac/scanner.js";
import type { Edit, Inventory, Usage } from "../../src/iac/types.js";
import { onlyUsage, sourceFiles, threeEnvConfig } from "./helpers.js";

const GIT_VPC = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc-app";
const VPC = "acme/terraform-aws-vpc/vpc-app";
const UNIT = "dev-a/vpc/terragrunt.hcl";
const unit = (version: string, padding = "") =>
  `terraform {\n  source = "${GIT_VPC}?ref=${version}"\n}\n${padding}`;

function scanned(content: string) {
  const files = sourceFiles({ [UNIT]: content });
  const { inventory } = scan(files, threeEnvConfig);
  return { files, inventory, token: onlyUsage(inventory, "dev", VPC).token };
}

const intended = (targetVersion: string) => ({
  dependencyId: VPC,
  environment: "dev",
  targetVersion,
});

describe("the reference parser (finding 10)", () => {
  const deep = `a = ${"[".repeat(2000)}1${"]".repeat(2000)}\n`;

  it("overflowing its stack is a result that says so, not an exception", () => {
    expect(parseWithReferenceParser(deep)).toEqual({
      ok: false,
      reason: "the reference HCL parser failed: RangeError: Maximum call stack size exceeded",
    });
    expect(parsesWithReferenceParser(deep)).toBe(false);
  });

  it("rejecting a file says so", () => {
    expect(parseWithReferenceParser('a = "x""\n')).toEqual({
      ok: false,
      reason: "the reference HCL parser rejects it",
    });
  });

  // After an exception GopherJS's runtime is broken: the next calls threw, or answered "bytes.Buffer: too large".
  it("answers right at once after its stack overflowed", () => {
    for (let i = 0; i < 3; i++) {
      expect(parseWithReferenceParser(deep).ok).toBe(false);
      expect(parseWithReferenceParser(unit("v1.0.0"))).toEqual({ ok: true });
      expect(parseWithReferenceParser('a = "x""\n')).toEqual({
        ok: false,
        reason: "the reference HCL parser rejects it",
      });
    }
  });
});

describe("edit verification of a file too deep or too large", () => {
  it("an edit that would nest the file too deeply is refused with where and why, without running the reference parser into its limit", () => {
    const { files, inventory, token } = scanned(unit("v1.2.0"));
    const after = `v1.3.0\${${"(".repeat(2000)}1${")".repeat(2000)}}`;
    const edit: Edit = {
      file: UNIT,
      start: token?.start ?? 0,
      end: token?.end ?? 0,
      before: "v1.2.0",
      after,
    };
    const result = applyVerifiedEdits(files, threeEnvConfig, inventory, [edit], intended(after));
    // The terraform block and the interpolation are two levels: the 99th parenthesis is one too many.
    const column = (token?.column ?? 0) + "v1.3.0${".length + MAX_NESTING_DEPTH - 2;
    expect(result).toEqual({
      ok: false,
      reason: `${UNIT} would no longer parse after the edit: 2:${column}: syntax error: nesting deeper than ${MAX_NESTING_DEPTH} levels`,
    });
  });

  it("an edit that would make the file larger than the cap is refused without parsing it", () => {
    const content = unit(
      "v1.2.0",
      `# ${"x".repeat(MAX_SOURCE_FILE_BYTES - unit("v1.2.0").length - 3)}\n`,
    );
    expect(Buffer.byteLength(content)).toBe(MAX_SOURCE_FILE_BYTES);
    const { files, inventory, token } = scanned(content);
    const edit: Edit = {
      file: UNIT,
      start: token?.start ?? 0,
      end: token?.end ?? 0,
      before: "v1.2.0",
      after: "v1.20.0",
    };
    const start = performance.now();
    const result = applyVerifiedEdits(
      files,
      threeEnvConfig,
      inventory,
      [edit],
      intended("v1.20.0"),
    );
    expect(result).toEqual({
      ok: false,
      reason: `${UNIT} would be 2,097,153 bytes after the edit, more than the 2,097,152 bytes (2 MiB) Promoter verifies`,
    });
    // The reference parser takes seconds on 2 MiB; refusing by size takes no parse at all.
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe("planning edits is linear in the usages (finding 11)", () => {
  it("100,000 usages of one dependency at 100,000 versions are planned in far less than the old minute", () => {
    const usages: Usage[] = Array.from({ length: 100_000 }, (_, i) => ({
      file: `dev-a/u${i}/terragrunt.hcl`,
      line: 2,
      version: `v1.${i}.0`,
      kind: "git-tag",
      token: {
        file: `dev-a/u${i}/terragrunt.hcl`,
        start: 10,
        end: 10 + `v1.${i}.0`.length,
        line: 2,
        column: 3,
      },
    }));
    const inventory: Inventory = {
      environments: [
        {
          name: "dev",
          dependencies: [
            {
              id: VPC,
              kind: "git",
              source: GIT_VPC,
              origin: { type: "git", host: "github.com", owner: "acme", repo: "terraform-aws-vpc" },
              versions: usages.map((u) => u.version),
              usages,
            },
          ],
        },
      ],
      skipped: [],
      warnings: [],
    };
    const start = performance.now();
    const plan = planEdits(inventory, VPC, "dev", "v2.0.0");
    expect(performance.now() - start).toBeLessThan(5_000);
    expect(plan.ok && plan.edits.length).toBe(100_000);
    expect(plan.ok && plan.from.length).toBe(100_000);
  });
});
