import { describe, expect, it } from "vitest";
import { applyVerifiedEdits, planEdits } from "../../src/iac/edits.js";
import { createScanCache, scan } from "../../src/iac/scanner.js";
import { modulesOf } from "../../src/promotion/module-users.js";
import { plan } from "../../src/promotion/plan.js";
import { configFrom, dependencyOf, locate, sourceFiles, tokenText } from "./helpers.js";

const config = configFrom(`
environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
  - name: prod
    paths: ["prod/**"]
artifacts:
  - name: payments-api
    key: payments_api_version
    files: ["**/*.tfvars", "**/env.hcl"]
`);
const API = "payments-api";

function scanRepo(record: Record<string, string>) {
  const files = sourceFiles(record);
  return { files, ...scan(files, config) };
}

describe("artifact versions", () => {
  it("finds the key at the top of a .tfvars, in locals {} and in inputs = {}, with its token", () => {
    const tfvars = `region = "eu-west-1"\npayments_api_version = "1.4.2" # set by hand\n`;
    const envHcl = `locals {\n  payments_api_version = "1.4.2"\n}\n`;
    const unit = `inputs = {\n  payments_api_version = "1.4.2"\n}\n`;
    const { files, inventory } = scanRepo({
      "dev/dev.tfvars": tfvars,
      "stage/env.hcl": envHcl,
      "prod/app/terragrunt.hcl": unit,
      "prod/app/env.hcl": `locals {\n  other = "x"\n}\n`,
    });
    const dev = dependencyOf(inventory, "dev", API);
    expect(dev).toMatchObject({ kind: "artifact", origin: { type: "artifact", name: API } });
    expect(dev.usages).toEqual([
      {
        file: "dev/dev.tfvars",
        line: 2,
        version: "1.4.2",
        kind: "artifact-value",
        token: locate("dev/dev.tfvars", tfvars, "1.4.2"),
      },
    ]);
    const stage = dependencyOf(inventory, "stage", API).usages[0];
    expect(stage?.token && tokenText(files, stage.token)).toBe("1.4.2");
    expect(stage?.token?.line).toBe(2);
    // terragrunt.hcl is not in the artifact's files: prod sets it nowhere, which is a warning.
    expect(inventory.environments.find((e) => e.name === "prod")?.dependencies).toEqual([]);
    expect(inventory.warnings).toEqual([
      {
        file: ".github/promoter.yml",
        message: "artifact payments-api: no file of environment prod sets payments_api_version",
      },
    ]);
  });

  it("reads inputs = {} of an env.hcl, and reports values that are not plain strings", () => {
    const { inventory } = scanRepo({
      "dev/env.hcl": `inputs = {\n  payments_api_version = "1.4.2"\n}\n`,
      "stage/env.hcl": `locals {\n  base = "1.4"\n  payments_api_version = "\${local.base}.2"\n}\n`,
      "prod/env.hcl": `locals {\n  payments_api_version = "release-candidate"\n}\n`,
    });
    expect(dependencyOf(inventory, "dev", API).usages[0]?.version).toBe("1.4.2");
    expect(inventory.environments[1]?.dependencies).toEqual([]);
    expect(inventory.skipped).toEqual([
      {
        file: "prod/env.hcl",
        line: 2,
        id: API,
        reason: 'payments_api_version = "release-candidate" is not a version',
      },
      {
        file: "stage/env.hcl",
        line: 3,
        id: API,
        reason:
          'payments_api_version is not a plain string such as "1.4.2" (an expression or interpolation): not promoted',
      },
    ]);
  });

  it("holds back an environment whose files disagree, saying where each value is", () => {
    const { inventory } = scanRepo({
      "dev/a.tfvars": `payments_api_version = "1.4.2"\n`,
      "dev/b.tfvars": `payments_api_version = "1.4.1"\n`,
    });
    const reason =
      "payments-api has several values in dev: 1.4.2 (dev/a.tfvars:1), 1.4.1 (dev/b.tfvars:1)";
    expect(dependencyOf(inventory, "dev", API).usages.map((u) => u.notPromotable)).toEqual([
      reason,
      reason,
    ]);
  });

  it("is promoted exactly: stage gets dev's value, prod stage's, one proposal per environment", () => {
    const record = {
      "dev/env.hcl": `locals {\n  payments_api_version = "1.5.0"\n}\n`,
      "stage/stage.tfvars": `payments_api_version = "1.4.2"\r\n`,
      "prod/prod.tfvars": `payments_api_version = "1.4.0"\n`,
    };
    const { files, inventory } = scanRepo(record);
    const decided = plan(inventory, new Map(), config, []);
    expect(decided.proposals.map((p) => [p.environment, p.reason, p.from, p.to])).toEqual([
      ["stage", "promotion", ["1.4.2"], "1.5.0"],
      ["prod", "promotion", ["1.4.0"], "1.4.2"],
    ]);
    const edits = planEdits(inventory, API, "stage", "1.5.0");
    if (!edits.ok) throw new Error(edits.reason);
    const verified = applyVerifiedEdits(files, config, inventory, edits.edits, {
      dependencyId: API,
      environment: "stage",
      targetVersion: "1.5.0",
    });
    expect(verified.ok && verified.files.map((f) => [f.path, f.bytes.toString()])).toEqual([
      ["stage/stage.tfvars", `payments_api_version = "1.5.0"\r\n`],
    ]);
  });

  it("changes nothing for a config without artifacts", () => {
    const plain = configFrom(`environments:\n  - name: dev\n    paths: ["dev/**"]\n`);
    const { inventory } = scan(
      sourceFiles({ "dev/dev.tfvars": `payments_api_version = "1"\n` }),
      plain,
    );
    expect(inventory).toEqual({
      environments: [{ name: "dev", dependencies: [] }],
      skipped: [],
      warnings: [],
    });
  });
});

