export {
  DEFAULT_CONFIG_FILE,
  DEFAULT_DASHBOARD_TITLE,
  configJsonSchema,
  configSchema,
} from "./schema.js";
export type { Artifact, Config, Environment } from "./schema.js";
export { compileGlobs, nameGlob } from "./glob.js";
export { durationMs, formatDuration } from "./duration.js";
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
