/**
 * Verification gates (`verify` of an environment): whether a version that reached an environment has
 * the evidence that it works there — its named check runs and commit statuses succeeded on the commit
 * that brought it (or a later one that still has it), its deployment succeeded, and the soak time
 * passed since — before the next environment gets it. Pure: the callers read the evidence.
 */
import {
  compileGlobs,
  durationMs,
  formatDuration,
  nameGlob,
  type Config,
  type Environment,
} from "../config/index.js";
import { appPullRequestMetadata } from "./existing-promotions.js";
import type { PullRequestInfo } from "./github-facts.js";
import { code, httpsLink, inlineMarkdown, plainText } from "./markdown.js";
import type { Deferral, Proposal } from "./plan.js";
import { isGroupMetadata } from "./pull-request-content.js";

/** A check run or commit status of a commit, as GitHub reports it. */
export interface CheckEvidence {
  name: string;
  kind: "check run" | "status";
  state: "success" | "pending" | "failure";
  /** When it completed (or the status was set), ISO 8601; absent while it runs. */
  at?: string;
  /** Where a person sees it. */
  url?: string;
}

/** The latest deployment of a commit to a deployment environment, and its latest status. */
export interface DeploymentEvidence {
  state: "success" | "pending" | "failure" | "none";
  at?: string;
  url?: string;
}

/** What GitHub says of one commit: its checks and statuses, and its deployment when one is named. */
export interface CommitEvidence {
  sha: string;
  checks: CheckEvidence[];
  deployment?: DeploymentEvidence;
}

/** What the evidence says of a version in an environment with `verify`. */
export type Verification =
  | { state: "passed"; sha: string; passedAt: number; evidence: string[] }
  | { state: "soaking"; sha: string; until: number; evidence: string[] }
  /** `silent`: the commit reported nothing the gate names (a later commit CI did not run on). */
  | { state: "pending"; sha: string; waiting: string[]; unreported: string[]; silent: boolean }
  | { state: "failed"; sha: string; failures: { name: string; url?: string }[] };

/** How long a named check may stay unreported after the merge before the check run warns about it. */
const UNREPORTED_WARNING_MS = 3_600_000;

const short = (sha: string) => sha.slice(0, 7);

/** The newest of several results of one name (a re-run replaces the run before it). */
function latestByName(checks: readonly CheckEvidence[]): CheckEvidence[] {
  const latest = new Map<string, CheckEvidence>();
  for (const check of checks) {
    const seen = latest.get(check.name);
    const newer =
      !seen ||
      check.state === "pending" ||
      (seen.state !== "pending" && (check.at ?? "") > (seen.at ?? ""));
    if (newer) latest.set(check.name, check);
  }
  return [...latest.values()];
}

/**
 * What one commit's evidence says, for an environment's `verify`: failed when a named check, status
 * or the deployment failed; pending while one runs or has not reported; soaking until `soak` has
 * passed since the last of them succeeded; passed after.
 */
