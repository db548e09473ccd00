import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { AppProcess } from "./support/app-process.js";
import { freePort } from "./support/free-port.js";

const apps: AppProcess[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) app.kill();
  for (const server of servers.splice(0)) server.close();
});

/** A stand-in for the GitHub API on loopback: no installation, so the scheduler has nothing to do. */
async function fakeGitHub(): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.writeHead(200, { "content-type": "application/json" }).end("[]");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push(server);
  return { port: (server.address() as { port: number }).port, requests };
}

/** Spawns the server on `port` with `env`; killed after the test. */
function start(port: number, env: Record<string, string>): AppProcess {
  const app = new AppProcess({ port, env });
  app.spawn();
  apps.push(app);
  return app;
}

async function waitFor(url: string, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe("the server (npm start)", () => {
  it("answers /healthz, asks GitHub (here GHE_HOST) for its installations, and exits 0 on SIGTERM", async () => {
    const github = await fakeGitHub();
    const port = await freePort();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const app = start(port, {
      APP_ID: "1",
      PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      WEBHOOK_SECRET: "secret",
      GHE_HOST: `127.0.0.1:${github.port}`,
      GHE_PROTOCOL: "http",
    });
    const health = await waitFor(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const unsigned = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": "1",
      },
      body: "{}",
    });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    const deadline = Date.now() + 5000;
    while (
      !github.requests.some((r) => r.startsWith("GET /api/v3/app/installations")) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(github.requests.some((r) => r.startsWith("GET /api/v3/app/installations"))).toBe(true);
    const code = await app.stop();
    expect(code).toBe(0);
  }, 30_000);

  it("without APP_ID starts Probot's setup flow, which registers the app from app.yml", async () => {
    const port = await freePort();
    start(port, { NODE_ENV: "development" });
    const page = await waitFor(`http://127.0.0.1:${port}/probot`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Register GitHub App");
    expect(html).toContain("Promoter");
  }, 30_000);
});
