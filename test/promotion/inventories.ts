import type { Inventory } from "../../src/iac/types.js";

/**
 * An inventory from `{ environment: { dependency: versions } }`, every dependency a git module of
 * `acme/<repo>` without usages: enough for the decisions that only read versions.
 */
export function inventoryOf(environments: Record<string, Record<string, string[]>>): Inventory {
  return {
    environments: Object.entries(environments).map(([name, dependencies]) => ({
      name,
      dependencies: Object.entries(dependencies).map(([id, versions]) => ({
        id,
        kind: "git",
        source: `git::https://github.com/${id}.git`,
        origin: { type: "git", host: "github.com", owner: "acme", repo: id.split("/")[1] ?? id },
        versions,
        usages: [],
      })),
    })),
    skipped: [],
    warnings: [],
  };
}
