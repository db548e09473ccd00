#!/usr/bin/env node
// Deterministic generator of a synthetic Gruntwork-style Terragrunt "infrastructure-live" repository.
//
//   node bench/generate-live-repo.mjs <dir> [--units 20000] [--seed 1]
//
// Layout:
//   root.hcl                                   remote state + provider generation
//   .github/promoter.yml                       three environments: dev, stage, prod
//   _envcommon/<module>.hcl                    locals { base_source_url = "git::git@github.com:acme/…//modules/<m>" }
//   <env>-account<N>/account.hcl
//   <env>-account<N>/<region>/region.hcl
//   <env>-account<N>/<region>/<service>/<unit>/terragrunt.hcl   (and, for ~1% of units, modules.tf)
//
// Unit forms (of terragrunt.hcl): ~60% a direct git source with ?ref= (several URL spellings),
// ~25% an `include "envcommon"` plus `source = "${include.envcommon.locals.base_source_url}?ref=…"`,
// ~10% `?ref=${local.version}`, ~5% `tfr:///ns/name/provider?version=…`. Every unit includes root.hcl.
//
// Everything comes from a seeded PRNG (mulberry32): the same (units, seed) always gives the same bytes.

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRandom(seed) {
  const next = mulberry32(seed * 2654435761 + 12345);
  const int = (min, max) => min + Math.floor(next() * (max - min + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  return { next, int, pick, chance };
}

// ---------------------------------------------------------------------------------------------
// The catalogue: ~10 module repositories, ~30 modules, each repository with its released versions
// (oldest first). Environments further down the chain pin older versions.

const ORG = "acme";

/** The module repositories (oldest version first); exported for the cold-check bench. */
export const REPOSITORIES = [
  {
    repo: "terraform-aws-vpc",
    modules: ["vpc", "vpc-flow-logs", "vpc-peering"],
    versions: ["v0.26.1", "v0.26.2", "v0.27.0", "v0.27.3", "v0.28.0", "v0.28.1"],
  },
  {
    repo: "terraform-aws-eks",
    modules: ["eks-cluster-control-plane", "eks-cluster-workers", "eks-alb-ingress-controller"],
    versions: ["v0.65.0", "v0.66.2", "v0.67.0", "v0.67.4", "v0.68.0"],
  },
  {
    repo: "terraform-aws-data-storage",
    modules: ["rds", "aurora", "redis", "efs"],
    versions: ["v0.34.0", "v0.35.1", "v0.36.0", "v0.37.2", "v0.38.0", "v0.38.1"],
  },
  {
    repo: "terraform-aws-messaging",
    modules: ["sqs", "sns", "kinesis"],
    versions: ["v0.11.0", "v0.11.2", "v0.12.0", "v0.12.5", "v0.13.0"],
  },
  {
    repo: "terraform-aws-security",
    modules: ["iam-roles", "kms-master-key", "custom-iam-entity"],
    versions: ["v0.72.0", "v0.73.1", "v0.74.0", "v0.74.3", "v0.75.0"],
  },
  {
    repo: "terraform-aws-load-balancer",
    modules: ["alb", "nlb", "acm-tls-certificate"],
    versions: ["v0.29.14", "v0.29.20", "v0.30.0", "v0.30.2", "v0.31.0"],
  },
  {
    repo: "terraform-aws-monitoring",
    modules: ["cloudwatch-alarms", "cloudwatch-dashboard", "sns-alarm-topic"],
    versions: ["v0.36.4", "v0.36.10", "v0.37.0", "v0.38.0", "v0.38.2"],
  },
  {
    repo: "terraform-aws-lambda",
    modules: ["lambda", "lambda-edge", "scheduled-lambda-job"],
    versions: ["v0.21.9", "v0.22.0", "v0.23.0", "v0.23.1", "v1.0.0"],
  },
  {
    repo: "terraform-aws-static-assets",
    modules: ["s3-cloudfront", "s3-static-website"],
    versions: ["v0.17.2", "v0.18.0", "v0.18.1", "v0.19.0"],
  },
  {
    repo: "terraform-aws-service-catalog",
    modules: ["ecs-service", "ecs-cluster", "k8s-service"],
    versions: ["v0.104.0", "v0.105.1", "v0.106.0", "v0.107.2", "v0.108.0", "v0.109.1"],
  },
];

/** module name → { repo, module, versions } */
const MODULES = new Map();
for (const r of REPOSITORIES) {
  for (const m of r.modules) MODULES.set(m, { repo: r.repo, module: m, versions: r.versions });
}

/** Terraform registry modules, used by the tfr:/// units and by the .tf files (and the cold-check bench). */
export const REGISTRY_MODULES = [
  { source: "terraform-aws-modules/vpc/aws", versions: ["5.1.0", "5.5.3", "5.8.1"] },
  { source: "terraform-aws-modules/s3-bucket/aws", versions: ["3.15.1", "4.1.2", "4.2.1"] },
  { source: "terraform-aws-modules/iam/aws", versions: ["5.30.0", "5.39.1", "5.44.0"] },
  { source: "terraform-aws-modules/security-group/aws", versions: ["5.1.0", "5.1.2", "5.2.0"] },
  { source: "terraform-aws-modules/rds/aws", versions: ["6.1.1", "6.5.4", "6.9.0"] },
];

/** service folder → the modules its units use */
const SERVICES = {
  networking: ["vpc", "vpc-flow-logs", "vpc-peering", "nlb"],
  "data-stores": ["rds", "aurora", "redis", "efs"],
  messaging: ["sqs", "sns", "kinesis"],
  services: ["ecs-service", "ecs-cluster", "k8s-service", "lambda", "scheduled-lambda-job"],
  kubernetes: ["eks-cluster-control-plane", "eks-cluster-workers", "eks-alb-ingress-controller"],
  security: ["iam-roles", "kms-master-key", "custom-iam-entity", "acm-tls-certificate"],
  monitoring: ["cloudwatch-alarms", "cloudwatch-dashboard", "sns-alarm-topic"],
  edge: ["alb", "s3-cloudfront", "s3-static-website", "lambda-edge"],
};
const SERVICE_NAMES = Object.keys(SERVICES);

const ENVIRONMENTS = ["dev", "stage", "prod"];
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
const APP_WORDS = [
  "orders", "billing", "checkout", "search", "catalog", "payments", "users", "auth", "reports",
  "events", "audit", "inventory", "shipping", "emails", "media", "analytics", "ledger", "quotes",
  "profiles", "gateway", "notifications", "pricing", "returns", "reviews", "sessions", "tickets",
]; // prettier-ignore
const TEAMS = ["platform", "payments", "growth", "data", "core", "identity"];
const INSTANCE_TYPES = ["t3.micro", "t3.small", "t3.medium", "m5.large", "m6i.xlarge", "r6g.large"];

/** Units per (account, region, service) folder before another account is added. */
const UNITS_PER_SERVICE = 20;

// ---------------------------------------------------------------------------------------------
// File templates

const PROMOTER_YML = `# Promoter configuration (generated for the benchmark)
environments:
  - name: dev
    paths: ["dev-*/**"]
  - name: stage
    paths: ["stage-*/**"]
  - name: prod
    paths: ["prod-*/**"]
    promotion: manual
updates:
  strategy: next-safe
  schedule: "daily"
  ignore: []
`;

const ROOT_HCL = `# ---------------------------------------------------------------------------------------------------------------------
# TERRAGRUNT ROOT CONFIGURATION
# Every unit includes this file. It configures remote state and generates the AWS provider.
# ---------------------------------------------------------------------------------------------------------------------

locals {
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))

  account_name = local.account_vars.locals.account_name
  account_id   = local.account_vars.locals.aws_account_id
  aws_region   = local.region_vars.locals.aws_region
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
provider "aws" {
  region              = "\${local.aws_region}"
  allowed_account_ids = ["\${local.account_id}"]
}
EOF
}

remote_state {
  backend = "s3"
  config = {
    encrypt        = true
    bucket         = "acme-terraform-state-\${local.account_name}-\${local.aws_region}"
    key            = "\${path_relative_to_include()}/terraform.tfstate"
    region         = local.aws_region
    dynamodb_table = "terraform-locks"
  }
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
}

inputs = merge(
  local.account_vars.locals,
  local.region_vars.locals,
)
`;

function envcommonHcl(mod) {
  return `# ---------------------------------------------------------------------------------------------------------------------
# COMMON TERRAGRUNT CONFIGURATION FOR ${mod.module.toUpperCase()}
# Included by the units of every environment that deploy this module.
# ---------------------------------------------------------------------------------------------------------------------

locals {
  # Expose the base source URL so different versions of the module can be deployed in different environments.
  base_source_url = "git::git@github.com:${ORG}/${mod.repo}.git//modules/${mod.module}"

  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
  account_name = local.account_vars.locals.account_name
}

inputs = {
  name_prefix = "\${local.account_name}-${mod.module}"
  tags = {
    ManagedBy = "terragrunt"
    Module    = "${mod.module}"
  }
}
`;
}

function accountHcl(env, n, rnd) {
  const id = String(100000000000 + rnd.int(0, 899999999999));
  return `# Set account-wide variables. These are automatically pulled in to configure the remote state bucket in the root
# terragrunt.hcl configuration.
locals {
  account_name   = "${env}-account${n}"
  aws_account_id = "${id}"
  environment    = "${env}"
}
`;
}

function regionHcl(region) {
  return `# Set common variables for the region. This is automatically pulled in in the root terragrunt.hcl configuration to
# configure the remote state bucket and pass forward to the child modules as inputs.
locals {
  aws_region = "${region}"
}
`;
}

/** A git source URL for (repo, module, ref) in one of several spellings users actually write. */
function gitSource(rnd, mod, ref) {
  const style = rnd.int(0, 9);
  const path = `//modules/${mod.module}`;
  switch (style) {
    case 0:
    case 1:
    case 2:
    case 3:
      return `git::git@github.com:${ORG}/${mod.repo}.git${path}?ref=${ref}`;
    case 4:
    case 5:
      return `git::https://github.com/${ORG}/${mod.repo}.git${path}?ref=${ref}`;
    case 6:
      return `github.com/${ORG}/${mod.repo}${path}?ref=${ref}`;
    case 7:
      return `git::ssh://git@github.com/${ORG}/${mod.repo}.git${path}?ref=${ref}`;
    case 8:
      return `git::https://github.com/${ORG}/${mod.repo}.git${path}?depth=1&ref=${ref}`;
    default:
      return `git::git@github.com:${ORG}/${mod.repo}.git${path}?ref=${ref}&depth=1`;
  }
}

/** Environments further down the chain run older versions. */
function pickVersion(rnd, versions, envIndex) {
  const newest = versions.length - 1;
  const lag = envIndex + rnd.int(0, 1);
  return versions[Math.max(0, newest - lag)];
}

function hclValue(rnd, key) {
  if (key.endsWith("_count") || key.endsWith("_size") || key.endsWith("_days")) {
    return String(rnd.pick([1, 2, 3, 5, 7, 14, 30, 90, 365]));
  }
  if (key.startsWith("enable_") || key.startsWith("is_")) return rnd.pick(["true", "false"]);
  if (key.endsWith("_type")) return `"${rnd.pick(INSTANCE_TYPES)}"`;
  if (key.endsWith("_cidr_block")) return `"10.${rnd.int(0, 255)}.0.0/16"`;
  return `"${rnd.pick(APP_WORDS)}-${rnd.int(1, 99)}"`;
}

const SCALAR_KEYS = [
  "instance_type", "min_size", "max_size", "desired_count", "enable_deletion_protection",
  "enable_cloudwatch_metrics", "retention_days", "backup_retention_days", "vpc_cidr_block",
  "log_group_name", "kms_key_alias", "cluster_name", "service_name", "alarm_topic_name",
  "is_public", "storage_size", "node_count", "enable_encryption", "engine_type", "owner_team",
]; // prettier-ignore

/** 10–30 lines of inputs: scalars, a list, a tags map, comments, sometimes a heredoc. */
function inputsBlock(rnd, unitName, env, hasDependency) {
  // Scalars first, with their "=" aligned the way `terragrunt hclfmt` does it.
  const scalars = [["name", `"${unitName}-${env}"`]];
  if (hasDependency) {
    scalars.push(["vpc_id", "dependency.vpc.outputs.vpc_id"]);
    scalars.push(["subnet_ids", "dependency.vpc.outputs.private_app_subnet_ids"]);
  }
  const wanted = rnd.int(4, 10);
  for (let i = 0; i < wanted; i++) {
    const key = rnd.pick(SCALAR_KEYS);
    if (!scalars.some(([k]) => k === key)) scalars.push([key, hclValue(rnd, key)]);
  }
  const width = Math.max(...scalars.map(([k]) => k.length));
  const lines = ["inputs = {"];
  for (const [key, value] of scalars) {
    if (rnd.chance(0.1)) lines.push(`  # ${rnd.pick(["TODO", "NOTE", "See"])}: tuned for ${env}`);
    lines.push(`  ${key.padEnd(width)} = ${value}`);
  }
  if (rnd.chance(0.6)) {
    lines.push("");
    lines.push("  allowed_cidr_blocks = [");
    const n = rnd.int(1, 4);
    for (let i = 0; i < n; i++) lines.push(`    "10.${rnd.int(0, 255)}.${rnd.int(0, 255)}.0/24",`);
    lines.push("  ]");
  }
  lines.push("");
  lines.push("  # Tags applied to every resource of this unit");
  lines.push("  tags = {");
  lines.push(`    Team        = "${rnd.pick(TEAMS)}"`);
  lines.push(`    Environment = "${env}"`);
  lines.push(`    CostCenter  = "cc-${rnd.int(1000, 9999)}"`);
  lines.push("  }");
  if (rnd.chance(0.1)) {
    lines.push("");
    lines.push("  iam_policy_json = <<EOT");
    lines.push("{");
    lines.push('  "Version": "2012-10-17",');
    lines.push(
      `  "Statement": [{ "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*" }]`,
    );
    lines.push("}");
    lines.push("EOT");
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

const UNIT_HEADER = `# This is the configuration for Terragrunt, a thin wrapper for Terraform and OpenTofu that helps keep your code DRY
# and maintainable: https://github.com/gruntwork-io/terragrunt
`;

const INCLUDE_ROOT = `# Include the root \`root.hcl\` configuration, which has settings common across all environments and components.
include "root" {
  path = find_in_parent_folders("root.hcl")
}
`;

const DEPENDENCY_VPC = `dependency "vpc" {
  config_path = "../../networking/vpc"

  mock_outputs = {
    vpc_id                 = "vpc-00000000"
    private_app_subnet_ids = ["subnet-00000000"]
  }
}
`;

/** The terragrunt.hcl of one unit, and which form it took. */
function unitHcl(rnd, { unitName, env, envIndex, moduleName }) {
  const hasDependency = unitName !== "vpc" && rnd.chance(0.3);
  const r = rnd.next();
  const parts = [UNIT_HEADER];
  let form;

  if (r < 0.6) {
    form = "direct";
    const mod = MODULES.get(moduleName);
    const src = gitSource(rnd, mod, pickVersion(rnd, mod.versions, envIndex));
    parts.push(`terraform {\n  source = "${src}"\n}\n`, INCLUDE_ROOT);
  } else if (r < 0.85) {
    form = "envcommon";
    const mod = MODULES.get(moduleName);
    const ref = pickVersion(rnd, mod.versions, envIndex);
    parts.push(
      INCLUDE_ROOT,
      `# Include the envcommon configuration for the component, shared by every environment.
include "envcommon" {
  path   = "\${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/${moduleName}.hcl"
  expose = true
}
`,
      `# Override the source to pin the version used in this environment.
terraform {
  source = "\${include.envcommon.locals.base_source_url}?ref=${ref}"
}
`,
    );
  } else if (r < 0.95) {
    form = "local-version";
    const mod = MODULES.get(moduleName);
    const ref = pickVersion(rnd, mod.versions, envIndex);
    const src = gitSource(rnd, mod, "${local.version}");
    parts.push(
      `locals {\n  # Module version deployed by this unit\n  version = "${ref}"\n}\n`,
      `terraform {\n  source = "${src}"\n}\n`,
      INCLUDE_ROOT,
    );
  } else {
    form = "tfr";
    const reg = rnd.pick(REGISTRY_MODULES);
    const version = pickVersion(rnd, reg.versions, envIndex);
    parts.push(
      `terraform {\n  source = "tfr:///${reg.source}?version=${version}"\n}\n`,
      INCLUDE_ROOT,
    );
  }

  if (hasDependency) parts.push(DEPENDENCY_VPC);
  parts.push(inputsBlock(rnd, unitName, env, hasDependency));
  return { form, text: parts.join("\n") };
}

/** A plain Terraform file with module blocks, as some units carry next to terragrunt.hcl. */
function modulesTf(rnd, envIndex) {
  const reg = rnd.pick(REGISTRY_MODULES);
  const mod = MODULES.get(rnd.pick([...MODULES.keys()]));
  const ref = pickVersion(rnd, mod.versions, envIndex);
  const text = `# Extra resources managed next to the Terragrunt unit.

module "${reg.source.split("/")[1].replace(/-/g, "_")}" {
  source  = "${reg.source}"
  version = "${pickVersion(rnd, reg.versions, envIndex)}"

  bucket_prefix = "acme-${rnd.pick(APP_WORDS)}-"
  tags = {
    ManagedBy = "terraform"
  }
}

module "${mod.module.replace(/-/g, "_")}" {
  source = "git::https://github.com/${ORG}/${mod.repo}.git//modules/${mod.module}?ref=${ref}"

  name = "${rnd.pick(APP_WORDS)}"
}
`;
  return { text, modules: 2 };
}

// ---------------------------------------------------------------------------------------------
// The generator

/**
 * Writes the synthetic repository into `dir` (emptied first).
 * @returns {{ dir: string, units: number, seed: number, files: number, bytes: number,
 *   hclFiles: number, tfFiles: number, forms: Record<string, number>, tfModuleBlocks: number,
 *   expectedUsages: number, environments: Record<string, number> }}
 */
export function generateLiveRepo(dir, { units = 20000, seed = 1 } = {}) {
  dir = resolve(dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rnd = makeRandom(seed);

  const stats = {
    dir,
    units,
    seed,
    files: 0,
    bytes: 0,
    hclFiles: 0,
    tfFiles: 0,
    forms: { direct: 0, envcommon: 0, "local-version": 0, tfr: 0 },
    tfModuleBlocks: 0,
    expectedUsages: 0,
    environments: { dev: 0, stage: 0, prod: 0 },
  };
  const madeDirs = new Set();
  const write = (rel, text) => {
    const file = join(dir, rel);
    const parent = dirname(file);
    if (!madeDirs.has(parent)) {
      mkdirSync(parent, { recursive: true });
      madeDirs.add(parent);
    }
    writeFileSync(file, text);
    stats.files++;
    stats.bytes += Buffer.byteLength(text);
    if (rel.endsWith(".hcl")) stats.hclFiles++;
    if (rel.endsWith(".tf")) stats.tfFiles++;
  };

  write(".github/promoter.yml", PROMOTER_YML);
  write("root.hcl", ROOT_HCL);
  write("README.md", "# acme infrastructure-live (synthetic, generated for benchmarks)\n");
  for (const mod of MODULES.values()) write(`_envcommon/${mod.module}.hcl`, envcommonHcl(mod));

  // Split the units into thirds, one per environment; each environment gets as many accounts as
  // needed so that no (account, region, service) folder holds more than UNITS_PER_SERVICE units.
  const slotsPerAccount = REGIONS.length * SERVICE_NAMES.length;
  ENVIRONMENTS.forEach((env, envIndex) => {
    const envUnits = Math.floor(units / 3) + (envIndex < units % 3 ? 1 : 0);
    const accounts = Math.max(1, Math.ceil(envUnits / (slotsPerAccount * UNITS_PER_SERVICE)));
    const slots = [];
    for (let a = 1; a <= accounts; a++) {
      for (const region of REGIONS) {
        for (const service of SERVICE_NAMES) slots.push({ account: a, region, service, count: 0 });
      }
    }
    // Fill the folders round-robin so every folder ends up with about the same number of units.
    for (let u = 0; u < envUnits; u++) {
      const slot = slots[u % slots.length];
      const k = slot.count++;
      const moduleName = rnd.pick(SERVICES[slot.service]);
      const word = APP_WORDS[k % APP_WORDS.length];
      const suffix = k >= APP_WORDS.length ? `-${Math.floor(k / APP_WORDS.length) + 1}` : "";
      // The first unit of networking is the "vpc" unit the dependency blocks point at.
      const unitName =
        slot.service === "networking" && k === 0 ? "vpc" : `${moduleName}-${word}${suffix}`;
      const accountDir = `${env}-account${slot.account}`;
      const unitDir = `${accountDir}/${slot.region}/${slot.service}/${unitName}`;

      const unit = unitHcl(rnd, {
        unitName,
        env,
        envIndex,
        moduleName: unitName === "vpc" ? "vpc" : moduleName,
      });
      write(`${unitDir}/terragrunt.hcl`, unit.text);
      stats.forms[unit.form]++;
      stats.environments[env]++;
      stats.expectedUsages++;

      if (rnd.chance(0.01)) {
        const tf = modulesTf(rnd, envIndex);
        write(`${unitDir}/modules.tf`, tf.text);
        stats.tfModuleBlocks += tf.modules;
        stats.expectedUsages += tf.modules;
      }
    }
    // account.hcl and region.hcl for the folders that received units.
    for (let a = 1; a <= accounts; a++) {
      if (!slots.some((s) => s.account === a && s.count > 0)) continue;
      write(`${env}-account${a}/account.hcl`, accountHcl(env, a, rnd));
      for (const region of REGIONS) {
        if (!slots.some((s) => s.account === a && s.region === region && s.count > 0)) continue;
        write(`${env}-account${a}/${region}/region.hcl`, regionHcl(region));
      }
    }
  });

  return stats;
}

/** bench/.cache, where generated trees, the Renovate install and results live. */
export const CACHE_DIR = fileURLToPath(new URL("./.cache/", import.meta.url));

/**
 * The generated tree for (units, seed) in bench/.cache/live-<units>-<seed>, generated only when
 * missing or when this generator's source changed since (a manifest next to the tree records both).
 */
export function ensureLiveRepo({ units = 20000, seed = 1 } = {}) {
  const dir = join(CACHE_DIR, `live-${units}-${seed}`);
  const manifest = `${dir}.json`;
  const generator = createHash("sha256")
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .digest("hex");
  if (existsSync(manifest) && existsSync(dir)) {
    const stats = JSON.parse(readFileSync(manifest, "utf8"));
    if (stats.generator === generator) return { ...stats, cached: true };
  }
  rmSync(manifest, { force: true });
  const stats = { ...generateLiveRepo(dir, { units, seed }), generator };
  writeFileSync(manifest, JSON.stringify(stats, null, 2) + "\n");
  return { ...stats, cached: false };
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const args = { dir: undefined, units: 20000, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--units") args.units = Number(argv[++i]);
    else if (a === "--seed") args.seed = Number(argv[++i]);
    else if (a === "--help" || a === "-h") args.help = true;
    else if (!a.startsWith("--") && args.dir === undefined) args.dir = a;
    else throw new Error(`unknown argument: ${a}`);
  }
  if (!Number.isInteger(args.units) || args.units < 1) throw new Error("--units must be >= 1");
  if (!Number.isInteger(args.seed)) throw new Error("--seed must be an integer");
  return args;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  if (args.help || !args.dir) {
    console.log("usage: node bench/generate-live-repo.mjs <dir> [--units 20000] [--seed 1]");
    process.exit(args.help ? 0 : 1);
  }
  const started = performance.now();
  const stats = generateLiveRepo(args.dir, { units: args.units, seed: args.seed });
  const ms = performance.now() - started;
  console.log(
    `generated ${stats.units} units in ${stats.dir}: ${stats.files} files, ` +
      `${(stats.bytes / 1024 / 1024).toFixed(1)} MiB (${stats.hclFiles} .hcl, ${stats.tfFiles} .tf) ` +
      `in ${(ms / 1000).toFixed(1)} s`,
  );
  console.log(
    `unit forms: ${JSON.stringify(stats.forms)}; .tf module blocks: ${stats.tfModuleBlocks}`,
  );
}
