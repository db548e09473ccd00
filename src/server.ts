import { run, type Probot } from "probot";
import { Services } from "./engine/services.js";
import { promoterOctokit } from "./github/clients.js";
import { installationDirectory } from "./github/installations.js";
import { createRuntime, promoterApp, type PromoterRuntime } from "./index.js";
import { createLogger } from "./logger.js";
import { queueSettings } from "./queue/create-queue.js";
import { createScheduler, type PeriodicScheduler } from "./queue/redis-scheduler.js";
import { LISTING_TTL_VARIABLE, parseListingTtl } from "./versions/listing-cache.js";
import { GITHUB_API_URL, readHostCredentials } from "./versions/source-hosts.js";

const MINUTE = 60_000;

/** The GitHub API the app talks to: GHE_HOST (with GHE_PROTOCOL) when set, as Probot reads them. */
function appBaseUrl(): string {
  const host = process.env.GHE_HOST;
  if (!host) return GITHUB_API_URL;
  return `${process.env.GHE_PROTOCOL ?? "https"}://${host}/api/v3`;
}

function minutes(name: string, fallback: number, zero = false): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zero))
    throw new Error(`${name} must be a ${zero ? "non-negative" : "positive"} number of minutes`);
  return value * MINUTE;
}

let runtime: PromoterRuntime | undefined;
let scheduler: PeriodicScheduler | undefined;
const services = new Services(
  appBaseUrl(),
  process.env.PROMOTER_SOURCE_HOSTS,
  process.env.PROMOTER_ALLOW_HTTP_HOSTS,
  readHostCredentials(process.env),
  parseListingTtl(process.env[LISTING_TTL_VARIABLE]),
);

const server = await run(
  (app: Probot, options) => {
    runtime = promoterApp(() => createRuntime(app, services, queueSettings()))(app, options);
    const sources = {
      // The scheduler's listings count in each installation's rate-limit budget.
      directory: installationDirectory(app, runtime.observe),
      repositories: services.repositories,
      log: app.log,
    };
    scheduler = createScheduler(runtime.queue, sources, {
      intervalMs: minutes("PROMOTER_SCHEDULER_INTERVAL", 15),
      jitterMs: minutes("PROMOTER_SCHEDULER_JITTER", 5),
      firstCheckSpreadMs: minutes("PROMOTER_SCHEDULER_FIRST_SPREAD", 60, true),
    });
    scheduler.start();
  },
  { log: await createLogger(), Octokit: promoterOctokit() },
);

/** SIGTERM: stop taking work, finish the checks in flight, then exit. */
process.once("SIGTERM", () => {
  void (async () => {
    await scheduler?.stop();
    await runtime?.queue.close();
    await server.stop();
    process.exit(0);
  })();
});
