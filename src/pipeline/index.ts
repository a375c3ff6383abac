export { Pipeline, pipeline } from './pipeline.js';
export type {
  ArmBuilder,
  InputsFrom,
  Merge,
  ModuleInputs,
  ModuleOutputs,
  PipelineState,
  PredictStageOptions,
  StageView,
  StateCheckResult,
} from './pipeline.js';
export type { PipelineNode, PipelineStep, State } from './pipeline-steps.js';
export { Fallback } from './fallback.js';
export type { FallbackFailure } from './fallback.js';
export { toMermaid } from './mermaid.js';
export type { MermaidOptions } from './mermaid.js';
export { PipelineError } from './errors.js';
export type { PipelineErrorCode } from './errors.js';
