export type { Transport } from './transport.js';
export type {
  BackoffOptions,
  CloseOptions,
  ConnectionEvent,
  ConnectionState,
  Consumer,
  EnqueueOptions,
  JobContext,
  JobCounts,
  JobHandler,
  JobInfo,
  JobProgress,
  JobState,
  JsonObject,
  JsonValue,
  KeepJobs,
  ListOptions,
  ProcessOptions,
  Subscription,
  TransportEvent,
  TransportEventType,
} from './types.js';
export { JOB_STATES } from './types.js';
export { DelayJobError, TransportError, UnrecoverableJobError, isUnrecoverable } from './errors.js';
export type { TransportErrorCode } from './errors.js';
export { backoffDelay, MAX_PRIORITY, DEFAULT_CLOSE_TIMEOUT_MS } from './job-options.js';
export { systemClock } from '../time/index.js';
/** The time source of {@link MemoryTransport}: the runtime's one clock (src/time). */
export type { TimerClock as TransportClock } from '../time/index.js';
export { MemoryTransport } from './memory/memory-transport.js';
export type { MemoryTransportOptions } from './memory/memory-transport.js';
export { BullMQTransport } from './bullmq/bullmq-transport.js';
export { BULLMQ_TRANSPORT_DEFAULTS } from './bullmq/bullmq-options.js';
export { checkRedisDurability } from './bullmq/redis-durability.js';
export type { RedisDurability } from './bullmq/redis-durability.js';
export type { BullMQTransportOptions } from './bullmq/bullmq-options.js';
export { definePipeline, safeDefinePipeline } from './pipeline/define-pipeline.js';
export type { Pipeline, PipelineSpec, StageSpec } from './pipeline/define-pipeline.js';
export { PipelineRunner } from './pipeline/pipeline-runner.js';
export type {
  PipelineRunnerOptions,
  StageHandler,
  StageInvocation,
} from './pipeline/pipeline-runner.js';
export type { RunResult } from './pipeline/run-outcome.js';
export type {
  RunLedger,
  RunRecord,
  RunStatus,
  StageRecordResult,
  StageTopology,
} from './pipeline/run-ledger.js';
