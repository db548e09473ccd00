import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blobSha } from "../../src/iac/blob-sha.js";
import {
  applyEdits,
  applyVerifiedEdits,
  parsesWithReferenceParser,
  planEdits,
  type EditPlan,
} from "../../src/iac/edits.js";
import { createScanCache, isIacFile, scan } from "../../src/iac/scanner.js";
import type { Edit, Inventory, SourceFile, TokenLocation, Usage } from "../../src/iac/types.js";
import { listDirectory, readFiles } from "../../src/local/read-directory.js";
import { configFrom, dependencyOf, sourceFiles, threeEnvConfig, tokenText } from "./helpers.js";

const config = threeEnvConfig;
const VPC = "acme/terraform-aws-vpc/vpc-app";
const GIT_VPC = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc-app";
const SQS = "acme/terraform-aws-messaging/sqs";
const MQ = "acme/terraform-aws-messaging/mq";
const S3 = "terraform-aws-modules/s3-bucket/aws";
const LAMBDA = "terraform-aws-modules/lambda/aws";

const envcommon = (module: string, version: string) =>
  `# Shared by every unit that includes it.\nlocals {\n  base_source_url = "git::git@github.com:acme/terraform-aws-messaging.git//modules/${module}"\n}\n\n` +
  `terraform {\n  source = "\${local.base_source_url}?ref=${version}"\n}\n`;
const includeEnvcommon = (module: string) =>
  `include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n\n` +
  `include "envcommon" {\n  path   = "\${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/${module}.hcl"\n  expose = true\n}\n`;

/** A small repository exercising every planning case. */
const REPO: Record<string, string> = {
  "root.hcl": `# root é😀\n`,
  "_envcommon/sqs.hcl": envcommon("sqs", "v0.8.0"),
  "_envcommon/mq.hcl": envcommon("mq", "v2.0.0"),
  "dev-a/app/main.tf":
    `# Ünïcödé 😀 before the tokens\nmodule "vpc" {\n  source = "${GIT_VPC}?ref=v1.1.0"\n}\n\n` +
    `module "s3" {\n  source  = "${S3}"\n  version = "3.15.1" # pinned\n}\n\n` +
    `module "lambda" {\n  source  = "${LAMBDA}"\n  version = "~> 5.0"\n}\n`,
  "dev-a/vpc/terragrunt.hcl": `locals {\n  version = "v1.2.0"\n}\n\nterraform {\n  source = "${GIT_VPC}?ref=\${local.version}"\n}\n`,
  "dev-a/sqs/terragrunt.hcl": includeEnvcommon("sqs"),
  "dev-a/mq-1/terragrunt.hcl": includeEnvcommon("mq"),
  "dev-a/mq-2/terragrunt.hcl": includeEnvcommon("mq"),
  "stage-a/vpc/terragrunt.hcl": `terraform {\n  source = "${GIT_VPC}?ref=v1.1.0"\n}\n`,
  "stage-a/sqs/terragrunt.hcl": includeEnvcommon("sqs"),
};

function scanRepo(record: Record<string, string> = REPO) {
  const files = sourceFiles(record);
  const { inventory } = scan(files, config);
  return { files, inventory };
}

function okPlan(plan: EditPlan): Extract<EditPlan, { ok: true }> {
  if (!plan.ok) throw new Error(`expected a plan, got: ${plan.reason}`);
  return plan;
}

function tokenOf(inventory: Inventory, env: string, id: string, file: string): TokenLocation {
  const usage = dependencyOf(inventory, env, id).usages.find((u) => u.file === file);
  if (!usage?.token) throw new Error(`no token for ${id} in ${file}`);
  return usage.token;
}