describe("verifying an artifact edit with the scan cache", () => {
  it("compares the artifact's values, which no unit of the cache holds", () => {
    const files = sourceFiles({
      "dev/dev.tfvars": `payments_api_version = "1.5.0"\n`,
      "stage/stage.tfvars": `payments_api_version = "1.4.2"\n`,
      "stage/app/main.tf": `module "x" {\n  source = "./x"\n}\n`,
    });
    const cache = createScanCache();
    const { inventory } = scan(files, config, cache);
    const stage = dependencyOf(inventory, "stage", API).usages[0]?.token;
    const dev = dependencyOf(inventory, "dev", API).usages[0]?.token;
    if (!stage || !dev) throw new Error("no tokens");
    // An edit of dev's value as well as stage's: the re-scan must see that dev changed.
    const result = applyVerifiedEdits(
      files,
      config,
      inventory,
      [
        { ...stage, before: "1.4.2", after: "1.5.0" },
        { ...dev, before: "1.5.0", after: "1.6.0" },
      ],
      { dependencyId: API, environment: "stage", targetVersion: "1.5.0" },
      cache,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain("dev payments-api dev/dev.tfvars:1");
  });
});

describe("artifacts with a releases repository", () => {
  const withReleases = configFrom(`
environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
artifacts:
  - name: payments-api
    key: payments_api_version
    releases: acme/payments-api
`);

  it("updates the first environment to the tag the strategy picks, in the form the value is written", () => {
    const files = sourceFiles({
      "dev/dev.tfvars": `payments_api_version = "1.4.2"\n`,
      "stage/stage.tfvars": `payments_api_version = "1.4.2"\n`,
    });
    const { inventory } = scan(files, withReleases);
    expect(dependencyOf(inventory, "dev", API).origin).toEqual({
      type: "artifact",
      name: API,
      releases: { owner: "acme", repo: "payments-api" },
    });
    expect(modulesOf(inventory)).toEqual(new Set(["acme/payments-api"]));
    const decided = plan(
      inventory,
      new Map([[API, ["v2.0.0", "v1.5.0", "not-a-version", "v1.4.2"]]]),
      withReleases,
      [],
    );
    expect(
      decided.proposals.map((p) => [p.environment, p.to, p.edits.map((e) => e.after)]),
    ).toEqual([["dev", "v1.5.0", ["1.5.0"]]]);
  });
});
