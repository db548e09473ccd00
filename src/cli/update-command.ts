import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyVerifiedEdits, planEdits } from "../iac/edits.js";
import { tagPrefixFor } from "../promotion/plan.js";
import { isVersionOf } from "../versions/version-shape.js";
import { UsageError, parseArguments, scanWithConfig, type CliIo } from "./common.js";

/** `promoter update [DIR] --env ENV --dependency ID --to VERSION [--config FILE]`. */
export function updateCommand(args: string[], io: CliIo): number {
  const { dir, values } = parseArguments(args, {
    config: { type: "string" },
    env: { type: "string" },
    dependency: { type: "string" },
    to: { type: "string" },
  });
  const env = values.env as string | undefined;
  const dependency = values.dependency as string | undefined;
  const to = values.to as string | undefined;
  if (!env || !dependency || !to) throw new UsageError("update needs --env, --dependency and --to");
  const scanned = scanWithConfig(dir, values.config as string | undefined, io);
  if (!scanned) return 2;
  const prefix = tagPrefixFor(scanned.config)(dependency);
  if (!isVersionOf(to, prefix)) {
    const example = `${prefix ?? ""}v1.4.0`;
    io.stderr(
      `promoter: --to ${JSON.stringify(to)} is not a version of ${dependency} (such as ${example}); nothing was written\n`,
    );
    return 2;
  }
  const { inventory, files } = scanned.scan;
  const plan = planEdits(inventory, dependency, env, to);
  if (!plan.ok) {
    io.stderr(`promoter: ${plan.reason}\n`);
    return 2;
  }
  for (const usage of plan.untouched) {
    io.stderr(
      `promoter: left ${usage.file}:${usage.line} alone: ${usage.notPromotable ?? "not editable"}\n`,
    );
  }
  if (plan.edits.length === 0) {
    io.stdout(`${dependency} is already at ${to} in ${env}; nothing changed\n`);
    return 0;
  }
  const verified = applyVerifiedEdits(files, scanned.config, inventory, plan.edits, {
    dependencyId: dependency,
    environment: env,
    targetVersion: to,
  });
  if (!verified.ok) {
    io.stderr(`promoter: refused, nothing was written: ${verified.reason}\n`);
    return 2;
  }
  for (const file of verified.files) writeFileSync(join(dir, file.path), file.bytes);
  for (const file of verified.files) io.stdout(`${file.path}\n`);
  for (const { file, verifier } of verified.verifiers ?? []) {
    if (verifier !== "hcl2-parser") {
      io.stderr(
        `promoter: ${file}: hcl2-parser cannot parse this file (before the edit either); verified with Promoter's parser and a check that only version tokens changed\n`,
      );
    }
  }
  return 0;
}