describe("planEdits", () => {
  it("refuses an unknown environment", () => {
    const { inventory } = scanRepo();
    expect(planEdits(inventory, VPC, "qa", "v1.3.0")).toEqual({
      ok: false,
      reason: 'there is no environment "qa"',
    });
  });

  it.each(["../../v1.3.0", "x/v1.3.0", "a b-v1.3.0", 'v1.3.0"', "${x}", ""])(
    "refuses a target that is no version: %j",
    (to) => {
      const { inventory } = scanRepo();
      expect(planEdits(inventory, VPC, "dev", to)).toEqual({
        ok: false,
        reason: `${JSON.stringify(to)} is not a version`,
      });
    },
  );

  it("refuses a dependency the environment does not use", () => {
    const { inventory } = scanRepo();
    expect(planEdits(inventory, S3, "stage", "3.16.0")).toEqual({
      ok: false,
      reason: `${S3} is not used in environment stage`,
    });
    expect(planEdits(inventory, VPC, "prod", "v1.3.0")).toEqual({
      ok: false,
      reason: `${VPC} is not used in environment prod`,
    });
  });

  it("refuses when no usage is promotable, with the reason", () => {
    const { inventory } = scanRepo();
    expect(planEdits(inventory, SQS, "dev", "v0.9.0")).toEqual({
      ok: false,
      reason: `${SQS} cannot be updated in dev: not promotable per environment: the version is set in _envcommon/sqs.hcl:7, shared by environments dev, stage`,
    });
    expect(planEdits(inventory, LAMBDA, "dev", "5.1.0")).toEqual({
      ok: false,
      reason: `${LAMBDA} cannot be updated in dev: version constraint "~> 5.0" is not an exact pin`,
    });
  });

  it("brings usages at two different versions to the target", () => {
    const { files, inventory } = scanRepo();
    const plan = okPlan(planEdits(inventory, VPC, "dev", "v1.3.0"));
    const inMain = tokenOf(inventory, "dev", VPC, "dev-a/app/main.tf");
    const inUnit = tokenOf(inventory, "dev", VPC, "dev-a/vpc/terragrunt.hcl");
    expect(plan.edits).toEqual([
      {
        file: "dev-a/app/main.tf",
        start: inMain.start,
        end: inMain.end,
        line: inMain.line,
        before: "v1.1.0",
        after: "v1.3.0",
      },
      {
        file: "dev-a/vpc/terragrunt.hcl",
        start: inUnit.start,
        end: inUnit.end,
        line: inUnit.line,
        before: "v1.2.0",
        after: "v1.3.0",
      },
    ]);
    expect(plan.from).toEqual(["v1.1.0", "v1.2.0"]);
    expect(plan.untouched).toEqual([]);

    const result = applyVerifiedEdits(files, config, inventory, plan.edits, {
      dependencyId: VPC,
      environment: "dev",
      targetVersion: "v1.3.0",
    });
    if (!result.ok) throw new Error(result.reason);
    const after = files.map((f) => result.files.find((c) => c.path === f.path) ?? f);
    const rescan = scan(after, config);
    expect(dependencyOf(rescan.inventory, "dev", VPC).versions).toEqual(["v1.3.0"]);
    expect(dependencyOf(rescan.inventory, "stage", VPC).versions).toEqual(["v1.1.0"]);
  });

  it("edits a token shared by two units of the same environment once", () => {
    const { files, inventory } = scanRepo();
    const usages = dependencyOf(inventory, "dev", MQ).usages;
    expect(usages.map((u) => u.file)).toEqual([
      "dev-a/mq-1/terragrunt.hcl",
      "dev-a/mq-2/terragrunt.hcl",
    ]);
    expect(usages[0]?.token).toEqual(usages[1]?.token);
    expect(usages.every((u) => u.notPromotable === undefined)).toBe(true);
    const plan = okPlan(planEdits(inventory, MQ, "dev", "v2.1.0"));
    expect(plan.edits).toHaveLength(1);
    expect(plan.edits[0]).toMatchObject({
      file: "_envcommon/mq.hcl",
      before: "v2.0.0",
      after: "v2.1.0",
    });
    const result = applyVerifiedEdits(files, config, inventory, plan.edits, {
      dependencyId: MQ,
      environment: "dev",
      targetVersion: "v2.1.0",
    });
    expect(result.ok).toBe(true);
    expect(result.ok && result.files.map((f) => f.path)).toEqual(["_envcommon/mq.hcl"]);
  });

  it("strips a leading v from the target of a registry version", () => {
    const { inventory } = scanRepo();
    const plan = okPlan(planEdits(inventory, S3, "dev", "v3.16.0"));
    expect(plan.edits).toEqual([
      {
        file: "dev-a/app/main.tf",
        ...pick(tokenOf(inventory, "dev", S3, "dev-a/app/main.tf")),
        before: "3.15.1",
        after: "3.16.0",
      },
    ]);
  });

  it("plans no edit for usages already at the target", () => {
    const { inventory } = scanRepo();
    expect(planEdits(inventory, VPC, "stage", "v1.1.0")).toEqual({
      ok: true,
      edits: [],
      from: ["v1.1.0"],
      untouched: [],
    });
    // For a registry version, "v3.15.1" is the version already written as 3.15.1.
    expect(okPlan(planEdits(inventory, S3, "dev", "v3.15.1")).edits).toEqual([]);
    // Only the usage that differs is edited.
    expect(okPlan(planEdits(inventory, VPC, "dev", "v1.2.0")).edits).toEqual([
      expect.objectContaining({ file: "dev-a/app/main.tf", before: "v1.1.0", after: "v1.2.0" }),
    ]);
  });

  it("edits the promotable usages and returns the others as untouched", () => {
    const { inventory } = scanRepo({
      ...REPO,
      "dev-a/sqs-own/terragrunt.hcl": `terraform {\n  source = "git::git@github.com:acme/terraform-aws-messaging.git//modules/sqs?ref=v0.7.0"\n}\n`,
    });
    const plan = okPlan(planEdits(inventory, SQS, "dev", "v0.9.0"));
    expect(plan.edits.map((e) => [e.file, e.before, e.after])).toEqual([
      ["dev-a/sqs-own/terragrunt.hcl", "v0.7.0", "v0.9.0"],
    ]);
    expect(plan.from).toEqual(["v0.7.0"]);
    expect(plan.untouched.map((u) => [u.file, u.version])).toEqual([
      ["dev-a/sqs/terragrunt.hcl", "v0.8.0"],
    ]);
  });
});

