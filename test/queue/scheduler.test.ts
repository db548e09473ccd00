import { CronExpressionParser } from "cron-parser";
import { pino } from "pino";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installationDirectory } from "../../src/github/installations.js";
import { spreadCheckAt } from "../../src/queue/schedule.js";
import { Scheduler, type SchedulerOptions } from "../../src/queue/scheduler.js";
import type { RepositoryMemory } from "../../src/queue/repository-memory.js";
import type { CheckJob, JobQueue } from "../../src/queue/job-queue.js";

const HOUR = 60 * 60 * 1000;
const NOW = Date.UTC(2024, 5, 7, 7, 0, 0); // Friday 2024-06-07 07:00 UTC

interface FakeRepository {
  id: number;
  full_name: string;
  name: string;
  owner: { login: string };
  default_branch: string;
}

const ids = new Map<string, number>();
/** A repository id per name, as GitHub gives one. */
const idOf = (fullName: string): number => {
  if (!ids.has(fullName)) ids.set(fullName, 1000 + ids.size);
  return ids.get(fullName) ?? 0;
};

const INTERVAL: Record<string, number> = { hourly: HOUR, daily: 24 * HOUR, weekly: 7 * 24 * HOUR };
/** A repository's last moment of its schedule at or before NOW. */
const lastMoment = (schedule: string, fullName: string): number =>
  spreadCheckAt(schedule, NOW - (INTERVAL[schedule] ?? 0), String(idOf(fullName)));

const repository = (fullName: string, defaultBranch = "main"): FakeRepository => {
  const [owner = "", name = ""] = fullName.split("/");
  return {
    id: idOf(fullName),
    full_name: fullName,
    name,
    owner: { login: owner },
    default_branch: defaultBranch,
  };
};

/** A Probot app whose octokits list the given installations and their repositories. */
function fakeApp(installations: Record<number, FakeRepository[]>) {
  const requests: string[] = [];
  const octokit = (installationId?: number) => ({
    paginate: (route: string, params: Record<string, unknown>) => {
      requests.push(`${installationId ?? "app"} ${route} per_page=${String(params.per_page)}`);
      if (installationId === undefined) {
        if (route !== "GET /app/installations") {
          return Promise.reject(new Error(`app cannot ${route}`));
        }
        return Promise.resolve(Object.keys(installations).map((id) => ({ id: Number(id) })));
      }
      if (route !== "GET /installation/repositories") {
        return Promise.reject(new Error(`cannot ${route}`));
      }
      return Promise.resolve(installations[installationId] ?? []);
    },
  });
  const auth = vi.fn((installationId?: number) => Promise.resolve(octokit(installationId)));
  const app = { auth, log: pino({ level: "silent" }) } as unknown as Probot;
  return { app, auth, requests };
}

