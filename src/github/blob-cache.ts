/** Default bound of a {@link BlobCache}: 256 MiB of file contents. */
export const DEFAULT_BLOB_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * File contents by git blob SHA, least recently used first out, bounded by the total UTF-8 size of
 * the contents it holds. A blob SHA names its content, so one cache is safely shared by every check of
 * every repository: an unchanged file is downloaded once per process.
 */
export class BlobCache {
  readonly maxBytes: number;
  readonly #entries = new Map<string, { content: string; bytes: number }>();
  #bytes = 0;

  /** @param maxBytes upper bound on the summed byte size of the cached contents. */
  constructor(maxBytes = DEFAULT_BLOB_CACHE_BYTES) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0)
      throw new Error(`blob cache size must be a non-negative number of bytes (got ${maxBytes})`);
    this.maxBytes = maxBytes;
  }

  /** The content of blob `sha`, marking it most recently used; undefined when not cached. */
  get(sha: string): string | undefined {
    const entry = this.#entries.get(sha);
    if (entry === undefined) return undefined;
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.#entries.delete(sha);
    this.#entries.set(sha, entry);
    return entry.content;
  }

  /** Whether blob `sha` is cached (without touching its recency). */
  has(sha: string): boolean {
    return this.#entries.has(sha);
  }

  /**
   * Caches `content` as blob `sha` and evicts the least recently used entries beyond the bound. A
   * content larger than the whole bound is not kept.
   */
  set(sha: string, content: string): void {
    this.delete(sha);
    const bytes = Buffer.byteLength(content, "utf8");
    if (bytes > this.maxBytes) return;
    this.#entries.set(sha, { content, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  /** Forgets blob `sha`; whether it was cached. */
  delete(sha: string): boolean {
    const entry = this.#entries.get(sha);
    if (entry === undefined) return false;
    this.#entries.delete(sha);
    this.#bytes -= entry.bytes;
    return true;
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** Number of cached blobs. */
  get size(): number {
    return this.#entries.size;
  }

  /** Summed UTF-8 byte size of the cached contents. */
  get bytes(): number {
    return this.#bytes;
  }
}