function pick(token: TokenLocation): { start: number; end: number; line: number } {
  return { start: token.start, end: token.end, line: token.line };
}

describe("applyEdits", () => {
  const content = `# é😀 ünï\nmodule "a" {\n  source = "${GIT_VPC}?ref=v1.1.0" # 😀\n}\nmodule "b" {\n  source  = "${S3}"\n  version = "3.15.1"\n}\n`;
  const files = sourceFiles({ "dev-a/main.tf": content, "dev-a/other.tf": "# untouched\n" });
  const bytes = Buffer.from(content);
  const tokenA = { start: bytes.indexOf("v1.1.0"), end: bytes.indexOf("v1.1.0") + 6 };
  const tokenB = { start: bytes.indexOf("3.15.1"), end: bytes.indexOf("3.15.1") + 6 };

  it("changes only the token bytes", () => {
    const [changed, ...rest] = applyEdits(files, [
      { file: "dev-a/main.tf", ...tokenA, before: "v1.1.0", after: "v1.10.0-rc.1" },
    ]);
    expect(rest).toEqual([]);
    expect(changed?.path).toBe("dev-a/main.tf");
    const edited = Buffer.from(changed?.content ?? "");
    expect(edited.subarray(0, tokenA.start).equals(bytes.subarray(0, tokenA.start))).toBe(true);
    expect(edited.subarray(tokenA.start, tokenA.start + 12).toString()).toBe("v1.10.0-rc.1");
    expect(edited.subarray(tokenA.start + 12).equals(bytes.subarray(tokenA.end))).toBe(true);
    expect(changed?.hash).toBe(blobSha(edited));
  });

  it("applies several edits of one file, whatever their order", () => {
    const edits: Edit[] = [
      { file: "dev-a/main.tf", ...tokenA, before: "v1.1.0", after: "v2" },
      { file: "dev-a/main.tf", ...tokenB, before: "3.15.1", after: "10.0.0" },
    ];
    const forward = applyEdits(files, edits);
    const backward = applyEdits(files, [...edits].reverse());
    expect(forward).toEqual(backward);
    expect(forward[0]?.content).toBe(
      content.replace("v1.1.0", "v2").replace('"3.15.1"', '"10.0.0"'),
    );
  });

  it("throws when the bytes are not what the edit expects", () => {
    expect(() =>
      applyEdits(files, [{ file: "dev-a/main.tf", ...tokenA, before: "v1.0.0", after: "v2.0.0" }]),
    ).toThrow(`dev-a/main.tf: expected "v1.0.0" at byte ${tokenA.start}, found "v1.1.0"`);
    // Character offsets instead of byte offsets land elsewhere in a file with non-ASCII text.
    const charStart = content.indexOf("v1.1.0");
    expect(charStart).not.toBe(tokenA.start);
    expect(() =>
      applyEdits(files, [
        {
          file: "dev-a/main.tf",
          start: charStart,
          end: charStart + 6,
          before: "v1.1.0",
          after: "v2",
        },
      ]),
    ).toThrow(/expected "v1.1.0"/);
  });

  it("throws for a file that is not there", () => {
    expect(() =>
      applyEdits(files, [{ file: "nope.tf", start: 0, end: 1, before: "#", after: "#" }]),
    ).toThrow("no such file: nope.tf");
  });

  it("returns no file for no edit", () => {
    expect(applyEdits(files, [])).toEqual([]);
  });

  it("refuses two edits that overlap", () => {
    expect(() =>
      applyEdits(files, [
        { file: "dev-a/main.tf", ...tokenA, before: "v1.1.0", after: "v2" },
        { file: "dev-a/main.tf", ...tokenA, before: "v1.1.0", after: "v3" },
      ]),
    ).toThrow(`dev-a/main.tf: two edits overlap at byte ${tokenA.start}`);
  });

  it("refuses an edit whose token falls inside a byte that is not UTF-8", () => {
    const [broken] = sourceFiles({ "dev-a/x.tf": Buffer.from([0x23, 0xfc, 0x0a]) });
    // Decoded, 0xfc is U+FFFD, bytes 1 to 4: byte 2 of the decoded text has no place in the file.
    expect(() =>
      applyEdits([broken!], [{ file: "dev-a/x.tf", start: 2, end: 3, before: "x", after: "y" }]),
    ).toThrow("dev-a/x.tf: the token at byte 2 overlaps an invalid UTF-8 sequence");
  });
});