function fakeQueue() {
  const jobs: CheckJob[] = [];
  const queue: JobQueue = {
    enqueueCheck: (job) => {
      jobs.push(job);
      return Promise.resolve();
    },
    enqueue: (job) => {
      jobs.push(job as CheckJob);
      return Promise.resolve();
    },
    enqueueCheckAt: (job) => {
      jobs.push(job);
      return Promise.resolve();
    },
    onIdle: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { queue, jobs };
}

function setup(
  installations: Record<number, FakeRepository[]>,
  options: Partial<SchedulerOptions> = {},
) {
  const { app, auth, requests } = fakeApp(installations);
  const { queue, jobs } = fakeQueue();
  const repositories = new Map<string, RepositoryMemory>();
  const sources = { directory: installationDirectory(app), repositories, log: app.log };
  const scheduler = new Scheduler(queue, sources, {
    intervalMs: 60_000,
    jitterMs: 0,
    firstCheckSpreadMs: 0,
    random: () => 0,
    ...options,
  });
  const remember = (fullName: string, checkedAt: number, schedule?: string) =>
    repositories.set(fullName, {
      checkedAt,
      ...(schedule === undefined ? {} : { schedule }),
      modules: new Set(),
    });
  const queued = () => jobs.map((j) => `${j.owner}/${j.repo}`).sort();
  return { app, scheduler, queue, jobs, queued, remember, auth, requests };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Scheduler.tick: what is due", () => {
  it("queues a check of every repository never checked, with what the check needs", async () => {
    const s = setup({
      11: [repository("acme/live"), repository("acme/other-live", "trunk")],
      22: [repository("globex/infra")],
    });
    expect(await s.scheduler.tick(NOW)).toBe(3);
    expect(s.jobs).toEqual([
      {
        installationId: 11,
        owner: "acme",
        repo: "live",
        defaultBranch: "main",
        repositoryId: 1000,
        reason: "schedule",
      },
      {
        installationId: 11,
        owner: "acme",
        repo: "other-live",
        defaultBranch: "trunk",
        repositoryId: 1001,
        reason: "schedule",
      },
      {
        installationId: 22,
        owner: "globex",
        repo: "infra",
        defaultBranch: "main",
        repositoryId: 1002,
        reason: "schedule",
      },
    ]);
    // The app's own credentials list installations; each installation's list its repositories.
    expect(s.auth.mock.calls.map((call) => call[0])).toEqual([undefined, 11, 22]);
    expect(s.requests).toEqual([
      "app GET /app/installations per_page=100",
      "11 GET /installation/repositories per_page=100",
      "22 GET /installation/repositories per_page=100",
    ]);
  });

  it("skips a repository checked recently on a daily schedule", async () => {
    const s = setup({ 11: [repository("acme/live")] });
    s.remember("acme/live", NOW - HOUR, "daily");
    expect(await s.scheduler.tick(NOW)).toBe(0);
    expect(s.jobs).toEqual([]);
  });

  it("queues a repository checked 25 hours ago on a daily schedule", async () => {
    const s = setup({ 11: [repository("acme/live")] });
    s.remember("acme/live", NOW - 25 * HOUR, "daily");
    expect(await s.scheduler.tick(NOW)).toBe(1);
    expect(s.queued()).toEqual(["acme/live"]);
  });

  it("decides per repository, by each one's own schedule and moment", async () => {
    const s = setup({
      11: [
        repository("acme/never"),
        repository("acme/hourly-due"),
        repository("acme/hourly-recent"),
        repository("acme/weekly-recent"),
        repository("acme/weekly-due"),
      ],
    });
    // Each checked at its own last moment of the interval (not due), or just before it (due).
    s.remember("acme/hourly-due", lastMoment("hourly", "acme/hourly-due") - 1, "hourly");
    s.remember("acme/hourly-recent", lastMoment("hourly", "acme/hourly-recent"), "hourly");
    s.remember("acme/weekly-recent", lastMoment("weekly", "acme/weekly-recent"), "weekly");
    s.remember("acme/weekly-due", lastMoment("weekly", "acme/weekly-due") - 1, "weekly");
    expect(await s.scheduler.tick(NOW)).toBe(3);
    expect(s.queued()).toEqual(["acme/hourly-due", "acme/never", "acme/weekly-due"]);
  });

  it("is due exactly at the repository's moment of the schedule", async () => {
    const s = setup({ 11: [repository("acme/live")] });
    const checkedAt = NOW - 24 * HOUR;
    s.remember("acme/live", checkedAt, "daily");
    const due = spreadCheckAt("daily", checkedAt, String(idOf("acme/live")));
    expect(due).toBeGreaterThan(checkedAt);
    expect(due).toBeLessThanOrEqual(checkedAt + 24 * HOUR);
    expect(await s.scheduler.tick(due - 1)).toBe(0);
    expect(await s.scheduler.tick(due)).toBe(1);
  });

  it("spreads 500 daily repositories over the day: each once a day, never many in one tick", async () => {
    const names = Array.from({ length: 500 }, (_, i) => `acme/live-${i}`);
    const s = setup({ 11: names.map((name) => repository(name)) }, { intervalMs: 15 * 60_000 });
    const day = Date.UTC(2024, 5, 8);
    for (const name of names) s.remember(name, day - 1, "daily");
    const perTick: number[] = [];
    for (let now = day; now <= day + 24 * HOUR; now += 15 * 60_000) {
      const before = s.jobs.length;
      await s.scheduler.tick(now);
      for (const job of s.jobs.slice(before)) s.remember(`${job.owner}/${job.repo}`, now, "daily");
      perTick.push(s.jobs.length - before);
    }
    expect(s.queued()).toEqual([...names].sort());
    // 96 ticks, 500 repositories: about 5 a tick; all of them at once before spreading.
    expect(Math.max(...perTick)).toBeLessThanOrEqual(15);
  });

  it("spreads the first checks of repositories not checked yet over firstCheckSpreadMs", async () => {
    const names = Array.from({ length: 200 }, (_, i) => `acme/new-${i}`);
    const s = setup({ 11: names.map((name) => repository(name)) }, { firstCheckSpreadMs: HOUR });
    const first = await s.scheduler.tick(NOW);
    expect(first).toBeLessThan(20);
    for (let now = NOW + 15 * 60_000; now <= NOW + HOUR; now += 15 * 60_000) {
      const before = s.jobs.length;
      await s.scheduler.tick(now);
      for (const job of s.jobs.slice(before)) s.remember(`${job.owner}/${job.repo}`, now, "daily");
    }
    expect(s.queued()).toEqual([...names].sort());
  });

  it("follows a cron schedule, in UTC", async () => {
    const s = setup({ 11: [repository("acme/live")] });
    // Checked Friday 06:30; weekdays at 06:00 → due again Monday 2024-06-10 06:00 UTC.
    s.remember("acme/live", Date.UTC(2024, 5, 7, 6, 30), "0 6 * * 1-5");
    expect(await s.scheduler.tick(NOW)).toBe(0);
    expect(await s.scheduler.tick(Date.UTC(2024, 5, 8, 12, 0))).toBe(0); // Saturday
    expect(await s.scheduler.tick(Date.UTC(2024, 5, 10, 5, 59))).toBe(0);
    expect(s.jobs).toEqual([]);
    expect(await s.scheduler.tick(Date.UTC(2024, 5, 10, 6, 0))).toBe(1);
    expect(s.queued()).toEqual(["acme/live"]);
  });

  it("computes a repository's next check once per check, not at every tick", async () => {
    const s = setup({ 11: [repository("acme/live")] });
    // Fifth Monday of February: years away, and slow for cron-parser to step to.
    s.remember("acme/live", NOW, "0 0 * 2 1#5");
    const parse = vi.spyOn(CronExpressionParser, "parse");
    for (let i = 1; i <= 3; i++) expect(await s.scheduler.tick(NOW + i * HOUR)).toBe(0);
    expect(parse).toHaveBeenCalledTimes(1);
    s.remember("acme/live", NOW + HOUR, "0 0 * 2 1#5");
    expect(await s.scheduler.tick(NOW + 4 * HOUR)).toBe(0);
    expect(parse).toHaveBeenCalledTimes(2);
    parse.mockRestore();
  });

  it("counts nothing and queues nothing without installations or repositories", async () => {
    expect(await setup({}).scheduler.tick(NOW)).toBe(0);
    const empty = setup({ 11: [] });
    expect(await empty.scheduler.tick(NOW)).toBe(0);
    expect(empty.jobs).toEqual([]);
  });
});

