/**
 * The `dspex` package root: the framework (signatures, adapters, modules, evaluation, optimizers,
 * LMs), the runtime's entry point {@link startRuntime} with its types, and every error class a user
 * may catch. Internals are on subpaths: `dspex/runtime` (tree, actors, daemon, config, telemetry,
 * resilience), `dspex/kernel`, `dspex/transport`, `dspex/store`, `dspex/testing`.
 *
 * @example
 * ```ts
 * import { Predict, startRuntime } from 'dspex';
 * const rt = await startRuntime({ programs: { qa: new Predict('question -> answer') } });
 * const { outputs } = await rt.run('qa', { question: 'What is 2+2?' });
 * await rt.stop();
 * ```
 */
export * from '../src/index.js';
export { startRuntime } from '../supervisors/runtime.js';
export type { StartRuntimeConfig } from '../supervisors/runtime-config.js';
export type {
  EvaluateRequest,
  EvaluationSummary,
  LocalRunOptions,
  OptimizeRequest,
  RunOptions,
  RunResult,
  RunStreamEvent,
  Runtime,
  RuntimeEvent,
  RuntimeNode,
  RuntimeOptions,
  RuntimeSnapshot,
} from '../supervisors/runtime-types.js';
export type { PipelineDeclaration } from '../supervisors/pipelines.js';
export type {
  DeployOutcome,
  DeployTarget,
  ProgramVariables,
  StoredFrontPoint,
  VariableSearchOutcome,
  VariableSearchRequest,
} from '../supervisors/runtime-variables.js';
export type { FieldDelta, StreamPiece, ToolCallDelta } from '../services/execution.js';
export { ActorError } from '../services/actor-error.js';
export type { ActorErrorCode } from '../services/actor-error.js';
