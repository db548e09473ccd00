import { describe, expect, it } from "vitest";
import { compileGlobs } from "../../src/config/glob.js";
import { createEnvironmentMatcher, parseConfig } from "../../src/config/load-config.js";
import { inferConfig } from "../../src/promotion/infer-config.js";

/** The environments of the inferred config as name → globs, after loading it with the real loader. */
function loaded(paths: string[], hcl: Record<string, string> = {}) {
  const inferred = inferConfig(paths, new Map(Object.entries(hcl)));
  const result = parseConfig(inferred.text);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return { inferred, config: result.config, match: createEnvironmentMatcher(result.config) };
}

// Layouts as real live repositories have them (gruntwork-io/terragrunt-infrastructure-live-example,
// the dev-account and environments/ layouts of the Terragrunt and Terraform docs).
const LAYOUTS: {
  name: string;
  paths: string[];
  hcl?: Record<string, string>;
  expected: Record<string, string[]>;
  manual?: string[];
}[] = [
  {
    name: "Gruntwork non-prod/us-east-1/qa with env.hcl",
    paths: [
      "root.hcl",
      "_envcommon/mysql.hcl",
      "non-prod/account.hcl",
      "non-prod/us-east-1/region.hcl",
      "non-prod/us-east-1/qa/env.hcl",
      "non-prod/us-east-1/qa/mysql/terragrunt.hcl",
      "non-prod/us-east-1/qa/webserver-cluster/terragrunt.hcl",
      "non-prod/us-east-1/stage/env.hcl",
      "non-prod/us-east-1/stage/mysql/terragrunt.hcl",
      "prod/account.hcl",
      "prod/us-east-1/prod/env.hcl",
      "prod/us-east-1/prod/mysql/terragrunt.hcl",
    ],
    hcl: {
      "non-prod/account.hcl": 'locals {\n  account_name = "non-prod"\n}\n',
      "non-prod/us-east-1/qa/env.hcl": 'locals {\n  environment = "qa"\n}\n',
      "non-prod/us-east-1/stage/env.hcl": 'locals {\n  environment = "stage"\n}\n',
      "prod/account.hcl": 'locals {\n  account_name = "prod"\n}\n',
      "prod/us-east-1/prod/env.hcl": 'locals {\n  environment = "prod"\n}\n',
    },
    expected: {
      qa: ["non-prod/us-east-1/qa/**"],
      stage: ["non-prod/us-east-1/stage/**"],
      prod: ["prod/us-east-1/prod/**"],
    },
    manual: ["prod"],
  },
  {
    name: "Gruntwork layout without reading env.hcl, two regions",
    paths: [
      "non-prod/us-east-1/qa/vpc/terragrunt.hcl",
      "non-prod/eu-west-1/qa/vpc/terragrunt.hcl",
      "prod/us-east-1/prod/vpc/terragrunt.hcl",
    ],
    expected: { qa: ["non-prod/*/qa/**"], prod: ["prod/**"] },
    manual: ["prod"],
  },
  {
    name: "dev-account1 / prod-account prefixes",
    paths: [
      "dev-account1/vpc/main.tf",
      "dev-account2/vpc/main.tf",
      "staging-eu/vpc/main.tf",
      "prod-account/vpc/main.tf",
      "modules/vpc/main.tf",
    ],
    expected: {
      dev: ["dev-account1/**", "dev-account2/**"],
      stage: ["staging-eu/**"],
      prod: ["prod-account/**"],
    },
  },
  {
    name: "environments/dev",
    paths: [
      "environments/dev/main.tf",
      "environments/test/main.tf",
      "environments/production/main.tf",
      "modules/network/main.tf",
    ],
    expected: {
      dev: ["environments/dev/**"],
      test: ["environments/test/**"],
      production: ["environments/production/**"],
    },
  },
  {
    name: "live/prod/eu-west-1",
    paths: [
      "live/dev/eu-west-1/app/terragrunt.hcl",
      "live/prod/eu-west-1/app/terragrunt.hcl",
      "live/prod/us-east-1/app/terragrunt.hcl",
    ],
    expected: { dev: ["live/dev/**"], prod: ["live/prod/**"] },
  },
  {
    name: "live/ as the root with code of its own: not an environment around the others",
    paths: ["live/main.tf", "live/dev/app/main.tf", "live/prod/app/main.tf"],
    expected: { dev: ["live/dev/**"], prod: ["live/prod/**"] },
  },
  {
    name: "accounts/production, suffixes",
    paths: ["accounts/sandbox/main.tf", "accounts/acme-uat/main.tf", "accounts/production/main.tf"],
    expected: {
      sandbox: ["accounts/sandbox/**"],
      stage: ["accounts/acme-uat/**"],
      production: ["accounts/production/**"],
    },
  },
];