describe("edits of files in any encoding", () => {
  const UNIT_TOKEN = "v1.0.0";
  /** A unit with `head` before its terraform block and `tail` after the token, on the same line. */
  const unit = (head: Buffer, tail: Buffer, newline = "\n") =>
    Buffer.concat([
      head,
      Buffer.from(`terraform {${newline}  source = "${GIT_VPC}?ref=${UNIT_TOKEN}"`),
      tail,
      Buffer.from(`${newline}}${newline}`),
    ]);
  const cases: Record<string, Buffer> = {
    "ISO-8859-1 comments": unit(
      Buffer.from("# Gr\u00fc\u00dfe aus M\u00fcnchen\n", "latin1"),
      Buffer.from(" # \u00e9t\u00e9", "latin1"),
    ),
    "a byte order mark": unit(Buffer.from("\ufeff# caf\u00e9\n"), Buffer.alloc(0)),
    "CRLF line ends": unit(Buffer.from("# \u00fc\r\n"), Buffer.from(" # x"), "\r\n"),
    "invalid UTF-8 before and after the token": unit(
      // a cut 3-byte sequence, an encoded surrogate, a stray continuation byte, 0xff
      Buffer.from([0x23, 0xe2, 0x82, 0x20, 0xed, 0xa0, 0x80, 0x80, 0xff, 0x0a]),
      // a 4-byte sequence cut by the end of the line
      Buffer.from([0x20, 0x23, 0x20, 0xf0, 0x9f, 0x98]),
    ),
  };

  for (const [name, bytes] of Object.entries(cases)) {
    it(`keep every byte but the version token's: ${name}`, () => {
      const path = "dev-a/vpc/terragrunt.hcl";
      const files = sourceFiles({ [path]: bytes });
      const { inventory } = scan(files, config);
      expect(inventory.warnings).toEqual([]);
      const plan = okPlan(planEdits(inventory, VPC, "dev", "v1.10.0"));
      const result = applyVerifiedEdits(files, config, inventory, plan.edits, {
        dependencyId: VPC,
        environment: "dev",
        targetVersion: "v1.10.0",
      });
      if (!result.ok) throw new Error(result.reason);
      const at = bytes.indexOf(UNIT_TOKEN);
      const expected = Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from("v1.10.0"),
        bytes.subarray(at + UNIT_TOKEN.length),
      ]);
      const [edited] = result.files;
      expect(edited?.bytes.toString("hex")).toBe(expected.toString("hex"));
      expect(edited?.hash).toBe(blobSha(expected));
      expect(edited?.content).toBe(expected.toString("utf8"));
    });
  }
});

