import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GitHubSimulator } from "@promoter/github-simulator";
import { AppProcess } from "../support/app-process.js";
import { freePort } from "../support/free-port.js";
import { eventually, simulatorEnvironment, startSimulator } from "./harness.js";

/**
 * The whole product: the real server process receiving signed webhooks over HTTP from a GitHub that
 * keeps state (packages/github-simulator), every request checked against GitHub's OpenAPI description.
 */

const CHAIN = `environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
  - name: prod
    paths: ["prod/**"]
    promotion: manual
`;
const TWO = `environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
`;

/** Three environments promoted by merges, and a group of two of acme's modules. */
const GROUPED = `environments:
  - name: dev
    paths: ["dev/**"]
  - name: stage
    paths: ["stage/**"]
  - name: prod
    paths: ["prod/**"]
groups:
  - name: storage
    dependencies: ["acme/terraform-aws-s3/**", "acme/terraform-aws-ec2/**"]
`;

/** dev must apply cleanly and soak 3 seconds before stage gets its versions. */
const VERIFIED = `environments:
  - name: dev
    paths: ["dev/**"]
    verify:
      checks: ["terragrunt apply (dev)"]
      soak: 3s
  - name: stage
    paths: ["stage/**"]
`;

/** dev needs a smoke-test status and a successful deployment; a release waits 4 seconds before dev. */
const DEPLOYED = `environments:
  - name: dev
    paths: ["dev/**"]
    verify:
      checks: ["smoke"]
      deployment: dev
  - name: stage
    paths: ["stage/**"]
updates:
  minimumReleaseAge: 4s
`;

/** A unit pinning `module` of acme at `version`, with comments and inputs whose bytes must survive. */
const unit = (module: string, version: string) => `# ${module}: managed by the platform team
include "root" {
  path = find_in_parent_folders("root.hcl")
}

terraform {
  source = "git::https://github.com/acme/terraform-aws-${module}.git//modules/${module}?ref=${version}" # pinned
}

inputs = {
  name = "${module}-queue" # ${"${"}not interpolated here}
  tags = { team = "platform" }
}
`;

function liveFiles(
  config: string,
  envs: string[],
  modules: Record<string, string>,
  extra: Record<string, string> = {},
) {
  const files: Record<string, string> = { "root.hcl": "locals {}\n", ...extra };
  if (config) files[".github/promoter.yml"] = config;
  for (const env of envs) {
    for (const [module, version] of Object.entries(modules))
      files[`${env}/${module}/terragrunt.hcl`] = unit(module, version);
  }
  return files;
}

/** A Terraform module call of acme's net repository: at its root, or a subdirectory of it. */
const netModule = (subdir: string, version = "v1.0.0") =>
  `module "net" {\n  source = "git::https://github.com/acme/terraform-aws-net.git${subdir}?ref=${version}"\n}\n`;

const LATIN1_UNIT = "dev/elb/terragrunt.hcl";
/** A unit written in ISO-8859-1, with CRLF line ends: bytes that are not UTF-8 around the token. */
const latin1Unit = (version: string) =>
  Buffer.from(
    unit("elb", version).replace("# elb:", "# Grüße, élb:").replace(/\n/g, "\r\n"),
    "latin1",
  );

const ARTIFACT_CONFIG = `environments:
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
    releases: acme/payments-api
`;
const artifactTfvars = (version: string) =>
  `region               = "eu-west-1"\npayments_api_version = "${version}" # the app\n`;
const artifactLocals = (version: string) => `locals {\n  payments_api_version = "${version}"\n}\n`;

/** A unit pinning acme's acm module by commit SHA in a local, with the version it is in a comment. */
const shaUnit = (sha: string, version: string) =>
  `locals {\n  acm_ref = "${sha}" # ${version}\n}\n\nterraform {\n  source = "git::https://github.com/acme/terraform-aws-acm.git//modules/acm?ref=\${local.acm_ref}"\n}\n`;

/** Alice's branches under promoter/: one of the app's form with a proposal's name, a stray one, a free one. */
const PEOPLES_BRANCHES = [
  "promoter/dev/acme+terraform-aws-ecs+ecs",
  "promoter/dev/acme+terraform-aws-old+old",
  "promoter/rename-environments-wip",
];

let simulator: GitHubSimulator;
let app: AppProcess;
let privateKey: string;
/** The commit v1.0.0 of acme/terraform-aws-acm tags. */
let shaV1: string;
let installation: number;

const open = (repo: string, head: string) =>
  simulator.pullRequests(repo).filter((pr) => pr.state === "open" && pr.head === head);
const prFor = (repo: string, head: string) =>
  eventually(`an open PR from ${head} in ${repo}`, () => open(repo, head)[0]);
async function botComment(repo: string, number: number, text: string) {
  try {
    return await eventually(`a comment on ${repo}#${number} containing "${text}"`, () =>
      simulator
        .comments(repo, number)
        .find((c) => c.user === simulator.botLogin && c.body.includes(text)),
    );
  } catch (error) {
    const seen = simulator.comments(repo, number).map((c) => `${c.user}: ${c.body}`);
    throw new Error(`${(error as Error).message}; the comments are: ${JSON.stringify(seen)}`);
  }
}

/** The module repositories, each with its released tags; every scenario uses its own, so they do not interfere. */
function moduleRepository(name: string, tags: string[]) {
  simulator.createRepository(installation, `acme/terraform-aws-${name}`, {
    files: { [`modules/${name}/main.tf`]: `variable "name" {}\n` },
  });
  for (const tag of tags) simulator.createTag(`acme/terraform-aws-${name}`, tag);
}

/** Every live repository the scenarios created, for the start-up checks to cover. */
const livesCreated: string[] = [];

