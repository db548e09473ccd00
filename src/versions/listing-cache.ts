/**
 * Listings (a module repository's tags, a registry module's versions) shared by the repositories of
 * one installation for a short window: a module repository used by 300 repositories is listed once
 * per window, not 300 times. Scoped by installation, so that one installation's private tags never
 * reach another's.
 */

/** `PROMOTER_LISTING_TTL_SECONDS`: how long a listing is reused without a request. */
export const LISTING_TTL_VARIABLE = "PROMOTER_LISTING_TTL_SECONDS";

/** Default window: 10 minutes. */
export const DEFAULT_LISTING_TTL_SECONDS = 600;

/** Default number of listings kept in memory. */
const DEFAULT_MAX_LISTINGS = 5000;

/** Fresh listings by installation and listing key; a failing cache is a miss, never an error. */
export interface ListingCache {
  /** The versions listed within the window for `installationId`, if any. */
  get(installationId: number, key: string): Promise<string[] | undefined>;
  set(installationId: number, key: string, versions: readonly string[]): Promise<void>;
  /** Drops a listing (a module was released: its next listing must be read). */
  delete(installationId: number, key: string): Promise<void>;
}

/** Reads `PROMOTER_LISTING_TTL_SECONDS` (a non-negative integer; 0 turns sharing off). */
export function parseListingTtl(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return DEFAULT_LISTING_TTL_SECONDS;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0)
    throw new Error(`${LISTING_TTL_VARIABLE} must be a non-negative integer (got ${value})`);
  return seconds;
}

/** A {@link ListingCache} in this process's memory, the oldest listings dropped past `max`. */
export function createListingCache(
  ttlSeconds: number,
  now: () => number = () => Date.now(),
  max = DEFAULT_MAX_LISTINGS,
): ListingCache {
  const entries = new Map<string, { versions: string[]; expires: number }>();
  const id = (installationId: number, key: string) => `${installationId}\n${key}`;
  return {
    get(installationId, key) {
      const entry = entries.get(id(installationId, key));
      if (entry === undefined || entry.expires <= now()) return Promise.resolve(undefined);
      return Promise.resolve([...entry.versions]);
    },
    set(installationId, key, versions) {
      if (ttlSeconds <= 0) return Promise.resolve();
      const entryId = id(installationId, key);
      entries.delete(entryId);
      entries.set(entryId, { versions: [...versions], expires: now() + ttlSeconds * 1000 });
      while (entries.size > max) {
        const [oldest] = entries.keys();
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      return Promise.resolve();
    },
    delete(installationId, key) {
      entries.delete(id(installationId, key));
      return Promise.resolve();
    },
  };
}
