import nock from "nock";
import { describe, expect, it } from "vitest";
import { API, capture, testApp, webhook } from "./helpers.js";
import { useNock } from "../support/nock-github.js";

useNock();

const REPO = { owner: "acme", repo: "live" };
const HEAD = "1111111111111111111111111111111111111111";
const BASE = "2222222222222222222222222222222222222222";
const CONFIG = ".github/promoter.yml";
const CONTENTS = `/repos/acme/live/contents/${encodeURIComponent(CONFIG)}`;

const BASE_CONFIG = `environments:
  - { name: dev, paths: ["dev/**"] }
  - { name: prod, paths: ["prod/**"], promotion: manual, promoters: [alice] }
`;

/** A `pull_request` event of #7 in acme/live; `fork` makes its head a fork's. */
function pullRequest(
  action: "opened" | "synchronize" | "reopened",
  options: { changedFiles?: number; fork?: boolean } = {},
) {
  const payload = webhook("pull_request", action, REPO);
  const pr = payload.pull_request as {
    head: Record<string, unknown> & { repo: Record<string, unknown> };
    base: Record<string, unknown>;
  };
  const headRepo = options.fork
    ? { ...pr.head.repo, id: 999, full_name: "mallory/live", owner: { login: "mallory" } }
    : pr.head.repo;
  return {
    ...payload,
    number: 7,
    pull_request: {
      ...pr,
      number: 7,
      state: "open",
      changed_files: options.changedFiles ?? 2,
      head: { ...pr.head, sha: HEAD, ref: "change-config", repo: headRepo },
      base: { ...pr.base, sha: BASE, ref: "main" },
    },
  };
}

/** One page of the PR's file list. */
function files(page: number, list: { filename: string; status?: string }[]) {
  return nock(API)
    .get("/repos/acme/live/pulls/7/files")
    .query({ per_page: "100", page: String(page) })
    .reply(
      200,
      list.map((f) => ({ sha: "x", status: "modified", ...f })),
    );
}

/** The contents API's answer for a file of `text`. */
function contents(text: string) {
  return {
    type: "file",
    path: CONFIG,
    size: Buffer.byteLength(text),
    encoding: "base64",
    content: Buffer.from(text).toString("base64"),
  };
}

function fileAt(ref: string, text: string | undefined) {
  const scope = nock(API).get(CONTENTS).query({ ref });
  return text === undefined
    ? scope.reply(404, { message: "Not Found" })
    : scope.reply(200, contents(text));
}

type CheckRunBody = {
  name: string;
  head_sha: string;
  conclusion: string;
  output: {
    title: string;
    summary: string;
    annotations?: { path: string; start_line: number; start_column: number; message: string }[];
  };
};

function checkRun(bodies: ReturnType<typeof capture>) {
  return nock(API)
    .post("/repos/acme/live/check-runs", bodies.as("check-run"))
    .reply(201, { id: 1 });
}

