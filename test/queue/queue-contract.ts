import { afterEach, describe, expect, it } from "vitest";
import {
  repositoryKey,
  type CheckJob,
  type CommandJob,
  type Job,
  type JobQueue,
  type MergedJob,
  type ModuleReleasedJob,
} from "../../src/queue/job-queue.js";

/**
 * The behaviour every `JobQueue` shares, whatever runs it (in process, or on Redis with replicas): run
 * each job, one at a time per repository, other repositories meanwhile; fold checks; survive failing jobs;
 * `onIdle` and `close`. Timing-independent: it waits for what it expects (jobs may start a few ms late on
 * Redis) instead of counting event-loop turns, and asserts no order between jobs of one repository.
 */

/** Makes the queue under test, running jobs with `run`, `concurrency` at once (at least 2 by default). */
export type MakeQueue = (
  run: (job: Job) => Promise<void>,
  concurrency?: number,
) => Promise<JobQueue> | JobQueue;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, polling; fails with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Whether a promise settles within `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}

export const check = (repo: string, reason = "test", owner = "acme"): CheckJob => ({
  installationId: 1,
  owner,
  repo,
  defaultBranch: "main",
  reason,
});

export const merged = (repo: string, number: number, owner = "acme"): MergedJob => ({
  kind: "merged",
  installationId: 1,
  owner,
  repo,
  defaultBranch: "main",
  reason: `#${number} merged`,
  pullRequest: {
    number,
    labels: ["promoter:dev"],
    mergeCommitSha: `sha${number}`,
    author: "promoter[bot]",
    headRef: `promoter/dev/acme/terraform-aws-vpc`,
    fromFork: false,
  },
});

export const command = (repo: string, commentId: number, owner = "acme"): CommandJob => ({
  kind: "command",
  installationId: 1,
  owner,
  repo,
  reason: `comment ${commentId}`,
  comment: { id: commentId, body: "/promote stage" },
  author: "octocat",
  issue: { number: 7, isPullRequest: true, author: "promoter[bot]" },
});

const moduleReleased = (module: string, tag: string): ModuleReleasedJob => {
  const [owner = "", repo = ""] = module.split("/");
  return {
    kind: "module-released",
    installationId: 1,
    owner,
    repo,
    reason: `release ${tag} of ${module}`,
    module,
  };
};

interface Gate {
  job: Job;
  open: () => void;
  fail: (error: unknown) => void;
}

/** A job runner whose jobs run until the test finishes them (or at once, `auto`), and what it saw. */
export function gatedRunner() {
  const started: Job[] = [];
  const running = new Map<string, Gate[]>();
  let maxPerRepository = 0;
  let maxActive = 0;
  let active = 0;
  const runner = {
    started,
    /** Jobs finish as soon as they start. */
    auto: false,
    /** A job whose reason is in here fails. */
    failing: new Set<string>(),
    run: async (job: Job): Promise<void> => {
      started.push(job);
      const key = repositoryKey(job);
      const gates = running.get(key) ?? [];
      running.set(key, gates);
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        if (runner.failing.has(job.reason)) throw new Error(`${job.reason} fails`);
        if (runner.auto) return;
        await new Promise<void>((resolve, reject) => {
          gates.push({ job, open: resolve, fail: reject });
          maxPerRepository = Math.max(maxPerRepository, gates.length);
        });
      } finally {
        active--;
        const index = gates.findIndex((g) => g.job === job);
        if (index !== -1) gates.splice(index, 1);
        if (gates.length === 0) running.delete(key);
      }
    },
    /** Repositories with a job running, `owner/repo` lower-case, sorted. */
    runningRepositories: () => [...running.keys()].sort(),
    /** Finishes the running job of a repository. */
    finish(key: string): void {
      const gate = running.get(key.toLowerCase())?.[0];
      if (!gate)
        throw new Error(
          `nothing runs for ${key}; running: ${runner.runningRepositories().join(",")}`,
        );
      gate.open();
    },
    /** Finishes every running job from now on. */
    finishAll(): void {
      runner.auto = true;
      for (const gates of running.values()) for (const gate of [...gates]) gate.open();
    },
    maxPerRepository: () => maxPerRepository,
    maxActive: () => maxActive,
    startedFor: (key: string) => started.filter((j) => repositoryKey(j) === key),
  };
  return runner;
}

