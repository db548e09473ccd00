import type { Logger } from "probot";
import { versionDate } from "../github/releases.js";
import type { Octokit } from "../github/repo-ref.js";
import type { Inventory } from "../iac/types.js";
import type { Proposal } from "../promotion/plan.js";
import { versionKey } from "../promotion/release-age.js";
import { gitTagSource } from "../versions/source-hosts.js";
import type { Services } from "./services.js";

const MAX_REMEMBERED_DATES = 50_000;

/**
 * When each update's version came out, by {@link versionKey}: for a module on a GitHub API (github.com,
 * the app's own GitHub, a mapped host), its release's date or its tag's commit date (1 or 2 requests
 * each, none for a date this process read before for `installationId`); undefined for any other (a
 * registry, a host read through git) or when the read fails.
 */
export async function readReleaseDates(
  octokit: Octokit,
  services: Services,
  inventory: Inventory,
  updates: readonly Pick<Proposal, "dependency" | "to">[],
  log: Logger,
  installationId?: number,
): Promise<Map<string, string | undefined>> {
  const dates = new Map<string, string | undefined>();
  const origins = new Map(
    inventory.environments.flatMap((e) => e.dependencies).map((d) => [d.id, d.origin] as const),
  );
  for (const update of updates) {
    const key = versionKey(update.dependency, update.to);
    if (dates.has(key)) continue;
    const cacheKey = `${installationId ?? ""}\n${key}`;
    const known = services.releaseDates.get(cacheKey);
    dates.set(key, known);
    if (known !== undefined) continue;
    const origin = origins.get(update.dependency);
    if (origin?.type !== "git") continue;
    try {
      const source = gitTagSource(
        origin,
        services.sourceHosts,
        services.appBaseUrl,
        services.httpHosts,
      );
      if (source.type !== "github-api") continue;
      const client = services.clientFor(octokit)(source.apiBaseUrl);
      const date = await versionDate(client, origin, update.to);
      dates.set(key, date);
      if (date === undefined) continue;
      // A release's date does not change; the map is only bounded against a process that runs for months.
      if (services.releaseDates.size >= MAX_REMEMBERED_DATES) services.releaseDates.clear();
      services.releaseDates.set(cacheKey, date);
    } catch (error) {
      log.warn({ err: error, dependency: update.dependency }, "the release date could not be read");
    }
  }
  return dates;
}