export function verificationOf(
  verify: NonNullable<Environment["verify"]>,
  evidence: CommitEvidence,
  now: number,
): Verification {
  const latest = latestByName(evidence.checks);
  const matched: CheckEvidence[] = [];
  const unreported: string[] = [];
  for (const glob of verify.checks) {
    const matches = compileGlobs([nameGlob(glob)]);
    const found = latest.filter((c) => matches(c.name));
    if (found.length === 0) unreported.push(glob);
    for (const check of found) if (!matched.includes(check)) matched.push(check);
  }
  const failures = matched
    .filter((c) => c.state === "failure")
    .map((c) => ({ name: c.name, ...(c.url ? { url: c.url } : {}) }));
  const deployment =
    verify.deployment === undefined
      ? undefined
      : (evidence.deployment ?? { state: "none" as const });
  if (deployment?.state === "failure")
    failures.push({
      name: `deployment to ${verify.deployment}`,
      ...(deployment.url ? { url: deployment.url } : {}),
    });
  if (failures.length > 0) return { state: "failed", sha: evidence.sha, failures };
  const waiting = [
    ...matched.filter((c) => c.state === "pending").map((c) => `${code(c.name)} is in progress`),
    ...unreported.map((glob) => `no check named ${code(glob)} reported yet`),
    ...(deployment && deployment.state !== "success"
      ? [
          deployment.state === "none"
            ? `no deployment to ${code(verify.deployment ?? "")} of ${code(short(evidence.sha))} yet`
            : `the deployment to ${code(verify.deployment ?? "")} is in progress`,
        ]
      : []),
  ];
  if (waiting.length > 0) {
    const silent =
      matched.length === 0 && (deployment === undefined || deployment.state === "none");
    return { state: "pending", sha: evidence.sha, waiting, unreported, silent };
  }
  const times = [...matched.map((c) => c.at), deployment?.at].flatMap((at) =>
    at === undefined || Number.isNaN(Date.parse(at)) ? [] : [Date.parse(at)],
  );
  const passedAt = times.length > 0 ? Math.max(...times) : now;
  const lines = [
    ...matched.map(
      (c) =>
        `${c.kind} ${code(c.name)} succeeded on ${code(short(evidence.sha))}${c.at ? ` at ${c.at}` : ""}`,
    ),
    ...(deployment
      ? [
          `the deployment to ${code(verify.deployment ?? "")} succeeded${deployment.at ? ` at ${deployment.at}` : ""}`,
        ]
      : []),
  ];
  const soak = verify.soak === undefined ? 0 : (durationMs(verify.soak) ?? 0);
  if (now < passedAt + soak)
    return { state: "soaking", sha: evidence.sha, until: passedAt + soak, evidence: lines };
  return {
    state: "passed",
    sha: evidence.sha,
    passedAt,
    evidence: soak > 0 ? [...lines, `soaked for ${formatDuration(soak)}`] : lines,
  };
}

/** Passed, soaking, running, failed, then a commit that reported nothing. */
const rank = (v: Verification) =>
  v.state === "pending" && v.silent ? 4 : { passed: 0, soaking: 1, pending: 2, failed: 3 }[v.state];

/**
 * The best of the verifications of the commits that have the version (the merge commit that brought
 * it, later commits of the default branch that still have it): any commit's success counts, a
 * failure unless another commit is still running its checks; a commit that reported nothing says nothing.
 */
export function bestVerification(verifications: readonly Verification[]): Verification | undefined {
  let best: Verification | undefined;
  for (const v of verifications) {
    if (!best || rank(v) < rank(best)) best = v;
    else if (v.state === "soaking" && best.state === "soaking" && v.until < best.until) best = v;
  }
  return best;
}

/** Why a promotion waits, for the check run and the merge's comment; undefined once it passed. */
export function verificationWait(
  environment: string,
  verification: Verification,
): string | undefined {
  const where = `in ${environment}`;
  switch (verification.state) {
    case "passed":
      return undefined;
    case "soaking":
      return `soaks ${where} until ${new Date(verification.until).toISOString()} (verify.soak)`;
    case "pending":
      return `waits for verification ${where}: ${verification.waiting.join("; ")}`;
    case "failed":
      return `stopped: verification failed ${where} on ${code(short(verification.sha))}: ${verification.failures.map((f) => code(f.name)).join(", ")}`;
  }
}

/** A promotion out of an environment with `verify`: the evidence it needs, and where to read it. */
export interface PromotionGate {
  /** The environment the promotion goes to, and what. */
  environment: string;
  dependency: string;
  version: string;
  /** The environment it comes from, whose `verify` it needs. */
  upstream: string;
  verify: NonNullable<Environment["verify"]>;
  /** The commits whose evidence counts: the merge commit that brought the version, then the head. */
  commits: string[];
  /** The app's merged PR that brought the version to `upstream`, when it is one. */
  mergedPullRequest?: { number: number; mergedAt?: string };
}

