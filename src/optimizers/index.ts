export { BootstrapFewShot } from './bootstrap-few-shot.js';
export type { BootstrapFewShotOptions, BootstrapStats } from './bootstrap-few-shot.js';
export { LabeledFewShot } from './labeled-few-shot.js';
export type { LabeledFewShotOptions } from './labeled-few-shot.js';
export { BootstrapFewShotWithRandomSearch } from './random-search.js';
export type {
  CandidateProgram,
  RandomSearchCheckpoint,
  RandomSearchCompileOptions,
  RandomSearchOptions,
  RandomSearchResult,
} from './random-search.js';
export type {
  CommonOptimizerOptions,
  CompileOptions,
  OptimizationResult,
  Optimizer,
  OptimizerProgress,
  OptimizerStats,
} from './optimizer.js';
export { OptimizerError } from './optimizer-error.js';
export type { OptimizerErrorCode } from './optimizer-error.js';
export { PythonRandom, pythonRandom } from './python-random.js';
export type { Rng, RngFactory } from './python-random.js';
export { rolloutLm } from './rollout-lm.js';
export { SIMBA } from './simba.js';
export type {
  SimbaCandidate,
  SimbaCheckpoint,
  SimbaCompileOptions,
  SimbaOptions,
  SimbaResult,
  SimbaStepLog,
} from './simba.js';
export { appendADemo, appendARule, offerFeedback } from './simba-strategies.js';
export type { SimbaStrategy, StrategyContext } from './simba-strategies.js';
export { NumpyRandom } from './numpy-random.js';
export type { NumpyRandomState } from './numpy-random.js';
export { ReplayRng } from './replay-rng.js';
export type { RngCheckpoint, RngDraw } from './replay-rng.js';
export type { CallCaps, CallsUsed, ScoredRun, StopReason } from './search-kit.js';
export { GEPA, GEPA_AUTO_RUN_SETTINGS, gepaAutoBudget } from './gepa.js';
export type {
  GepaCheckpoint,
  GepaCompileOptions,
  GepaMetric,
  GepaMetricValue,
  GepaOptions,
  GepaResult,
  InstructionProposer,
} from './gepa.js';
export { runGepa, paretoFronts } from './gepa-engine.js';
export type {
  Candidate as GepaCandidate,
  EvaluationBatch as GepaEvaluationBatch,
  FrontierType,
  GepaAdapter,
  GepaEngineOptions,
  GepaEngineResult,
  GepaIterationLog,
  GepaState,
  ObjectiveScores as GepaObjectiveScores,
} from './gepa-engine.js';
export {
  INSTRUCTION_PROPOSAL_TEMPLATE,
  extractInstruction,
  renderInstructionProposal,
} from './gepa-proposal.js';
export type { ReflectionFn, ReflectiveRecord } from './gepa-proposal.js';
export { Ensemble, EnsembledProgram } from './ensemble.js';
export type { EnsembleOptions } from './ensemble.js';
export { InferRules, rulesInductionSignature } from './infer-rules.js';
export type { InferRulesCandidate, InferRulesOptions, InferRulesResult } from './infer-rules.js';
export { BetterTogether } from './better-together.js';
export type {
  BetterTogetherCandidate,
  BetterTogetherCompileOptions,
  BetterTogetherOptions,
  BetterTogetherResult,
  PromptOptimizer,
} from './better-together.js';
