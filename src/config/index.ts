export {
  DEFAULT_CONFIG_FILE,
  configJsonSchema,
  configSchema,
  environmentSchema,
  updatesSchema,
} from "./schema.js";
export type {
  Config,
  ConfigInput,
  Environment,
  PromotionMode,
  UpdateStrategy,
  UpdatesConfig,
} from "./schema.js";
export { GlobError, compileGlobs, globProblem } from "./glob.js";
export {
  checkConfigAgainstFiles,
  createEnvironmentMatcher,
  formatProblem,
  parseConfig,
} from "./load-config.js";
export type {
  ConfigPathSegment,
  ConfigProblem,
  ConfigResult,
  ConfigSource,
  Position,
} from "./load-config.js";
