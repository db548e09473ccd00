import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import { scan } from "../../src/iac/scanner.js";
import type { Dependency, Inventory, Skipped, Warning } from "../../src/iac/types.js";
import {
  checkReport,
  conflictProblems,
  invalidConfigReport,
  versionMatrix,
  type CheckFindings,
  type WriteOutcome,
} from "../../src/promotion/check-report.js";
import type { Deferral } from "../../src/promotion/plan.js";
import { sourceFiles, threeEnvConfig } from "../iac/helpers.js";

const MAX_OUTPUT = 65_535;
const VPC = "acme/terraform-aws-vpc/vpc-app";
const SQS = "gruntwork-io/terraform-aws-messaging/sqs";
const S3 = "terraform-aws-modules/s3-bucket/aws";

function dependency(id: string, versions: string[]): Dependency {
  const [org = "org", repo = "repo"] = id.split("/");
  return {
    id,
    kind: "git",
    source: `git::https://github.com/${org}/${repo}.git`,
    origin: { type: "git", host: "github.com", owner: org, repo },
    versions,
    usages: versions.map((version, i) => ({
      file: `${id}/${i}/terragrunt.hcl`,
      line: 2,
      version,
      kind: "git-tag",
    })),
  };
}

/** An inventory from `{ env: { dependency-id: versions } }`, environments in the record's order. */
function inventoryOf(
  record: Record<string, Record<string, string[]>>,
  extra: { skipped?: Skipped[]; warnings?: Warning[] } = {},
): Inventory {
  return {
    environments: Object.entries(record).map(([name, deps]) => ({
      name,
      dependencies: Object.entries(deps).map(([id, versions]) => dependency(id, versions)),
    })),
    skipped: extra.skipped ?? [],
    warnings: extra.warnings ?? [],
  };
}

const chain = inventoryOf({
  dev: { [VPC]: ["v1.3.0"], [SQS]: ["v0.9.0"] },
  stage: { [VPC]: ["v1.2.0", "v1.3.0"] },
  prod: { [VPC]: ["v1.2.0"], [S3]: ["3.15.1"] },
});

function outcome(
  action: WriteOutcome["action"],
  environment: string,
  dependency: string,
  to: string,
  extra: Partial<WriteOutcome> = {},
): WriteOutcome {
  return {
    key: `promoter/${environment}/${dependency}`,
    environment,
    dependency,
    to,
    action,
    ...extra,
  };
}

function findings(overrides: Partial<CheckFindings> = {}): CheckFindings {
  return { inventory: chain, outcomes: [], deferred: [], warnings: [], ...overrides };
}

/** The lines of a markdown section (`## name`) of a text, up to the next section. */
function section(text: string, name: string): string[] | undefined {
  const lines = text.split("\n");
  const start = lines.indexOf(`## ${name}`);
  if (start === -1) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((line) => line !== "");
}

describe("versionMatrix", () => {
  it("has a row per dependency (sorted) and a column per environment (in chain order)", () => {
    expect(versionMatrix(chain).split("\n")).toEqual([
      "| Dependency | dev | stage | prod |",
      "| --- | --- | --- | --- |",
      `| \`${VPC}\` | \`v1.3.0\` | \`v1.2.0\`, \`v1.3.0\` | \`v1.2.0\` |`,
      `| \`${SQS}\` | \`v0.9.0\` | — | — |`,
      `| \`${S3}\` | — | — | \`3.15.1\` |`,
    ]);
  });

  it("is built from a real scan", () => {
    const unit = (v: string) =>
      `terraform {\n  source = "git::git@github.com:acme/terraform-aws-vpc.git//modules/vpc-app?ref=${v}"\n}\n`;
    const { inventory } = scan(
      sourceFiles({
        "dev-a/vpc/terragrunt.hcl": unit("v1.3.0"),
        "dev-b/vpc/terragrunt.hcl": unit("v1.2.0"),
        "prod-a/vpc/terragrunt.hcl": unit("v1.1.0"),
      }),
      threeEnvConfig,
    );
    expect(versionMatrix(inventory).split("\n").slice(2)).toEqual([
      `| \`${VPC}\` | \`v1.2.0\`, \`v1.3.0\` | — | \`v1.1.0\` |`,
    ]);
  });

  it("escapes pipes, which would break the table", () => {
    const inventory = inventoryOf({ dev: { "odd|org/repo/mod": ["v1|2"] }, prod: {} });
    const row = versionMatrix(inventory).split("\n")[2];
    expect(row).toBe("| `odd\\|org/repo/mod` | `v1\\|2` | — |");
    // Exactly the table's own cell separators remain unescaped.
    expect(row?.replace(/\\\|/g, "").match(/\|/g)).toHaveLength(4);
  });

  it("says so when no environment has a dependency", () => {
    expect(versionMatrix(inventoryOf({ dev: {}, prod: {} }))).toBe(
      "No versioned module dependency was found in the environments.",
    );
  });
});

