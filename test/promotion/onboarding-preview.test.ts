import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { scan } from "../../src/iac/scanner.js";
import { sourceFile } from "../../src/iac/source-file.js";
import { inferConfig } from "../../src/promotion/infer-config.js";
import { reportLines } from "../../src/promotion/inventory-report.js";
import { onboardingPreview } from "../../src/promotion/onboarding-preview.js";

const VPC = "git::https://github.com/acme/terraform-aws-vpc.git";

/** Infers the config of `files` and scans them with it, as `promoter init` and the onboarding PR do. */
function preview(files: Record<string, string>) {
  const sources = Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text)));
  const inferred = inferConfig(Object.keys(files));
  const parsed = parseConfig(inferred.text);
  if (!parsed.ok) throw new Error("the inferred config does not load");
  const { inventory } = scan(sources, parsed.config);
  return { lines: onboardingPreview(inferred, inventory), inventory, config: parsed.config };
}

const module = (ref: string) => `module "vpc" {\n  source = "${VPC}?ref=${ref}"\n}\n`;

describe("onboardingPreview", () => {
  it("lists the environments in order with their globs, then the report of the repository", () => {
    const { lines, inventory, config } = preview({
      "dev-a/vpc/main.tf": module("v1.2.0"),
      "dev-b/vpc/main.tf": module("v1.2.0"),
      "stage/vpc/main.tf": module("v1.1.0"),
      "prod/vpc/main.tf": module("v1.0.0"),
    });
    expect(lines.slice(0, 5)).toEqual([
      "Environments, in promotion order (3 inferred from 4 Terraform, OpenTofu and Terragrunt files):",
      "  1. dev: dev-a/**, dev-b/**",
      "  2. stage: stage/**",
      "  3. prod (manual: on /promote): prod/**",
      "",
    ]);
    // The matrix is the report's own, not a copy of it.
    expect(lines.slice(5)).toEqual(reportLines(inventory, { config }));
    expect(lines.join("\n")).toMatch(
      /prod: 1 dependency\n {2}DEPENDENCY.*\n {2}acme\/terraform-aws-vpc\s+v1\.0\.0\s+1/,
    );
  });

  it("says when only one environment could be told apart", () => {
    const { lines } = preview({ "main.tf": module("v1.0.0") });
    expect(lines[1]).toBe("  1. production: **");
    expect(lines.join("\n")).toMatch(/Only one environment could be told apart/);
    expect(lines.join("\n")).toContain("production: 1 dependency");
  });

  it("says how many folders the paths leave out", () => {
    // 60 dev folders at 60 depths: one glob each, at most 50.
    const many: Record<string, string> = { "prod/main.tf": module("v1.0.0") };
    for (let i = 0; i < 60; i++) many[`${"d/".repeat(i)}dev/main.tf`] = module("v1.0.0");
    const { lines } = preview(many);
    expect(lines.join("\n")).toContain("10 folders are left out of the paths");
  });
});
