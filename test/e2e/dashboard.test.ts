import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GitHubSimulator } from "@promoter/github-simulator";
import { AppProcess } from "../support/app-process.js";
import { freePort } from "../support/free-port.js";
import { eventually, simulatorEnvironment, startSimulator } from "./harness.js";

/**
 * The promotion dashboard end to end: the real server against the simulator, the issue following the
 * chain from a release to prod, its boxes ticked by people allowed and not.
 */

const REPO = "acme/live-board";
const VPC = "acme/terraform-aws-vpc/vpc";
const CHAIN = `environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
  - name: prod
    paths: ["prod/**"]
    promotion: manual
`;
const unit = (version: string) =>
  `terraform {\n  source = "git::https://github.com/acme/terraform-aws-vpc.git//modules/vpc?ref=${version}"\n}\n`;

let simulator: GitHubSimulator;
let app: AppProcess;

const dashboard = () =>
  simulator.issues(REPO).find((i) => i.user === simulator.botLogin && i.state === "open");
const dashboardShows = (what: string, text: string) =>
  eventually(
    `the dashboard showing ${what}`,
    () => dashboard()?.body.includes(text) && dashboard(),
  );
const prFor = (head: string) =>
  eventually(`an open PR from ${head}`, () =>
    simulator.pullRequests(REPO).find((pr) => pr.state === "open" && pr.head === head),
  );
const botComment = (number: number, text: string) =>
  eventually(`a comment on #${number} containing "${text}"`, () =>
    simulator
      .comments(REPO, number)
      .find((c) => c.user === simulator.botLogin && c.body.includes(text)),
  );
const tick = (body: string, line: string) => body.replace(`- [ ] ${line}`, `- [x] ${line}`);
/** The version matrix's row of vpc: the newest with its release date, then each environment's cell. */
const row = (newest: string, cells: string[]) =>
  `| \`${VPC}\` | \`${newest}\` (${new Date().toISOString().slice(0, 10)}) | ${cells.join(" | ")} |`;

beforeAll(async () => {
  const started = await startSimulator();
  simulator = started.simulator;
  const installation = simulator.createInstallation("acme");
  simulator.createRepository(installation, "acme/terraform-aws-vpc", {
    files: { "modules/vpc/main.tf": `variable "name" {}\n` },
  });
  simulator.createTag("acme/terraform-aws-vpc", "v1.0.0");
  simulator.createRepository(installation, REPO, {
    files: {
      ".github/promoter.yml": CHAIN,
      "dev/vpc/terragrunt.hcl": unit("v1.0.0"),
      "stage/vpc/terragrunt.hcl": unit("v1.0.0"),
      "prod/vpc/terragrunt.hcl": unit("v1.0.0"),
    },
  });
  simulator.addCollaborator(REPO, "alice", "write");
  simulator.addCollaborator(REPO, "bob", "triage");
  app = new AppProcess({
    port: await freePort(),
    env: { ...simulatorEnvironment(simulator, started.privateKey), NODE_ENV: "test" },
  });
  simulator.setWebhookUrl(app.webhookUrl);
  await app.start();
}, 300_000);

afterAll(async () => {
  const code = await app?.stop();
  await simulator?.close();
  expect(code).toBe(0);
}, 120_000);

describe("the promotion dashboard", () => {
  it("follows a release from dev to prod, and its boxes act for those allowed", async () => {
    // The start-up check opens it: every environment on v1.0.0, the newest (dated by its tag's commit).
    const first = await dashboardShows(
      "the versions",
      row("v1.0.0", ["`v1.0.0`", "`v1.0.0`", "`v1.0.0`"]),
    );
    expect(simulator.issues(REPO)).toHaveLength(1);
    expect(first.title).toBe("Promoter: promotion dashboard");

    // A release: the check it queues opens dev's PR, and the dashboard links it.
    await simulator.publishRelease("acme/terraform-aws-vpc", "v1.1.0");
    const dev = await prFor("promoter/dev/acme+terraform-aws-vpc+vpc");
    await dashboardShows(
      "dev's PR",
      `⚠️ 1 version behind for less than a day · #${dev.number} → \`v1.1.0\``,
    );

    // Merged, and merged on to stage: each merge's follow-up renders the dashboard again, no check needed.
    await simulator.mergePullRequest(REPO, dev.number, { by: "alice" });
    const stage = await prFor("promoter/stage/acme+terraform-aws-vpc+vpc");
    await dashboardShows(
      "stage's PR",
      row("v1.1.0", [
        "`v1.1.0`",
        `**\`v1.0.0\`** ⚠️ 1 version behind for less than a day · #${stage.number} → \`v1.1.0\``,
        "`v1.0.0`",
      ]),
    );
    await simulator.mergePullRequest(REPO, stage.number, { by: "alice" });
    await botComment(stage.number, "prod is promoted by hand");
    const box = `promote \`${VPC}\` \`v1.1.0\` to prod`;
    const behind = await dashboardShows("prod waiting", `- [ ] ${box}`);
    expect(behind.body).toContain("**`v1.0.0`** ⚠️ 1 version behind for less than a day |");
    expect(behind.body).toContain("waits for `/promote prod` (promotion: manual)");
    // "check now" queues a check, which finds the same.
    const board = dashboard()!;
    await simulator.editIssue(REPO, board.number, "alice", tick(board.body, "check now"));
    await botComment(board.number, "@alice \n- **check now**: a check is queued");

    // Bob may triage, not promote: his tick is undone, with why.
    await simulator.editIssue(REPO, board.number, "bob", tick(behind.body, box));
    await botComment(board.number, "@bob ticking a box of the dashboard needs write");
    await eventually("bob's tick undone", () => dashboard()?.body.includes(`- [ ] ${box}`));
    expect(
      simulator.pullRequests(REPO).filter((pr) => pr.head.startsWith("promoter/prod/")),
    ).toEqual([]);

    // Alice's tick promotes v1.1.0 to prod.
    await simulator.editIssue(REPO, board.number, "alice", tick(dashboard()!.body, box));
    const prod = await prFor("promoter/prod/acme+terraform-aws-vpc+vpc");
    expect(prod.title).toBe(`[promoter] prod: ${VPC} v1.0.0 → v1.1.0`);
    await botComment(board.number, `Opened #${prod.number} to promote`);
    await simulator.mergePullRequest(REPO, prod.number, { by: "alice" });
    await botComment(prod.number, "has reached prod, the end of the chain");

    // The merge's follow-up: every environment on v1.1.0, the same single issue, edited in place.
    await dashboardShows("prod on v1.1.0", row("v1.1.0", ["`v1.1.0`", "`v1.1.0`", "`v1.1.0`"]));
    expect(simulator.issues(REPO)).toHaveLength(1);
    simulator.assertNoViolations();
  }, 300_000);
});
