import fc from "fast-check";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/index.js";
import { scan } from "../../src/iac/scanner.js";
import type { Inventory } from "../../src/iac/types.js";
import { plan, type Proposal } from "../../src/promotion/plan.js";
import {
  HOLD_LABEL,
  MAX_PULL_REQUEST_BODY,
  environmentLabel,
  environmentOfLabel,
  metadataComment,
  metadataOf,
  parseMetadata,
  pullRequestBody,
  pullRequestTitle,
  withMetadata,
  type PromotionMetadata,
} from "../../src/promotion/pull-request-content.js";
import { MAX_TITLE_LENGTH } from "../../src/promotion/markdown.js";
import { configFrom, sourceFiles } from "../iac/helpers.js";

/** GitHub-flavoured rendering, HTML allowed as GitHub allows it. */
const render = (markdown: string) =>
  micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });

/** Rendered HTML without code and links, where GitHub links no mention or reference. */
const liveText = (html: string) =>
  html
    .replace(/<pre>[\s\S]*?<\/pre>/g, "")
    .replace(/<code>[\s\S]*?<\/code>/g, "")
    .replace(/<a [^>]*>[\s\S]*?<\/a>/g, "")
    .replace(/<[^>]*>/g, "");

const VPC = "acme/terraform-aws-vpc/vpc-app";
const REDIS = "ghe.example.com/platform/terraform-aws-cache/redis";

const vpcUnit = (version: string) =>
  `terraform {\n  source = "git::git@github.com:acme/terraform-aws-vpc.git//modules/vpc-app?ref=${version}"\n}\n`;

const chainConfig = (prodPromotion: "auto" | "manual") =>
  configFrom(`
environments:
  - name: dev
    paths: ["dev-*/**"]
  - name: stage
    paths: ["stage-*/**"]
  - name: prod
    paths: ["prod-*/**"]
    promotion: ${prodPromotion}
`);

interface Scenario {
  config: Config;
  inventory: Inventory;
  proposal: Proposal;
}

function scenario(
  files: Record<string, string>,
  versions: Record<string, string[]>,
  config: Config,
  environment: string,
): Scenario {
  const { inventory } = scan(sourceFiles(files), config);
  const { proposals } = plan(inventory, new Map(Object.entries(versions)), config, []);
  const proposal = proposals.find((p) => p.environment === environment);
  if (!proposal) {
    throw new Error(`no proposal for ${environment}: ${JSON.stringify(proposals)}`);
  }
  return { config, inventory, proposal };
}

/** dev runs two versions of the VPC and is updated to v1.4.0; stage (auto) runs v1.2.0; prod does not use it. */
const devUpdate = () =>
  scenario(
    {
      "dev-a/vpc/terragrunt.hcl": vpcUnit("v1.3.0"),
      "dev-b/network/vpc/terragrunt.hcl": `# the VPC of team b\n\n${vpcUnit("v1.2.0")}`,
      "stage-a/vpc/terragrunt.hcl": vpcUnit("v1.2.0"),
    },
    { [VPC]: ["v1.2.0", "v1.3.0", "v1.4.0", "v2.0.0"] },
    chainConfig("auto"),
    "dev",
  );

const redisAccount = `locals {\n  account_name   = "dev"\n  module_version = "v0.6.0"\n}\n`;
const redisFromAccount =
  `locals {\n  account = read_terragrunt_config(find_in_parent_folders("account.hcl"))\n}\n\n` +
  `terraform {\n  source = "git::ssh://git@ghe.example.com/platform/terraform-aws-cache.git//modules/redis?depth=1&ref=\${local.account.locals.module_version}"\n}\n`;
const redisFromDevAccount =
  `locals {\n  account = read_terragrunt_config("../../../dev-a/account.hcl")\n}\n\n` +
  `terraform {\n  source = "git::https://ghe.example.com/platform/terraform-aws-cache.git//modules/redis?ref=\${local.account.locals.module_version}"\n}\n`;
const redisDirect = (version: string) =>
  `terraform {\n  source = "git::https://ghe.example.com/platform/terraform-aws-cache.git//modules/redis?ref=${version}"\n}\n`;
const UNTOUCHED_REASON =
  "not promotable per environment: the version is set in dev-a/account.hcl:3, shared by environments dev, stage";