describe("checkReport: title and conclusion", () => {
  const titleOf = (outcomes: WriteOutcome[]) => checkReport(findings({ outcomes }));

  it("is Up to date, success, when nothing was opened or updated", () => {
    for (const outcomes of [
      [],
      [outcome("unchanged", "dev", VPC, "v1.4.0", { pullRequest: 3 })],
      [outcome("left-alone", "dev", VPC, "v1.4.0", { reason: "a person pushed to the branch" })],
    ]) {
      expect(titleOf(outcomes)).toMatchObject({ title: "Up to date", conclusion: "success" });
    }
  });

  it("counts opened pull requests", () => {
    expect(titleOf([outcome("created", "dev", VPC, "v1.4.0")])).toMatchObject({
      title: "1 pull request opened",
      conclusion: "success",
    });
    expect(
      titleOf([
        outcome("created", "dev", VPC, "v1.4.0"),
        outcome("created", "stage", VPC, "v1.3.0"),
        outcome("unchanged", "prod", VPC, "v1.2.0"),
      ]).title,
    ).toBe("2 pull requests opened");
  });

  it("counts opened and updated pull requests", () => {
    expect(
      titleOf([
        outcome("created", "dev", VPC, "v1.4.0"),
        outcome("updated", "stage", VPC, "v1.3.0"),
        outcome("updated", "dev", SQS, "v0.10.0"),
      ]).title,
    ).toBe("1 pull request opened, 2 pull requests updated");
    expect(titleOf([outcome("updated", "dev", SQS, "v0.10.0")]).title).toBe(
      "1 pull request updated",
    );
  });

  it("is neutral and says how many could not be written when a write failed", () => {
    expect(
      titleOf([
        outcome("created", "dev", VPC, "v1.4.0"),
        outcome("failed", "stage", VPC, "v1.3.0", { reason: "GitHub answered 502" }),
      ]),
    ).toMatchObject({ title: "1 pull request could not be written", conclusion: "neutral" });
    const twoFailed = titleOf([
      outcome("failed", "dev", VPC, "v1.4.0"),
      outcome("failed", "dev", SQS, "v0.10.0"),
    ]);
    expect(twoFailed).toMatchObject({
      title: "2 pull requests could not be written",
      conclusion: "neutral",
    });
  });
});

