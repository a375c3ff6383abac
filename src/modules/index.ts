export { Example, toPlain } from './example.js';
export type { ExampleLike, ExampleOptions } from './example.js';
export { Prediction, PredictionBase, Completions } from './prediction.js';
export type {
  CompletionsData,
  LmUsage,
  PredictionConstructor,
  PredictionFields,
} from './prediction.js';
export { MODULE_BRAND, Module, isModule } from './module.js';
export { programSignature } from './program-signature.js';
export type { CallOptions, LMConfig, ProgramState } from './module.js';
export { PARAMETER, isPredictor } from './parameter.js';
export type { LoadOptions, Predictor, PredictorState, TraceEntry } from './parameter.js';
export { Predict } from './predict.js';
export type { PredictOptions } from './predict.js';
export { ChainOfThought } from './chain-of-thought.js';
export type { ChainOfThoughtOptions } from './chain-of-thought.js';
export { ReAct } from './react.js';
export type { ReActOptions } from './react.js';
export { ReActV2 } from './react-v2.js';
export type { ReActV2Options, ReActV2Outputs, ReActV2Termination } from './react-v2.js';
export { Tool } from './tool.js';
export { mcpTools, toolFromMcp } from './mcp.js';
export type { McpContent, McpToolClient, McpToolInfo, McpToolOptions } from './mcp.js';
export type { ToolFunction, ToolSpec } from './tool.js';
export { majority } from './majority.js';
export type { MajorityOptions } from './majority.js';
export { configure, context, contextWithUsage, currentSettings } from './settings.js';
export type { Settings, WarningLogger } from './settings.js';
export { batch, parallel } from './batch.js';
export type { BatchOptions, BatchResult, BatchWithFailures, Callable } from './batch.js';
export { StreamListener } from './streaming/stream-listener.js';
export type { StreamListenerOptions, StreamResponse } from './streaming/stream-listener.js';
export { streamify, streamingResponse } from './streaming/streamify.js';
export { defaultStatusMessages } from './streaming/status-messages.js';
export type { StatusMessage, StatusMessageProvider } from './streaming/status-messages.js';
export type {
  RawTokenChunk,
  StreamEvent,
  StreamedProgram,
  StreamifyOptions,
  ToolCallEvent,
} from './streaming/streamify.js';
export { ModuleError } from './errors.js';
export type { ModuleErrorCode } from './errors.js';
export { StrategyModule } from './strategy.js';
export type { StrategyConstructor } from './strategy.js';
export {
  applyConfiguration,
  candidateValuesOf,
  checkConfiguration,
  configurationOf,
  configuredCandidatesOf,
  fillCandidates,
  loadConfiguredProgram,
  programSpace,
} from './program-space.js';
export type {
  ApplyConfigurationOptions,
  CandidateValues,
  ProgramSpaceOptions,
} from './program-space.js';
export { VARIABLE_BINDING, bindOptions, bindVariables, bindingOf } from './variable-binding.js';
export type {
  Declarable,
  ModuleConstructor,
  Resolved,
  VariableBinding,
} from './variable-binding.js';
export { BestOfN } from './best-of-n.js';
export type { Attempt, BestOfNOptions, RewardFn } from './best-of-n.js';
export { Refine, OFFER_FEEDBACK, inspectModules } from './refine.js';
export { MultiChainComparison } from './multi-chain-comparison.js';
export type { MultiChainComparisonOptions } from './multi-chain-comparison.js';
export { Parallel } from './parallel.js';
export type { ParallelOptions } from './parallel.js';
export { CheckOutputs } from './check-outputs.js';
export type { CheckOutputsOptions, OutputCheck } from './check-outputs.js';
export { ProgramOfThought, parseCode } from './program-of-thought.js';
export type { ProgramOfThoughtOptions } from './program-of-thought.js';
export { RLM, formatHistory, formatStepOutput, replVariable, stripCodeFences } from './rlm.js';
export type { REPLEntry, RLMExtras, RLMOptions } from './rlm.js';
