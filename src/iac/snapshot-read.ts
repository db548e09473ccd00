/**
 * How a job reads the files of a snapshot: blob by blob (one request per file not cached yet) or the
 * whole snapshot in one tarball download. A cold repository of 20,000 files is one tarball, not
 * 20,000 requests; a push that changed two files is two blob reads, not a download of everything.
 */

/**
 * The most uncached files read one blob request each; more are read from one tarball. Twenty requests
 * are far under GitHub's secondary limits and cheaper than streaming a large archive.
 */
export const MAX_BLOB_READS = 20;

/** What is known before reading a snapshot's files. */
export interface SnapshotFacts {
  /** Whether GitHub cut the tree listing short: only the tarball has every file. */
  truncated: boolean;
  /** How many distinct blobs the job needs that no cache holds. */
  uncached: number;
}

/** Blobs when the tree is whole and at most {@link MAX_BLOB_READS} of them are uncached, else the tarball. */
export function snapshotRead(facts: SnapshotFacts): "blobs" | "tarball" {
  if (facts.truncated) return "tarball";
  return facts.uncached > MAX_BLOB_READS ? "tarball" : "blobs";
}