describe("checkReport: summary", () => {
  it("lists what was opened, updated, failed and left alone, with PR numbers and reasons", () => {
    const report = checkReport(
      findings({
        outcomes: [
          outcome("created", "dev", VPC, "v1.4.0", { pullRequest: 12 }),
          outcome("updated", "stage", VPC, "v1.3.0", { pullRequest: 9 }),
          outcome("failed", "dev", SQS, "v0.10.0", { reason: "GitHub answered 502" }),
          outcome("left-alone", "prod", VPC, "v1.2.0", {
            pullRequest: 4,
            reason: "a person pushed to the branch",
          }),
          outcome("unchanged", "dev", S3, "3.16.0", { pullRequest: 2 }),
          outcome("unchanged", "stage", S3, "3.16.0", { pullRequest: 5 }),
        ],
      }),
    );
    expect(report.summary.split("\n")).toEqual([
      "**Opened**",
      `- dev: \`${VPC}\` → \`v1.4.0\` (#12)`,
      "",
      "**Updated**",
      `- stage: \`${VPC}\` → \`v1.3.0\` (#9)`,
      "",
      "**Failed** (retried at the next check)",
      `- dev: \`${SQS}\` → \`v0.10.0\`: GitHub answered 502`,
      "",
      "**Left alone**",
      `- prod: \`${VPC}\` → \`v1.2.0\` (#4): a person pushed to the branch`,
      "",
      "2 open pull requests already up to date.",
      "",
      "0 usages not updatable, 0 warnings.",
    ]);
  });

  it("counts usages not updatable and warnings of both kinds, in the singular too", () => {
    const inventory = inventoryOf(
      { dev: { [VPC]: ["v1.3.0"] } },
      {
        skipped: [{ file: "dev-a/x/terragrunt.hcl", line: 3, reason: "the ref is a branch" }],
        warnings: [{ file: "dev-a/broken.tf", message: "does not parse" }],
      },
    );
    expect(checkReport(findings({ inventory })).summary).toBe("1 usage not updatable, 1 warning.");
    const more = checkReport(
      findings({
        inventory,
        warnings: [{ subject: "acme/terraform-aws-vpc", message: "tags could not be listed" }],
      }),
    );
    expect(more.summary).toBe("1 usage not updatable, 2 warnings.");
  });

  it("shows the matrix it is given (the dashboard's) instead of the inventory's", () => {
    const matrix =
      "| Dependency | Newest | dev |\n| --- | --- | --- |\n| `x/y` | `v2.0.0` | `v1.0.0` |";
    expect(checkReport(findings({ matrix })).text).toBe(`## Versions\n\n${matrix}`);
  });

  it("links the dashboard issue, when there is one", () => {
    expect(checkReport(findings({ dashboard: 50 })).summary).toBe(
      "0 usages not updatable, 0 warnings.\n\nEvery environment's versions, and boxes that act: #50.",
    );
  });
});

