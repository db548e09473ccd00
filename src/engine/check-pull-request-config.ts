import type { Logger } from "probot";
import {
  DEFAULT_CONFIG_FILE,
  MAX_CONFIG_BYTES,
  oversizedConfigProblem,
  parseConfig,
  type ConfigResult,
} from "../config/index.js";
import { writeCheckRun } from "../github/check-runs.js";
import { pathChange, readFileAt, type FileAt } from "../github/pull-request-files.js";
import type { Octokit, RepoRef } from "../github/repo-ref.js";
import { configCheckReport, type PullRequestConfig } from "../promotion/config-check-report.js";
import { diffConfigs } from "../promotion/config-diff.js";

/** The pull request, as its webhook payload tells. */
export interface ConfigPullRequest {
  number: number;
  headSha: string;
  baseSha: string;
  /** How many files it changes: how many pages of its file list there are. */
  changedFiles: number;
}

/**
 * The `promoter` check run of a pull request that changes `.github/promoter.yml`, on its head commit:
 * the head's config validated, and compared with the base's. Nothing else is done with it. Reads only
 * through the base repository (a fork's head too), runs nothing. Requests: the file list (1 per 100
 * changed files up to the config's page); for a changed config the head's file, the base's (not for an
 * added one) and the check run: 4 in all for most.
 */
export async function checkPullRequestConfig(
  octokit: Octokit,
  repo: RepoRef,
  pr: ConfigPullRequest,
  log: Logger,
): Promise<void> {
  const change = await pathChange(octokit, repo, pr.number, DEFAULT_CONFIG_FILE, pr.changedFiles);
  if (change === undefined) return;
  const result =
    change === "removed"
      ? ({ kind: "removed" } as const)
      : await readPullRequestConfig(octokit, repo, pr, change === "added");
  const report = configCheckReport(result);
  await writeCheckRun(octokit, repo, { headSha: pr.headSha, ...report });
  log.info(
    { pullRequest: pr.number, conclusion: report.conclusion },
    "config of a pull request checked",
  );
}

async function readPullRequestConfig(
  octokit: Octokit,
  repo: RepoRef,
  pr: ConfigPullRequest,
  added: boolean,
): Promise<PullRequestConfig> {
  const headFile = await readFileAt(
    octokit,
    repo,
    DEFAULT_CONFIG_FILE,
    pr.headSha,
    MAX_CONFIG_BYTES,
  );
  if (headFile.kind === "missing") return { kind: "removed" };
  const head = configOf(headFile);
  if (!head.ok) return { kind: "invalid", errors: head.errors, warnings: head.warnings };
  const valid = { kind: "valid" as const, config: head.config, warnings: head.warnings };
  if (added) return { ...valid, base: { kind: "none" } };
  const baseFile = await readFileAt(
    octokit,
    repo,
    DEFAULT_CONFIG_FILE,
    pr.baseSha,
    MAX_CONFIG_BYTES,
  );
  if (baseFile.kind === "missing") return { ...valid, base: { kind: "none" } };
  const base = configOf(baseFile);
  if (!base.ok) return { ...valid, base: { kind: "invalid" } };
  return { ...valid, base: { kind: "valid", changes: diffConfigs(base.config, head.config) } };
}

function configOf(file: Exclude<FileAt, { kind: "missing" }>): ConfigResult {
  if (file.kind === "file") return parseConfig(file.text, DEFAULT_CONFIG_FILE);
  const problem =
    file.kind === "too-large"
      ? oversizedConfigProblem(file.bytes, DEFAULT_CONFIG_FILE)
      : {
          file: DEFAULT_CONFIG_FILE,
          line: 1,
          column: 1,
          path: "",
          message: `must be a file (it is a ${file.type})`,
        };
  return { ok: false, errors: [problem], warnings: [] };
}