/** Which evidence one commit is read for: its checks, and the deployment an environment names. */
export interface EvidenceRead {
  sha: string;
  deployment?: string;
}

/** The key of a commit's evidence read for a deployment (or none). */
export function evidenceKey(read: EvidenceRead): string {
  return `${read.sha}\n${read.deployment ?? ""}`;
}

/**
 * The promotions of a plan that come out of an environment with `verify`, each with the commits whose
 * evidence counts: the merge commit of the app's merged PR that brought that version there (the
 * newest, as the PRs are listed most recently updated first), and the default branch's head, which
 * still has the version (the plan read it there). Pure.
 */
export function promotionGates(
  proposals: readonly Pick<Proposal, "environment" | "dependency" | "to" | "reason">[],
  config: Pick<Config, "environments">,
  pullRequests: readonly PullRequestInfo[],
  appLogin: string,
  headSha: string,
): PromotionGate[] {
  const gates: PromotionGate[] = [];
  for (const proposal of proposals) {
    if (proposal.reason !== "promotion") continue;
    const index = config.environments.findIndex((e) => e.name === proposal.environment);
    const upstream = config.environments[index - 1];
    if (!upstream?.verify) continue;
    const merged = pullRequests.find((pr) => {
      if (!pr.merged || !pr.mergeCommitSha) return false;
      const metadata = appPullRequestMetadata(pr, appLogin);
      if (metadata?.env !== upstream.name) return false;
      const members = isGroupMetadata(metadata) ? metadata.members : [metadata];
      return members.some((m) => m.dependency === proposal.dependency && m.to === proposal.to);
    });
    const commits = [
      ...new Set([...(merged?.mergeCommitSha ? [merged.mergeCommitSha] : []), headSha]),
    ];
    gates.push({
      environment: proposal.environment,
      dependency: proposal.dependency,
      version: proposal.to,
      upstream: upstream.name,
      verify: upstream.verify,
      commits,
      ...(merged
        ? {
            mergedPullRequest: {
              number: merged.number,
              ...(merged.mergedAt ? { mergedAt: merged.mergedAt } : {}),
            },
          }
        : {}),
    });
  }
  return gates;
}

/** The evidence the gates need, each commit read once per deployment environment. */
export function evidenceReads(gates: readonly PromotionGate[]): EvidenceRead[] {
  const reads = new Map<string, EvidenceRead>();
  for (const gate of gates) {
    for (const sha of gate.commits) {
      const read = {
        sha,
        ...(gate.verify.deployment ? { deployment: gate.verify.deployment } : {}),
      };
      reads.set(evidenceKey(read), read);
    }
  }
  return [...reads.values()];
}

/** A gate and what its evidence says. */
export interface GateResult {
  gate: PromotionGate;
  verification: Verification;
}

/** The plan once each gated promotion waits for its evidence. */
export interface GatedPlan<P = Proposal> {
  /** A proposal whose evidence passed carries it (`verified`). */
  plan: { proposals: (P & Pick<Proposal, "verified">)[]; deferred: Deferral[] };
  /** Each gate's result. */
  results: GateResult[];
  /** The earliest end of a soak: when a check should look again. */
  dueAt?: number;
  /** Named checks nothing reported long after the merge. */
  warnings: { subject: string; message: string }[];
}

/**
 * The plan with each promotion whose upstream evidence has not passed held back, with why (waiting,
 * soaking until when, or stopped by a failure); an evidence read that failed holds it back too.
 */