describe("Scheduler.tick: one repository's failure is its own", () => {
  it("checks the others when one repository's remembered schedule cannot be read", async () => {
    const s = setup({
      11: [repository("acme/a"), repository("acme/bad"), repository("acme/c")],
      22: [repository("globex/infra")],
    });
    // Remembered from a config that an older version of the app accepted.
    s.remember("acme/bad", NOW - HOUR, "99 99 99 99 99");
    const warn = vi.spyOn(s.app.log, "warn");
    expect(await s.scheduler.tick(NOW)).toBe(3);
    expect(s.queued()).toEqual(["acme/a", "acme/c", "globex/infra"]);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ repo: "acme/bad", schedule: "99 99 99 99 99" }),
      "remembered schedule unreadable: checked daily",
    );
  });

  it("checks a repository whose remembered schedule cannot be read once a day", async () => {
    const s = setup({ 11: [repository("acme/bad")] });
    s.remember("acme/bad", NOW - 25 * HOUR, "0 0 30 2 *");
    expect(await s.scheduler.tick(NOW)).toBe(1);
    expect(s.queued()).toEqual(["acme/bad"]);
  });

  it("queues the other installations' repositories when one installation's listing fails", async () => {
    const s = setup({
      11: [repository("acme/live")],
      22: [repository("globex/infra")],
      33: [repository("initech/live")],
    });
    const original = s.auth.getMockImplementation();
    s.auth.mockImplementation(async (id?: number) => {
      if (id === 22) throw new Error("installation suspended");
      return original!(id);
    });
    const warn = vi.spyOn(s.app.log, "warn");
    expect(await s.scheduler.tick(NOW)).toBe(2);
    expect(s.queued()).toEqual(["acme/live", "initech/live"]);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ installationId: 22 }),
      "repositories of an installation not listed",
    );
  });

  it("queues the other repositories when queueing one fails", async () => {
    const s = setup({ 11: [repository("acme/a"), repository("acme/b"), repository("acme/c")] });
    const enqueue = s.queue.enqueueCheck.bind(s.queue);
    s.queue.enqueueCheck = async (job) => {
      if (job.repo === "b") throw new Error("queue full");
      return enqueue(job);
    };
    const warn = vi.spyOn(s.app.log, "warn");
    expect(await s.scheduler.tick(NOW)).toBe(3);
    expect(s.queued()).toEqual(["acme/a", "acme/c"]);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ repo: "acme/b" }),
      "scheduled check not queued",
    );
  });
});