beforeAll(async () => {
  ({ simulator, privateKey } = await startSimulator());
  installation = simulator.createInstallation("acme");
  const createRepository = simulator.createRepository.bind(simulator);
  simulator.createRepository = (...args: Parameters<typeof createRepository>) => {
    if (args[1].startsWith("acme/live-")) livesCreated.push(args[1]);
    return createRepository(...args);
  };
  moduleRepository("vpc", ["v1.0.0"]);
  moduleRepository("sqs", ["v0.8.0"]);
  moduleRepository("dns", ["v1.0.0"]);
  moduleRepository("cdn", ["v2.0.0"]);
  moduleRepository("kms", ["v3.0.0"]);
  moduleRepository("sns", ["v1.0.0"]);
  moduleRepository("waf", ["v1.0.0", "v1.0.1"]);
  moduleRepository("iam", ["v1.0.0", "v1.1.0"]);
  moduleRepository("elb", ["v1.0.0", "v1.0.1"]);
  moduleRepository("ecs", ["v1.0.0", "v1.1.0"]);
  moduleRepository("rds", ["v1.0.0"]);
  moduleRepository("net", ["v1.0.0"]);
  moduleRepository("lb", ["v1.0.0"]);
  moduleRepository("nat", ["v1.0.0", "v1.1.0", "v1.2.0"]);
  moduleRepository("efs", ["v1.0.0", "v1.1.0"]);
  moduleRepository("ebs", ["v1.0.0", "v1.1.0"]);
  simulator.createRepository(installation, "acme/terraform-aws-acm", {
    files: { "modules/acm/main.tf": `variable "name" {}\n` },
  });
  simulator.createRepository(installation, "acme/live-chain", {
    files: liveFiles(CHAIN, ["dev", "stage", "prod"], { vpc: "v1.0.0", sqs: "v0.8.0" }),
  });
  simulator.addCollaborator("acme/live-chain", "alice", "write");
  simulator.addCollaborator("acme/live-chain", "bob", "read");
  simulator.createRepository(installation, "acme/live-twice", {
    files: liveFiles(TWO, ["dev", "stage"], { dns: "v1.0.0", cdn: "v2.0.0" }),
  });
  simulator.createRepository(installation, "acme/live-lost", {
    files: liveFiles(TWO, ["dev", "stage"], { kms: "v3.0.0" }),
  });
  simulator.createRepository(installation, "acme/live-faults", {
    files: liveFiles(TWO, ["dev", "stage"], { sns: "v1.0.0" }),
  });
  simulator.createRepository(installation, "acme/live-notes", {
    files: liveFiles(TWO, ["dev", "stage"], { rds: "v1.0.0" }),
  });
  simulator.addCollaborator("acme/live-notes", "alice", "write");
  simulator.createRepository(installation, "acme/live-config", {
    files: liveFiles("", ["dev", "stage"], { waf: "v1.0.0" }),
  });
  simulator.createRepository(installation, "acme/live-broken", {
    files: liveFiles(
      TWO,
      ["dev", "stage"],
      { iam: "v1.0.0" },
      { "dev/broken/terragrunt.hcl": "terraform {\n  source = \n" },
    ),
  });
  simulator.createRepository(installation, "acme/live-latin1", {
    files: { ...liveFiles(TWO, ["stage"], { elb: "v1.0.0" }), [LATIN1_UNIT]: latin1Unit("v1.0.0") },
  });
  simulator.createRepository(installation, "acme/live-people", {
    files: liveFiles(TWO, ["dev", "stage"], { ecs: "v1.0.0" }),
  });
  for (const branch of PEOPLES_BRANCHES)
    simulator.createBranch(
      "acme/live-people",
      branch,
      { "NOTES.md": "work in progress\n" },
      { by: "alice" },
    );
  simulator.createRepository(installation, "acme/live-nested", {
    files: {
      ...liveFiles(TWO, ["dev", "stage"], {}),
      "dev/net/main.tf": netModule(""),
      "dev/subnets/main.tf": netModule("//modules/subnets"),
    },
  });
  simulator.createRepository(installation, "acme/live-upgrade", {
    files: liveFiles(TWO, ["dev", "stage"], { lb: "v1.0.0" }),
  });
  simulator.createRepository(installation, "acme/live-edited", {
    files: liveFiles(TWO, ["dev", "stage"], { nat: "v1.0.0" }),
  });
  simulator.addCollaborator("acme/live-edited", "alice", "write");
  simulator.createRepository(installation, "acme/live-conflict", {
    files: liveFiles(TWO, ["dev", "stage"], { efs: "v1.0.0" }),
  });
  simulator.addCollaborator("acme/live-conflict", "alice", "write");
  simulator.createRepository(installation, "acme/live-bumped", {
    files: liveFiles(TWO, ["dev", "stage"], { ebs: "v1.0.0" }),
  });
  simulator.addCollaborator("acme/live-bumped", "alice", "write");
  simulator.createRepository(installation, "acme/payments-api", {
    files: { "README.md": "# payments-api\n" },
  });
  simulator.createTag("acme/payments-api", "v1.4.2");
  simulator.createRepository(installation, "acme/live-artifact", {
    files: {
      ".github/promoter.yml": ARTIFACT_CONFIG,
      "dev/dev.tfvars": artifactTfvars("1.4.2"),
      "stage/env.hcl": artifactLocals("1.4.2"),
      "prod/prod.tfvars": artifactTfvars("1.4.2"),
    },
  });
  shaV1 = simulator.createTag("acme/terraform-aws-acm", "v1.0.0", {
    files: { "modules/acm/main.tf": `variable "name" {}\n` },
  });
  simulator.createRepository(installation, "acme/live-sha", {
    files: {
      ...liveFiles(TWO, [], {}),
      "dev/acm/terragrunt.hcl": shaUnit(shaV1, "v1.0.0"),
      "stage/acm/terragrunt.hcl": shaUnit(shaV1, "v1.0.0"),
    },
  });
  moduleRepository("s3", ["v1.0.0"]);
  moduleRepository("ec2", ["v2.0.0"]);
  moduleRepository("ecr", ["v1.0.0", "v1.1.0"]);
  simulator.createRepository(installation, "acme/live-group", {
    files: liveFiles(GROUPED, ["dev", "stage", "prod"], {
      s3: "v1.0.0",
      ec2: "v2.0.0",
      ecr: "v1.0.0",
    }),
  });
  moduleRepository("cfn", ["v1.0.0"]);
  simulator.createRepository(installation, "acme/live-verify", {
    files: liveFiles(VERIFIED, ["dev", "stage"], { cfn: "v1.0.0" }),
  });
  moduleRepository("gw", ["v1.0.0"]);
  simulator.createRepository(installation, "acme/live-deploy", {
    files: liveFiles(DEPLOYED, ["dev", "stage"], { gw: "v1.0.0" }),
  });
  app = new AppProcess({
    port: await freePort(),
    env: { ...simulatorEnvironment(simulator, privateKey), NODE_ENV: "test" },
  });
  simulator.setWebhookUrl(app.webhookUrl);
  await app.start();
  // The start-up pass of the scheduler checks every repository once: the scenarios start after it,
  // so that none waits behind another repository's first check (acme/live-config has no config yet).
  await eventually(
    "the start-up checks",
    () =>
      livesCreated
        .filter((r) => r !== "acme/live-config")
        .every((r) => simulator.checkRuns(r).length > 0),
    280_000,
  );
}, 300_000);