export function gatedPlan<P extends Pick<Proposal, "environment" | "dependency" | "to">>(
  planned: { proposals: readonly P[]; deferred: readonly Deferral[] },
  gates: readonly PromotionGate[],
  evidence: ReadonlyMap<string, CommitEvidence | { error: string }>,
  now: number,
): GatedPlan<P> {
  const results: GateResult[] = [];
  const waiting = new Map<string, string>();
  const passed = new Map<string, { environment: string; evidence: string[] }>();
  const warnings: GatedPlan["warnings"] = [];
  let dueAt: number | undefined;
  for (const gate of gates) {
    const slot = `${gate.environment}\n${gate.dependency}\n${gate.version}`;
    const verifications: Verification[] = [];
    for (const sha of gate.commits) {
      const read = evidence.get(
        evidenceKey({
          sha,
          ...(gate.verify.deployment ? { deployment: gate.verify.deployment } : {}),
        }),
      );
      if (!read || "error" in read) continue;
      verifications.push(verificationOf(gate.verify, read, now));
    }
    const verification = bestVerification(verifications);
    if (!verification) {
      waiting.set(slot, `waits for verification in ${gate.upstream}: its checks could not be read`);
      continue;
    }
    results.push({ gate, verification });
    const wait = verificationWait(gate.upstream, verification);
    if (wait) waiting.set(slot, wait);
    if (verification.state === "passed")
      passed.set(slot, { environment: gate.upstream, evidence: verification.evidence });
    if (verification.state === "soaking") dueAt = Math.min(dueAt ?? Infinity, verification.until);
    const mergedAt = Date.parse(gate.mergedPullRequest?.mergedAt ?? "");
    if (verification.state === "pending" && now - mergedAt > UNREPORTED_WARNING_MS) {
      for (const glob of verification.unreported)
        warnings.push({
          subject: gate.upstream,
          message: `no check named ${code(glob)} reported on ${code(short(verification.sha))} since the merge of #${gate.mergedPullRequest?.number} (${formatDuration(now - mergedAt)} ago): ${code(`${gate.dependency} ${gate.version}`)} waits for it (verify.checks)`,
        });
    }
  }
  const plan: GatedPlan<P>["plan"] = { proposals: [], deferred: [...planned.deferred] };
  for (const proposal of planned.proposals) {
    const slot = `${proposal.environment}\n${proposal.dependency}\n${proposal.to}`;
    const reason = waiting.get(slot);
    const verified = passed.get(slot);
    if (reason === undefined) plan.proposals.push(verified ? { ...proposal, verified } : proposal);
    else
      plan.deferred.push({
        environment: proposal.environment,
        dependency: proposal.dependency,
        reason: `${proposal.to} ${reason}`,
      });
  }
  return { plan, results, ...(dueAt === undefined ? {} : { dueAt }), warnings };
}

/**
 * The gates of the promotions that follow a merge into an environment with `verify`: each needs the
 * evidence of the merge commit itself. None when the environment has no `verify`.
 */
export function gatesAfterMerge(
  requests: readonly { environment: string; dependency: string; version: string }[],
  config: Pick<Config, "environments">,
  merged: { number: number; mergeCommitSha: string; mergedAt?: string },
): PromotionGate[] {
  return requests.flatMap((request) => {
    const index = config.environments.findIndex((e) => e.name === request.environment);
    const upstream = config.environments[index - 1];
    if (!upstream?.verify) return [];
    return [
      {
        ...request,
        upstream: upstream.name,
        verify: upstream.verify,
        commits: [merged.mergeCommitSha],
        mergedPullRequest: {
          number: merged.number,
          ...(merged.mergedAt ? { mergedAt: merged.mergedAt } : {}),
        },
      },
    ];
  });
}

/** The merge's comment line for a promotion that waits for the evidence of the environment before. */
export function waitingLine(
  request: { environment: string; dependency: string; version: string },
  reason: string,
): string {
  return `${code(request.dependency)} ${inlineMarkdown(reason)}; its ${plainText(request.environment)} pull request opens once it passes (Promoter looks again when the checks or the deployment report, and when the soak ends).`;
}

