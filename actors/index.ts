/**
 * dspex runtime actors: the concrete xstate machines, genServers and worker start functions the
 * supervision tree runs (each with its zod message schemas; a bad message gets a `bad_message`
 * reply and never crashes anything). The node services they run on live in services/ and are
 * imported from there (`services/index.js` or the specific file), never through this barrel.
 */
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
export {
  executeOn,
  programWorkerMachine,
  programWorkerMessage,
  programWorkerStart,
  programTaskStart,
} from './program-worker.js';
export type { ProgramWorkerInput, ProgramWorkerMessage } from './program-worker.js';
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
export { queueBridgeMachine, queueBridgeMessage } from './queue-bridge.js';
export type { QueueBridgeInput, QueueBridgeMessage, QueueBridgeStatus } from './queue-bridge.js';