describe("Scheduler: jitter", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });

  it("spreads due checks over the jitter window", async () => {
    const s = setup({ 11: [repository("acme/live")] }, { random: () => 0.5, jitterMs: 1000 });
    expect(await s.scheduler.tick(NOW)).toBe(1);
    expect(s.jobs).toEqual([]);
    await vi.advanceTimersByTimeAsync(499);
    expect(s.jobs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.queued()).toEqual(["acme/live"]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.jobs).toHaveLength(1);
  });

  it("delays each check by its own random share of the window", async () => {
    const draws = [0.1, 0.9, 0.5];
    const s = setup(
      { 11: [repository("acme/a"), repository("acme/b"), repository("acme/c")] },
      { random: () => draws.shift() ?? 0, jitterMs: 1000 },
    );
    expect(await s.scheduler.tick(NOW)).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(s.queued()).toEqual(["acme/a"]);
    await vi.advanceTimersByTimeAsync(400);
    expect(s.queued()).toEqual(["acme/a", "acme/c"]);
    await vi.advanceTimersByTimeAsync(400);
    expect(s.queued()).toEqual(["acme/a", "acme/b", "acme/c"]);
  });

  it("stop drops checks that have not been queued yet", async () => {
    const s = setup(
      { 11: [repository("acme/a"), repository("acme/b")] },
      { random: () => 0.5, jitterMs: 1000 },
    );
    expect(await s.scheduler.tick(NOW)).toBe(2);
    await s.scheduler.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.jobs).toEqual([]);
  });
});

describe("Scheduler: start and stop", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });

  it("looks for due repositories at once and then every interval, until stopped", async () => {
    const s = setup({ 11: [repository("acme/live")] }, { intervalMs: 60_000 });
    s.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.queued()).toEqual(["acme/live"]);

    // Checked now, on an hourly schedule: the next ticks find nothing due until its moment of the hour.
    const checkedAt = Date.now();
    s.remember("acme/live", checkedAt, "hourly");
    const due = spreadCheckAt("hourly", checkedAt, String(idOf("acme/live")));
    await vi.advanceTimersByTimeAsync(due - checkedAt - 60_000);
    expect(s.jobs).toHaveLength(1);
    // The first tick at or after its moment.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(s.jobs).toHaveLength(2);
    const listings = s.requests.filter((r) => r.includes("/app/installations")).length;
    expect(listings).toBe(1 + Math.floor((Date.now() - checkedAt) / 60_000));

    await s.scheduler.stop();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(s.requests.filter((r) => r.includes("/app/installations"))).toHaveLength(listings);
  });

  it("logs a failed listing and keeps ticking", async () => {
    const s = setup({ 11: [repository("acme/live")] }, { intervalMs: 60_000 });
    let fail = true;
    const original = s.auth.getMockImplementation();
    s.auth.mockImplementation(async (id?: number) => {
      if (fail) throw new Error("GitHub is down");
      return original!(id);
    });
    const error = vi.spyOn(s.app.log, "error");
    s.scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.jobs).toEqual([]);
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]?.[1]).toBe("scheduled check listing failed");
    fail = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(s.queued()).toEqual(["acme/live"]);
    await s.scheduler.stop();
  });
});
