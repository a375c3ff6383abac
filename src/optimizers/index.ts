export { BootstrapFewShot } from './bootstrap-few-shot.js';
export type {
  BootstrapCheckpoint,
  BootstrapCompileOptions,
  BootstrapFewShotOptions,
  BootstrapRoundRecord,
  BootstrapStats,
} from './bootstrap-few-shot.js';
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
export { Budget, budgetLimitsOf, chargeOf, checkBudgetLimits, emptyUsage } from './budget.js';
export type {
  BudgetLimits,
  BudgetStopReason,
  BudgetUsage,
  CallRole,
  Charge,
  RoleSpend,
} from './budget.js';
export { RunJournal } from './run-journal.js';
export { evaluationCharge, evaluationScore, exampleSpend } from './candidate-evaluator.js';
export { readMetricValue, restoreRun, runTraced } from './traced-evaluation.js';
export type {
  TraceEvaluator,
  TracedEvaluation,
  TracedRun,
  TracedStep,
} from './traced-evaluation.js';
export type {
  CandidateEvaluation,
  CandidateEvaluator,
  EvaluationSpend,
  ExampleSpend,
} from './candidate-evaluator.js';
export type { JournalStep, OptimizerCheckpoint } from './run-journal.js';
export { COPRO } from './copro.js';
export type {
  COPROCandidate,
  COPROCompileOptions,
  COPROOptions,
  COPROResult,
  COPROStats,
} from './copro.js';
export {
  AUTO_RUN_SETTINGS,
  MIPROv2,
  bootstrapDemoSets,
  proposeInstructionCandidates,
} from './mipro.js';
export type {
  DemoSetRun,
  DemoSets,
  InstructionProposalRun,
  MIPROTrial,
  MIPROv2CompileOptions,
  MIPROv2Options,
  MIPROv2Result,
} from './mipro.js';
export { GroundedProposer, describeProgramCode, stripPrefix } from './propose.js';
export type { GroundedProposerOptions } from './propose.js';
export type { PromptOptimizationResult, PromptOptimizerOptions } from './propose-run.js';
export { TIPS } from './propose-signatures.js';
export { TPESampler } from './tpe.js';
export type { CategoricalParams, CategoricalSpace, TPEOptions, TPETrial } from './tpe.js';
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
export type { ScoredRun, StopReason } from './search-kit.js';
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
export { SpaceSearch, programEvaluator } from './space-search.js';
export { proposeSpaceCandidates } from './space-candidates.js';
export type { SpaceCandidates, SpaceCandidatesOptions } from './space-candidates.js';
export type {
  ProgramEvaluatorOptions,
  SpaceSearchOptimizerOptions,
  SpaceSearchOutcome,
} from './space-search.js';
export { KNNFewShot } from './knn-few-shot.js';
export type { KNNFewShotOptions } from './knn-few-shot.js';
export { OPTIMIZER_PARAMS, optimizerParamsProblem } from './optimizer-params.js';
export type { OptimizerParamsProblem } from './optimizer-params.js';
