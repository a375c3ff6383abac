/**
 * The `dspex` package entry: the whole library (src/index.ts) plus the runtime — `startRuntime`
 * and its types, the tree spec and the actors' public API.
 *
 * @example
 * ```ts
 * import { Predict, startRuntime } from 'dspex';
 * const rt = await startRuntime({ programs: { qa: new Predict('question -> answer') } });
 * ```
 */
export * from '../src/index.js';
export { startRuntime } from './runtime.js';
export type { StartRuntimeConfig } from './runtime-config.js';
export type {
  EvaluateRequest,
  EvaluationSummary,
  OptimizeRequest,
  RunOptions,
  RunResult,
  Runtime,
  RuntimeEvent,
  RuntimeNode,
  RuntimeOptions,
  RuntimeSnapshot,
} from './runtime-types.js';
export { TREE_NAMES, runtimeTree } from './tree.js';
export type { PipelineDeclaration } from './pipelines.js';
export type { TreeDeps, TreeQueues, TreeSpec } from './tree.js';
export {
  ActorError,
  CLIENT_POOL,
  ClientPool,
  PooledLM,
  SCHEMA_REGISTRY,
  VARIABLE_REGISTRY,
  programConfigSchema,
  runJobSchema,
} from '../actors/index.js';
export type {
  ActorErrorCode,
  ClientPoolSnapshot,
  ConfigVersion,
  ProgramConfig,
  RunJob,
} from '../actors/index.js';