describe("a pull request that changes .github/promoter.yml", () => {
  it("with broken YAML: a failing promoter check run on its head, with the line", async () => {
    const app = testApp();
    const bodies = capture();
    files(1, [{ filename: "dev/main.tf" }, { filename: CONFIG }]);
    fileAt(HEAD, 'environments:\n  - name: dev\n    paths: ["dev/**"\n');
    checkRun(bodies);
    await app.receive("pull_request", pullRequest("opened"));
    const body = bodies.one<CheckRunBody>("check-run");
    expect(body).toMatchObject({ name: "promoter", head_sha: HEAD, conclusion: "failure" });
    expect(body.output.title).toMatch(/^Invalid \.github\/promoter\.yml: 1 problem/);
    expect(body.output.summary).toMatch(/`\.github\/promoter\.yml:4:1`/);
    expect(body.output.annotations).toEqual([
      expect.objectContaining({ path: CONFIG, start_line: 4, start_column: 1 }),
    ]);
  });

  it("with a schema error: failure with the path, the line and the loader's fix-it message", async () => {
    const app = testApp();
    const bodies = capture();
    files(1, [{ filename: CONFIG }]);
    fileAt(HEAD, 'environments:\n  - name: dev\n    paths: ["dev/**"]\n    promotoin: manual\n');
    checkRun(bodies);
    await app.receive("pull_request", pullRequest("synchronize"));
    const body = bodies.one<CheckRunBody>("check-run");
    expect(body.conclusion).toBe("failure");
    expect(body.output.summary).toContain(
      '`.github/promoter.yml:4:5` `environments[0].promotoin`: unknown key, did you mean "promotion"?',
    );
    expect(body.output.annotations).toEqual([
      {
        path: CONFIG,
        start_line: 4,
        end_line: 4,
        start_column: 5,
        end_column: 5,
        annotation_level: "failure",
        message: 'environments[0].promotoin: unknown key, did you mean "promotion"?',
      },
    ]);
  });

  it("valid: success with what would change vs the base branch's config", async () => {
    const app = testApp();
    const bodies = capture();
    files(1, [{ filename: CONFIG }]);
    fileAt(
      HEAD,
      `environments:
  - { name: dev, paths: ["dev/**"] }
  - { name: stage, paths: ["stage/**"] }
  - { name: prod, paths: ["prod/**"], promoters: [alice, acme/sre] }
`,
    );
    fileAt(BASE, BASE_CONFIG);
    checkRun(bodies);
    await app.receive("pull_request", pullRequest("reopened"));
    const body = bodies.one<CheckRunBody>("check-run");
    expect(body).toMatchObject({ name: "promoter", head_sha: HEAD, conclusion: "success" });
    expect(body.output.title).toBe("Valid .github/promoter.yml: 3 changes");
    const summary = body.output.summary;
    expect(summary).toContain("promote through `dev` → `stage` → `prod`");
    expect(summary).toContain("- Adds environment `stage` (2nd in the chain).");
    expect(summary).toContain("- `prod`: promotion `manual` → `auto`");
    expect(summary).toContain("- `prod`: who may promote, `alice` → `alice`, `acme/sre`.");
    expect(summary).toContain("| `prod` | auto | `alice`, `acme/sre` |");
    expect(summary).toContain(
      "only checked: Promoter does nothing with this config until it is merged",
    );
    expect(body.output.annotations).toBeUndefined();
  });

  it("added where the base has none: success, the base is not read", async () => {
    const app = testApp();
    const bodies = capture();
    files(1, [{ filename: CONFIG, status: "added" }]);
    fileAt(HEAD, BASE_CONFIG);
    checkRun(bodies);
    await app.receive("pull_request", pullRequest("opened"));
    const body = bodies.one<CheckRunBody>("check-run");
    expect(body.conclusion).toBe("success");
    expect(body.output.summary).toContain("The base branch has no config");
  });

  it("removed: a neutral check run, nothing read", async () => {
    const app = testApp();
    const bodies = capture();
    files(1, [{ filename: CONFIG, status: "removed" }]);
    checkRun(bodies);
    await app.receive("pull_request", pullRequest("opened"));
    expect(bodies.one<CheckRunBody>("check-run")).toMatchObject({
      conclusion: "neutral",
      output: { title: ".github/promoter.yml removed" },
    });
  });

  it("found on the second page of a long file list: 2 listing requests", async () => {
    const app = testApp();
    const bodies = capture();
    files(
      1,
      Array.from({ length: 100 }, (_, i) => ({ filename: `dev/unit-${i}/terragrunt.hcl` })),
    );
    files(2, [{ filename: CONFIG }]);
    fileAt(HEAD, BASE_CONFIG);
    fileAt(BASE, BASE_CONFIG);
    checkRun(bodies);
    await app.receive("pull_request", pullRequest("synchronize", { changedFiles: 150 }));
    expect(bodies.one<CheckRunBody>("check-run").output.title).toBe(
      "Valid .github/promoter.yml: no change",
    );
  });

  it("from a fork: read by its head sha through the base repository, hostile text defused", async () => {
    const app = testApp();
    const bodies = capture();
    files(1, [{ filename: CONFIG }]);
    fileAt(
      HEAD,
      'environments:\n  - name: "@acme/everyone <img src=x onerror=alert(1)> #1"\n    paths: ["x/**"]\n',
    );
    checkRun(bodies);
    await app.receive("pull_request", pullRequest("opened", { fork: true }));
    const body = bodies.one<CheckRunBody>("check-run");
    expect(body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
    expect(body.output.summary).toContain("`.github/promoter.yml:2:11` `environments[0].name`");
    expect(body.output.summary).not.toMatch(/@acme|<img|#1/);
  });

  it("too large: failure without decoding it", async () => {
    const app = testApp();
    const bodies = capture();
    files(1, [{ filename: CONFIG }]);
    nock(API)
      .get(CONTENTS)
      .query({ ref: HEAD })
      .reply(200, { type: "file", path: CONFIG, size: 900_000, encoding: "base64", content: "" });
    checkRun(bodies);
    await app.receive("pull_request", pullRequest("opened"));
    expect(bodies.one<CheckRunBody>("check-run").output.summary).toContain(
      "the file is 900,000 bytes: at most 65,536 are read",
    );
  });
});

describe("a pull request that does not change .github/promoter.yml", () => {
  it("costs one request, the file listing, and leaves no check run", async () => {
    const app = testApp();
    files(1, [{ filename: "dev/main.tf" }, { filename: "prod/main.tf" }]);
    // No other interceptor: any further request would fail the delivery.
    await app.receive("pull_request", pullRequest("opened"));
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("renaming the config away is removing it", async () => {
    const app = testApp();
    const bodies = capture();
    nock(API)
      .get("/repos/acme/live/pulls/7/files")
      .query({ per_page: "100", page: "1" })
      .reply(200, [
        { sha: "x", filename: ".github/old.yml", previous_filename: CONFIG, status: "renamed" },
      ]);
    checkRun(bodies);
    await app.receive("pull_request", pullRequest("opened"));
    expect(bodies.one<CheckRunBody>("check-run").conclusion).toBe("neutral");
  });
});
