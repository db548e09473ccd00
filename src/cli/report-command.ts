import { reportJson, reportText } from "./format-report.js";
import { parseArguments, scanWithConfig, type CliIo } from "./common.js";

/** `promoter report [DIR] [--config FILE] [--json]`. */
export function reportCommand(args: string[], io: CliIo): number {
  const { dir, values } = parseArguments(args, {
    config: { type: "string" },
    json: { type: "boolean" },
  });
  const scanned = scanWithConfig(dir, values.config as string | undefined, io);
  if (!scanned) return 2;
  const { inventory } = scanned.scan;
  if (values.json) {
    const json = reportJson(inventory);
    json.warnings.push(
      ...scanned.configWarnings.map((message) => ({ file: scanned.configFile, message })),
    );
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    io.stdout(reportText(inventory));
    for (const warning of scanned.configWarnings) io.stderr(`warning: ${warning}\n`);
  }
  return 0;
}
