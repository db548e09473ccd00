export { DEFAULT_CONFIG_FILE, configJsonSchema, configSchema } from "./schema.js";
export type { Artifact, Config, Environment } from "./schema.js";
export { compileGlobs } from "./glob.js";
export {
  checkConfigAgainstFiles,
  createEnvironmentMatcher,
  formatProblem,
  MAX_CONFIG_BYTES,
  oversizedConfigProblem,
  parseConfig,
} from "./load-config.js";
export type {
  ConfigPathSegment,
  ConfigProblem,
  ConfigResult,
  ConfigSource,
  Position,
} from "./load-config.js";
