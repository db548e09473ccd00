import nock from "nock";
import { describe, expect, it } from "vitest";
import { onRepositoryDispatch } from "../../src/handlers/repository-dispatch.js";
import { InProcessQueue } from "../../src/queue/in-process-queue.js";
import { jobRunner } from "../../src/index.js";
import type { CheckJob, Job } from "../../src/queue/job-queue.js";
import { API, INSTALLATION_ID, testApp, webhook } from "./helpers.js";
import { useNock } from "../support/nock-github.js";

/** The app with its queue's jobs recorded instead of run: what each event asks to check or do. */
function recordingApp() {
  const app = testApp();
  const jobs: CheckJob[] = [];
  const queued: Job[] = [];
  app.queue.enqueueCheck = (job) => {
    jobs.push(job);
    return Promise.resolve();
  };
  app.queue.enqueue = (job) => {
    queued.push(job);
    return Promise.resolve();
  };
  return { ...app, jobs, queued };
}

const repositories = (...names: string[]) => ({
  total_count: names.length,
  repositories: names.map((full) => {
    const [owner, name] = full.split("/") as [string, string];
    return { name, full_name: full, owner: { login: owner }, default_branch: "main" };
  }),
});

useNock();

describe("a module release", () => {
  const release = () =>
    webhook("release", "published", { owner: "acme", repo: "terraform-aws-vpc" });

  it("queues one job, without a request to GitHub", async () => {
    const app = recordingApp();
    // No interceptor: any request the handler made would fail the delivery.
    await app.receive("release", release());
    expect(app.queued).toEqual([
      {
        kind: "module-released",
        installationId: INSTALLATION_ID,
        owner: "acme",
        repo: "terraform-aws-vpc",
        defaultBranch: "main",
        reason: `release ${(release().release as { tag_name: string }).tag_name} of acme/terraform-aws-vpc`,
        module: "acme/terraform-aws-vpc",
      },
    ]);
    expect(app.jobs).toEqual([]);
  });

  it("whose job checks the installation's repositories that use the module, and those not checked yet", async () => {
    const app = recordingApp();
    app.services.repositories.set("acme/live-a", {
      checkedAt: Date.now(),
      modules: new Set(["acme/terraform-aws-vpc"]),
    });
    app.services.repositories.set("acme/live-b", {
      checkedAt: Date.now(),
      modules: new Set(["acme/terraform-aws-sqs"]),
    });
    await app.receive("release", release());
    const checks: CheckJob[] = [];
    const run = jobRunner(app.probot, app.services, (job) => {
      checks.push(job);
      return Promise.resolve();
    });
    nock(API)
      .get("/installation/repositories")
      .query(true)
      .reply(
        200,
        repositories("acme/terraform-aws-vpc", "acme/live-a", "acme/live-b", "acme/live-new"),
      );
    await run(app.queued[0] as Job);
    expect(checks.map((j) => `${j.owner}/${j.repo}`)).toEqual(["acme/live-a", "acme/live-new"]);
    expect(checks[0]).toMatchObject({
      installationId: INSTALLATION_ID,
      defaultBranch: "main",
      reason: "release of acme/terraform-aws-vpc",
    });
  });

  it("is also a tag created, and not a branch created", async () => {
    const app = recordingApp();
    await app.receive(
      "create",
      webhook(
        "create",
        undefined,
        { owner: "acme", repo: "terraform-aws-vpc" },
        { ref_type: "tag", ref: "v1.2.0" },
      ),
    );
    expect(app.queued).toMatchObject([
      { kind: "module-released", reason: "release v1.2.0 of acme/terraform-aws-vpc" },
    ]);
    await app.receive(
      "create",
      webhook(
        "create",
        undefined,
        { owner: "acme", repo: "terraform-aws-vpc" },
        { ref_type: "branch", ref: "x" },
      ),
    );
    expect(app.queued).toHaveLength(1);
  });
});

describe("other triggers", () => {
  it("repository_dispatch new_module_release checks that repository; other dispatch types do nothing", async () => {
    const app = recordingApp();
    const repo = { owner: "acme", repo: "live" };
    await app.receive(
      "repository_dispatch",
      webhook("repository_dispatch", undefined, repo, { action: "new_module_release" }),
    );
    await app.receive(
      "repository_dispatch",
      webhook("repository_dispatch", undefined, repo, { action: "deploy" }),
    );
    expect(app.jobs).toEqual([
      {
        installationId: INSTALLATION_ID,
        owner: "acme",
        repo: "live",
        defaultBranch: "main",
        repositoryId: 17273051,
        reason: "new_module_release",
      },
    ]);
  });

  it("a new installation, and repositories added to one, check each repository", async () => {
    const app = recordingApp();
    const created = webhook(
      "installation",
      "created",
      { owner: "acme", repo: "x" },
      {
        repositories: [{ id: 1, name: "live", full_name: "acme/live", private: true }],
      },
    );
    await app.receive("installation", created);
    const added = webhook(
      "installation_repositories",
      "added",
      { owner: "acme", repo: "x" },
      {
        repositories_added: [
          { id: 2, name: "live-2", full_name: "acme/live-2", private: true },
          { id: 3, name: "live-3", full_name: "acme/live-3", private: false },
        ],
      },
    );
    await app.receive("installation_repositories", added);
    expect(app.jobs.map((j) => [j.repo, j.reason])).toEqual([
      ["live", "installation.created"],
      ["live-2", "installation_repositories.added"],
      ["live-3", "installation_repositories.added"],
    ]);
  });

  it("a push to the default branch that changes .github/promoter.yml checks it; other pushes do nothing", async () => {
    const app = recordingApp();
    const repo = { owner: "acme", repo: "live" };
    const commit = (files: string[]) => ({ id: "c1", added: [], removed: [], modified: files });
    const push = (ref: string, files: string[]) =>
      webhook("push", undefined, repo, {
        ref,
        commits: [commit(files)],
        head_commit: commit(files),
      });
    await app.receive("push", push("refs/heads/main", ["README.md"]));
    await app.receive("push", push("refs/heads/feature", [".github/promoter.yml"]));
    expect(app.jobs).toEqual([]);
    await app.receive("push", push("refs/heads/main", [".github/promoter.yml"]));
    expect(app.jobs).toEqual([
      {
        installationId: INSTALLATION_ID,
        owner: "acme",
        repo: "live",
        defaultBranch: "main",
        repositoryId: 186853002,
        reason: "config pushed",
      },
    ]);
  });
});

describe("the same webhook delivered several times", () => {
  it("folds deliveries into one check, and one more for those that arrive while it runs", async () => {
    const app = testApp();
    const runs: string[] = [];
    let finish: () => void = () => {};
    let running: () => void = () => {};
    const isRunning = new Promise<void>((resolve) => (running = resolve));
    const queue = new InProcessQueue(async (job) => {
      runs.push(job.repo);
      running();
      await new Promise<void>((resolve) => (finish = resolve));
    }, app.probot.log);
    const payload = webhook(
      "repository_dispatch",
      undefined,
      { owner: "acme", repo: "live" },
      {
        action: "new_module_release",
      },
    );
    const context = { payload } as Parameters<typeof onRepositoryDispatch>[0];
    void onRepositoryDispatch(context, queue);
    void onRepositoryDispatch(context, queue);
    await isRunning;
    expect(runs).toEqual(["live"]);
    void onRepositoryDispatch(context, queue);
    void onRepositoryDispatch(context, queue);
    finish();
    await new Promise((resolve) => setTimeout(resolve, 10));
    finish();
    await queue.onIdle();
    expect(runs).toEqual(["live", "live"]);
  });
});
