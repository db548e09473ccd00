import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

/*
 * No Docker engine runs where these tests run, so the Dockerfile is checked statically: what it builds
 * from, what it copies, how it installs, who it runs as, what it runs and how its health is checked.
 */
const ROOT = join(import.meta.dirname, "..", "..");
const text = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

interface Instruction {
  keyword: string;
  args: string;
}

/** The instructions, continuation lines joined, comments and the parser directive dropped. */
function instructions(dockerfile: string): Instruction[] {
  const lines = dockerfile.split("\n").filter((line) => !line.trimStart().startsWith("#"));
  const joined = lines.join("\n").replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

/** The build stages, each from its FROM to the next. */
function stages(all: Instruction[]): { from: string; name?: string; body: Instruction[] }[] {
  const result: { from: string; name?: string; body: Instruction[] }[] = [];
  for (const instruction of all) {
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args.replace(/--platform=\S+\s*/, "").split(/\s+/);
      result.push({
        from: image,
        ...(as?.toUpperCase() === "AS" && name ? { name } : {}),
        body: [],
      });
    } else {
      result.at(-1)?.body.push(instruction);
    }
  }
  return result;
}

const all = instructions(text);
const built = stages(all);
const runtime = built.at(-1)!;
const of = (stage: { body: Instruction[] }, keyword: string) =>
  stage.body.filter((i) => i.keyword === keyword);
/** `ENV A=1 B=2` and `ENV A 1` as a map. */
const envOf = (stage: { body: Instruction[] }) => {
  const env = new Map<string, string>();
  for (const { args } of of(stage, "ENV")) {
    if (!args.includes("=")) {
      const [name = "", ...value] = args.split(/\s+/);
      env.set(name, value.join(" "));
      continue;
    }
    for (const pair of args.split(/\s+/)) {
      const [name = "", value = ""] = pair.split("=");
      env.set(name, value.replace(/^"|"$/g, ""));
    }
  }
  return env;
};

describe("the Dockerfile", () => {
  it("is multi-stage: a build stage runs tsc, the runtime stage takes only its output", () => {
    expect(built.length).toBeGreaterThanOrEqual(2);
    const build = built[0]!;
    expect(build.name).toBe("build");
    expect(of(build, "RUN").map((r) => r.args)).toContain("npm run build");
    expect(pkg.scripts.build).toMatch(/^tsc\b/);
    const copies = of(runtime, "COPY").map((c) => c.args);
    expect(copies).toContain("--from=build /app/dist ./dist");
    // Neither sources nor the build stage's node_modules (dev dependencies) reach the runtime image.
    expect(copies.some((c) => /\bsrc\b|node_modules/.test(c))).toBe(false);
  });

  it("builds from a pinned Node image that satisfies the engines of package.json", () => {
    for (const stage of built) {
      // An exact version tag (or a digest): never `latest` nor a floating `20` / `lts`.
      expect(stage.from).toMatch(/^node:\d+\.\d+\.\d+(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?$/);
      const version = /^node:(\d+\.\d+\.\d+)/.exec(stage.from)![1]!;
      expect(semver.satisfies(version, pkg.engines.node)).toBe(true);
    }
    expect(new Set(built.map((s) => s.from)).size).toBe(1);
  });

  it("installs with `npm ci` after copying the lock file; production dependencies only at runtime", () => {
    for (const stage of built) {
      const installs = of(stage, "RUN")
        .map((r) => r.args)
        .filter((r) => /\bnpm (ci|install)\b/.test(r));
      expect(installs).toHaveLength(1);
      const install = installs[0]!;
      expect(install).toMatch(/^npm ci\b/);
      const copyLock = stage.body.findIndex(
        (i) => i.keyword === "COPY" && i.args.includes("package-lock.json"),
      );
      const installAt = stage.body.findIndex((i) => i.keyword === "RUN" && i.args === install);
      expect(copyLock).toBeGreaterThanOrEqual(0);
      expect(copyLock).toBeLessThan(installAt);
    }
    const [runtimeInstall] = of(runtime, "RUN").filter((r) => /\bnpm ci\b/.test(r.args));
    expect(runtimeInstall!.args).toMatch(/--omit=dev\b/);
  });

  it("copies only files that exist", () => {
    for (const stage of built) {
      for (const { args } of of(stage, "COPY")) {
        if (args.startsWith("--from=")) continue;
        const parts = args.split(/\s+/).filter((p) => !p.startsWith("--"));
        for (const source of parts.slice(0, -1)) {
          expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
        }
      }
    }
  });

  it("runs the app server as a non-root user, in production mode, on 0.0.0.0:$PORT", () => {
    const env = envOf(runtime);
    expect(env.get("NODE_ENV")).toBe("production");
    expect(env.get("HOST")).toBe("0.0.0.0");
    const port = env.get("PORT");
    expect(port).toMatch(/^\d+$/);
    expect(of(runtime, "EXPOSE").map((e) => e.args)).toEqual([port]);

    const users = of(runtime, "USER").map((u) => u.args);
    expect(users.length).toBeGreaterThan(0);
    expect(["root", "0", "0:0"]).not.toContain(users.at(-1));
    const userAt = runtime.body.findIndex((i) => i.keyword === "USER");
    const commandAt = runtime.body.findIndex((i) => i.keyword === "CMD");
    expect(userAt).toBeLessThan(commandAt);

    expect(of(runtime, "ENTRYPOINT")).toEqual([]);
    const [command] = of(runtime, "CMD");
    expect(JSON.parse(command!.args)).toEqual(["node", "dist/server.js"]);
    // tsc compiles src/ (rootDir) into dist/: src/server.ts is dist/server.js.
    expect(existsSync(join(ROOT, "src", "server.ts"))).toBe(true);
    const buildConfig = readFileSync(join(ROOT, "tsconfig.build.json"), "utf8");
    expect(buildConfig).toMatch(/"rootDir":\s*"src"/);
    expect(buildConfig).toMatch(/"outDir":\s*"dist"/);
  });

  it("checks its health on /healthz at $PORT, with tools the image has (node, no curl)", () => {
    const [healthcheck, ...more] = of(runtime, "HEALTHCHECK");
    expect(more).toEqual([]);
    const cmd = /\bCMD\s+(\[.*\])$/.exec(healthcheck!.args)?.[1];
    expect(cmd).toBeDefined();
    const argv = JSON.parse(cmd!) as string[];
    expect(argv.slice(0, 2)).toEqual(["node", "-e"]);
    const script = argv[2]!;
    expect(script).toContain("/healthz");
    expect(script).toContain("process.env.PORT");
    // The script is valid JavaScript.
    expect(() => new Function(script)).not.toThrow();
  });
});
