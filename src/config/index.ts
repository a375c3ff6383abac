export { CONFIG_DEFAULTS, runtimeConfigSchema } from './schema.js';
export type { RuntimeConfig, RuntimeConfigInput } from './schema.js';
export { ConfigError } from './config-error.js';
export type { ConfigErrorCode } from './config-error.js';
export {
  CONFIG_FILE_NAMES,
  applyEnvOverrides,
  findConfigFile,
  importUserModule,
  loadConfig,
  parseConfig,
} from './load-config.js';
export type { LoadedConfig } from './load-config.js';
export { adminExposureProblem, isLoopbackHost } from './loopback.js';
