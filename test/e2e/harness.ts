import { generateKeyPairSync } from "node:crypto";
import { GitHubSimulator } from "@promoter/github-simulator";

export const WEBHOOK_SECRET = "e2e-webhook-secret";

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

/**
 * The app's environment for talking to `simulator` as to a GitHub Enterprise Server, reading module
 * sources from it too, with one scheduler pass at start-up (the caller triggers everything else).
 */
export function simulatorEnvironment(
  simulator: GitHubSimulator,
  privateKey: string,
): Record<string, string> {
  return {
    APP_ID: String(simulator.appId),
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET,
    GHE_HOST: simulator.host,
    GHE_PROTOCOL: "http",
    // Module sources say github.com: read them from the simulator, with the installation's token.
    PROMOTER_SOURCE_HOSTS: `github.com=${simulator.apiBaseUrl}`,
    PROMOTER_SCHEDULER_INTERVAL: "600",
    PROMOTER_SCHEDULER_JITTER: "0.0001",
    PROMOTER_SCHEDULER_FIRST_SPREAD: "0",
  };
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
