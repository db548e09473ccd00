import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_CONCURRENCY, InProcessQueue } from "../../src/queue/in-process-queue.js";
import type { CheckJob, CommandJob, Job } from "../../src/queue/job-queue.js";

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (p-limit starts jobs asynchronously). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const job = (repo: string, reason = "test", owner = "acme"): CheckJob => ({
  installationId: 1,
  owner,
  repo,
  reason,
});

/** A queue whose jobs run until the test finishes them by hand. */
function harness(concurrency: number) {
  const log = pino({ level: "silent" });
  const started: Job[] = [];
  const running = new Map<Job, Deferred>();
  let active = 0;
  let maxActive = 0;
  const queue = new InProcessQueue(
    async (j) => {
      started.push(j);
      active++;
      maxActive = Math.max(maxActive, active);
      const gate = deferred();
      running.set(j, gate);
      try {
        await gate.promise;
      } finally {
        running.delete(j);
        active--;
      }
    },
    log,
    concurrency,
  );
  const runningRepos = () => [...running.keys()].map((j) => `${j.owner}/${j.repo}`).sort();
  /** Finishes the running job of a repository (by its exact `owner/repo`). */
  const finish = async (fullName: string, error?: unknown) => {
    const entry = [...running].find(([j]) => `${j.owner}/${j.repo}` === fullName);
    if (!entry) throw new Error(`${fullName} is not running; running: ${runningRepos().join(",")}`);
    if (error === undefined) entry[1].resolve();
    else entry[1].reject(error);
    await settle();
  };
  return {
    queue,
    log,
    started,
    runningRepos,
    finish,
    maxActive: () => maxActive,
  };
}