afterAll(async () => {
  // SIGTERM lets the checks in flight finish; with writes spaced a second apart that can take a while.
  const code = await app?.stop();
  await simulator?.close();
  expect(code).toBe(0);
}, 120_000);

describe("end to end", () => {
  it("1. promotes a release through dev, stage and (by /promote) prod, carrying the exact version", async () => {
    const repo = "acme/live-chain";
    const original = simulator.files(repo);
    await simulator.publishRelease("acme/terraform-aws-vpc", "v1.1.0");
    const dev = await prFor(repo, "promoter/dev/acme+terraform-aws-vpc+vpc");
    expect(dev.title).toBe("[promoter] dev: acme/terraform-aws-vpc/vpc v1.0.0 → v1.1.0");
    await eventually("the dev PR's label", () =>
      simulator.pullRequest(repo, dev.number).labels.includes("promoter:dev"),
    );
    // A newer version comes out before the merge, quietly: stage must still get the version that ran in dev.
    simulator.createTag("acme/terraform-aws-vpc", "v1.2.0");
    await simulator.mergePullRequest(repo, dev.number, { by: "alice" });
    const stage = await prFor(repo, "promoter/stage/acme+terraform-aws-vpc+vpc");
    expect(stage.title).toBe("[promoter] stage: acme/terraform-aws-vpc/vpc v1.0.0 → v1.1.0");
    await botComment(
      repo,
      dev.number,
      `#${stage.number} to promote \`acme/terraform-aws-vpc/vpc\` \`v1.1.0\` to stage`,
    );
    await simulator.mergePullRequest(repo, stage.number, { by: "alice" });
    await botComment(repo, stage.number, "prod is promoted by hand");

    const refused = await simulator.comment(repo, stage.number, "bob", "/promote prod");
    await botComment(
      repo,
      stage.number,
      "@bob `/promote` needs write, maintain or admin permission",
    );
    expect(simulator.reactions(repo, refused.id)).toContainEqual({
      user: simulator.botLogin,
      content: "eyes",
    });
    expect(open(repo, "promoter/prod/acme+terraform-aws-vpc+vpc")).toEqual([]);

    await simulator.comment(repo, stage.number, "alice", "/promote prod");
    const prod = await prFor(repo, "promoter/prod/acme+terraform-aws-vpc+vpc");
    expect(prod.title).toBe("[promoter] prod: acme/terraform-aws-vpc/vpc v1.0.0 → v1.1.0");
    await botComment(repo, stage.number, `@alice Opened #${prod.number}`);
    await simulator.mergePullRequest(repo, prod.number, { by: "alice" });
    await botComment(repo, prod.number, "has reached prod, the end of the chain");

    const now = simulator.files(repo);
    for (const [path, content] of Object.entries(original)) {
      const expected = path.endsWith("vpc/terragrunt.hcl")
        ? content.replace("ref=v1.0.0", "ref=v1.1.0")
        : content;
      expect(now[path], path).toBe(expected);
    }
    expect(Object.keys(now).sort()).toEqual(Object.keys(original).sort());
  }, 300_000);

  it("2. a webhook delivered twice, and two merges at once: exactly one PR per environment and dependency", async () => {
    const repo = "acme/live-twice";
    await simulator.publishRelease("acme/terraform-aws-dns", "v1.1.0");
    await simulator.redeliverLast();
    await simulator.publishRelease("acme/terraform-aws-cdn", "v2.1.0");
    await simulator.redeliverLast();
    const dns = await prFor(repo, "promoter/dev/acme+terraform-aws-dns+dns");
    const cdn = await prFor(repo, "promoter/dev/acme+terraform-aws-cdn+cdn");
    await Promise.all([
      simulator.mergePullRequest(repo, dns.number, { by: "alice" }),
      simulator.mergePullRequest(repo, cdn.number, { by: "alice" }),
    ]);
    const stageDns = await prFor(repo, "promoter/stage/acme+terraform-aws-dns+dns");
    const stageCdn = await prFor(repo, "promoter/stage/acme+terraform-aws-cdn+cdn");
    await simulator.idle();
    // The merge follow-up opened it, or a check queued before it did: either way the comment names it.
    await botComment(repo, dns.number, `#${stageDns.number} to promote`);
    await botComment(repo, cdn.number, `#${stageCdn.number} to promote`);
    const heads = simulator.pullRequests(repo).map((pr) => pr.head);
    expect(heads.filter((h) => h.startsWith("promoter/")).sort()).toEqual([
      "promoter/dev/acme+terraform-aws-cdn+cdn",
      "promoter/dev/acme+terraform-aws-dns+dns",
      "promoter/stage/acme+terraform-aws-cdn+cdn",
      "promoter/stage/acme+terraform-aws-dns+dns",
    ]);
    expect(simulator.files(repo, stageDns.head)["stage/dns/terragrunt.hcl"]).toContain(
      "ref=v1.1.0",
    );
    expect(simulator.files(repo, stageCdn.head)["stage/cdn/terragrunt.hcl"]).toContain(
      "ref=v2.1.0",
    );
    await simulator.mergePullRequest(repo, stageDns.number, { by: "alice" });
    await simulator.mergePullRequest(repo, stageCdn.number, { by: "alice" });
    const files = simulator.files(repo);
    expect(files["stage/dns/terragrunt.hcl"]).toContain("ref=v1.1.0");
    expect(files["stage/cdn/terragrunt.hcl"]).toContain("ref=v2.1.0");
  }, 300_000);

  it("4. 502s and a secondary rate limit on writes: retried (retry-after waited out), and no branch is left without its PR", async () => {
    const repo = "acme/live-faults";
    simulator.failNext({ method: "POST", path: /\/git\/commits$/ }, 1, { status: 502 });
    simulator.failNext({ method: "POST", path: /^\/repos\/acme\/live-faults\/pulls$/ }, 1, {
      status: 403,
      secondaryRateLimit: true,
      retryAfterSeconds: 1,
    });
    await simulator.publishRelease("acme/terraform-aws-sns", "v1.0.1");
    // The first check retries the 502, and waits out the secondary rate limit (retry-after) and retries:
    // the PR opens, and no write is reported as failed.
    const pr = await prFor(repo, "promoter/dev/acme+terraform-aws-sns+sns");
    await eventually(
      "the check run",
      () => simulator.checkRuns(repo).at(-1)?.title === "1 pull request opened" && true,
    );
    expect(
      simulator.checkRuns(repo).filter((run) => run.title?.includes("could not be written")),
    ).toEqual([]);
    for (const branch of simulator.branches(repo).filter((b) => b.startsWith("promoter/"))) {
      expect(open(repo, branch), branch).toHaveLength(1);
    }
    expect(simulator.files(repo, pr.head)["dev/sns/terragrunt.hcl"]).toContain("ref=v1.0.1");
  }, 300_000);

  it("5. an invalid config pushed: a failing check run with line numbers and no PR; fixed: the PRs appear", async () => {
    const repo = "acme/live-config";
    // Without a config, its start-up check offers one: the onboarding PR.
    await prFor(repo, "promoter/configure");
    await simulator.push(
      repo,
      { ".github/promoter.yml": `${TWO}    promotion: sometimes\nupdates:\n  strategy: fastest\n` },
      { message: "Add Promoter", by: "alice" },
    );
    const failing = await eventually("the failing check run", () =>
      simulator.checkRuns(repo).find((run) => run.conclusion === "failure"),
    );
    expect(failing.headSha).toBe(simulator.branchSha(repo));
    expect(failing.summary).toContain(
      '.github/promoter.yml:6:16: environments[1].promotion: must be one of "auto", "manual"',
    );
    expect(failing.summary).toContain(".github/promoter.yml:8:13: updates.strategy");
    // The invalid config opened no PR: only the onboarding PR is there.
    expect(simulator.pullRequests(repo).map((p) => [p.head, p.state])).toEqual([
      ["promoter/configure", "open"],
    ]);
    await simulator.push(
      repo,
      { ".github/promoter.yml": TWO },
      { message: "Fix Promoter's config", by: "alice" },
    );
    const pr = await prFor(repo, "promoter/dev/acme+terraform-aws-waf+waf");
    expect(pr.title).toBe("[promoter] dev: acme/terraform-aws-waf/waf v1.0.0 → v1.0.1");
    // The config alice wrote by hand makes the onboarding PR needless: closed, saying so.
    await eventually("the onboarding PR closed", () =>
      simulator
        .pullRequests(repo)
        .find((p) => p.head === "promoter/configure" && p.state === "closed"),
    );
  }, 300_000);

  it("6. one unparseable HCL file: a warning in the check run, the other dependencies still promoted", async () => {
    const repo = "acme/live-broken";
    // The start-up check already found iam v1.1.0.
    const pr = await prFor(repo, "promoter/dev/acme+terraform-aws-iam+iam");
    expect(pr.title).toBe("[promoter] dev: acme/terraform-aws-iam/iam v1.0.0 → v1.1.0");
    const run = await eventually("the check run", () => simulator.checkRuns(repo).at(-1));
    expect(run.text).toContain(
      "`dev/broken/terragrunt.hcl`: 2:12: syntax error: expected an expression, found end of line",
    );
  }, 300_000);

  it("3. a lost merge webhook: the next scheduled check opens the stage PR", async () => {
    const repo = "acme/live-lost";
    await simulator.publishRelease("acme/terraform-aws-kms", "v3.1.0");
    const dev = await prFor(repo, "promoter/dev/acme+terraform-aws-kms+kms");
    simulator.dropWebhooks("pull_request", 1);
    await simulator.mergePullRequest(repo, dev.number, { by: "alice" });
    await simulator.idle();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(open(repo, "promoter/stage/acme+terraform-aws-kms+kms")).toEqual([]);
    // A new process has checked nothing yet: its first scheduler pass checks every repository.
    expect(await app.stop()).toBe(0);
    await app.start();
    const stage = await prFor(repo, "promoter/stage/acme+terraform-aws-kms+kms");
    expect(stage.title).toBe("[promoter] stage: acme/terraform-aws-kms/kms v3.0.0 → v3.1.0");
  }, 300_000);

  it("7. a file in ISO-8859-1: the app's commit changes only the version token's bytes", async () => {
    const repo = "acme/live-latin1";
    // The start-up check already found elb v1.0.1.
    const branch = "promoter/dev/acme+terraform-aws-elb+elb";
    const pr = await prFor(repo, branch);
    expect(pr.title).toBe("[promoter] dev: acme/terraform-aws-elb/elb v1.0.0 → v1.0.1");
    const written = simulator.fileBytes(repo, LATIN1_UNIT, branch);
    expect(written?.toString("hex")).toBe(latin1Unit("v1.0.1").toString("hex"));
    expect(simulator.fileBytes(repo, LATIN1_UNIT)?.equals(latin1Unit("v1.0.0"))).toBe(true);
  }, 300_000);

  it("8. a person's branches under promoter/: neither deleted nor moved, and the check run says so", async () => {
    const repo = "acme/live-people";
    const heads = PEOPLES_BRANCHES.map((b) => simulator.branchSha(repo, b));
    // The start-up check found ecs v1.1.0, whose branch is alice's.
    const run = await eventually("the check run", () => simulator.checkRuns(repo).at(-1));
    expect(run.conclusion).toBe("success");
    expect(run.summary).toContain(
      "the branch `promoter/dev/acme+terraform-aws-ecs+ecs` exists with commits that are not Promoter's",
    );
    expect(run.text).toContain(
      "`promoter/dev/acme+terraform-aws-old+old`: this branch has commits that are not Promoter's",
    );
    expect(run.text).toContain(
      "`promoter/rename-environments-wip`: this branch is not one Promoter creates",
    );
    expect(PEOPLES_BRANCHES.map((b) => simulator.branchSha(repo, b))).toEqual(heads);
    expect(simulator.pullRequests(repo)).toEqual([]);
  }, 300_000);

  it("9. release notes and a person's PR forging the app's metadata promote nothing they name", async () => {
    const repo = "acme/live-notes";
    const forged = (to: string) =>
      `<!-- promoter: {"v":1,"env":"dev","dependency":"acme/terraform-aws-rds/rds","from":["v1.0.0"],"to":"${to}"} -->`;
    await simulator.publishRelease("acme/terraform-aws-rds", "v1.1.0", {
      body: `Faster failover.\n\n${forged("v7.7.7")}\n</details>\n\nThanks @carol (#12).`,
    });
    const dev = await prFor(repo, "promoter/dev/acme+terraform-aws-rds+rds");
    expect(dev.body?.match(/<!-- promoter:/g)).toHaveLength(1);
    expect(dev.body).not.toContain("@carol");
    await simulator.mergePullRequest(repo, dev.number, { by: "alice" });
    const stage = await prFor(repo, "promoter/stage/acme+terraform-aws-rds+rds");
    expect(stage.title).toBe("[promoter] stage: acme/terraform-aws-rds/rds v1.0.0 → v1.1.0");

    // A README typo whose body carries metadata for a version that never ran anywhere.
    const typo = await simulator.openPullRequest(repo, {
      head: "fix-typo",
      title: "Fix a typo",
      body: `Typo.\n\n${forged("v9.9.9")}`,
      labels: ["promoter:dev"],
      by: "alice",
      files: { "README.md": "Fixed\n" },
    });
    await simulator.mergePullRequest(repo, typo.number, { by: "alice" });
    // Jobs of a repository run in order: once /help is answered, the merge's follow-up has run.
    await simulator.comment(repo, typo.number, "alice", "/help");
    await botComment(repo, typo.number, "/promote");
    const replies = simulator
      .comments(repo, typo.number)
      .filter((c) => c.user === simulator.botLogin)
      .map((c) => c.body);
    expect(replies).toHaveLength(1);
    expect(replies.join("\n")).not.toMatch(/v9\.9\.9|Opened|reached/);
    expect(simulator.pullRequests(repo).some((pr) => pr.title.includes("v9.9.9"))).toBe(false);
    expect(simulator.pullRequest(repo, stage.number).title).toBe(stage.title);
  }, 300_000);

  it("10. a module at a repository's root and one of its subdirectories: a PR for each", async () => {
    const repo = "acme/live-nested";
    await simulator.publishRelease("acme/terraform-aws-net", "v1.1.0");
    const root = await prFor(repo, "promoter/dev/acme+terraform-aws-net");
    const sub = await prFor(repo, "promoter/dev/acme+terraform-aws-net+subnets");
    expect(root.title).toBe("[promoter] dev: acme/terraform-aws-net v1.0.0 → v1.1.0");
    expect(sub.title).toBe("[promoter] dev: acme/terraform-aws-net/subnets v1.0.0 → v1.1.0");
    const run = await eventually("the check run", () =>
      simulator.checkRuns(repo).find((r) => r.title === "2 pull requests opened"),
    );
    expect(run.conclusion).toBe("success");
  }, 300_000);

  it("11. an open PR from before the branch naming changed: updated in place, no second PR", async () => {
    const repo = "acme/live-upgrade";
    const legacy = "promoter/dev/acme/terraform-aws-lb/lb";
    // What the app of an earlier version left: its commit on the branch of the old form, and its PR.
    simulator.createBranch(
      repo,
      legacy,
      { "dev/lb/terragrunt.hcl": unit("lb", "v1.1.0") },
      {
        by: simulator.botLogin,
        message: "[promoter] dev: acme/terraform-aws-lb/lb v1.0.0 → v1.1.0",
      },
    );
    const metadata = `<!-- promoter: {"v":1,"env":"dev","dependency":"acme/terraform-aws-lb/lb","from":["v1.0.0"],"to":"v1.1.0"} -->`;
    const old = await simulator.openPullRequest(repo, {
      head: legacy,
      title: "[promoter] dev: acme/terraform-aws-lb/lb v1.0.0 → v1.1.0",
      body: `Promoter updates it.\n\n${metadata}`,
      labels: ["promoter:dev"],
      by: simulator.botLogin,
    });
    simulator.createTag("acme/terraform-aws-lb", "v1.1.0");
    await simulator.publishRelease("acme/terraform-aws-lb", "v1.2.0");
    await eventually("the legacy PR updated to v1.2.0", () =>
      simulator.pullRequest(repo, old.number).title.endsWith("→ v1.2.0"),
    );
    expect(simulator.files(repo, legacy)["dev/lb/terragrunt.hcl"]).toContain("ref=v1.2.0");
    expect(simulator.pullRequests(repo).map((pr) => pr.head)).toEqual([legacy]);
    expect(simulator.branches(repo).filter((b) => b.startsWith("promoter/"))).toEqual([legacy]);
    // Merging it promotes to stage, on a branch of the new form.
    await simulator.mergePullRequest(repo, old.number, { by: "alice" });
    const stage = await prFor(repo, "promoter/stage/acme+terraform-aws-lb+lb");
    expect(stage.title).toBe("[promoter] stage: acme/terraform-aws-lb/lb v1.0.0 → v1.2.0");
  }, 300_000);

  it("12. a person changed the version in the app's PR before merging: the next environment gets what was merged", async () => {
    const repo = "acme/live-edited";
    // The start-up check proposed nat v1.2.0; alice wants only v1.1.0 for now.
    const dev = await prFor(repo, "promoter/dev/acme+terraform-aws-nat+nat");
    expect(dev.title).toBe("[promoter] dev: acme/terraform-aws-nat/nat v1.0.0 → v1.2.0");
    await simulator.push(
      repo,
      { "dev/nat/terragrunt.hcl": unit("nat", "v1.1.0") },
      { branch: dev.head, by: "alice", message: "Only v1.1.0 for now" },
    );
    await simulator.mergePullRequest(repo, dev.number, { by: "alice" });
    const stage = await prFor(repo, "promoter/stage/acme+terraform-aws-nat+nat");
    expect(stage.title).toBe("[promoter] stage: acme/terraform-aws-nat/nat v1.0.0 → v1.1.0");
    expect(simulator.files(repo, stage.head)["stage/nat/terragrunt.hcl"]).toContain("ref=v1.1.0");
  }, 300_000);

  it("13. a person's change to the same file on the default branch: the app's PR rebuilt, and it merges", async () => {
    const repo = "acme/live-conflict";
    const file = "dev/efs/terragrunt.hcl";
    const dev = await prFor(repo, "promoter/dev/acme+terraform-aws-efs+efs");
    const before = dev.headSha;
    const changed = unit("efs", "v1.0.0").replace('team = "platform"', 'team = "storage"');
    await simulator.push(repo, { [file]: changed }, { by: "alice", message: "Storage owns efs" });
    // Both sides changed the file: as it stands, the PR cannot be merged.
    await expect(simulator.mergePullRequest(repo, dev.number, { by: "alice" })).rejects.toThrow(
      /cannot be merged/,
    );
    await simulator.dispatch(repo, "new_module_release");
    await eventually(
      "the PR rebuilt on the new head",
      () => simulator.pullRequest(repo, dev.number).headSha !== before,
    );
    await simulator.idle();
    const rebuilt = simulator.pullRequest(repo, dev.number);
    expect(rebuilt.state).toBe("open");
    expect(rebuilt.title).toBe(dev.title);
    expect(simulator.files(repo, rebuilt.head)[file]).toBe(
      changed.replace("ref=v1.0.0", "ref=v1.1.0"),
    );
    expect(simulator.comments(repo, dev.number)).toEqual([]);
    const run = await eventually("the check run", () =>
      simulator.checkRuns(repo).find((r) => r.summary?.includes("it no longer merges cleanly")),
    );
    expect(run.title).toBe("1 pull request updated");
    await simulator.mergePullRequest(repo, dev.number, { by: "alice" });
    expect(simulator.files(repo)[file]).toBe(changed.replace("ref=v1.0.0", "ref=v1.1.0"));
  }, 300_000);

  it("14. a person bumps the version by hand: the app's PR closed with a comment, its branch deleted", async () => {
    const repo = "acme/live-bumped";
    const file = "dev/ebs/terragrunt.hcl";
    const dev = await prFor(repo, "promoter/dev/acme+terraform-aws-ebs+ebs");
    await simulator.push(
      repo,
      { [file]: unit("ebs", "v1.1.0") },
      { by: "alice", message: "ebs v1.1.0" },
    );
    await simulator.dispatch(repo, "new_module_release");
    await botComment(
      repo,
      dev.number,
      "Promoter closed this pull request and deleted its branch: dev already runs `acme/terraform-aws-ebs/ebs` `v1.1.0`.",
    );
    await eventually(
      "the PR closed",
      () => simulator.pullRequest(repo, dev.number).state === "closed",
    );
    expect(simulator.pullRequest(repo, dev.number).merged).toBe(false);
    await eventually("its branch deleted", () => !simulator.branches(repo).includes(dev.head));
    expect(simulator.comments(repo, dev.number)).toHaveLength(1);
    // What alice brought to dev goes on to stage as usual.
    const stage = await prFor(repo, "promoter/stage/acme+terraform-aws-ebs+ebs");
    expect(stage.title).toBe("[promoter] stage: acme/terraform-aws-ebs/ebs v1.0.0 → v1.1.0");
    const run = await eventually("the check run", () =>
      simulator.checkRuns(repo).find((r) => r.summary?.includes("**Closed**")),
    );
    expect(run.title).toBe("1 pull request opened, 1 pull request closed");
  }, 300_000);

  it("18. a module pinned by commit SHA with its version in a comment: the next tag's SHA and comment, dev then stage", async () => {
    const repo = "acme/live-sha";
    const file = "dev/acm/terragrunt.hcl";
    const shaV2 = simulator.createTag("acme/terraform-aws-acm", "v1.1.0", {
      files: { "modules/acm/main.tf": `variable "name" {}\nvariable "zone" {}\n` },
    });
    expect(shaV2).not.toBe(shaV1);
    await simulator.publishRelease("acme/terraform-aws-acm", "v1.1.0");
    const dev = await prFor(repo, "promoter/dev/acme+terraform-aws-acm+acm");
    expect(dev.title).toBe("[promoter] dev: acme/terraform-aws-acm/acm v1.0.0 → v1.1.0");
    expect(simulator.files(repo, dev.head)[file]).toBe(shaUnit(shaV2, "v1.1.0"));
    await simulator.mergePullRequest(repo, dev.number, { by: "alice" });
    const stage = await prFor(repo, "promoter/stage/acme+terraform-aws-acm+acm");
    expect(simulator.files(repo, stage.head)["stage/acm/terragrunt.hcl"]).toBe(
      shaUnit(shaV2, "v1.1.0"),
    );
    await simulator.mergePullRequest(repo, stage.number, { by: "alice" });
    expect(simulator.files(repo)["stage/acm/terragrunt.hcl"]).toBe(shaUnit(shaV2, "v1.1.0"));
  }, 300_000);

  it("19. an artifact version from its repository's release through dev, stage and prod, exactly", async () => {
    const repo = "acme/live-artifact";
    await simulator.publishRelease("acme/payments-api", "v1.5.0");
    const dev = await prFor(repo, "promoter/dev/payments-api");
    expect(dev.title).toBe("[promoter] dev: payments-api 1.4.2 → v1.5.0");
    expect(simulator.files(repo, dev.head)["dev/dev.tfvars"]).toBe(artifactTfvars("1.5.0"));
    // A newer release before the merge: stage must still get what ran in dev.
    simulator.createTag("acme/payments-api", "v1.6.0");
    await simulator.mergePullRequest(repo, dev.number, { by: "alice" });
    const stage = await prFor(repo, "promoter/stage/payments-api");
    expect(stage.title).toBe("[promoter] stage: payments-api 1.4.2 → 1.5.0");
    expect(simulator.files(repo, stage.head)["stage/env.hcl"]).toBe(artifactLocals("1.5.0"));
    await simulator.mergePullRequest(repo, stage.number, { by: "alice" });
    const prod = await prFor(repo, "promoter/prod/payments-api");
    await simulator.mergePullRequest(repo, prod.number, { by: "alice" });
    const files = simulator.files(repo);
    expect(files["prod/prod.tfvars"]).toBe(artifactTfvars("1.5.0"));
    expect(files["stage/env.hcl"]).toBe(artifactLocals("1.5.0"));
  }, 300_000);

  it("15. a group of two modules through dev, stage and prod in one PR per environment, each at its exact version", async () => {
    const repo = "acme/live-group";
    const original = simulator.files(repo);
    const members = (versions: string) => `(acme/terraform-aws-ec2/ec2 ${versions})`;
    await simulator.publishRelease("acme/terraform-aws-s3", "v1.1.0");
    await simulator.publishRelease("acme/terraform-aws-ec2", "v2.1.0");
    // Its first release opens the group's PR; the second one updates it in place.
    const dev = await eventually("the dev group PR with both members", () =>
      open(repo, "promoter/dev/group-storage").find(
        (pr) => pr.title.includes("ec2 v2.1.0") && pr.title.includes("s3 v1.1.0"),
      ),
    );
    expect(dev.title).toBe(
      "[promoter] dev: storage (acme/terraform-aws-ec2/ec2 v2.1.0, acme/terraform-aws-s3/s3 v1.1.0)",
    );
    // A module outside the group keeps a PR of its own.
    await prFor(repo, "promoter/dev/acme+terraform-aws-ecr+ecr");
    // A newer s3 comes out quietly before the merge: stage must still get what ran in dev.
    simulator.createTag("acme/terraform-aws-s3", "v1.2.0");
    await simulator.mergePullRequest(repo, dev.number, { by: "alice" });
    const stage = await prFor(repo, "promoter/stage/group-storage");
    expect(stage.title).toBe(
      "[promoter] stage: storage (acme/terraform-aws-ec2/ec2 v2.1.0, acme/terraform-aws-s3/s3 v1.1.0)",
    );
    await botComment(
      repo,
      dev.number,
      `Opened #${stage.number} to promote \`acme/terraform-aws-s3/s3\` \`v1.1.0\` to stage.`,
    );
    expect(simulator.comments(repo, dev.number).at(-1)?.body).toContain(
      `#${stage.number} to promote \`acme/terraform-aws-ec2/ec2\` \`v2.1.0\` to stage`,
    );
    await simulator.mergePullRequest(repo, stage.number, { by: "alice" });
    const prod = await prFor(repo, "promoter/prod/group-storage");
    expect(prod.title).toBe(
      `[promoter] prod: storage ${members("v2.1.0, acme/terraform-aws-s3/s3 v1.1.0")}`,
    );
    await simulator.mergePullRequest(repo, prod.number, { by: "alice" });
    await botComment(
      repo,
      prod.number,
      "`acme/terraform-aws-s3/s3` `v1.1.0` has reached prod, the end of the chain.",
    );
    // One PR per environment for the group, none per member. A later check may open dev's next one,
    // for the quiet s3 v1.2.0: dev's PRs beyond the merged one carry only versions stage never got.
    const heads = simulator
      .pullRequests(repo)
      .filter((pr) => /s3|ec2|storage/.test(pr.head))
      .map((pr) => pr.head);
    expect(heads.filter((h) => h !== "promoter/dev/group-storage").sort()).toEqual([
      "promoter/prod/group-storage",
      "promoter/stage/group-storage",
    ]);
    for (const pr of simulator
      .pullRequests(repo)
      .filter((p) => p.head === "promoter/dev/group-storage" && p.number !== dev.number))
      expect(pr.title).toContain("acme/terraform-aws-s3/s3 v1.2.0");
    const now = simulator.files(repo);
    for (const [path, content] of Object.entries(original)) {
      const expected = path.endsWith("s3/terragrunt.hcl")
        ? content.replace("ref=v1.0.0", "ref=v1.1.0")
        : path.endsWith("ec2/terragrunt.hcl")
          ? content.replace("ref=v2.0.0", "ref=v2.1.0")
          : content;
      if (!path.includes("/ecr/")) expect(now[path], path).toBe(expected);
    }
  }, 300_000);

  it("16. verify: no stage PR while dev's apply runs or failed; a re-run's success, reported or not, and a 3-second soak open it with the dev version", async () => {
    const repo = "acme/live-verify";
    const apply = "terragrunt apply (dev)";
    await simulator.publishRelease("acme/terraform-aws-cfn", "v1.1.0");
    const dev = await prFor(repo, "promoter/dev/acme+terraform-aws-cfn+cfn");
    await simulator.mergePullRequest(repo, dev.number, { by: "alice" });
    const merge = simulator.branchSha(repo);
    await botComment(repo, dev.number, "v1.1.0 waits for verification in dev");
    const running = await simulator.reportCheckRun(repo, apply, {
      sha: merge,
      status: "in_progress",
    });
    await simulator.reportCheckRun(repo, apply, { id: running.id, conclusion: "failure" });
    await eventually("the check run saying apply failed", () =>
      simulator
        .checkRuns(repo)
        .some(
          (r) => r.name === "promoter" && r.text?.includes("stopped: verification failed in dev"),
        ),
    );
    expect(open(repo, "promoter/stage/acme+terraform-aws-cfn+cfn")).toEqual([]);
    await botComment(
      repo,
      dev.number,
      "Promoter stopped `acme/terraform-aws-cfn/cfn` `v1.1.0` on its way to stage: verification failed in dev",
    );
    // The re-run's success is never delivered: the next check finds it, then the soak's end opens stage.
    await simulator.reportCheckRun(repo, apply, {
      sha: merge,
      conclusion: "success",
      deliver: false,
    });
    await simulator.dispatch(repo, "new_module_release");
    await eventually("the check run saying dev soaks", () =>
      simulator
        .checkRuns(repo)
        .some((r) => r.name === "promoter" && r.text?.includes("soaks in dev until")),
    );
    expect(open(repo, "promoter/stage/acme+terraform-aws-cfn+cfn")).toEqual([]);
    const stage = await prFor(repo, "promoter/stage/acme+terraform-aws-cfn+cfn");
    expect(stage.title).toBe("[promoter] stage: acme/terraform-aws-cfn/cfn v1.0.0 → v1.1.0");
  }, 300_000);

  it("17. minimumReleaseAge holds a fresh release back 4 seconds; then dev's smoke status and deployment open stage", async () => {
    const repo = "acme/live-deploy";
    const devHead = "promoter/dev/acme+terraform-aws-gw+gw";
    await simulator.publishRelease("acme/terraform-aws-gw", "v1.1.0");
    await eventually("the check run saying the release is too fresh", () =>
      simulator
        .checkRuns(repo)
        .some((r) => r.name === "promoter" && r.text?.includes("(updates.minimumReleaseAge)")),
    );
    expect(open(repo, devHead)).toEqual([]);
    const dev = await prFor(repo, devHead);
    await simulator.mergePullRequest(repo, dev.number, { by: "alice" });
    const merge = simulator.branchSha(repo);
    await botComment(repo, dev.number, "waits for verification in dev");
    await simulator.setCommitStatus(repo, "smoke", "success", { sha: merge });
    await eventually("the check run waiting for the deployment", () =>
      simulator
        .checkRuns(repo)
        .some(
          (r) =>
            r.name === "promoter" &&
            r.headSha === merge &&
            r.text?.includes("no deployment to `dev`"),
        ),
    );
    expect(open(repo, "promoter/stage/acme+terraform-aws-gw+gw")).toEqual([]);
    const deployment = simulator.createDeployment(repo, "dev", { sha: merge });
    await simulator.setDeploymentStatus(repo, deployment, "success", {
      logUrl: "https://ci.example/deploy/1",
    });
    const stage = await prFor(repo, "promoter/stage/acme+terraform-aws-gw+gw").catch(
      (error: Error) => {
        const runs = simulator
          .checkRuns(repo)
          .map((r) => `${r.headSha.slice(0, 7)}: ${r.text ?? ""}`);
        throw new Error(`${error.message}; the check runs: ${JSON.stringify(runs.slice(-2))}`);
      },
    );
    expect(stage.title).toBe("[promoter] stage: acme/terraform-aws-gw/gw v1.0.0 → v1.1.0");
    const body = simulator.pullRequest(repo, stage.number).body ?? "";
    expect(body).toContain("### Verified in dev");
    expect(body).toContain("status `smoke` succeeded on");
    expect(body).toContain("the deployment to `dev` succeeded");
  }, 300_000);

  it("made only requests that GitHub's OpenAPI description allows", () => {
    simulator.assertNoViolations();
  });
});