/** Registers the contract's tests for the queue `make` builds. */
export function describeQueueContract(name: string, make: MakeQueue): void {
  describe(`${name}: the JobQueue contract`, () => {
    const open: { queue: JobQueue; runner: ReturnType<typeof gatedRunner> }[] = [];
    async function setup(concurrency?: number) {
      const runner = gatedRunner();
      const queue = await make(runner.run, concurrency);
      open.push({ queue, runner });
      return { queue, runner };
    }
    afterEach(async () => {
      for (const { queue, runner } of open.splice(0)) {
        runner.finishAll();
        await queue.close();
      }
    });

    it("runs each job it is given, with the job's data", async () => {
      const { queue, runner } = await setup();
      runner.auto = true;
      const jobs = [
        check("a"),
        merged("b", 5),
        command("c", 99),
        moduleReleased("acme/d-module", "v1.2.0"),
      ];
      for (const job of jobs) await queue.enqueue(job);
      await queue.onIdle();
      const byRepo = (x: Job, y: Job) => x.repo.localeCompare(y.repo);
      expect([...runner.started].sort(byRepo)).toEqual(jobs);
    });

    it("runs one job at a time per repository (names compared case-insensitively), other repositories meanwhile", async () => {
      const { queue, runner } = await setup();
      await queue.enqueue(merged("Live", 1, "Acme"));
      await queue.enqueue(merged("live", 2));
      await queue.enqueue(command("other", 3));
      await waitFor(() => runner.runningRepositories().length === 2, "two repositories running");
      expect(runner.runningRepositories()).toEqual(["acme/live", "acme/other"]);
      await sleep(150);
      expect(runner.started).toHaveLength(2);

      runner.finish("acme/live");
      await waitFor(() => runner.startedFor("acme/live").length === 2, "the second job of live");
      runner.finishAll();
      await queue.onIdle();
      expect(runner.started).toHaveLength(3);
      expect(runner.maxPerRepository()).toBe(1);
    });

    it("runs a check asked for while the repository's check runs once after it", async () => {
      const { queue, runner } = await setup();
      await queue.enqueueCheck(check("live", "first"));
      await waitFor(() => runner.started.length === 1, "the first check");
      for (let i = 1; i <= 4; i++) await queue.enqueueCheck(check("live", `again ${i}`));
      await sleep(150);
      expect(runner.started).toHaveLength(1);

      runner.finish("acme/live");
      await waitFor(() => runner.started.length === 2, "the follow-up check");
      runner.finishAll();
      await queue.onIdle();
      expect(runner.started.map((j) => j.reason)[0]).toBe("first");
      expect(runner.started).toHaveLength(2);
      expect(runner.maxPerRepository()).toBe(1);
    });

    it("queues a check once while another job of the repository runs (the waiting check is the request)", async () => {
      const { queue, runner } = await setup();
      await queue.enqueue(merged("live", 1));
      await waitFor(() => runner.started.length === 1, "the merge job");
      for (let i = 1; i <= 4; i++) await queue.enqueueCheck(check("live", `request ${i}`));
      await sleep(150);
      for (let i = 5; i <= 8; i++) await queue.enqueueCheck(check("live", `request ${i}`));
      expect(runner.started).toHaveLength(1);

      runner.finishAll();
      await queue.onIdle();
      expect(runner.started.map((j) => j.kind ?? "check")).toEqual(["merged", "check"]);
    });

    it("starts merges and commands before checks queued earlier, module releases between", async () => {
      const { queue, runner } = await setup(1);
      await queue.enqueueCheck(check("busy"));
      await waitFor(() => runner.started.length === 1, "the first check");
      for (let i = 1; i <= 5; i++) await queue.enqueueCheck(check(`scheduled-${i}`));
      await queue.enqueue(moduleReleased("acme/vpc-module", "v2.0.0"));
      await queue.enqueue(command("commanded", 42));
      await queue.enqueue(merged("merged", 7));
      await sleep(150);
      expect(runner.started).toHaveLength(1);

      runner.finishAll();
      await queue.onIdle();
      expect(runner.started.map((j) => j.repo)).toEqual([
        "busy",
        "commanded",
        "merged",
        "vpc-module",
        ...[1, 2, 3, 4, 5].map((i) => `scheduled-${i}`),
      ]);
    });

    it("keeps checks of other repositories apart", async () => {
      const { queue, runner } = await setup();
      runner.auto = true;
      await queue.enqueueCheck(check("a"));
      await queue.enqueueCheck(check("b"));
      await queue.enqueueCheck(check("a", "b's owner", "other"));
      await queue.onIdle();
      expect(runner.started.map((j) => `${j.owner}/${j.repo}`).sort()).toEqual([
        "acme/a",
        "acme/b",
        "other/a",
      ]);
    });

    it("a failing job holds up neither its repository nor others", async () => {
      const { queue, runner } = await setup();
      runner.auto = true;
      runner.failing.add("#1 merged");
      await queue.enqueue(merged("live", 1));
      await queue.enqueueCheck(check("live", "after the failure"));
      await queue.enqueueCheck(check("other"));
      await queue.onIdle();
      const reasons = runner.started.map((j) => `${j.repo}:${j.reason}`);
      expect(reasons).toContain("live:#1 merged");
      expect(reasons).toContain("live:after the failure");
      expect(reasons).toContain("other:test");
    });

    it("onIdle resolves at once when nothing is queued, and only once every job has finished", async () => {
      const { queue, runner } = await setup();
      expect(await settlesWithin(queue.onIdle(), 100)).toBe(true);
      await queue.enqueueCheck(check("a"));
      await queue.enqueue(merged("a", 1));
      await waitFor(() => runner.started.length === 1, "the first job");
      const idle = queue.onIdle();
      expect(await settlesWithin(idle, 100)).toBe(false);
      runner.finish("acme/a");
      await waitFor(() => runner.started.length === 2, "the second job");
      expect(await settlesWithin(idle, 100)).toBe(false);
      runner.finish("acme/a");
      expect(await settlesWithin(idle, 2_000)).toBe(true);
    });

    it("close waits for the running job, and no job runs after it", async () => {
      const { queue, runner } = await setup();
      await queue.enqueueCheck(check("a"));
      await waitFor(() => runner.started.length === 1, "the job");
      const closed = queue.close();
      expect(await settlesWithin(closed, 150)).toBe(false);
      runner.finish("acme/a");
      await closed;
      // A closed queue refuses (the webhook then fails and is redelivered) or drops with a warning.
      await queue.enqueueCheck(check("b")).catch(() => undefined);
      await sleep(150);
      expect(runner.started.map((j) => j.repo)).toEqual(["a"]);
    });
  });
}
