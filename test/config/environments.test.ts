import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/index.js";
import {
  checkConfigAgainstFiles,
  configSchema,
  createEnvironmentMatcher,
  formatProblem,
  parseConfig,
} from "../../src/config/index.js";

const example = readFileSync(new URL("../fixtures/config/example.yml", import.meta.url), "utf8");

function parseExample() {
  const result = parseConfig(example);
  if (!result.ok) throw new Error("the example must be valid");
  return result;
}

describe("createEnvironmentMatcher", () => {
  const match = createEnvironmentMatcher(parseExample().config);

  it("assigns a file to the environment whose paths match it", () => {
    expect(match("dev-us/eu-west-1/vpc/terragrunt.hcl")).toEqual(["dev"]);
    expect(match("stage-1/app/main.tf")).toEqual(["stage"]);
    expect(match("prod-eu/.hidden/terragrunt.hcl")).toEqual(["prod"]);
  });

  it("assigns no environment to a file outside every environment", () => {
    expect(match("_envcommon/vpc.hcl")).toEqual([]);
    expect(match("dev-us")).toEqual([]);
  });

  it("applies an environment's exclude", () => {
    expect(match("stage-1/experimental/app/main.tf")).toEqual([]);
    expect(match("dev-1/experimental/app/main.tf")).toEqual(["dev"]);
  });

  it("applies the top-level exclude to every environment", () => {
    expect(match("dev-1/examples/main.tf")).toEqual([]);
    expect(match("prod-1/app/examples/x/main.tf")).toEqual([]);
  });

  it("returns every environment that matches, in config order", () => {
    const config: Config = configSchema.parse({
      environments: [
        { name: "dev", paths: ["live/**"] },
        { name: "prod", paths: ["live/prod/**", "shared/**"] },
      ],
    });
    const overlapping = createEnvironmentMatcher(config);
    expect(overlapping("live/prod/vpc/terragrunt.hcl")).toEqual(["dev", "prod"]);
    expect(overlapping("live/dev/vpc/terragrunt.hcl")).toEqual(["dev"]);
    expect(overlapping("shared/x.hcl")).toEqual(["prod"]);
  });

  it("matches globs that picomatch backtracked on for minutes", { timeout: 20_000 }, () => {
    const config = configSchema.parse({
      environments: [
        { name: "dev", paths: ["*a*a*a*a*a*a*a*a*a*a*a*a*b/**"] },
        { name: "prod", paths: ["dev-*/**/*-*-*-*-*-*-*-*-prod/**"] },
      ],
    });
    const hostile = createEnvironmentMatcher(config);
    expect(hostile("a".repeat(40))).toEqual([]);
    expect(hostile(`dev-x/${"-".repeat(40)}`)).toEqual([]);
    expect(hostile(`${"a".repeat(40)}b/main.tf`)).toEqual(["dev"]);
    expect(hostile(`dev-x/a/b-c-d-e-f-g-h-i-prod/main.tf`)).toEqual(["prod"]);
  });

  it("matches 20,000 paths quickly", () => {
    const paths = Array.from(
      { length: 20_000 },
      (_, i) => `${["dev", "stage", "prod"][i % 3]}-${i % 7}/region/unit-${i}/terragrunt.hcl`,
    );
    const start = performance.now();
    const assigned = paths.filter((path) => match(path).length === 1).length;
    expect(assigned).toBe(20_000);
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe("checkConfigAgainstFiles", () => {
  it("warns about each glob that matches no file, at the glob", () => {
    const { config, source } = parseExample();
    const problems = checkConfigAgainstFiles(
      config,
      ["dev-1/vpc/terragrunt.hcl", "prod-1/vpc/terragrunt.hcl", "prod-1/examples/main.tf"],
      source,
    );
    expect(problems.map(formatProblem)).toEqual([
      '.github/promoter.yml:5:13: environments[1].paths[0]: "stage-*/**" matches no file in the repository',
      '.github/promoter.yml:6:15: environments[1].exclude[0]: "stage-*/experimental/**" matches no file in the repository',
    ]);
  });

  it("warns about a top-level exclude that matches no file", () => {
    const { config, source } = parseExample();
    const paths = ["dev-1/a.hcl", "stage-1/experimental/a.hcl", "prod-1/a.hcl"];
    expect(checkConfigAgainstFiles(config, paths, source)).toEqual([
      {
        file: ".github/promoter.yml",
        line: 10,
        column: 11,
        path: "exclude[0]",
        message: '"**/examples/**" matches no file in the repository',
      },
    ]);
  });

  it("is quiet when every glob matches a file", () => {
    const { config, source } = parseExample();
    const paths = ["dev-1/a.hcl", "stage-1/experimental/a.hcl", "prod-1/a.hcl", "x/examples/a"];
    expect(checkConfigAgainstFiles(config, paths, source)).toEqual([]);
  });

  it("works without the parsed file", () => {
    const config = configSchema.parse({ environments: [{ name: "dev", paths: ["dev/**"] }] });
    expect(checkConfigAgainstFiles(config, [], "promoter.yml")).toEqual([
      {
        file: "promoter.yml",
        line: 1,
        column: 1,
        path: "environments[0].paths[0]",
        message: '"dev/**" matches no file in the repository',
      },
    ]);
  });
});
