import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import type { Dependency, Inventory, Skipped, Warning } from "../../src/iac/types.js";
import {
  DASHBOARD_MARKER,
  dashboardFactsAfter,
  MAX_DASHBOARD_LENGTH,
  newTicks,
  renderDashboard,
  renderUnusableConfig,
  untick,
  type DashboardFacts,
} from "../../src/promotion/dashboard.js";
import { configFrom, threeEnvConfig } from "../iac/helpers.js";

const VPC = "acme/terraform-aws-vpc/vpc";
const SQS = "acme/terraform-aws-sqs/sqs";

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

function facts(overrides: Partial<DashboardFacts> = {}): DashboardFacts {
  return {
    inventory: inventoryOf({
      dev: { [VPC]: ["v1.3.0"], [SQS]: ["v0.9.0"] },
      stage: { [VPC]: ["v1.3.0"], [SQS]: ["v0.9.0"] },
      prod: { [VPC]: ["v1.1.0"], [SQS]: ["v0.9.0"] },
    }),
    config: threeEnvConfig,
    versions: new Map([
      [VPC, ["v1.4.0", "v1.3.0", "v1.2.0", "v1.1.0", "v2.0.0-rc.1"]],
      [SQS, ["v0.9.0"]],
    ]),
    promotions: [],
    deferred: [],
    ...overrides,
  };
}

const html = (markdown: string) =>
  micromark(markdown, {
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
    allowDangerousHtml: true,
  });

