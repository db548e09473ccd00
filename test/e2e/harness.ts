import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { GitHubSimulator } from "@promoter/github-simulator";

const ROOT = join(import.meta.dirname, "..", "..");
export const WEBHOOK_SECRET = "e2e-webhook-secret";

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/**
 * Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. Generous: Probot
 * spaces an installation's writes a second apart, as GitHub asks, so a PR takes several seconds.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The real app server process (src/server.ts), talking to the simulator as to a GitHub Enterprise Server. */
export class AppProcess {
  private child: ChildProcess | undefined;
  private output = "";

  constructor(
    private readonly simulator: GitHubSimulator,
    private readonly privateKey: string,
    private readonly port: number,
    private readonly env: Record<string, string> = {},
  ) {}

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.port}/api/github/webhooks`;
  }

  /** What the process printed (its logs), for failure messages. */
  get logs(): string {
    return this.output;
  }

  /** Starts the server and waits for `/healthz`. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        APP_ID: String(this.simulator.appId),
        PRIVATE_KEY: this.privateKey,
        WEBHOOK_SECRET,
        PORT: String(this.port),
        HOST: "127.0.0.1",
        GHE_HOST: this.simulator.host,
        GHE_PROTOCOL: "http",
        // Module sources say github.com: read them from the simulator, with the installation's token.
        PROMOTER_SOURCE_HOSTS: `github.com=${this.simulator.apiBaseUrl}`,
        LOG_LEVEL: "warn",
        NODE_ENV: "test",
        // One pass at start-up; the tests trigger everything else.
        PROMOTER_SCHEDULER_INTERVAL: "600",
        PROMOTER_SCHEDULER_JITTER: "0.0001",
        ...this.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.child = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/healthz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`the app exited: ${this.output}`);
      if (Date.now() > deadline) throw new Error(`the app did not become healthy: ${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGTERM, and waits for the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    child.kill("SIGTERM");
    const [code] = (await once(child, "exit")) as [number | null];
    return code;
  }
}

/** A simulator and the app's key, ready for repositories to be created before the app starts. */
export async function startSimulator(): Promise<{
  simulator: GitHubSimulator;
  privateKey: string;
}> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const simulator = await GitHubSimulator.start({
    appId: 4242,
    privateKey: pem,
    webhookSecret: WEBHOOK_SECRET,
  });
  return { simulator, privateKey: pem };
}