describe("applyVerifiedEdits", () => {
  const intended = (dependencyId: string, environment: string, targetVersion: string) => ({
    dependencyId,
    environment,
    targetVersion,
  });

  it("returns the changed files only", () => {
    const { files, inventory } = scanRepo();
    const plan = okPlan(planEdits(inventory, S3, "dev", "3.16.0"));
    const result = applyVerifiedEdits(
      files,
      config,
      inventory,
      plan.edits,
      intended(S3, "dev", "3.16.0"),
    );
    expect(result).toEqual({ ok: true, files: applyEdits(files, plan.edits) });
    expect(result.ok && result.files.map((f) => f.path)).toEqual(["dev-a/app/main.tf"]);
  });

  it("refuses an edit that also changes another environment's usage", () => {
    const { files, inventory } = scanRepo();
    // The sqs token in _envcommon is shared by dev and stage: planEdits refuses it, so build the edit by hand.
    const token = tokenOf(inventory, "dev", SQS, "dev-a/sqs/terragrunt.hcl");
    const edit: Edit = {
      file: token.file,
      start: token.start,
      end: token.end,
      before: "v0.8.0",
      after: "v0.9.0",
    };
    const result = applyVerifiedEdits(
      files,
      config,
      inventory,
      [edit],
      intended(SQS, "dev", "v0.9.0"),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^the re-scan after the edit differs: /);
    expect(!result.ok && result.reason).toContain("stage");
  });

  it("refuses an edit of a token in another environment's file", () => {
    const { files, inventory } = scanRepo();
    const token = tokenOf(inventory, "stage", VPC, "stage-a/vpc/terragrunt.hcl");
    const edit: Edit = {
      file: token.file,
      start: token.start,
      end: token.end,
      before: "v1.1.0",
      after: "v1.3.0",
    };
    const result = applyVerifiedEdits(
      files,
      config,
      inventory,
      [edit],
      intended(VPC, "dev", "v1.3.0"),
    );
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^the re-scan after the edit differs: expected usage stage /,
      ) as string,
    });
  });

  it("refuses an edit whose result does not parse", () => {
    const { files, inventory } = scanRepo();
    const token = tokenOf(inventory, "dev", VPC, "dev-a/vpc/terragrunt.hcl");
    const edit: Edit = {
      file: token.file,
      start: token.start,
      end: token.end,
      before: "v1.2.0",
      after: 'v1.3.0"',
    };
    expect(
      applyVerifiedEdits(files, config, inventory, [edit], intended(VPC, "dev", 'v1.3.0"')),
    ).toEqual({
      ok: false,
      reason:
        'dev-a/vpc/terragrunt.hcl would no longer parse after the edit: 2:21: syntax error: expected a new line, found "\\""',
    });
  });

  it("refuses an edit that parses but makes the source unresolvable", () => {
    const { files, inventory } = scanRepo();
    const token = tokenOf(inventory, "dev", VPC, "dev-a/app/main.tf");
    const after = '${get_env("V")}';
    const edit: Edit = {
      file: token.file,
      start: token.start,
      end: token.end,
      before: "v1.1.0",
      after,
    };
    const result = applyVerifiedEdits(
      files,
      config,
      inventory,
      [edit],
      intended(VPC, "dev", after),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^the re-scan after the edit differs/);
  });

  it("refuses an edit that does not apply", () => {
    const { files, inventory } = scanRepo();
    const token = tokenOf(inventory, "dev", VPC, "dev-a/app/main.tf");
    const edit: Edit = {
      file: token.file,
      start: token.start,
      end: token.end,
      before: "v9.9.9",
      after: "v1.3.0",
    };
    expect(
      applyVerifiedEdits(files, config, inventory, [edit], intended(VPC, "dev", "v1.3.0")),
    ).toEqual({
      ok: false,
      reason: `the edit does not apply: dev-a/app/main.tf: expected "v9.9.9" at byte ${token.start}, found "v1.1.0"`,
    });
  });

  it("leaves alone a local that pins two different dependencies, and verification refuses editing it", () => {
    const unit = `locals {\n  version = "v1.0.0"\n}\n\nterraform {\n  source = "git::https://github.com/acme/a.git?ref=\${local.version}"\n}\n`;
    const stack =
      `locals {\n  version = "v1.0.0"\n}\n\nunit "a" {\n  source = "git::https://github.com/acme/a.git?ref=\${local.version}"\n  path = "a"\n}\n\n` +
      `unit "b" {\n  source = "git::https://github.com/acme/b.git?ref=\${local.version}"\n  path = "b"\n}\n`;
    const { files, inventory } = scanRepo({
      "dev-a/u/terragrunt.hcl": unit,
      "dev-a/s/terragrunt.stack.hcl": stack,
    });
    const shared =
      "the version is set in dev-a/s/terragrunt.stack.hcl:2, shared by dependencies acme/a, acme/b";
    expect(dependencyOf(inventory, "dev", "acme/b").usages[0]?.notPromotable).toBe(shared);
    const plan = okPlan(planEdits(inventory, "acme/a", "dev", "v1.1.0"));
    expect(plan.edits.map((e) => e.file)).toEqual(["dev-a/u/terragrunt.hcl"]);
    expect(plan.untouched.map((u) => u.notPromotable)).toEqual([shared]);
    expect(
      applyVerifiedEdits(files, config, inventory, plan.edits, intended("acme/a", "dev", "v1.1.0"))
        .ok,
    ).toBe(true);

    const token = dependencyOf(inventory, "dev", "acme/b").usages[0]?.token as TokenLocation;
    const forced: Edit = {
      file: token.file,
      start: token.start,
      end: token.end,
      before: "v1.0.0",
      after: "v1.1.0",
    };
    const result = applyVerifiedEdits(
      files,
      config,
      inventory,
      [forced],
      intended("acme/a", "dev", "v1.1.0"),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain("acme/b");
  });

  it("verifies with the caller's cache without leaving the edited state in it", () => {
    const files = sourceFiles(REPO);
    const cache = createScanCache();
    const { inventory } = scan(files, config, cache);
    const plan = okPlan(planEdits(inventory, VPC, "dev", "v1.3.0"));
    const result = applyVerifiedEdits(
      files,
      config,
      inventory,
      plan.edits,
      intended(VPC, "dev", "v1.3.0"),
      cache,
    );
    expect(result.ok).toBe(true);
    const again = scan(files, config, cache);
    expect(again.inventory).toEqual(inventory);
  });

  it("parsesWithReferenceParser tells valid HCL from invalid", () => {
    expect(parsesWithReferenceParser(REPO["dev-a/app/main.tf"] as string)).toBe(true);
    expect(parsesWithReferenceParser(`# é😀\n// c\n/* c */\nlocals {\n\tv = "x"\n}\n`)).toBe(true);
    expect(parsesWithReferenceParser(`locals {\n  v = "x""\n}\n`)).toBe(false);
    expect(parsesWithReferenceParser(`terraform {\n`)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: plan + verified edit + re-scan round trip over generated repositories.

const ENVS = ["dev", "stage", "prod"] as const;
const REPOS = ["vpc", "sqs", "rds"] as const;
const REGISTRY = ["eks", "iam", "s3"] as const;

const semverish = (withV: boolean) =>
  fc
    .tuple(withV ? fc.boolean() : fc.constant(false), fc.nat(20), fc.nat(20), fc.nat(20))
    .map(([v, a, b, c]) => `${v ? "v" : ""}${a}.${b}.${c}`);
const gitVersion = semverish(true);
const registryVersion = semverish(false);

const decoration = fc.record({
  comment: fc.constantFrom(
    "",
    "# note\n",
    "// é😀 ünïcödé\n",
    "/* block\n   comment */\n",
    "\n",
    "# 日本語 ✓\n",
  ),
  inner: fc.constantFrom("", "  # inside\n", "  // 😀\n", "\n"),
  indent: fc.constantFrom("  ", "    ", "\t"),
  pad: fc.constantFrom(" ", "  ", "   "),
  extra: fc.boolean(),
});
type Decoration = typeof decoration extends fc.Arbitrary<infer T> ? T : never;

const gitSource = fc.record({
  form: fc.constant("git" as const),
  repo: fc.constantFrom(...REPOS),
  version: gitVersion,
  style: fc.nat(3),
  viaLocal: fc.boolean(),
});
const tfrSource = fc.record({
  form: fc.constant("tfr" as const),
  name: fc.constantFrom(...REGISTRY),
  version: registryVersion,
  viaLocal: fc.boolean(),
});
const envcommonSource = fc.record({
  form: fc.constant("envcommon" as const),
  repo: fc.constantFrom(...REPOS),
});
const registryModule = fc.record({
  form: fc.constant("registry" as const),
  name: fc.constantFrom(...REGISTRY),
  version: fc.oneof(
    { weight: 4, arbitrary: registryVersion },
    { weight: 1, arbitrary: fc.constantFrom("~> 1.0", ">= 2.0.0, < 3.0.0") },
  ),
});
const literalGit = gitSource.map((s) => ({ ...s, viaLocal: false }));

const unit = fc.oneof(
  fc.record({
    type: fc.constant("terragrunt" as const),
    env: fc.constantFrom(...ENVS),
    source: fc.oneof(gitSource, tfrSource, envcommonSource),
    deco: decoration,
  }),
  fc.record({
    type: fc.constant("tf" as const),
    env: fc.constantFrom(...ENVS),
    modules: fc.array(fc.oneof(literalGit, registryModule), { minLength: 1, maxLength: 3 }),
    deco: decoration,
  }),
);

const repository = fc.record({
  units: fc.array(unit, { minLength: 1, maxLength: 8 }),
  envcommonVersions: fc.tuple(gitVersion, gitVersion, gitVersion),
  envcommonViaLocal: fc.boolean(),
  deco: decoration,
});
type Repository = typeof repository extends fc.Arbitrary<infer T> ? T : never;

function gitAddress(repo: string, style: number, ref: string): string {
  switch (style) {
    case 0:
      return `git::https://github.com/acme/terraform-aws-${repo}.git//modules/${repo}?ref=${ref}`;
    case 1:
      return `git::git@github.com:acme/terraform-aws-${repo}.git//modules/${repo}?ref=${ref}`;
    case 2:
      return `github.com/acme/terraform-aws-${repo}//modules/${repo}?ref=${ref}`;
    default:
      return `git::ssh://git@github.com/acme/terraform-aws-${repo}.git//modules/${repo}?depth=1&ref=${ref}`;
  }
}

function attribute(d: Decoration, name: string, value: string): string {
  return `${d.indent}${name}${d.pad}=${d.pad}${value}\n`;
}

function renderRepository(spec: Repository): Record<string, string> {
  const d = spec.deco;
  const files: Record<string, string> = {
    "root.hcl": `${d.comment}locals {\n${attribute(d, "org", '"acme"')}}\n`,
  };
  REPOS.forEach((repo, i) => {
    const version = spec.envcommonVersions[i] as string;
    const base = `git::https://github.com/acme/terraform-aws-${repo}.git//modules/${repo}`;
    files[`_envcommon/${repo}.hcl`] =
      `${d.comment}locals {\n${attribute(d, "base_source_url", `"${base}"`)}${d.inner}${attribute(d, "version", `"${version}"`)}}\n\n` +
      `terraform {\n${attribute(d, "source", `"\${local.base_source_url}?ref=${spec.envcommonViaLocal ? "${local.version}" : version}"`)}}\n`;
  });
  spec.units.forEach((u, i) => {
    const e = u.deco;
    const extra = e.extra
      ? `\ninputs = {\n${attribute(e, "name", `"unit-${i} é😀"`)}${attribute(e, "count", "2")}}\n`
      : "";
    if (u.type === "terragrunt") {
      const s = u.source;
      let body = `${e.comment}include "root" {\n${attribute(e, "path", 'find_in_parent_folders("root.hcl")')}}\n`;
      if (s.form === "envcommon") {
        body +=
          `\ninclude "envcommon" {\n${attribute(e, "path", `"\${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/${s.repo}.hcl"`)}` +
          `${attribute(e, "expose", "true")}}\n`;
      } else {
        const ref = s.viaLocal ? "${local.version}" : s.version;
        if (s.viaLocal)
          body += `\nlocals {\n${e.inner}${attribute(e, "version", `"${s.version}"`)}}\n`;
        const address =
          s.form === "git"
            ? gitAddress(s.repo, s.style, ref)
            : `tfr:///acme/${s.name}/aws?version=${ref}`;
        body += `\n${e.comment}terraform {\n${e.inner}${attribute(e, "source", `"${address}"`)}}\n`;
      }
      files[`${u.env}-acct/unit-${i}/terragrunt.hcl`] = body + extra;
    } else {
      const modules = u.modules.map((m, j) => {
        const lines =
          m.form === "git"
            ? attribute(e, "source", `"${gitAddress(m.repo, m.style, m.version)}"`)
            : attribute(e, "source", `"acme/${m.name}/aws"`) +
              e.inner +
              attribute(e, "version", `"${m.version}"`);
        return `${e.comment}module "m${j}" {\n${lines}${e.extra ? attribute(e, "name", `"m${j}"`) : ""}}\n`;
      });
      files[`${u.env}-acct/unit-${i}/main.tf`] = modules.join("\n");
    }
  });
  return files;
}

interface FlatUsage {
  env: string;
  id: string;
  usage: Usage;
}

function flatten(inventory: Inventory): FlatUsage[] {
  return inventory.environments.flatMap((e) =>
    e.dependencies.flatMap((d) => d.usages.map((usage) => ({ env: e.name, id: d.id, usage }))),
  );
}

/** Where a byte offset of the original file moves to once the edits before it are applied. */
function shifted(edits: readonly Edit[], file: string, offset: number): number {
  let delta = 0;
  for (const e of edits) {
    if (e.file === file && e.end <= offset) delta += Buffer.byteLength(e.after) - (e.end - e.start);
  }
  return offset + delta;
}

describe("edit round trip (property)", () => {
  it("plan, verify and re-scan: exactly the intended usages change, byte-exactly", () => {
    fc.assert(
      fc.property(repository, fc.nat(), gitVersion, (spec, choice, target) => {
        const files = sourceFiles(renderRepository(spec));
        const { inventory } = scan(files, config);
        expect(inventory.warnings).toEqual([]);
        for (const file of files) expect(parsesWithReferenceParser(file.content)).toBe(true);

        const candidates = inventory.environments.flatMap((e) =>
          e.dependencies
            .filter((d) => d.usages.some((u) => u.token && !u.notPromotable))
            .map((d) => ({ env: e.name, id: d.id })),
        );
        fc.pre(candidates.length > 0);
        const { env, id } = candidates[choice % candidates.length] as { env: string; id: string };

        const plan = okPlan(planEdits(inventory, id, env, target));
        const keys = plan.edits.map((e) => `${e.file}\0${e.start}`);
        expect(new Set(keys).size).toBe(keys.length);
        const result = applyVerifiedEdits(files, config, inventory, plan.edits, {
          dependencyId: id,
          environment: env,
          targetVersion: target,
        });
        if (!result.ok) throw new Error(`refused: ${result.reason}`);

        // Exactly the files with edits come back, and outside the edits every byte is the same.
        const changed = new Map(result.files.map((f) => [f.path, f]));
        expect([...changed.keys()].sort()).toEqual(
          [...new Set(plan.edits.map((e) => e.file))].sort(),
        );
        for (const [path, file] of changed) {
          const original = Buffer.from(files.find((f) => f.path === path)?.content ?? "");
          const edited = Buffer.from(file.content);
          expect(file.hash).toBe(blobSha(edited));
          let from = 0;
          let at = 0;
          for (const e of plan.edits
            .filter((x) => x.file === path)
            .sort((a, b) => a.start - b.start)) {
            const kept = original.subarray(from, e.start);
            expect(edited.subarray(at, at + kept.length).equals(kept)).toBe(true);
            at += kept.length;
            expect(original.subarray(e.start, e.end).toString()).toBe(e.before);
            const written = Buffer.from(e.after);
            expect(edited.subarray(at, at + written.length).equals(written)).toBe(true);
            at += written.length;
            from = e.end;
          }
          expect(edited.subarray(at).equals(original.subarray(from))).toBe(true);
        }

        // The re-scan: the intended usages are at the target, every other usage is as it was.
        const after = files.map((f) => changed.get(f.path) ?? f);
        const rescan = scan(after, config);
        expect(rescan.inventory.skipped).toEqual(inventory.skipped);
        expect(rescan.inventory.warnings).toEqual(inventory.warnings);
        const before = flatten(inventory);
        const now = flatten(rescan.inventory);
        expect(now.map((u) => [u.env, u.id, u.usage.file, u.usage.line])).toEqual(
          before.map((u) => [u.env, u.id, u.usage.file, u.usage.line]),
        );
        before.forEach((b, i) => {
          const n = now[i] as FlatUsage;
          const token = b.usage.token;
          const intended = b.env === env && b.id === id && token && !b.usage.notPromotable;
          const version = intended
            ? b.usage.kind === "registry-version"
              ? target.replace(/^v/, "")
              : target
            : b.usage.version;
          const start = token && shifted(plan.edits, token.file, token.start);
          expect(n.usage).toEqual({
            ...b.usage,
            version,
            ...(token && {
              token: {
                ...token,
                start,
                end: (start as number) + Buffer.byteLength(intended ? version : b.usage.version),
              },
            }),
          });
          if (n.usage.token) expect(tokenText(after, n.usage.token)).toBe(version);
        });
        if (plan.edits.length === 0) expect(result.files).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it("the generator yields repositories the scanner reads without warnings", () => {
    const sample = fc.sample(repository, { numRuns: 5, seed: 42 });
    for (const spec of sample) {
      const files: SourceFile[] = sourceFiles(renderRepository(spec));
      const { inventory } = scan(files, config);
      expect(inventory.warnings).toEqual([]);
      expect(flatten(inventory).length).toBeGreaterThan(0);
    }
  });
});

describe("promoting through dev → stage → prod on a Gruntwork-style repository", () => {
  const dir = fileURLToPath(new URL("../fixtures/scanner/gruntwork-style", import.meta.url));
  const fixtureConfig = configFrom(readFileSync(join(dir, ".github/promoter.yml"), "utf8"));
  const RDS = "gruntwork-io/terraform-aws-data-storage/rds";
  const EKS = "gruntwork-io/terraform-aws-eks/eks-cluster-control-plane";
  const SERVICE_VPC = "gruntwork-io/terraform-aws-service-catalog/networking/vpc";

  it("each step edits only that environment's file, and the shared VPC version is refused", () => {
    let files = readFiles(dir, listDirectory(dir).filter(isIacFile));
    const cache = createScanCache();
    const original = new Map(files.map((f) => [f.path, f.content]));
    const touched: string[] = [];

    const promote = (id: string, environment: string, targetVersion: string) => {
      const { inventory } = scan(files, fixtureConfig, cache);
      const plan = okPlan(planEdits(inventory, id, environment, targetVersion));
      const result = applyVerifiedEdits(
        files,
        fixtureConfig,
        inventory,
        plan.edits,
        {
          dependencyId: id,
          environment,
          targetVersion,
        },
        cache,
      );
      if (!result.ok) throw new Error(result.reason);
      touched.push(...result.files.map((f) => f.path));
      files = files.map((f) => result.files.find((c) => c.path === f.path) ?? f);
    };

    promote(RDS, "dev", "v0.31.0");
    promote(RDS, "stage", "v0.31.0");
    promote(RDS, "prod", "v0.31.0");
    promote(EKS, "stage", "v0.105.0");
    promote(EKS, "prod", "v0.105.0");
    expect(touched).toEqual([
      "dev/versions.hcl",
      "stage/versions.hcl",
      "prod/versions.hcl",
      "stage/us-east-1/eks/terragrunt.hcl",
      "prod/us-east-1/eks/terragrunt.hcl",
    ]);

    const { inventory } = scan(files, fixtureConfig, cache);
    for (const env of ["dev", "stage", "prod"]) {
      expect(dependencyOf(inventory, env, RDS).versions).toEqual(["v0.31.0"]);
      expect(dependencyOf(inventory, env, EKS).versions).toEqual(["v0.105.0"]);
    }
    expect(planEdits(inventory, SERVICE_VPC, "dev", "v0.105.0")).toMatchObject({ ok: false });
    expect(scan(files, fixtureConfig)).toEqual(scan(files, fixtureConfig, cache));

    // Only the version literals changed.
    for (const file of files) {
      const before = original.get(file.path) as string;
      if (!touched.includes(file.path)) expect(file.content).toBe(before);
      else {
        expect(file.content.replace(/v0\.31\.0|v0\.105\.0/g, "V")).toBe(
          before.replace(/v0\.(29|30)\.0|v0\.104\.2/g, "V"),
        );
      }
    }
  });
});