describe("inferConfig", () => {
  it.each(LAYOUTS)("$name", ({ paths, hcl, expected, manual }) => {
    const { config, inferred } = loaded(paths, hcl);
    expect(Object.fromEntries(config.environments.map((e) => [e.name, e.paths]))).toEqual(expected);
    expect(inferred.singleEnvironment).toBe(false);
    const manualNames = config.environments
      .filter((e) => e.promotion === "manual")
      .map((e) => e.name);
    expect(manualNames).toEqual(manual ?? [config.environments.at(-1)?.name]);
    // Every IaC file of an environment's folder is in exactly that environment.
    for (const env of config.environments) {
      for (const path of paths.filter((p) => env.paths.some((g) => compileGlobs([g])(p)))) {
        expect(loaded(paths, hcl).match(path)).toEqual([env.name]);
      }
    }
  });

  it("comments each field and writes prod as manual", () => {
    const { text } = inferConfig(["dev/main.tf", "prod/main.tf"]);
    expect(text).toMatch(/# The environments, in promotion order/);
    expect(text).toMatch(/# Globs of the files/);
    expect(text).toMatch(/# manual: .*\/promote/);
    expect(text).toMatch(/promotion: manual/);
  });

  it("proposes one environment with a commented chain for a single-environment repo", () => {
    const { config, inferred } = loaded(["main.tf", "modules/vpc/main.tf"]);
    expect(inferred.singleEnvironment).toBe(true);
    expect(config.environments.map((e) => [e.name, e.paths])).toEqual([["production", ["**"]]]);
    expect(inferred.text).toMatch(/A chain looks like:/);
  });

  it("keeps the one environment it found", () => {
    const { config, inferred } = loaded(["prod/main.tf", "modules/x/main.tf"]);
    expect(inferred.singleEnvironment).toBe(true);
    expect(config.environments.map((e) => e.name)).toEqual(["prod"]);
  });

  it("says a repo without IaC has none", () => {
    const { inferred } = loaded(["README.md", "src/index.ts", "dev/app.py"]);
    expect(inferred.iacFiles).toBe(0);
    expect(inferred.singleEnvironment).toBe(true);
  });

  it("escapes glob metacharacters, spaces and unicode in folder names", () => {
    const paths = [
      "dev [old]*/main.tf",
      "dev {x,y}!/main.tf",
      "prod ünïcødé ☃/main.tf",
      'prod "quoted"\nnewline\\/main.tf',
      "stage?/main.tf",
    ];
    const { config, match, inferred } = loaded(paths);
    expect(config.environments.map((e) => e.name)).toEqual(["dev", "prod"]);
    for (const path of paths.slice(0, 4)) expect(match(path)).toHaveLength(1);
    // The near-miss folder is not caught by an unescaped `?` or `*`.
    expect(match("dev [old]x/main.tf")).toEqual([]);
    expect(match("devo/main.tf")).toEqual([]);
    // Folder names never reach a comment line, where a newline would end it.
    expect(inferred.text.split("\n").filter((l) => l.startsWith("newline"))).toEqual([]);
  });

  it("stays within the glob limits for a very deep folder", () => {
    const deep = `${Array.from({ length: 60 }, (_, i) => `level-${i}`).join("/")}/dev/main.tf`;
    const { config, match } = loaded([deep, "prod/main.tf"]);
    expect(config.environments[0]?.paths).toEqual(["**/dev/**"]);
    expect(match(deep)).toEqual(["dev"]);
  });

  it("is bounded on 20,000 files in 5,000 folders", () => {
    const paths: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const kind = ["dev", "qa", "stage", "prod"][i % 4] ?? "dev";
      for (const f of ["main.tf", "variables.tf", "outputs.tf", "terragrunt.hcl"]) {
        paths.push(`${kind}-team${i}/unit/${f}`);
      }
    }
    const { config, inferred } = loaded(paths);
    expect(config.environments.map((e) => e.name)).toEqual(["dev", "qa", "stage", "prod"]);
    for (const env of config.environments) expect(env.paths.length).toBeLessThanOrEqual(50);
    expect(inferred.omittedFolders).toBeGreaterThan(0);
    expect(inferred.text.length).toBeLessThan(64 * 1024);
  });
});
