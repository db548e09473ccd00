/**
 * Files' bytes by git blob SHA, wherever they are kept (this process's memory, or Redis shared by
 * replicas). A blob SHA names its content, so one store is safely shared by every repository.
 */
export interface BlobStore {
  /** The bytes of each of `shas` the store holds; a SHA it does not hold is absent. Never throws. */
  getMany(shas: readonly string[]): Promise<Map<string, Buffer>>;
  /** Keeps these blobs, as far as the store's bounds allow. Never throws. */
  setMany(blobs: ReadonlyMap<string, Buffer>): Promise<void>;
}

/** Default bound of a {@link BlobCache}: 256 MiB of file bytes. */
export const DEFAULT_BLOB_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * Files' bytes by git blob SHA, exactly as git stores them, least recently used first out, bounded by
 * the total size of the bytes it holds. A blob SHA names its content, so one cache is safely shared by
 * every check of every repository: an unchanged file is downloaded once per process.
 */
export class BlobCache implements BlobStore {
  readonly maxBytes: number;
  readonly #entries = new Map<string, Buffer>();
  #bytes = 0;

  /** @param maxBytes upper bound on the summed size of the cached bytes. */
  constructor(maxBytes = DEFAULT_BLOB_CACHE_BYTES) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0)
      throw new Error(`blob cache size must be a non-negative number of bytes (got ${maxBytes})`);
    this.maxBytes = maxBytes;
  }

  /** The bytes of blob `sha`, marking it most recently used; undefined when not cached. */
  get(sha: string): Buffer | undefined {
    const entry = this.#entries.get(sha);
    if (entry === undefined) return undefined;
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.#entries.delete(sha);
    this.#entries.set(sha, entry);
    return entry;
  }

  /** {@link BlobStore.getMany} over {@link get}. */
  getMany(shas: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    for (const sha of shas) {
      const bytes = this.get(sha);
      if (bytes !== undefined) found.set(sha, bytes);
    }
    return Promise.resolve(found);
  }

  /** {@link BlobStore.setMany} over {@link set}. */
  setMany(blobs: ReadonlyMap<string, Buffer>): Promise<void> {
    for (const [sha, bytes] of blobs) this.set(sha, bytes);
    return Promise.resolve();
  }

  /** Whether blob `sha` is cached (without touching its recency). */
  has(sha: string): boolean {
    return this.#entries.has(sha);
  }

  /**
   * Caches `bytes` as blob `sha` and evicts the least recently used entries beyond the bound. Bytes
   * longer than the whole bound are not kept.
   */
  set(sha: string, bytes: Buffer): void {
    this.delete(sha);
    if (bytes.length > this.maxBytes) return;
    this.#entries.set(sha, bytes);
    this.#bytes += bytes.length;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.length;
    }
  }

  /** Forgets blob `sha`; whether it was cached. */
  delete(sha: string): boolean {
    const entry = this.#entries.get(sha);
    if (entry === undefined) return false;
    this.#entries.delete(sha);
    this.#bytes -= entry.length;
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

  /** Summed size of the cached bytes. */
  get bytes(): number {
    return this.#bytes;
  }
}