/** The comment on the merged PR whose version a failed verification stopped, with the marker that makes it said once. */
export function failureComment(result: {
  gate: PromotionGate;
  verification: Extract<Verification, { state: "failed" }>;
}): {
  marker: string;
  body: string;
} {
  const { gate, verification } = result;
  const key = JSON.stringify({
    env: gate.upstream,
    dependency: gate.dependency,
    version: gate.version,
    sha: verification.sha,
    failed: verification.failures.map((f) => f.name),
  }).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const marker = `<!-- promoter-verification: ${key} -->`;
  const failed = verification.failures.map((f) => httpsLink(code(f.name), f.url)).join(", ");
  const body = [
    `Promoter stopped ${code(gate.dependency)} ${code(gate.version)} on its way to ${plainText(gate.environment)}: verification failed in ${plainText(gate.upstream)} on ${code(short(verification.sha))}: ${failed}.`,
    "",
    `To go on, fix it and re-run what failed: once it passes (and \`verify.soak\` has passed), Promoter opens the ${plainText(gate.environment)} pull request. Or promote a newer version.`,
    "",
    marker,
  ].join("\n");
  return { marker, body };
}

/** Whether the app said this already: one of its own comments carries the marker. */
export function saidAlready(
  comments: readonly { author: string; body: string }[],
  appLogin: string,
  marker: string,
): boolean {
  return comments.some((c) => c.author === appLogin && c.body.includes(marker));
}

/**
 * Why `/promote` may not move a version out of an environment with `verify` yet (what is missing,
 * what failed, until when it soaks), or undefined when its evidence passed, or it soaks and the
 * command says `--skip-soak`.
 */
export function commandGateRefusal(
  request: { environment: string; dependency: string; version: string; skipSoak?: true },
  result: GateResult | undefined,
  waiting: string | undefined,
): string | undefined {
  if (waiting === undefined) return undefined;
  if (result?.verification.state === "soaking" && request.skipSoak) return undefined;
  const what = `${code(request.dependency)} ${code(request.version)} cannot go to ${plainText(request.environment)} yet: it ${waiting}`;
  return result?.verification.state === "soaking"
    ? `${what}. Comment ${code(`/promote ${request.environment} ${request.dependency}@${request.version} --skip-soak`)} to promote it before the soak ends.`
    : `${what}.`;
}

/**
 * The comment on the merged PR when a check its environment's `verify` names has not been reported an
 * hour after the merge (a typo in the name, a CI that never runs): undefined before that, or when every
 * named check reported.
 */
export function unreportedComment(
  result: GateResult,
  now: number,
): { marker: string; body: string } | undefined {
  const { gate, verification } = result;
  const mergedAt = Date.parse(gate.mergedPullRequest?.mergedAt ?? "");
  if (verification.state !== "pending" || verification.unreported.length === 0) return undefined;
  if (!(now - mergedAt > UNREPORTED_WARNING_MS)) return undefined;
  const key = JSON.stringify({
    env: gate.upstream,
    dependency: gate.dependency,
    version: gate.version,
    unreported: verification.unreported,
  }).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const marker = `<!-- promoter-verification: ${key} -->`;
  const names = verification.unreported.map(code).join(", ");
  const body = [
    `Promoter is holding ${code(gate.dependency)} ${code(gate.version)} back from ${plainText(gate.environment)}: no check named ${names} has been reported on ${code(short(verification.sha))} since this pull request was merged (${formatDuration(now - mergedAt)} ago).`,
    "",
    `Check the names in \`verify.checks\` of ${plainText(gate.upstream)} against the checks this repository runs; Promoter goes on as soon as they report.`,
    "",
    marker,
  ].join("\n");
  return { marker, body };
}

/** What a merge's comment adds to a promotion that its environment's evidence let through. */
export function verifiedSuffix(
  verified: { environment: string; evidence: string[] } | undefined,
): string {
  if (!verified || verified.evidence.length === 0) return "";
  return ` Verified in ${plainText(verified.environment)}: ${verified.evidence.map(inlineMarkdown).join("; ")}.`;
}
