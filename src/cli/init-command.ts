import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DEFAULT_CONFIG_FILE, parseConfig } from "../config/index.js";
import { scan } from "../iac/scanner.js";
import { readIacFiles } from "../local/scan-directory.js";
import { inferConfig } from "../promotion/infer-config.js";
import { onboardingPreview } from "../promotion/onboarding-preview.js";
import { parseArguments, type CliIo } from "./common.js";

/** Terragrunt's files whose values name an environment, read for the inference. */
const VALUE_FILE = /(^|\/)(env|account)\.hcl$/;

/** `promoter init [DIR] [--force] [--dry-run]`: writes a config inferred from DIR's folders. */
export function initCommand(args: string[], io: CliIo): number {
  const { dir, values } = parseArguments(args, {
    force: { type: "boolean" },
    "dry-run": { type: "boolean" },
  });
  const dryRun = values["dry-run"] === true;
  const target = join(dir, DEFAULT_CONFIG_FILE);
  const exists = existsSync(target);
  if (exists && !dryRun && values.force !== true) {
    io.stderr(
      `promoter: ${target} already exists; nothing was written (--force replaces it, --dry-run shows what init would write)\n`,
    );
    return 1;
  }
  const { paths, files } = readIacFiles(dir);
  if (files.length === 0) {
    io.stderr(
      `promoter: ${dir} has no Terraform, OpenTofu or Terragrunt files (.tf, .tofu, .hcl); nothing was written\n`,
    );
    return 1;
  }
  const hclTexts = new Map(
    files.filter((f) => VALUE_FILE.test(f.path)).map((f) => [f.path, f.content]),
  );
  const inferred = inferConfig(paths, hclTexts);
  const parsed = parseConfig(inferred.text);
  if (!parsed.ok) throw new Error("the inferred config does not load");
  const { inventory, conflicts } = scan(files, parsed.config);
  io.stdout(`${onboardingPreview(inferred, inventory).join("\n")}\n`);
  for (const c of conflicts) {
    io.stderr(
      `warning: ${c.file} is in environments ${c.environments.join(" and ")}: edit their paths\n`,
    );
  }
  if (dryRun) {
    const note = exists ? ` (it exists: init would need --force)` : "";
    io.stdout(`Dry run, nothing written. ${DEFAULT_CONFIG_FILE} would be${note}:\n\n`);
    io.stdout(inferred.text);
    return 0;
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, inferred.text);
  io.stdout(
    `Wrote ${target}${exists ? " (replaced)" : ""}. Check its environments and paths; \`promoter report\` shows what Promoter sees with it.\n`,
  );
  return 0;
}