describe("checkReport: text", () => {
  it("is the version matrix alone when nothing was held back, skipped or warned about", () => {
    const { text } = checkReport(findings());
    expect(text).toBe(`## Versions\n\n${versionMatrix(chain)}`);
    expect(section(text, "Held back")).toBeUndefined();
    expect(section(text, "Not updatable")).toBeUndefined();
    expect(section(text, "Warnings")).toBeUndefined();
  });

  it("has the held back, not updatable and warnings sections, in that order", () => {
    const deferred: Deferral[] = [
      {
        environment: "prod",
        dependency: VPC,
        reason: "v1.3.0 waits for `/promote prod` (promotion: manual)",
      },
      {
        environment: "stage",
        dependency: SQS,
        reason: "v0.9.0 is on hold (#7 has promoter:hold)",
        pullRequest: 7,
      },
    ];
    const inventory = inventoryOf(
      { dev: { [VPC]: ["v1.3.0"] } },
      {
        skipped: [
          { file: "dev-a/x/terragrunt.hcl", line: 3, id: VPC, reason: "the ref is a branch" },
          { file: "dev-a/y/main.tf", line: 7, reason: "the source cannot be resolved" },
        ],
        warnings: [{ file: "dev-a/broken.tf", message: "does not parse: line 4" }],
      },
    );
    const { text } = checkReport(
      findings({
        inventory,
        deferred,
        warnings: [{ subject: "acme/terraform-aws-vpc", message: "tags could not be listed" }],
      }),
    );
    expect(section(text, "Held back")).toEqual([
      `- prod: \`${VPC}\`: v1.3.0 waits for \`/promote prod\` (promotion: manual)`,
      `- stage: \`${SQS}\`: v0.9.0 is on hold (#7 has promoter:hold)`,
    ]);
    expect(section(text, "Not updatable")).toEqual([
      `- \`dev-a/x/terragrunt.hcl\` line 3 (\`${VPC}\`): the ref is a branch`,
      "- `dev-a/y/main.tf` line 7: the source cannot be resolved",
    ]);
    expect(section(text, "Warnings")).toEqual([
      "- `dev-a/broken.tf`: does not parse: line 4",
      "- `acme/terraform-aws-vpc`: tags could not be listed",
    ]);
    const order = ["## Versions", "## Held back", "## Not updatable", "## Warnings"].map((h) =>
      text.indexOf(h),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBe(0);
  });

  it("has a warnings section for check warnings alone", () => {
    const { text } = checkReport(
      findings({ warnings: [{ subject: "environments[2].paths", message: "match no file" }] }),
    );
    expect(section(text, "Warnings")).toEqual(["- `environments[2].paths`: match no file"]);
  });

  it("clips a huge inventory's text and summary to GitHub's 65,535 characters", () => {
    const environments = ["dev", "stage", "prod"];
    const ids = Array.from(
      { length: 3_000 },
      (_, i) => `acme/terraform-aws-module-${String(i).padStart(4, "0")}/sub`,
    );
    const inventory = inventoryOf(
      Object.fromEntries(
        environments.map((env) => [env, Object.fromEntries(ids.map((id) => [id, ["v1.0.0"]]))]),
      ),
      {
        skipped: ids.map((id) => ({ file: `dev-a/${id}.tf`, line: 1, id, reason: "a branch" })),
      },
    );
    const outcomes = ids.map((id) => outcome("created", "dev", id, "v1.1.0", { pullRequest: 1 }));
    const report = checkReport(findings({ inventory, outcomes }));
    // Cut at the end of a line, so that no code span is left open.
    expect(report.text.length).toBeLessThanOrEqual(MAX_OUTPUT);
    expect(report.text.length).toBeGreaterThan(MAX_OUTPUT - 300);
    expect(report.text).toMatch(/\| *\n\n… \(cut/);
    expect(report.text.startsWith("## Versions\n\n| Dependency | dev | stage | prod |")).toBe(true);
    expect(report.text.endsWith("… (cut: GitHub keeps at most 65,535 characters)")).toBe(true);
    expect(report.summary.length).toBeLessThanOrEqual(MAX_OUTPUT);
    expect(report.summary.length).toBeGreaterThan(MAX_OUTPUT - 300);
    expect(report.summary.startsWith("**Opened**\n")).toBe(true);
    expect(report.title).toBe("3000 pull requests opened");
  });

  it("does not clip output that fits", () => {
    const { text } = checkReport(findings());
    expect(text).not.toContain("(cut:");
  });
});

describe("checkReport: text it copies in", () => {
  const render = (markdown: string) =>
    micromark(markdown, {
      allowDangerousHtml: true,
      extensions: [gfm()],
      htmlExtensions: [gfmHtml()],
    });
  /** Rendered HTML without code, where mentions and references would be live. */
  const live = (html: string) =>
    html.replace(/<code>[\s\S]*?<\/code>/g, "").replace(/<[^>]*>/g, "");

  it("renders ids, versions, paths, names and reasons as text, with no HTML, mention or broken table", () => {
    const hostileId = "acme/<img src=x>|@carol";
    const inventory = inventoryOf(
      { dev: { [hostileId]: ["v1|`<b>`"] }, prod: {} },
      {
        skipped: [
          { file: "dev/`x`<details>.hcl", line: 3, id: hostileId, reason: "ref <b>@carol</b>" },
        ],
        warnings: [{ file: "dev/<i>.tf", message: "does not parse: `<<EOF` @dave #12 <!-- x -->" }],
      },
    );
    const report = checkReport(
      findings({
        inventory,
        outcomes: [
          outcome("failed", "dev", hostileId, "v2<script>", { reason: "answered <b>@erin</b>" }),
        ],
        deferred: [
          {
            environment: "prod",
            dependency: hostileId,
            reason: "v1 <i>@frank</i> #3",
            pullRequest: 9,
          },
        ],
        warnings: [{ subject: "<u>@grace</u>", message: "tags @heidi" }],
      }),
    );
    for (const markdown of [report.summary, report.text]) {
      const html = render(markdown);
      expect(html).not.toMatch(/<(img|b|i|u|script|details)[ >]/);
      expect(markdown).not.toContain("<!--");
      expect(live(html)).not.toMatch(/@[A-Za-z0-9]|#\d/);
    }
    const table = render(versionMatrix(inventory));
    expect(table.match(/<td>/g)).toHaveLength(3);
    expect(render(report.text)).toContain("<code>&lt;&lt;EOF</code>");
  });

  it("keeps the reference to the app's own PR a deferral names live", () => {
    const { text } = checkReport(
      findings({
        deferred: [
          {
            environment: "stage",
            dependency: SQS,
            reason: "v0.9.0 is on hold (#7 has promoter:hold), see #8",
            pullRequest: 7,
          },
        ],
      }),
    );
    expect(section(text, "Held back")?.[0]).toBe(
      `- stage: \`${SQS}\`: v0.9.0 is on hold (#7 has promoter:hold), see #\u200b8`,
    );
  });

  it("lists invalid-config problems that quote input as text", () => {
    const { summary } = invalidConfigReport([
      '.github/promoter.yml:2:9: environments[0].name: may only contain letters (got "<b>@x</b>")',
    ]);
    expect(render(summary)).not.toContain("<b>");
    expect(live(render(summary))).not.toMatch(/@[A-Za-z0-9]/);
  });
});

describe("invalidConfigReport", () => {
  it("fails, naming every problem", () => {
    const problems = [
      ".github/promoter.yml:3:11: environments[0].name: must not be empty",
      '.github/promoter.yml:9:15: updates.strategy: must be one of "next-safe", "next-breaking", "latest"',
    ];
    const report = invalidConfigReport(problems);
    expect(report).toEqual({
      conclusion: "failure",
      title: "Invalid configuration: 2 problems",
      summary: [
        "Promoter did nothing: its configuration cannot be used. Fix these and push again:",
        "",
        `- ${problems[0]}`,
        `- ${problems[1]}`,
      ].join("\n"),
      text: "",
    });
  });

  it("says problem in the singular for one", () => {
    expect(invalidConfigReport(["x:1:1: bad"]).title).toBe("Invalid configuration: 1 problem");
  });

  it("clips a huge list of problems", () => {
    const problems = Array.from({ length: 5_000 }, (_, i) => `.github/promoter.yml:${i}:1: bad`);
    const { summary } = invalidConfigReport(problems);
    expect(summary.length).toBeLessThanOrEqual(MAX_OUTPUT);
    expect(summary.length).toBeGreaterThan(MAX_OUTPUT - 300);
    expect(summary.endsWith("… (cut: GitHub keeps at most 65,535 characters)")).toBe(true);
  });
});

describe("conflictProblems", () => {
  it.each([
    [[], []],
    [
      [{ file: "a/main.tf", environments: ["dev", "all"] }],
      [".github/promoter.yml: a/main.tf is in environments dev and all"],
    ],
    [
      [
        { file: "a/main.tf", environments: ["dev", "stage", "prod"] },
        { file: "b/main.tf", environments: ["stage", "prod"] },
      ],
      [
        ".github/promoter.yml: a/main.tf is in environments dev and stage and prod",
        ".github/promoter.yml: b/main.tf is in environments stage and prod",
      ],
    ],
  ])("%j", (conflicts, expected) => {
    expect(conflictProblems(conflicts)).toEqual(expected);
  });
});
