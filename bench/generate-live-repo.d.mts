/** Types of generate-live-repo.mjs, for the TypeScript benches. */

/** A module repository of the generated tree, its versions oldest first. */
export const REPOSITORIES: readonly { repo: string; modules: string[]; versions: string[] }[];

/** A Terraform registry module of the generated tree, its versions oldest first. */
export const REGISTRY_MODULES: readonly { source: string; versions: string[] }[];

/** The generated tree for (units, seed) in bench/.cache/live-<units>-<seed>, generated when missing. */
export function ensureLiveRepo(options?: { units?: number; seed?: number }): {
  dir: string;
  files: number;
  cached: boolean;
};
