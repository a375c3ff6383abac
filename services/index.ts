/**
 * dspex node services: the plain code the runtime's actors run and its supervisors wire (the actor
 * call protocol and errors, executions, pooled LMs, program materialization and catalog, example
 * data and datasets, the optimizer factory, shard evaluation, variable search and sync). No actor
 * is defined here (those are in actors/); nothing here imports one.
 */
export { ActorError, describeError, retryAfterOf } from './actor-error.js';
export type { ActorErrorCode } from './actor-error.js';
export { callActor, parseMessage, replyError, replyHandleOf, replyOk } from './protocol.js';
export type { ActorReply } from './protocol.js';
export { VariableSync } from './variable-sync.js';
export type { VariableSyncOptions } from './variable-sync.js';
export {
  checkVariableOverrides,
  configuredProgram,
  describeProgramVariables,
  programVariableSpace,
} from './program-variables.js';
export { PooledLM, poolKey } from './pooled-lm.js';
export type { PoolHandle, PooledCallReport } from './pooled-lm.js';
export { ProgramCatalog, unknownProgram } from './program-catalog.js';
export type { ProgramsVersion } from './program-catalog.js';
export {
  BUILTIN_ADAPTERS,
  BUILTIN_MODULE_FACTORIES,
  builtinExtensionNames,
} from './builtin-extensions.js';
export { ProgramCache, materializeProgram } from './program-materialize.js';
export type { MaterializedProgram } from './program-materialize.js';
export { effectiveConfig, runExecution, withActiveVersion } from './execution.js';
export { ACTIVE_VERSION_TTL_MS, ActiveVersions } from './active-versions.js';
export type {
  ExecutionRequest,
  ExecutionResult,
  ExecutionServices,
  FieldDelta,
  StreamPiece,
  ToolCallDelta,
} from './execution.js';
export { AsyncChannel } from './async-channel.js';
export {
  BUILTIN_METRICS,
  exampleDataSchema,
  fromExampleData,
  resolveMetric,
  toExampleData,
} from './example-data.js';
export type { ExampleData } from './example-data.js';
export { RUN_PARAM_KEYS, runOptimizer } from './optimizer-factory.js';
export type { OptimizerHooks, OptimizerName, OptimizerOutcome } from './optimizer-factory.js';
export { shardEvaluator } from './shard-evaluator.js';
export type { ShardPlan, ShardRunner } from './shard-evaluator.js';
export {
  evaluatedPointOf,
  objectivesOf,
  recordSpaceSearch,
  runSpaceSearch,
  selectionOf,
} from './variable-search.js';
export type {
  SearchOrigin,
  SpaceSearchParams,
  SpaceSearchRecord,
  SpaceSearchRun,
} from './variable-search.js';
export {
  firstPredictorInputs,
  inputKeysFor,
  loadDataset,
  requestExamples,
} from './dataset-source.js';
export type { DatasetSource } from './dataset-source.js';
