/** The labels known to exist in each repository, so that a label is created once, not on every proposal. */

/** Where the labels known per repository are kept: this process's memory, or Redis shared by replicas. */
export interface KnownLabels {
  /** The labels known to exist in `fullName` (`owner/repo`); a store that cannot answer knows none. */
  read(fullName: string): Promise<Set<string>>;
  /** Records that `names` exist in `fullName`; a store that cannot write forgets them, without failing. */
  add(fullName: string, names: readonly string[]): Promise<void>;
}

/** The {@link KnownLabels} of this process, kept until it stops. */
export class MemoryKnownLabels implements KnownLabels {
  readonly #labels = new Map<string, Set<string>>();

  read(fullName: string): Promise<Set<string>> {
    return Promise.resolve(new Set(this.#labels.get(fullName.toLowerCase())));
  }

  add(fullName: string, names: readonly string[]): Promise<void> {
    const key = fullName.toLowerCase();
    let known = this.#labels.get(key);
    if (!known) {
      known = new Set();
      this.#labels.set(key, known);
    }
    for (const name of names) known.add(name);
    return Promise.resolve();
  }
}
