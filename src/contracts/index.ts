/**
 * src/contracts: the runtime's contracts, written once — job payloads and results of the queues
 * (zod schemas + types), the runtime as data (snapshot, events, streamed runs) and the runtime
 * surfaces the CLI, daemon and HTTP API drive. Depends on zod and lower layers' types only.
 */
export {
  QUEUES,
  pipelineQueue,
  RUN_JOB_SCHEMA,
  runJobSchema,
  programConfigSchema,
  exampleDataSchema,
  evaluationShardSchema,
  OPTIMIZER_NAMES,
  optimizationJobSchema,
  runJobProblem,
} from './jobs.js';
export type {
  RunJob,
  RunResult,
  RunOptions,
  ProgramConfig,
  ExampleData,
  EvaluationShard,
  JobSpend,
  ShardResult,
  OptimizerName,
  OptimizationJob,
  OptimizationOutcome,
  JobProblem,
} from './jobs.js';
export { flattenIssues, issuesText } from './issues.js';
export type { SchemaIssue } from './issues.js';
export type {
  RuntimeNode,
  ProgramsVersion,
  RuntimeSnapshot,
  OptimizerProgressData,
  RuntimeEvent,
  FieldDelta,
  RunStreamEvent,
  LocalRunOptions,
} from './runtime.js';
export type {
  TreeNodeView,
  RuntimeSnapshotView,
  RuntimeEventView,
  JobView,
  JobStatusView,
  OptimizationRunView,
  OptimizationProgressView,
  JobListingView,
  RunStoreView,
  DatasetLinkView,
  DatasetEvaluateRequestData,
  DatasetOptimizeRequestData,
  EvaluateRequestData,
  OptimizeRequestData,
  VariableView,
  VariableSearchRequestView,
  FrontPointView,
  VariableSearchView,
  ProgramView,
  RuntimeLifecycle,
  ProgramRunner,
  DaemonRuntime,
  ProgramsVersionView,
  ReloadResultView,
  HttpRuntime,
  CliRuntime,
  SynthesizeRequestView,
  SynthesizeResultView,
  ProgramTools,
} from './ports.js';
