import type { Logger } from "probot";
import { comment } from "../github/comments.js";
import { editDashboardBody } from "../github/dashboard-issue.js";
import { permissionOf } from "../github/permissions.js";
import type { Octokit } from "../github/repo-ref.js";
import { noConfigReply, permissionRefusal } from "../promotion/command-target.js";
import { untick, type DashboardTick } from "../promotion/dashboard.js";
import { code, plainText } from "../promotion/markdown.js";
import type { CheckJob, DashboardTickJob } from "../queue/job-queue.js";
import { answer } from "./run-command.js";
import { readScannedRepository, type CheckTarget } from "./repository-state.js";
import type { Services } from "./services.js";

/** How a reply names the box it answers. */
function tickName(tick: DashboardTick): string {
  return tick.kind === "check"
    ? "**check now**"
    : `**promote** ${code(tick.dependency)} ${code(tick.version)} to ${plainText(tick.environment)}`;
}

/**
 * Carries out the boxes a person ticked on the app's dashboard issue, each as the command it names
 * (`promote` as `/promote <env> <id>@<version>`, `check now` queues a check), with the same
 * permission rules as a comment's command: the editor's permission first, then the environment's
 * `promoters`. Then every box handled is unticked again, one comment answers them all, and after a
 * promotion a check is queued, which renders the dashboard again with its result. Returns the reply, or undefined for an issue that is not the app's.
 */
export async function runDashboardTicks(
  octokit: Octokit,
  target: CheckTarget,
  services: Services,
  log: Logger,
  job: DashboardTickJob,
  enqueueCheck: (job: CheckJob) => Promise<void>,
): Promise<string | undefined> {
  const appLogin = await services.appLogin();
  if (job.issue.author !== appLogin) return undefined;
  // 1. Read the editor's permission first: a refusal costs one request and reads nothing of the repository.
  const refused = permissionRefusal(await permissionOf(octokit, target, job.author));
  // 2. Decide (and do) each tick; the repository is read once, only for a permitted promotion.
  const lines: string[] = [];
  const done = { written: false };
  const queueCheck = (reason: string) =>
    enqueueCheck({
      installationId: job.installationId,
      owner: job.owner,
      repo: job.repo,
      defaultBranch: target.defaultBranch,
      ...(job.repositoryId === undefined ? {} : { repositoryId: job.repositoryId }),
      reason,
    });
  if (refused) {
    lines.push(
      `${refused.replace("`/promote`", "ticking a box of the dashboard")} The boxes were unticked.`,
    );
  } else {
    let repository: Awaited<ReturnType<typeof readScannedRepository>> | undefined;
    const author = {
      author: job.author,
      issue: { number: job.issue.number, isPullRequest: false, author: job.issue.author },
    };
    for (const tick of job.ticks) {
      if (tick.kind === "check") {
        await queueCheck(`check now, ticked by ${job.author}`);
        lines.push(`- ${tickName(tick)}: a check is queued; this issue is rewritten when it ends.`);
        continue;
      }
      repository ??= await readScannedRepository(octokit, target, services);
      const { dependency, version, environment } = tick;
      const command = { kind: "promote" as const, environment, dependency, version };
      const text =
        "unusable" in repository
          ? noConfigReply(target.defaultBranch)
          : await answer(octokit, target, services, log, author, command, repository, done);
      lines.push(`- ${tickName(tick)}: ${text}`);
    }
  }
  // A promotion written changes what the dashboard shows: a check renders it again (check now queued one).
  if (done.written && !job.ticks.some((t) => t.kind === "check")) {
    await queueCheck(`dashboard ticked by ${job.author}`);
  }
  // 3. Untick the boxes handled (on the body as it is now), then answer in one comment.
  await editDashboardBody(octokit, target, job.issue.number, appLogin, (body) =>
    untick(body, job.ticks),
  );
  const reply = `@${job.author} ${refused ? lines.join("\n") : `\n${lines.join("\n")}`}`;
  await comment(octokit, target, job.issue.number, reply);
  log.info(
    { issue: job.issue.number, ticks: job.ticks.length, refused: !!refused },
    "dashboard ticks answered",
  );
  return reply;
}
