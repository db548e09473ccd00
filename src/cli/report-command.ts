import { reportJson, reportText } from "../promotion/inventory-report.js";
import { parseArguments, readVersionsFile, scanWithConfig, type CliIo } from "./common.js";

/** `promoter report [DIR] [--config FILE] [--json] [--versions FILE]`. */
export function reportCommand(args: string[], io: CliIo): number {
  const { dir, values } = parseArguments(args, {
    config: { type: "string" },
    json: { type: "boolean" },
    versions: { type: "string" },
  });
  const versionsFile = values.versions as string | undefined;
  const versions = versionsFile === undefined ? undefined : readVersionsFile(versionsFile);
  const scanned = scanWithConfig(dir, values.config as string | undefined, io);
  if (!scanned) return 2;
  const { inventory } = scanned.scan;
  const context = { config: scanned.config, ...(versions && { versions }) };
  if (values.json) {
    const json = reportJson(inventory, context);
    json.warnings.push(
      ...scanned.configWarnings.map((message) => ({ file: scanned.configFile, message })),
    );
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    io.stdout(reportText(inventory, context));
    for (const warning of scanned.configWarnings) io.stderr(`warning: ${warning}\n`);
  }
  return 0;
}
