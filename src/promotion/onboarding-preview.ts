import { parseConfig } from "../config/load-config.js";
import type { Inventory } from "../iac/types.js";
import type { InferredConfig } from "./infer-config.js";
import { reportLines, type ReportContext } from "./inventory-report.js";

/**
 * What an inferred config would make of a repository, as plain-text lines (for `promoter init` and
 * the onboarding pull request): the environments in promotion order with their globs, what the
 * inference could not do, then the environment × dependency report of `inventory` (the repository
 * scanned with that config), as `promoter report` prints it. Names are not escaped: a markdown
 * caller puts the lines in a code block.
 */
export function onboardingPreview(
  inferred: InferredConfig,
  inventory: Inventory,
  context: Omit<ReportContext, "config"> = {},
): string[] {
  const files = `${inferred.iacFiles} Terraform, OpenTofu and Terragrunt ${inferred.iacFiles === 1 ? "file" : "files"}`;
  const count = inferred.environments.length;
  const out = [
    `Environments, in promotion order (${count} inferred from ${files}):`,
    ...inferred.environments.map(
      (env, i) =>
        `  ${i + 1}. ${env.name}${env.promotion === "manual" ? " (manual: on /promote)" : ""}: ${env.paths.join(", ")}`,
    ),
  ];
  if (inferred.singleEnvironment) {
    out.push(
      "Only one environment could be told apart from the folder names: the config has one, and a",
      "commented example of a chain of environments to adapt.",
    );
  }
  if (inferred.omittedFolders > 0) {
    out.push(
      `${inferred.omittedFolders} ${inferred.omittedFolders === 1 ? "folder is" : "folders are"} left out of the paths (too many or too long to list): add them by hand.`,
    );
  }
  out.push("");
  const parsed = parseConfig(inferred.text);
  const config = parsed.ok ? { config: parsed.config } : {};
  out.push(...reportLines(inventory, { ...context, ...config }));
  return out;
}
