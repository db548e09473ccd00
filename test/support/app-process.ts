import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

/** How to start the app server. */
export interface AppProcessOptions {
  /** The port it listens on, on 127.0.0.1 (`PORT`, `HOST`). */
  port: number;
  /** Its environment besides PATH, HOME, PORT, HOST and LOG_LEVEL=warn; nothing else of ours is passed. */
  env?: Record<string, string>;
  /** `src` (default): src/server.ts through tsx; `dist`: the compiled dist/server.js. */
  entry?: "src" | "dist";
  /** Node options before the entry point, e.g. `--max-old-space-size=256`. */
  nodeOptions?: readonly string[];
  /** The checkout it runs from (default: this one), e.g. a build of another commit for a bench's reference. */
  root?: string;
}

/** The app server (what `npm start` runs) in a child process, with what it printed. */
export class AppProcess {
  #child: ChildProcess | undefined;
  #output = "";

  constructor(private readonly options: AppProcessOptions) {}

  get port(): number {
    return this.options.port;
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.port}/api/github/webhooks`;
  }

  /** What the process printed (its logs), for failure messages. */
  get logs(): string {
    return this.#output;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Whether the process was spawned and has not exited. */
  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Spawns the server without waiting for it. */
  spawn(): ChildProcess {
    const entry =
      this.options.entry === "dist" ? ["dist/server.js"] : ["--import", "tsx", "src/server.ts"];
    const child = spawn(process.execPath, [...(this.options.nodeOptions ?? []), ...entry], {
      cwd: this.options.root ?? ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        LOG_LEVEL: "warn",
        PORT: String(this.port),
        HOST: "127.0.0.1",
        ...this.options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => (this.#output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.#output += chunk.toString()));
    this.#child = child;
    return child;
  }

  /** Spawns the server and waits for `/healthz`; throws (with its logs) when it exits or times out first. */
  async start(timeoutMs = 30_000): Promise<void> {
    const child = this.spawn();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/healthz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`the app exited: ${this.#output}`);
      if (Date.now() > deadline) throw new Error(`the app did not become healthy: ${this.#output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGTERM, then SIGKILL after `killAfterMs` when given; the exit code. */
  async stop(killAfterMs?: number): Promise<number | null> {
    const child = this.#child;
    if (!child || !this.running) return child?.exitCode ?? null;
    const exited = once(child, "exit") as Promise<[number | null]>;
    child.kill("SIGTERM");
    const killer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    const [code] = await exited;
    clearTimeout(killer);
    return code;
  }

  /** SIGKILL, without waiting. */
  kill(): void {
    this.#child?.kill("SIGKILL");
  }
}