describe("renderDashboard", () => {
  it("shows the newest version, each environment's, the lagging ones with their lag, and the open PRs", () => {
    const body = renderDashboard(
      facts({
        promotions: [
          { environment: "dev", dependency: VPC, to: "v1.4.0", state: "open", number: 12 },
          { environment: "prod", dependency: VPC, to: "v1.0.0", state: "closed", number: 3 },
        ],
        deferred: [
          {
            environment: "prod",
            dependency: VPC,
            reason: "v1.3.0 waits for `/promote prod` (promotion: manual)",
          },
        ],
      }),
    );
    expect(body.split("\n")[0]).toBe(DASHBOARD_MARKER);
    expect(body).toContain(
      `| \`${VPC}\` | \`v1.4.0\` | **\`v1.3.0\`** ⚠️ 1 version behind · #12 → \`v1.4.0\` | \`v1.3.0\` | **\`v1.1.0\`** ⚠️ 2 versions behind |`,
    );
    expect(body).toContain(`| \`${SQS}\` | \`v0.9.0\` | \`v0.9.0\` | \`v0.9.0\` | \`v0.9.0\` |`);
    expect(body).toContain(
      `- prod: \`${VPC}\`: v1.3.0 waits for \`/promote prod\` (promotion: manual)`,
    );
    // dev has an open PR to v1.4.0: no box for it; prod can get what stage runs.
    expect(body).not.toContain(`promote \`${VPC}\` \`v1.4.0\` to dev`);
    expect(body).toContain(`- [ ] promote \`${VPC}\` \`v1.3.0\` to prod`);
    expect(body).toContain("- [ ] check now");
    // The closed PR is not linked.
    expect(body).not.toContain("#3");
  });

  it("dates the newest version, says for how many days each lagging environment has lacked its version, and when the next check runs", () => {
    const now = Date.parse("2026-12-04T12:00:00Z");
    const body = renderDashboard(
      facts({
        now,
        releaseDates: new Map([
          [`${VPC}\nv1.4.0`, "2026-11-30T08:00:00Z"],
          [`${VPC}\nv1.3.0`, "2026-11-01T08:00:00Z"],
        ]),
        // stage got v1.3.0 by the app's PR two days ago: prod has lacked it since then, not since its release.
        promotions: [
          {
            environment: "stage",
            dependency: VPC,
            to: "v1.3.0",
            state: "merged",
            number: 9,
            mergedAt: "2026-12-02T11:00:00Z",
          },
          {
            environment: "stage",
            dependency: VPC,
            to: "v1.3.0",
            state: "merged",
            number: 4,
            mergedAt: "2026-11-20T11:00:00Z",
          },
        ],
        nextCheckBy: Date.parse("2026-12-05T12:00:00Z"),
      }),
    );
    expect(body).toContain(
      `| \`${VPC}\` | \`v1.4.0\` (2026-11-30) | **\`v1.3.0\`** ⚠️ 1 version behind for 4 days | \`v1.3.0\` | **\`v1.1.0\`** ⚠️ 2 versions behind for 2 days |`,
    );
    expect(body).toContain("Next check: by 2026-12-05 12:00 UTC.");
    // Without dates, no day count and no date: nothing is made up.
    const undated = renderDashboard(facts({ now }));
    expect(undated).toContain(`| \`${VPC}\` | \`v1.4.0\` | **\`v1.3.0\`** ⚠️ 1 version behind |`);
    expect(undated).not.toContain("Next check");
  });

  it("after a merge's follow-up: the merged environment's new version, the PR it opened, and its wait replaced", () => {
    const now = Date.parse("2026-12-04T12:00:00Z");
    const last = facts({
      deferred: [
        { environment: "dev", dependency: VPC, reason: "v1.4.0 waits for #12 to be merged" },
        { environment: "prod", dependency: SQS, reason: "held by `promoter:hold`" },
      ],
      promotions: [
        { environment: "dev", dependency: VPC, to: "v1.4.0", state: "open", number: 12 },
      ],
    });
    const after = dashboardFactsAfter(last, {
      inventory: inventoryOf({
        dev: { [VPC]: ["v1.4.0"], [SQS]: ["v0.9.0"] },
        stage: { [VPC]: ["v1.3.0"], [SQS]: ["v0.9.0"] },
        prod: { [VPC]: ["v1.1.0"], [SQS]: ["v0.9.0"] },
      }),
      outcomes: [
        {
          key: "k",
          environment: "stage",
          dependency: VPC,
          to: "v1.4.0",
          action: "created",
          pullRequest: 13,
        },
      ],
      merged: [
        {
          environment: "dev",
          dependency: VPC,
          to: "v1.4.0",
          state: "merged",
          number: 12,
          mergedAt: new Date(now).toISOString(),
        },
      ],
      now,
    });
    const body = renderDashboard(after);
    expect(body).toContain(
      `| \`${VPC}\` | \`v1.4.0\` | \`v1.4.0\` | **\`v1.3.0\`** ⚠️ 1 version behind for less than a day · #13 → \`v1.4.0\` | **\`v1.1.0\`** ⚠️ 2 versions behind |`,
    );
    expect(body).not.toContain("waits for #12");
    expect(body).toContain("held by `promoter:hold`");
  });

  it("renders no date that is not one, and a release of today as less than a day", () => {
    const now = Date.parse("2026-12-04T12:00:00Z");
    const body = renderDashboard(
      facts({
        now,
        releaseDates: new Map([
          [`${VPC}\nv1.4.0`, "2026-12-04T09:00:00Z"],
          [`${VPC}\nv1.3.0`, "@mallory <b>soon</b>"],
        ]),
      }),
    );
    expect(body).toContain(
      "`v1.4.0` (2026-12-04) | **`v1.3.0`** ⚠️ 1 version behind for less than a day |",
    );
    expect(body).not.toContain("mallory");
    expect(body).not.toContain("soon");
  });

  it("offers the newest version to the first environment when no PR carries it, and nothing for an environment whose predecessor runs several", () => {
    const body = renderDashboard(
      facts({
        inventory: inventoryOf({
          dev: { [VPC]: ["v1.2.0", "v1.3.0"] },
          stage: { [VPC]: ["v1.1.0"] },
          prod: { [VPC]: ["v1.1.0"] },
        }),
      }),
    );
    expect(body).toContain(`- [ ] promote \`${VPC}\` \`v1.4.0\` to dev`);
    expect(body).not.toContain("to stage");
    expect(body).toContain("**`v1.2.0`, `v1.3.0`** ⚠️ 1 version behind");
    const ahead = renderDashboard(
      facts({
        inventory: inventoryOf({ dev: { [VPC]: ["v1.3.0"] }, stage: { [VPC]: ["v1.4.0"] } }),
      }),
    );
    expect(ahead).toContain(
      `| \`${VPC}\` | \`v1.4.0\` | **\`v1.3.0\`** ⚠️ 1 version behind | \`v1.4.0\` ⬆️ ahead |`,
    );
  });

  it("lists not-updatable usages and warnings folded, and an empty repository says so", () => {
    const body = renderDashboard(
      facts({
        inventory: inventoryOf(
          { dev: {} },
          {
            skipped: [{ file: "dev/a.hcl", line: 3, id: VPC, reason: "the version is computed" }],
            warnings: [{ file: "dev/b.hcl", message: "does not parse" }],
          },
        ),
        warnings: [{ subject: ".github/promoter.yml", message: "prod matches no file" }],
      }),
    );
    expect(body).toContain("No versioned module dependency was found");
    expect(body).toContain("<summary>1 item</summary>");
    expect(body).toContain(`- \`dev/a.hcl\` line 3 (\`${VPC}\`): the version is computed`);
    expect(body).toContain("- `dev/b.hcl`: does not parse");
    expect(body).toContain("- `.github/promoter.yml`: prod matches no file");
  });

  it("renders 100 dependencies × 5 environments well under GitHub's limit, the table folded", () => {
    const config = configFrom(
      `environments:\n${["dev", "qa", "stage", "preprod", "prod"].map((n) => `  - name: ${n}\n    paths: ["${n}/**"]\n`).join("")}`,
    );
    const ids = Array.from({ length: 100 }, (_, i) => `acme/terraform-aws-m${i}/mod`);
    const record: Record<string, Record<string, string[]>> = {};
    ["dev", "qa", "stage", "preprod", "prod"].forEach((env, e) => {
      record[env] = Object.fromEntries(ids.map((id) => [id, [`v1.${5 - e}.0`]]));
    });
    const body = renderDashboard({
      ...facts(),
      config,
      inventory: inventoryOf(record),
      versions: new Map(
        ids.map((id) => [id, ["v1.6.0", "v1.5.0", "v1.4.0", "v1.3.0", "v1.2.0", "v1.1.0"]]),
      ),
    });
    expect(body.length).toBeLessThan(MAX_DASHBOARD_LENGTH);
    expect(body.match(/^\| `acme/gm)).toHaveLength(100);
    expect(body).toContain("<summary>100 dependencies</summary>");
    // Each later environment lags one version behind the one before it: 5 boxes per dependency.
    expect(body.match(/^- \[ \] promote /gm)).toHaveLength(500);
    expect(body).not.toContain("… and");
  });

  it("stays under 65,536 characters with … and N more when there is too much", () => {
    const ids = Array.from(
      { length: 900 },
      (_, i) => `acme/terraform-aws-${"x".repeat(60)}${i}/mod`,
    );
    const skipped = ids.map((id, i) => ({
      file: `dev/${"y".repeat(80)}/${i}.hcl`,
      line: 1,
      id,
      reason: "the version is computed by a function call",
    }));
    const body = renderDashboard(
      facts({
        inventory: inventoryOf(
          {
            dev: Object.fromEntries(ids.map((id) => [id, ["v1.1.0"]])),
            stage: Object.fromEntries(ids.map((id) => [id, ["v1.0.0"]])),
            prod: Object.fromEntries(ids.map((id) => [id, ["v1.0.0"]])),
          },
          { skipped },
        ),
      }),
    );
    expect(body.length).toBeLessThanOrEqual(MAX_DASHBOARD_LENGTH);
    expect(body).toMatch(/… and \d+ more/);
    expect(body.endsWith("<!-- /promoter:actions -->\n")).toBe(true);
    expect(body).toContain("- [ ] check now");
  });

  it("escapes ids, versions, reasons and environment names: no markdown, mention, HTML or marker from input", () => {
    const evil = "acme/x`y@z|<!-- promoter:dashboard -->/mod";
    const body = renderDashboard(
      facts({
        inventory: inventoryOf(
          {
            dev: { [evil]: ["v1.0.0`@admin<b>|"] },
            stage: { [evil]: ["v0.1.0"] },
          },
          { warnings: [{ file: "@carol.hcl", message: "<!-- promoter:actions --> #12 @alice" }] },
        ),
        versions: new Map([[evil, ["v9.9.9"]]]),
        deferred: [{ environment: "stage", dependency: evil, reason: "<details> @bob </details>" }],
      }),
    );
    expect(body.match(/<!-- promoter:dashboard -->/g)).toHaveLength(1);
    expect(body.match(/<!-- promoter:actions -->/g)).toHaveLength(1);
    const rendered = html(body);
    expect(rendered).not.toMatch(/<b>|<details> @|@alice|@bob|#12/);
    // The table keeps its shape: each row has as many cells as the header.
    expect(rendered.match(/<tr>/g)).toHaveLength(2);
    // No box for an id a command could not name.
    expect(body).not.toMatch(/promote `acme\/x/);
  });
});

describe("renderUnusableConfig", () => {
  it("lists the config's problems escaped, keeps the check-now box, and fits GitHub's limit", () => {
    const body = renderUnusableConfig([
      ".github/promoter.yml:3:5: environments[0].name: is required @alice <!-- x -->",
    ]);
    expect(body.split("\n")[0]).toBe(DASHBOARD_MARKER);
    expect(body).toContain("- [ ] check now");
    expect(html(body)).not.toMatch(/@alice|<!-- x/);
    const many = renderUnusableConfig(
      Array.from({ length: 5000 }, (_, i) => `problem ${i} ${"x".repeat(40)}`),
    );
    expect(many.length).toBeLessThanOrEqual(MAX_DASHBOARD_LENGTH);
    expect(many).toMatch(/… and \d+ more/);
    expect(newTicks(many, many.replace("- [ ] check now", "- [x] check now"))).toEqual([
      { kind: "check" },
    ]);
  });
});

describe("newTicks", () => {
  const before = renderDashboard(facts());
  const tick = (body: string, line: string) => body.replace(`- [ ] ${line}`, `- [x] ${line}`);

  it("reads a box newly ticked on a line the app wrote, once", () => {
    const after = tick(tick(before, `promote \`${VPC}\` \`v1.3.0\` to prod`), "check now");
    expect(newTicks(before, after)).toEqual([
      { kind: "promote", dependency: VPC, version: "v1.3.0", environment: "prod" },
      { kind: "check" },
    ]);
  });

  it("ignores a box already ticked, one a person pasted, and a body without the marker", () => {
    const ticked = tick(before, "check now");
    expect(newTicks(ticked, ticked)).toEqual([]);
    const pasted = `${before}\n- [x] promote \`${SQS}\` \`v0.9.9\` to prod\n`;
    expect(newTicks(before, pasted)).toEqual([]);
    const inside = before.replace(
      "- [ ] check now",
      `- [ ] check now\n- [x] promote \`${SQS}\` \`v0.9.9\` to prod`,
    );
    expect(newTicks(before, inside)).toEqual([]);
    const unmarked = before.replace(DASHBOARD_MARKER, "");
    expect(newTicks(unmarked, tick(unmarked, "check now"))).toEqual([]);
  });

  it("unticks refused boxes and nothing else", () => {
    const after = tick(tick(before, `promote \`${VPC}\` \`v1.3.0\` to prod`), "check now");
    const undone = untick(after, [
      { kind: "promote", dependency: VPC, version: "v1.3.0", environment: "prod" },
    ]);
    expect(undone).toBe(tick(before, "check now"));
  });
});
