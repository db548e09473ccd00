import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GitHubSimulator } from "@promoter/github-simulator";
import { parseConfig } from "../../src/config/load-config.js";
import { AppProcess } from "../support/app-process.js";
import { freePort } from "../support/free-port.js";
import { eventually, simulatorEnvironment, startSimulator } from "./harness.js";

/**
 * The first five minutes, against the real server and the GitHub simulator: installing the app on
 * repositories without `.github/promoter.yml` opens one onboarding PR each, whose preview follows the
 * edits on its branch; merging it starts the promotions; closing it means "not now".
 */

const unit = (module: string, version: string) =>
  `terraform {\n  source = "git::https://github.com/acme/terraform-aws-${module}.git//modules/${module}?ref=${version}"\n}\n`;

let simulator: GitHubSimulator;
let app: AppProcess;
let installation: number;

const ONBOARDING = "promoter/configure";
const pullsFrom = (repo: string, head: string) =>
  simulator.pullRequests(repo).filter((pr) => pr.head === head);

beforeAll(async () => {
  let privateKey: string;
  ({ simulator, privateKey } = await startSimulator());
  installation = simulator.createInstallation("acme");
  for (const [name, tags] of [
    ["vpc", ["v1.0.0", "v1.1.0"]],
    ["sqs", ["v0.8.0", "v0.8.1"]],
  ] as const) {
    simulator.createRepository(installation, `acme/terraform-aws-${name}`, {
      files: { [`modules/${name}/main.tf`]: `variable "name" {}\n` },
    });
    for (const tag of tags) simulator.createTag(`acme/terraform-aws-${name}`, tag);
  }
  simulator.createRepository(installation, "acme/infra-live", {
    files: {
      "non-prod/us-east-1/qa/vpc/terragrunt.hcl": unit("vpc", "v1.0.0"),
      "non-prod/us-east-1/qa/sqs/terragrunt.hcl": unit("sqs", "v0.8.0"),
      "prod/us-east-1/prod/vpc/terragrunt.hcl": unit("vpc", "v1.0.0"),
      "root.hcl": "locals {}\n",
    },
  });
  simulator.addCollaborator("acme/infra-live", "alice", "write");
  simulator.createRepository(installation, "acme/later-live", {
    files: { "dev/vpc/terragrunt.hcl": unit("vpc", "v1.0.0") },
  });
  simulator.addCollaborator("acme/later-live", "alice", "write");
  simulator.createRepository(installation, "acme/docs", { files: { "README.md": "# docs\n" } });
  app = new AppProcess({
    port: await freePort(),
    env: {
      ...simulatorEnvironment(simulator, privateKey),
      // Only the installation event checks: the start-up pass of the scheduler waits a day.
      PROMOTER_SCHEDULER_FIRST_SPREAD: "86400",
      NODE_ENV: "test",
    },
  });
  simulator.setWebhookUrl(app.webhookUrl);
  await app.start();
}, 300_000);

afterAll(async () => {
  const code = await app?.stop();
  await simulator?.close();
  expect(code).toBe(0);
}, 120_000);

