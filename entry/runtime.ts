/**
 * `dspex/runtime`: the runtime's parts beyond `startRuntime` (which is on the root, `'dspex'`): the supervision tree as data,
 * the actors' public API (client pool, registries, job schema), the daemon (admin endpoint,
 * heartbeats, graceful shutdown), configuration loading and telemetry.
 *
 * @example
 * ```ts
 * import { startRuntime } from 'dspex';
 * import { loadConfig, startDaemon, createLogger } from 'dspex/runtime';
 * const loaded = await loadConfig();
 * const logger = createLogger({ level: 'info' });
 * const runtime = await startRuntime(loaded, { logger });
 * const daemon = await startDaemon({ runtime, config: loaded.config, logger });
 * ```
 */
// `startRuntime` and its types are on the package root ('dspex').
export { TREE_NAMES, runtimeTree } from '../supervisors/tree.js';
export type { TreeDeps, TreeQueues, TreeSpec } from '../supervisors/tree.js';
export type { PipelineDeclaration } from '../supervisors/pipelines.js';
export {
  CLIENT_POOL,
  ClientPool,
  SCHEMA_REGISTRY,
  VARIABLE_REGISTRY,
  programConfigSchema,
  runJobSchema,
} from '../actors/index.js';
export { ActorError, PooledLM } from '../services/index.js';
export type { ClientPoolSnapshot, ConfigVersion, ProgramConfig, RunJob } from '../actors/index.js';
export type { ActorErrorCode } from '../services/index.js';

// Configuration
export {
  CONFIG_DEFAULTS,
  CONFIG_FILE_NAMES,
  ConfigError,
  applyEnvOverrides,
  findConfigFile,
  loadConfig,
  parseConfig,
  runtimeConfigSchema,
} from '../src/config/index.js';
export type {
  ConfigErrorCode,
  LoadedConfig,
  RuntimeConfig,
  RuntimeConfigInput,
} from '../src/config/index.js';

// Daemon
export {
  DaemonError,
  readClusterNodes,
  startAdminServer,
  startDaemon,
  startHeartbeat,
} from '../src/daemon/index.js';
export type {
  AdminServer,
  AdminServerOptions,
  Daemon,
  DaemonConfig,
  DaemonErrorCode,
  DaemonOptions,
  DaemonRuntime,
  DaemonState,
  DaemonStatus,
  Heartbeat,
  HeartbeatOptions,
  NodeHeartbeat,
} from '../src/daemon/index.js';

// HTTP API
export { HttpError, createHttpApp, openApiDocument, startHttpServer } from '../src/http/index.js';
export type {
  HttpAppOptions,
  HttpRuntime,
  HttpServer,
  HttpServerOptions,
  HttpStreamEvent,
} from '../src/http/index.js';
export { httpRuntimeOf } from '../supervisors/http-port.js';

// Telemetry
export {
  REDACTED_PATHS,
  RuntimeMetrics,
  createLogger,
  silentLogger,
} from '../src/telemetry/index.js';
export type { Logger } from '../src/telemetry/index.js';