/** Whether a promise has settled, after letting pending callbacks run. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await settle();
  return settled;
}

describe("InProcessQueue: one job at a time per repository", () => {
  it("runs a check requested while the repository's check runs after it, exactly once", async () => {
    const h = harness(4);
    void h.queue.enqueueCheck(job("live", "first"));
    await settle();
    expect(h.runningRepos()).toEqual(["acme/live"]);

    for (let i = 1; i <= 5; i++) void h.queue.enqueueCheck(job("live", `request ${i}`));
    await settle();
    // Still only the first one: never two checks of a repository at once.
    expect(h.started.map((j) => j.reason)).toEqual(["first"]);

    await h.finish("acme/live");
    // The follow-up runs once, with the latest request.
    expect(h.started.map((j) => j.reason)).toEqual(["first", "request 5"]);
    expect(h.runningRepos()).toEqual(["acme/live"]);

    await h.finish("acme/live");
    await settle();
    expect(h.started).toHaveLength(2);
    expect(h.runningRepos()).toEqual([]);
    expect(h.maxActive()).toBe(1);
  });

  it("merges a request into the repository's check that still waits for a slot", async () => {
    const h = harness(1);
    void h.queue.enqueueCheck(job("a"));
    await settle();
    expect(h.runningRepos()).toEqual(["acme/a"]);

    // b waits for the only slot; further requests for it change nothing.
    void h.queue.enqueueCheck(job("b", "b1"));
    void h.queue.enqueueCheck(job("b", "b2"));
    void h.queue.enqueueCheck(job("b", "b3"));
    await settle();
    expect(h.started.map((j) => j.repo)).toEqual(["a"]);

    await h.finish("acme/a");
    expect(h.runningRepos()).toEqual(["acme/b"]);
    await h.finish("acme/b");
    await h.queue.onIdle();
    expect(h.started.map((j) => `${j.repo}:${j.reason}`)).toEqual(["a:test", "b:b1"]);
  });

  it("treats owner and repository names case-insensitively", async () => {
    const h = harness(4);
    void h.queue.enqueueCheck(job("Live", "first", "Acme"));
    await settle();
    void h.queue.enqueueCheck(job("live", "second", "acme"));
    void h.queue.enqueueCheck(job("LIVE", "third", "ACME"));
    await settle();
    // Not run concurrently as if it were another repository.
    expect(h.started.map((j) => j.reason)).toEqual(["first"]);
    await h.finish("Acme/Live");
    expect(h.started.map((j) => j.reason)).toEqual(["first", "third"]);
    await h.finish("ACME/LIVE");
    await h.queue.onIdle();
    expect(h.started).toHaveLength(2);
    expect(h.maxActive()).toBe(1);
  });
});

describe("InProcessQueue: concurrency", () => {
  it("runs different repositories concurrently, up to the limit and never more", async () => {
    const h = harness(2);
    for (const repo of ["a", "b", "c", "d", "e"]) void h.queue.enqueueCheck(job(repo));
    await settle();
    expect(h.runningRepos()).toEqual(["acme/a", "acme/b"]);

    await h.finish("acme/a");
    expect(h.runningRepos()).toEqual(["acme/b", "acme/c"]);
    // A follow-up of a running repository waits for a slot like any other job.
    void h.queue.enqueueCheck(job("b", "again"));
    await h.finish("acme/c");
    expect(h.runningRepos()).toEqual(["acme/b", "acme/d"]);
    await h.finish("acme/b");
    expect(h.runningRepos()).toEqual(["acme/d", "acme/e"]);
    await h.finish("acme/d");
    expect(h.runningRepos()).toEqual(["acme/b", "acme/e"]);
    await h.finish("acme/e");
    await h.finish("acme/b");
    await h.queue.onIdle();

    expect(h.started.map((j) => j.repo)).toEqual(["a", "b", "c", "d", "e", "b"]);
    expect(h.maxActive()).toBe(2);
  });

  it("defaults to several jobs at once", async () => {
    const log = pino({ level: "silent" });
    const gate = deferred();
    let active = 0;
    const queue = new InProcessQueue(async () => {
      active++;
      await gate.promise;
    }, log);
    const repos = Array.from({ length: DEFAULT_CONCURRENCY + 2 }, (_, i) => `r${i}`);
    for (const repo of repos) void queue.enqueueCheck(job(repo));
    await settle();
    expect(active).toBe(DEFAULT_CONCURRENCY);
    gate.resolve();
    await queue.onIdle();
    expect(active).toBe(DEFAULT_CONCURRENCY + 2);
  });
});

describe("InProcessQueue: priority", () => {
  const command = (repo: string, id: number): CommandJob => ({
    kind: "command",
    installationId: 1,
    owner: "acme",
    repo,
    reason: `comment ${id}`,
    comment: { id, body: "/promote stage" },
    author: "octocat",
    issue: { number: 7, isPullRequest: true, author: "octocat" },
  });

  it("a command of a repository whose check waits for a slot takes the next slot, before the check", async () => {
    const h = harness(1);
    for (const repo of ["busy", "a", "b", "c"]) void h.queue.enqueueCheck(job(repo));
    await settle();
    void h.queue.enqueue(command("c", 1));
    await settle();

    await h.finish("acme/busy");
    expect(h.started.map((j) => `${j.repo}:${j.kind ?? "check"}`)).toEqual([
      "busy:check",
      "c:command",
    ]);
    for (const repo of ["c", "a", "b", "c"]) await h.finish(`acme/${repo}`);
    await h.queue.onIdle();
    // c's check, behind the command, then queues again for a slot, like any check.
    expect(h.started.map((j) => `${j.repo}:${j.kind ?? "check"}`)).toEqual([
      "busy:check",
      "c:command",
      "a:check",
      "b:check",
      "c:check",
    ]);
  });

  it("a command runs before a check of its repository that waits behind a running job", async () => {
    const h = harness(4);
    void h.queue.enqueueCheck(job("live", "first"));
    await settle();
    void h.queue.enqueueCheck(job("live", "again"));
    void h.queue.enqueue(command("live", 2));
    await settle();
    await h.finish("acme/live");
    await h.finish("acme/live");
    await h.finish("acme/live");
    await h.queue.onIdle();
    expect(h.started.map((j) => j.reason)).toEqual(["first", "comment 2", "again"]);
  });
});

describe("InProcessQueue: failures", () => {
  it("logs a failing job and keeps running others and later ones", async () => {
    const h = harness(1);
    const error = vi.spyOn(h.log, "error");
    void h.queue.enqueueCheck(job("a", "fails"));
    void h.queue.enqueueCheck(job("b"));
    await settle();
    void h.queue.enqueueCheck(job("a", "after the failure"));

    const boom = new Error("GitHub is down");
    await h.finish("acme/a", boom);
    expect(error).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalledWith({ err: boom, repo: "acme/a" }, "job failed");

    expect(h.runningRepos()).toEqual(["acme/b"]);
    await h.finish("acme/b");
    expect(h.runningRepos()).toEqual(["acme/a"]);
    await h.finish("acme/a");
    await h.queue.onIdle();
    expect(h.started.map((j) => `${j.repo}:${j.reason}`)).toEqual([
      "a:fails",
      "b:test",
      "a:after the failure",
    ]);
    expect(error).toHaveBeenCalledTimes(1);
  });

  it("survives a job that throws synchronously", async () => {
    const log = pino({ level: "silent" });
    const error = vi.spyOn(log, "error");
    const ran: string[] = [];
    const queue = new InProcessQueue(
      (j: Job) => {
        ran.push(j.repo);
        if (j.repo === "bad") throw new Error("sync");
        return Promise.resolve();
      },
      log,
      1,
    );
    void queue.enqueueCheck(job("bad"));
    void queue.enqueueCheck(job("good"));
    await queue.onIdle();
    expect(ran).toEqual(["bad", "good"]);
    expect(error).toHaveBeenCalledTimes(1);
  });
});

describe("InProcessQueue: onIdle and close", () => {
  it("onIdle resolves at once when nothing was queued", async () => {
    const h = harness(2);
    expect(await isSettled(h.queue.onIdle())).toBe(true);
  });

  it("onIdle resolves only when every job, follow-ups included, has finished", async () => {
    const h = harness(2);
    void h.queue.enqueueCheck(job("a"));
    void h.queue.enqueueCheck(job("b"));
    await settle();
    void h.queue.enqueueCheck(job("a", "follow-up"));
    const idle = h.queue.onIdle();
    const idleToo = h.queue.onIdle();

    await h.finish("acme/a");
    expect(await isSettled(idle)).toBe(false);
    await h.finish("acme/b");
    // a's follow-up still runs.
    expect(h.runningRepos()).toEqual(["acme/a"]);
    expect(await isSettled(idle)).toBe(false);
    await h.finish("acme/a");
    expect(await isSettled(idle)).toBe(true);
    expect(await isSettled(idleToo)).toBe(true);

    // And again for a later batch.
    void h.queue.enqueueCheck(job("c"));
    await settle();
    const later = h.queue.onIdle();
    expect(await isSettled(later)).toBe(false);
    await h.finish("acme/c");
    expect(await isSettled(later)).toBe(true);
  });

  it("onIdle waits for jobs that wait for a slot", async () => {
    const h = harness(1);
    void h.queue.enqueueCheck(job("a"));
    void h.queue.enqueueCheck(job("b"));
    const idle = h.queue.onIdle();
    await settle();
    await h.finish("acme/a");
    expect(await isSettled(idle)).toBe(false);
    expect(h.runningRepos()).toEqual(["acme/b"]);
    await h.finish("acme/b");
    expect(await isSettled(idle)).toBe(true);
  });

  it("close waits for the running jobs and refuses new ones", async () => {
    const h = harness(2);
    const warn = vi.spyOn(h.log, "warn");
    void h.queue.enqueueCheck(job("a"));
    await settle();
    const closed = h.queue.close();
    expect(await isSettled(closed)).toBe(false);

    void h.queue.enqueueCheck(job("b"));
    void h.queue.enqueueCheck(job("a", "after close"));
    await settle();
    expect(h.started.map((j) => j.repo)).toEqual(["a"]);
    expect(warn).toHaveBeenCalledWith({ repo: "acme/b" }, "queue closed: job not queued");
    expect(warn).toHaveBeenCalledTimes(2);

    await h.finish("acme/a");
    expect(await isSettled(closed)).toBe(true);
    expect(h.started).toHaveLength(1);
    expect(h.runningRepos()).toEqual([]);
  });

  it("close resolves at once when idle, and the queue then takes nothing", async () => {
    const h = harness(2);
    expect(await isSettled(h.queue.close())).toBe(true);
    void h.queue.enqueueCheck(job("a"));
    await settle();
    expect(h.started).toEqual([]);
  });
});
