export type {
  Store,
  ProgramRepository,
  ExecutionRepository,
  OptimizationRunRepository,
  EvaluationRepository,
  DatasetRepository,
  VariableSpaceRepository,
  VariableConfigurationRepository,
  DeploymentRepository,
  RecordOnceResult,
  Page,
  PageQuery,
  WriteOptions,
  ExecutionWriteOptions,
} from './store.js';
export { StoreError, type StoreErrorCode } from './store-error.js';
export { STORE_DEFAULTS, type StoreClock, type StoreOptions } from './store-options.js';
export { MemoryStore } from './memory-store.js';
export { RedisStore, DEFAULT_REDIS_STORE_PREFIX, type RedisStoreOptions } from './redis-store.js';
export { canTransition, isFinalStatus, type Lifecycle } from './lifecycle.js';
export {
  jsonValueSchema,
  jsonObjectSchema,
  recordedErrorSchema,
  type JsonValue,
  type JsonObject,
  type RecordedError,
} from './record-fields.js';
export {
  PROGRAM_LIFECYCLE,
  programSchema,
  programStatusSchema,
  programVersionSchema,
  programCreateSchema,
  programPatchSchema,
  programPublishSchema,
  type Program,
  type ProgramStatus,
  type ProgramVersion,
  type ProgramCreate,
  type ProgramPatch,
  type ProgramPublish,
} from './program-record.js';
export {
  EXECUTION_LIFECYCLE,
  executionSchema,
  executionStatusSchema,
  executionCreateSchema,
  executionPatchSchema,
  executionSucceededSchema,
  type Execution,
  type ExecutionStatus,
  type ExecutionCreate,
  type ExecutionPatch,
  type ExecutionSucceeded,
} from './execution-record.js';
export {
  OPTIMIZATION_RUN_LIFECYCLE,
  optimizationRunSchema,
  optimizationRunStatusSchema,
  optimizationRunCreateSchema,
  optimizationRunPatchSchema,
  runProgressSchema,
  runHistoryEntrySchema,
  runSpendSchema,
  type OptimizationRun,
  type OptimizationRunStatus,
  type OptimizationRunCreate,
  type OptimizationRunPatch,
  type RunProgress,
  type RunHistoryEntry,
  type RunSpend,
} from './optimization-run-record.js';
export {
  EVALUATION_LIFECYCLE,
  EVALUATION_EXAMPLES_KEPT,
  EVALUATION_REASON_CHARS,
  evaluationSchema,
  evaluationStatusSchema,
  evaluationCreateSchema,
  evaluationPatchSchema,
  evaluationExampleSchema,
  type Evaluation,
  type EvaluationStatus,
  type EvaluationCreate,
  type EvaluationPatch,
  type EvaluationExample,
  type EvaluationCounts,
  type EvaluationSpend,
} from './evaluation-record.js';
export {
  datasetSchema,
  datasetCreateSchema,
  datasetSplitSchema,
  datasetHashSchema,
  datasetLinkSchema,
  type Dataset,
  type DatasetCreate,
  type DatasetAdd,
  type DatasetAddResult,
  type DatasetSplit,
  type DatasetLink,
} from './dataset-record.js';
export { datasetHash, canonicalJson } from './dataset-hash.js';
export { isJsonValue } from './validation.js';
export {
  parseDatasetRef,
  formatDatasetRef,
  resolveDataset,
  type DatasetRef,
  type ResolvedDataset,
} from './dataset-ref.js';
export { FileStore, type FileStoreOptions } from './file-store.js';
export {
  configValueSchema,
  configurationValuesSchema,
  candidateValuesSchema,
  variableDescriptorSchema,
  variableSpaceSchema,
  configurationObjectivesSchema,
  variableConfigurationSchema,
  variableConfigurationCreateSchema,
  deploymentSchema,
  type VariableDescriptor,
  type VariableSpaceRecord,
  type ConfigurationObjectives,
  type VariableConfigurationRecord,
  type VariableConfigurationCreate,
  type Deployment,
} from './variable-record.js';
export {
  DeploymentFeed,
  announceDeployment,
  deploymentChannel,
  type DeploymentAnnouncement,
  type DeploymentFeedOptions,
} from './deployment-feed.js';
