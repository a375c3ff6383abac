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
export { SpaceSearch, programEvaluator } from './space-search.js';
export type {
  ProgramEvaluatorOptions,
  SpaceSearchOptimizerOptions,
  SpaceSearchOutcome,
} from './space-search.js';
