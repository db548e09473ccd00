/** Who the app is on GitHub. */
import type { Octokit } from "./repo-ref.js";

let botLogin: Promise<string> | undefined;

/**
 * The login the app's commits, comments and pull requests carry: `<slug>[bot]`, from `GET /app`.
 * Read once per process (one process serves one app); a failed read is retried by the next call.
 * Any client of the app works: Probot's installation clients authenticate `/app` routes with the
 * app's JWT on their own.
 */
export async function appBotLogin(octokit: Octokit): Promise<string> {
  botLogin ??= readBotLogin(octokit).catch((error: unknown) => {
    botLogin = undefined;
    throw error;
  });
  return botLogin;
}

async function readBotLogin(octokit: Octokit): Promise<string> {
  const { data } = await octokit.request("GET /app");
  const slug = data?.slug;
  if (!slug) throw new Error("GET /app answered without the app's slug");
  return `${slug}[bot]`;
}

/** Forgets the cached login (for tests). */
export function resetAppIdentity(): void {
  botLogin = undefined;
}