/**
 * stage is promoted from v0.5.0 to dev's v0.6.0; one stage unit reads its version from a dev file and
 * stays as it is; prod (manual) runs v0.4.0.
 */
const stagePromotion = () =>
  scenario(
    {
      "dev-a/account.hcl": redisAccount,
      "dev-a/us-east-1/redis/terragrunt.hcl": redisFromAccount,
      "stage-a/us-east-1/redis/terragrunt.hcl": redisDirect("v0.5.0"),
      "stage-b/us-east-1/redis/terragrunt.hcl": redisFromDevAccount,
      "prod-a/us-east-1/redis/terragrunt.hcl": redisDirect("v0.4.0"),
    },
    {},
    chainConfig("manual"),
    "stage",
  );

const bodyOf = ({ config, inventory, proposal }: Scenario, releaseNotes = "") =>
  pullRequestBody(proposal, { config, inventory, releaseNotes });

/** The rows of the markdown table that starts with `header`. */
function tableAfter(body: string, header: string): string[] {
  const lines = body.split("\n");
  const start = lines.indexOf(header);
  expect(start, `table ${header}`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line);
  }
  return rows;
}

describe("pullRequestTitle", () => {
  it("is one line of printable text within GitHub's limit", () => {
    const { proposal } = stagePromotion();
    const title = pullRequestTitle({
      ...proposal,
      dependency: `acme/x\n\nInjected\u0000\u202e${"y".repeat(400)}`,
    });
    for (const c of ["\n", "\r", "\u0000", "\u202e"]) expect(title).not.toContain(c);
    expect(title.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
    expect(title.startsWith("[promoter] stage: acme/x Injected ")).toBe(true);
  });

  it("is [promoter] <env>: <dependency-id> <from> → <to>", () => {
    expect(pullRequestTitle(stagePromotion().proposal)).toBe(
      `[promoter] stage: ${REDIS} v0.5.0 → v0.6.0`,
    );
  });

  it("lists every version it replaces", () => {
    expect(pullRequestTitle(devUpdate().proposal)).toBe(
      `[promoter] dev: ${VPC} v1.2.0, v1.3.0 → v1.4.0`,
    );
  });
});

describe("pullRequestBody", () => {
  it("opens with what it does and why: an update to a new version", () => {
    const body = bodyOf(devUpdate());
    expect(body.split("\n")[0]).toBe(
      `Promoter updates \`${VPC}\` in **dev** from \`v1.2.0\`, \`v1.3.0\` to \`v1.4.0\`, a new version.`,
    );
  });

  it("opens with what it does and why: a promotion of the previous environment's version", () => {
    const body = bodyOf(stagePromotion());
    expect(body.split("\n")[0]).toBe(
      `Promoter promotes \`${REDIS}\` in **stage** from \`v0.5.0\` to \`v0.6.0\`, the version that runs in the environment before it.`,
    );
  });

  it("lists every edited file with its line, the version before and after", () => {
    const rows = tableAfter(bodyOf(devUpdate()), "| File | Line | From | To |");
    expect(rows).toEqual([
      "| `dev-a/vpc/terragrunt.hcl` | 2 | `v1.3.0` | `v1.4.0` |",
      "| `dev-b/network/vpc/terragrunt.hcl` | 4 | `v1.2.0` | `v1.4.0` |",
    ]);
  });

  it("names the usages it leaves as they are, with the reason", () => {
    const body = bodyOf(stagePromotion());
    expect(tableAfter(body, "| File | Line | From | To |")).toEqual([
      "| `stage-a/us-east-1/redis/terragrunt.hcl` | 2 | `v0.5.0` | `v0.6.0` |",
    ]);
    const lines = body.split("\n");
    const at = lines.indexOf("Left as they are:");
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe(
      `- \`stage-b/us-east-1/redis/terragrunt.hcl\` line 6: ${UNTOUCHED_REASON}`,
    );
    expect(lines[at + 2]).toBe("");
  });

  it("says nothing of untouched usages when every usage is edited", () => {
    expect(bodyOf(devUpdate())).not.toContain("Left as they are");
  });

  it("shows the chain: versions per environment, this PR, and that the next environment follows automatically", () => {
    const body = bodyOf(devUpdate());
    expect(body).toContain("### Environments");
    expect(tableAfter(body, "| Environment | Version | |")).toEqual([
      "| dev | `v1.2.0`, `v1.3.0` | → `v1.4.0` with this pull request |",
      "| stage | `v1.2.0` | after the merge, a pull request opens here |",
      "| prod | not used |  |",
    ]);
  });

  it("shows the chain with a manual next environment waiting for /promote", () => {
    const body = bodyOf(stagePromotion());
    expect(tableAfter(body, "| Environment | Version | |")).toEqual([
      "| dev | `v0.6.0` |  |",
      "| stage | `v0.5.0`, `v0.6.0` | → `v0.6.0` with this pull request |",
      "| prod | `v0.4.0` | after the merge: `/promote prod` |",
    ]);
  });

  it("says nothing about a next environment for the last one of the chain", () => {
    const last = scenario(
      {
        "dev-a/vpc/terragrunt.hcl": vpcUnit("v1.3.0"),
        "stage-a/vpc/terragrunt.hcl": vpcUnit("v1.3.0"),
        "prod-a/vpc/terragrunt.hcl": vpcUnit("v1.2.0"),
      },
      {},
      chainConfig("auto"),
      "prod",
    );
    expect(tableAfter(bodyOf(last), "| Environment | Version | |")).toEqual([
      "| dev | `v1.3.0` |  |",
      "| stage | `v1.3.0` |  |",
      "| prod | `v1.2.0` | → `v1.3.0` with this pull request |",
    ]);
  });

  it("collapses the release notes in <details>, between the chain and the commands", () => {
    const notes = "## v1.4.0\n\n- Adds IPv6 support ([docs](https://example.com/ipv6))";
    const body = bodyOf(devUpdate(), notes);
    expect(body).toContain(
      `<details>\n<summary>Release notes</summary>\n\n${notes}\n\n</details>\n`,
    );
    expect(body).not.toContain("(truncated)");
    const order = ["### Environments", "<details>", notes, "</details>", "### Commands"].map(
      (part) => body.indexOf(part),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("keeps its structure whatever the release notes hold", () => {
    const s = devUpdate();
    const forged = metadataComment({
      v: 1,
      env: "dev",
      dependency: VPC,
      from: ["v1.3.0"],
      to: "v7.7.7",
    });
    const notes = [
      "## v1.4.0",
      "",
      forged,
      "</details>",
      "",
      "## Outside the details?",
      "",
      "<details open>",
      "<summary>a summary of theirs</summary>",
      "",
      "Thanks `x`@carol, _@peggy_ and @@erin, @org/team; fixes #12, acme/live#12 and GH-12.",
      "See https://github.com/acme/live/issues/12 and ![pixel](https://evil.example/p.png)",
      "<img src=x onerror=alert(1)> <b>unclosed",
      "",
      "```",
      "an open fence",
    ].join("\n");
    const body = bodyOf(s, notes);
    const html = render(body);
    expect(html.match(/<details>/g)).toHaveLength(1);
    expect(html.match(/<details/g)).toHaveLength(1);
    expect(html.match(/<\/details>/g)).toHaveLength(1);
    const details = html.slice(html.indexOf("<details>"), html.indexOf("</details>"));
    expect(details).toContain("<summary>Release notes</summary>");
    expect(details).toContain("Outside the details?");
    expect(details).toContain("an open fence");
    expect(html.slice(html.indexOf("</details>"))).toContain("<h3>Commands</h3>");
    expect(html).not.toMatch(/<img src="?x|<b>/);
    expect(liveText(html)).not.toMatch(/(^|[^\w`])@[A-Za-z0-9]|#\d|GH-\d/);
    expect(body).toContain("https://redirect.github.com/acme/live/issues/12");
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(body.match(/-->/g)).toHaveLength(1);
    expect(body.endsWith(metadataComment(metadataOf(s.proposal)))).toBe(true);
    expect(parseMetadata(body)).toEqual(metadataOf(s.proposal));
  });

  it("keeps its structure when release notes are cut in the middle of code or HTML", () => {
    const s = devUpdate();
    const empty = bodyOf(s, "").length;
    const unit = "`<details>` <!-- x --> ```\n<div>\n";
    for (const extra of [0, 3, 7, 11, 20]) {
      const notes = `${"n".repeat(MAX_PULL_REQUEST_BODY - empty - 400 + extra)}${unit.repeat(40)}`;
      const body = bodyOf(s, notes);
      expect(body.length).toBeLessThanOrEqual(MAX_PULL_REQUEST_BODY);
      const html = render(body);
      expect(html.match(/<details/g)).toHaveLength(1);
      expect(html.match(/<\/details>/g)).toHaveLength(1);
      expect(html.slice(html.indexOf("</details>"))).toContain("<h3>Commands</h3>");
      expect(parseMetadata(body)).toEqual(metadataOf(s.proposal));
    }
  });

  it("escapes ids, versions and paths it copies in", () => {
    const s = devUpdate();
    const proposal: Proposal = {
      ...s.proposal,
      dependency: "acme/<b>@carol</b>",
      to: "v1.4.0`|<!--",
      edits: s.proposal.edits.map((e) => ({ ...e, file: "dev/`x`|<i>.hcl", after: "v1|2" })),
    };
    const body = pullRequestBody(proposal, { ...s, releaseNotes: "" });
    const html = render(body);
    expect(html).not.toMatch(/<b>|<i>/);
    expect(liveText(html)).not.toMatch(/@[A-Za-z0-9]/);
    const rows = html.match(/<tr>[\s\S]*?<\/tr>/g) ?? [];
    for (const row of rows) expect(row.match(/<t[dh]>/g)?.length).toBeGreaterThanOrEqual(3);
    expect(rows[1]?.match(/<td>/g)).toHaveLength(4);
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(parseMetadata(body)).toEqual(metadataOf(proposal));
  });

  it("says the version runs in the environment before it only when it does", () => {
    const s = stagePromotion();
    const elsewhere = (to: string) =>
      bodyOf({ ...s, proposal: { ...s.proposal, to } }).split("\n")[0];
    expect(elsewhere("v0.7.0")).toBe(
      `Promoter promotes \`${REDIS}\` in **stage** from \`v0.5.0\` to \`v0.7.0\`, a version that **dev** does not run.`,
    );
    expect(elsewhere("v0.7.0")).not.toContain("the environment before it");
  });

  it("has no release notes section without notes", () => {
    const body = bodyOf(devUpdate(), "");
    expect(body).not.toContain("<details>");
    expect(body).not.toContain("Release notes");
  });

  it("lists the commands and ends with the hidden metadata", () => {
    const s = stagePromotion();
    const body = bodyOf(s);
    expect(body).toContain("### Commands");
    expect(body).toContain(
      "- `/promote <environment>` promotes this version to that environment now.",
    );
    expect(body).toContain(`The label \`${HOLD_LABEL}\` keeps this version`);
    expect(body).toContain("- `/help` lists every command.");
    expect(body.endsWith(metadataComment(metadataOf(s.proposal)))).toBe(true);
    expect(parseMetadata(body)).toEqual({
      v: 1,
      env: "stage",
      dependency: REDIS,
      from: ["v0.5.0"],
      to: "v0.6.0",
    });
  });

  it("truncates huge release notes so the body stays within GitHub's limit, keeping everything else", () => {
    const s = devUpdate();
    const notes = "- a line of release notes\n".repeat(20_000);
    expect(notes.length).toBeGreaterThan(MAX_PULL_REQUEST_BODY * 2);
    const body = bodyOf(s, notes);
    expect(body.length).toBeLessThanOrEqual(MAX_PULL_REQUEST_BODY);
    // Truncation keeps as much as fits: the body is not cut down far below the limit.
    expect(body.length).toBeGreaterThan(MAX_PULL_REQUEST_BODY - 1_000);
    expect(body).toContain("… (truncated)");
    expect(body).toContain("</details>");
    expect(body).toContain("### Commands");
    expect(body).toContain("| `dev-a/vpc/terragrunt.hcl` | 2 | `v1.3.0` | `v1.4.0` |");
    expect(parseMetadata(body)).toEqual(metadataOf(s.proposal));
  });

  it("keeps notes that fit whole, and never exceeds the limit whatever their length", () => {
    const s = devUpdate();
    const empty = bodyOf(s, "").length;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PULL_REQUEST_BODY + 5_000 }), (length) => {
        const notes = "n".repeat(length);
        const body = bodyOf(s, notes);
        expect(body.length).toBeLessThanOrEqual(MAX_PULL_REQUEST_BODY);
        expect(parseMetadata(body)).toEqual(metadataOf(s.proposal));
        // Short enough notes stay whole.
        if (empty + length + 300 <= MAX_PULL_REQUEST_BODY) {
          expect(body).toContain(`\n${notes}\n`);
          expect(body).not.toContain("(truncated)");
        }
      }),
      { numRuns: 60 },
    );
  });

  it("does not cut a character in two when truncating", () => {
    // Emoji are two UTF-16 code units; one of the two prefixes puts the cut inside one.
    for (const prefix of ["", "a"]) {
      const body = bodyOf(devUpdate(), prefix + "🚀".repeat(MAX_PULL_REQUEST_BODY));
      expect(body.length).toBeLessThanOrEqual(MAX_PULL_REQUEST_BODY);
      expect(body).toContain("🚀\n\n… (truncated)");
      // No lone surrogate: the body survives a round trip through UTF-8 unchanged.
      expect(Buffer.from(body, "utf8").toString("utf8")).toBe(body);
    }
  });
});

describe("metadata", () => {
  const metadata: PromotionMetadata = {
    v: 1,
    env: "prod",
    dependency: "gruntwork-io/terraform-aws-messaging/sqs",
    from: ["v0.8.0", "v0.8.1"],
    to: "v0.9.0",
  };

  it("metadataOf takes the environment, dependency and versions of a proposal", () => {
    const { proposal } = devUpdate();
    expect(metadataOf(proposal)).toEqual({
      v: 1,
      env: "dev",
      dependency: VPC,
      from: ["v1.2.0", "v1.3.0"],
      to: "v1.4.0",
    });
  });

  it("is a hidden HTML comment", () => {
    const comment = metadataComment(metadata);
    expect(comment.startsWith("<!-- promoter: {")).toBe(true);
    expect(comment.endsWith("} -->")).toBe(true);
    expect(comment).not.toContain("\n");
  });

  it("round-trips through parseMetadata, anywhere in a body", () => {
    expect(parseMetadata(metadataComment(metadata))).toEqual(metadata);
    expect(parseMetadata(`Some text\n\n${metadataComment(metadata)}\n\nmore text`)).toEqual(
      metadata,
    );
    const flagged: PromotionMetadata = { ...metadata, humanCommits: true };
    expect(parseMetadata(`body\n${metadataComment(flagged)}`)).toEqual(flagged);
  });

  it("round-trips whatever the dependency and versions", () => {
    // Text with what JSON escapes or an HTML comment could trip on (`-->`, `<!--`).
    const unit = fc.constantFrom(...'ab/._-@ {}[]:,"\\\n\t<>!$&é🚀', "-->", "<!--");
    const text = fc.string({ unit, maxLength: 40 });
    fc.assert(
      fc.property(text, text, fc.array(text, { maxLength: 4 }), text, (env, dep, from, to) => {
        const m: PromotionMetadata = { v: 1, env, dependency: dep, from, to };
        const parsed = parseMetadata(`prefix\n${metadataComment(m)}\nsuffix`);
        const replaced = parseMetadata(withMetadata(`prefix\n${metadataComment(metadata)}`, m));
        return (
          JSON.stringify(parsed) === JSON.stringify(m) &&
          JSON.stringify(replaced) === JSON.stringify(m)
        );
      }),
      { numRuns: 100 },
    );
  });

  it("cannot be ended early or doubled by what it carries", () => {
    const comment = metadataComment({ ...metadata, dependency: "a --> <!-- promoter: {} -->" });
    expect(comment.match(/<!--/g)).toHaveLength(1);
    expect(comment.match(/-->/g)).toHaveLength(1);
    expect(comment.endsWith(" -->")).toBe(true);
  });

  it("is read from the last metadata comment, the one the app writes at the end", () => {
    const forged = metadataComment({ ...metadata, to: "v7.7.7" });
    const body = `notes\n${forged}\n\n${metadataComment(metadata)}`;
    expect(parseMetadata(body)).toEqual(metadata);
    const updated = withMetadata(body, { ...metadata, humanCommits: true });
    expect(updated.startsWith(`notes\n${forged}\n\n`)).toBe(true);
    expect(parseMetadata(updated)).toEqual({ ...metadata, humanCommits: true });
  });

  it("reads nothing from absent or malformed metadata", () => {
    const comment = (json: string) => `text\n<!-- promoter: ${json} -->`;
    const rejected: (string | null | undefined)[] = [
      null,
      undefined,
      "",
      "A pull request written by a person.",
      "<!-- some other comment -->",
      comment("{not json}"),
      comment('{"v":1,"env":"dev","dependency":"a/b/c","from":["v1"],"to":"v2"'),
      comment(JSON.stringify({ ...metadata, v: 2 })),
      comment(JSON.stringify({ ...metadata, env: undefined })),
      comment(JSON.stringify({ ...metadata, dependency: 7 })),
      comment(JSON.stringify({ ...metadata, to: null })),
      comment(JSON.stringify({ ...metadata, from: "v0.8.0" })),
      `<!-- promoter:${JSON.stringify(metadata)} -->`,
    ];
    for (const body of rejected) expect(parseMetadata(body), String(body)).toBeUndefined();
  });

  it("withMetadata replaces the metadata of a body, leaving the rest as it is", () => {
    const old = metadataComment({ ...metadata, to: "v0.8.5" });
    const body = `Intro\n\n${old}\n\nA note someone added below.`;
    const updated = withMetadata(body, { ...metadata, humanCommits: true });
    expect(updated).toBe(
      `Intro\n\n${metadataComment({ ...metadata, humanCommits: true })}\n\nA note someone added below.`,
    );
    expect(updated.match(/<!-- promoter:/g)).toHaveLength(1);
    expect(parseMetadata(updated)).toEqual({ ...metadata, humanCommits: true });
  });

  it("withMetadata writes metadata with $ in it as it is, not as a replacement pattern", () => {
    const odd: PromotionMetadata = { ...metadata, from: ["$$", "$&", "$1", "$`", "$'"] };
    const updated = withMetadata(`Intro\n\n${metadataComment(metadata)}\n\nOutro`, odd);
    expect(updated).toBe(`Intro\n\n${metadataComment(odd)}\n\nOutro`);
    expect(parseMetadata(updated)).toEqual(odd);
  });

  it("withMetadata appends metadata to a body that has none", () => {
    const body = "A pull request written by a person.";
    expect(withMetadata(body, metadata)).toBe(`${body}\n\n${metadataComment(metadata)}`);
    expect(parseMetadata(withMetadata(body, metadata))).toEqual(metadata);
  });

  it("withMetadata on a generated body keeps a single metadata comment", () => {
    const s = devUpdate();
    const body = bodyOf(s, "notes");
    const next = { ...metadataOf(s.proposal), to: "v1.5.0" };
    const updated = withMetadata(body, next);
    expect(updated.match(/<!-- promoter:/g)).toHaveLength(1);
    expect(parseMetadata(updated)).toEqual(next);
    expect(updated.replace(metadataComment(next), "")).toBe(
      body.replace(metadataComment(metadataOf(s.proposal)), ""),
    );
  });
});

describe("labels", () => {
  it("environmentLabel is promoter:<env>", () => {
    expect(environmentLabel("prod")).toBe("promoter:prod");
    expect(environmentLabel("eu-west.stage_2")).toBe("promoter:eu-west.stage_2");
  });

  it("environmentOfLabel reads the environment back", () => {
    for (const env of ["dev", "stage", "prod", "eu-west.stage_2"]) {
      expect(environmentOfLabel(environmentLabel(env))).toBe(env);
    }
  });

  it("the hold label and other labels name no environment", () => {
    expect(environmentOfLabel(HOLD_LABEL)).toBeUndefined();
    expect(HOLD_LABEL).toBe("promoter:hold");
    for (const label of ["bug", "dependencies", "prod", "promoter", "x-promoter:prod"]) {
      expect(environmentOfLabel(label), label).toBeUndefined();
    }
  });
});
