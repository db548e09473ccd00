import { checkCommitPins } from "../promotion/commit-pins.js";
import { dependenciesToList, plan, type Plan } from "../promotion/plan.js";
import {
  UsageError,
  parseArguments,
  readVersionsFile,
  scanWithConfig,
  type CliIo,
  type ScannedDirectory,
} from "./common.js";
import { fetchVersions } from "./fetch-versions.js";

/** The `--json` document of `promoter plan`. */
export interface PlanJson {
  proposals: {
    environment: string;
    dependency: string;
    from: string[];
    to: string;
    reason: "update" | "promotion";
    files: string[];
    /** Why an update is proposed in an environment other than the first. */
    note?: string;
  }[];
  deferred: { environment: string; dependency: string; reason: string }[];
  warnings: { file?: string; dependency?: string; message: string }[];
}

function planJson(
  result: Plan,
  scanned: ScannedDirectory,
  versionWarnings: PlanJson["warnings"],
): PlanJson {
  return {
    proposals: result.proposals.map(
      ({ environment, dependency, from, to, reason, files, note }) => ({
        environment,
        dependency,
        from,
        to,
        reason,
        files,
        ...(note === undefined ? {} : { note }),
      }),
    ),
    deferred: result.deferred,
    warnings: [
      ...scanned.scan.inventory.warnings,
      ...scanned.configWarnings.map((message) => ({ file: scanned.configFile, message })),
      ...versionWarnings,
    ],
  };
}

function planText(json: PlanJson): string {
  const out: string[] = [];
  const count = json.proposals.length;
  out.push(`${count} ${count === 1 ? "pull request" : "pull requests"} to open or update:`);
  for (const p of json.proposals) {
    out.push(
      `  [promoter] ${p.environment}: ${p.dependency} ${p.from.join(", ")} → ${p.to} (${p.reason})`,
    );
    if (p.note !== undefined) out.push(`      (${p.note})`);
    for (const file of p.files) out.push(`      ${file}`);
  }
  if (json.deferred.length > 0) {
    out.push("", `Held back (${json.deferred.length}):`);
    for (const d of json.deferred) out.push(`  ${d.environment}: ${d.dependency}: ${d.reason}`);
  }
  if (json.warnings.length > 0) {
    out.push("", `Warnings (${json.warnings.length}):`);
    for (const w of json.warnings) out.push(`  ${w.file ?? w.dependency}: ${w.message}`);
  }
  return `${out.join("\n")}\n`;
}

/** `promoter plan [DIR] [--config FILE] [--json] [--versions FILE | --token-env NAME]`. */
export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { dir, values } = parseArguments(args, {
    config: { type: "string" },
    json: { type: "boolean" },
    versions: { type: "string" },
    "token-env": { type: "string" },
  });
  const versionsFile = values.versions as string | undefined;
  const tokenEnv = (values["token-env"] as string | undefined) ?? "GITHUB_TOKEN";
  if (versionsFile && values["token-env"])
    throw new UsageError("give --versions or --token-env, not both");
  const scanned = scanWithConfig(dir, values.config as string | undefined, io);
  if (!scanned) return 2;

  let versions: Map<string, string[]>;
  let commits = new Map<string, ReadonlyMap<string, string>>();
  let versionWarnings: PlanJson["warnings"] = [];
  if (versionsFile) {
    versions = readVersionsFile(versionsFile);
  } else {
    const token = process.env[tokenEnv];
    if (!token) {
      throw new UsageError(
        `set ${tokenEnv} to a GitHub token, or read versions offline with --versions FILE`,
      );
    }
    const wanted = dependenciesToList(scanned.scan.inventory, scanned.config);
    const fetched = await fetchVersions(wanted, scanned.config, token);
    versions = fetched.versions;
    commits = fetched.commits;
    versionWarnings = fetched.warnings;
  }
  const pins = checkCommitPins(scanned.scan.inventory, commits);
  const json = planJson(plan(pins.inventory, versions, scanned.config, []), scanned, [
    ...versionWarnings,
    ...pins.warnings,
  ]);
  io.stdout(values.json ? `${JSON.stringify(json, null, 2)}\n` : planText(json));
  return 0;
}
