/**
 * dspex runtime actors: the concrete xstate machines the supervision tree runs (each with its zod
 * message schemas; a bad message gets a `bad_message` reply and never crashes anything).
 */
export { ActorError, describeError, retryAfterOf } from './actor-error.js';
export type { ActorErrorCode } from './actor-error.js';
export { callActor, parseMessage, replyError, replyHandleOf, replyOk } from './protocol.js';
export type { ActorReply } from './protocol.js';
export { RUN_JOB_SCHEMA, runJobSchema, flattenIssues, issuesText } from '../src/contracts/index.js';
export type { RunJob, SchemaIssue } from '../src/contracts/index.js';
export {
  SCHEMA_REGISTRY,
  createSchemaTable,
  schemaRegistryMachine,
  validatePayload,
  schemaRegistryMessage,
} from './schema-registry.js';
export type {
  SchemaEntry,
  SchemaRegistryMessage,
  SchemaTable,
  ValidationResult,
} from './schema-registry.js';
export {
  VARIABLE_REGISTRY,
  createVariableTable,
  installVersion,
  programConfigSchema,
  variableRegistryMachine,
  variableRegistryMessage,
} from './variable-registry.js';
export { VariableSync } from './variable-sync.js';
export type { VariableSyncOptions } from './variable-sync.js';
export {
  checkVariableOverrides,
  configuredProgram,
  describeProgramVariables,
  programVariableSpace,
} from './program-variables.js';
export type {
  ConfigChangedEvent,
  ConfigVersion,
  ProgramConfig,
  SharedConfigs,
  VariableRegistryInput,
  VariableRegistryMessage,
  VariableTable,
} from './variable-registry.js';
export { CLIENT_POOL, ClientPool, clientPoolMachine, clientPoolMessage } from './client-pool.js';
export type {
  ClientPoolMessage,
  ClientPoolOptions,
  ClientPoolSnapshot,
  KeyLimits,
  PoolKeySnapshot,
} from './client-pool.js';
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
export type {
  ExecutionRequest,
  ExecutionResult,
  ExecutionServices,
  FieldDelta,
} from './execution.js';
export { AsyncChannel } from './async-channel.js';
export {
  executeOn,
  programWorkerMachine,
  programWorkerMessage,
  programWorkerStart,
  programTaskStart,
} from './program-worker.js';
export type { ProgramWorkerInput, ProgramWorkerMessage } from './program-worker.js';
export {
  BUILTIN_METRICS,
  exampleDataSchema,
  fromExampleData,
  resolveMetric,
  toExampleData,
} from './example-data.js';
export type { ExampleData } from './example-data.js';
export {
  evaluationShardSchema,
  evaluationWorkerMachine,
  evaluationWorkerMessage,
  evaluationWorkerStart,
  runShard,
} from './evaluation-worker.js';
export type {
  EvaluationServices,
  EvaluationShard,
  ShardProgress,
  ShardResult,
} from './evaluation-worker.js';
export {
  OPTIMIZER_NAMES,
  optimizationJobSchema,
  runOptimization,
  teleprompterWorkerMachine,
  teleprompterWorkerMessage,
  teleprompterWorkerStart,
} from './teleprompter-worker.js';
export type {
  OptimizationJob,
  OptimizationOutcome,
  OptimizationProgressEvent,
  TeleprompterServices,
} from './teleprompter-worker.js';
export { RUN_PARAM_KEYS, runOptimizer } from './optimizer-factory.js';
export type { OptimizerHooks, OptimizerName, OptimizerOutcome } from './optimizer-factory.js';
export { shardEvaluator } from './shard-evaluator.js';
export type { ShardPlan, ShardRunner } from './shard-evaluator.js';
export { queueBridgeMachine, queueBridgeMessage } from './queue-bridge.js';
export type { QueueBridgeInput, QueueBridgeMessage, QueueBridgeStatus } from './queue-bridge.js';
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
export { loadDataset, requestExamples } from './dataset-source.js';
export type { DatasetSource } from './dataset-source.js';
