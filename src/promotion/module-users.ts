/**
 * Which repositories use a module: the module repositories an inventory names, and the repositories
 * to check after a module's release. Pure: the callers scan the repositories and list the installation's.
 */
import type { Inventory } from "../iac/types.js";

/**
 * The module repositories an inventory's environments use (and its artifacts' `releases`
 * repositories), as `owner/repo` (lower-case). Hosts are left
 * out: a source's host may be mapped to the app's own GitHub (PROMOTER_SOURCE_HOSTS), where its releases happen.
 */
export function modulesOf(inventory: Inventory): Set<string> {
  const modules = new Set<string>();
  for (const env of inventory.environments) {
    for (const d of env.dependencies) {
      const from = d.origin.type === "artifact" ? d.origin.releases : d.origin;
      if (from && "owner" in from) modules.add(`${from.owner}/${from.repo}`.toLowerCase());
    }
  }
  return modules;
}

/**
 * The repositories to check after a release of `module` (`owner/repo`, lower-case) in `released`:
 * those known to use it, and those not checked yet (whose modules are not known); never the module
 * repository itself.
 */
export function usersOfRelease<Repository extends { fullName: string }>(
  repositories: readonly Repository[],
  released: { owner: string; repo: string; module: string },
  knownModules: (fullName: string) => ReadonlySet<string> | undefined,
): Repository[] {
  const self = `${released.owner}/${released.repo}`.toLowerCase();
  return repositories.filter((repository) => {
    if (repository.fullName.toLowerCase() === self) return false;
    const known = knownModules(repository.fullName);
    return !known || known.has(released.module);
  });
}