describe("onboarding end to end", () => {
  it("install → one onboarding PR with an inferred config and a preview → an edit re-renders it → merged → the first PRs", async () => {
    const repo = "acme/infra-live";
    await simulator.installationCreated(installation);
    const pr = await eventually("the onboarding PR", () => pullsFrom(repo, ONBOARDING)[0]);
    expect(pr.title).toBe("Configure Promoter");
    const config = simulator.files(repo, ONBOARDING)[".github/promoter.yml"] ?? "";
    const parsed = parseConfig(config, ".github/promoter.yml");
    expect(parsed.ok && parsed.config.environments.map((e) => [e.name, e.paths])).toEqual([
      ["qa", ["non-prod/us-east-1/qa/**"]],
      ["prod", ["prod/**"]],
    ]);
    expect(pr.body).toContain("- qa: `acme/terraform-aws-vpc/vpc` `v1.0.0` → `v1.1.0`");
    expect(pr.body).toContain("- qa: `acme/terraform-aws-sqs/sqs` `v0.8.0` → `v0.8.1`");
    // The repository without IaC files gets nothing; a second delivery opens no second PR.
    expect(simulator.pullRequests("acme/docs")).toEqual([]);
    await simulator.installationCreated(installation);
    await simulator.idle();

    // Alice renames the first environment on the branch: the preview follows.
    await simulator.push(
      repo,
      { ".github/promoter.yml": config.replace('name: "qa"', 'name: "test"') },
      { branch: ONBOARDING, by: "alice", message: "qa is test here" },
    );
    await eventually("the preview of the edited config", () =>
      (simulator.pullRequest(repo, pr.number).body ?? "").includes(
        "- test: `acme/terraform-aws-vpc/vpc`",
      ),
    );
    expect(pullsFrom(repo, ONBOARDING)).toHaveLength(1);

    await simulator.mergePullRequest(repo, pr.number, { by: "alice" });
    const first = await eventually("the first promotion PRs", () => {
      const opened = simulator
        .pullRequests(repo)
        .filter((p) => p.state === "open" && p.head.startsWith("promoter/test/"));
      return opened.length === 2 ? opened : undefined;
    });
    expect(first.map((p) => p.title).sort()).toEqual([
      "[promoter] test: acme/terraform-aws-sqs/sqs v0.8.0 → v0.8.1",
      "[promoter] test: acme/terraform-aws-vpc/vpc v1.0.0 → v1.1.0",
    ]);
  }, 300_000);

  it("closed without merging: never opened again, until /promoter onboard", async () => {
    const repo = "acme/later-live";
    const pr = await eventually("the onboarding PR", () => pullsFrom(repo, ONBOARDING)[0]);
    await simulator.closePullRequest(repo, pr.number, { by: "alice" });
    simulator.clearRequests();
    await simulator.installationCreated(installation);
    // The check of the repository ends with the listing that finds the declined PR and its branch.
    await eventually("the check after the close", () =>
      simulator.requests.some((r) => r.path === `/repos/${repo}/git/ref/heads/${ONBOARDING}`),
    );
    await simulator.idle();
    expect(pullsFrom(repo, ONBOARDING).map((p) => p.state)).toEqual(["closed"]);

    const issue = await simulator.openPullRequest(repo, {
      head: "alice-notes",
      title: "notes",
      files: { "NOTES.md": "hello\n" },
      by: "alice",
    });
    await simulator.comment(repo, issue.number, "alice", "/promoter onboard");
    const again = await eventually("the onboarding PR asked for", () =>
      pullsFrom(repo, ONBOARDING).find((p) => p.state === "open"),
    );
    await eventually("the reply", () =>
      simulator
        .comments(repo, issue.number)
        .find((c) => c.user === simulator.botLogin && c.body.includes(`#${again.number}`)),
    );
  }, 300_000);

  it("a PR that breaks the merged config: a failing promoter check run on its head, with the line", async () => {
    const repo = "acme/infra-live";
    const config = simulator.files(repo)[".github/promoter.yml"] ?? "";
    expect(config).toContain('name: "test"');
    const { number } = await simulator.openPullRequest(repo, {
      head: "alice-config",
      title: "prod by hand",
      files: { ".github/promoter.yml": config.replace("promotion: manual", "promotion: never") },
      by: "alice",
    });
    const head = simulator.pullRequest(repo, number).headSha;
    const run = await eventually("the failing config check run", () =>
      simulator.checkRuns(repo).find((r) => r.headSha === head && r.conclusion === "failure"),
    );
    expect(run.name).toBe("promoter");
    expect(run.summary).toMatch(
      /`\.github\/promoter\.yml:\d+:\d+` `environments\[1\]\.promotion`: must be one of "auto", "manual" \(got "never"\)/,
    );
  }, 300_000);

  it("made only requests that GitHub's OpenAPI description allows", () => {
    simulator.assertNoViolations();
  });
});
