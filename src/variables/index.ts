import { choice, composite, conditional, float, integer, moduleVariable } from './builders.js';
import {
  adapter,
  demoSets,
  instructions,
  maxTokens,
  model,
  numDemos,
  provider,
  reasoningStrategy,
  temperature,
  topP,
} from './ml-variables.js';

/**
 * The variable helpers in one namespace: `v.float`, `v.integer`, `v.choice`, `v.module`,
 * `v.composite`, `v.conditional`, and the ready-made ML variables `v.provider`, `v.model`,
 * `v.adapter`, `v.reasoningStrategy`, `v.temperature`, `v.maxTokens`, `v.topP`, `v.numDemos`,
 * `v.instructions`, `v.demoSets`.
 *
 * @example
 * ```ts
 * import { Predict, v } from 'dspex';
 * const qa = new Predict('question -> answer', { temperature: v.float({ range: [0, 1.5] }) });
 * ```
 */
export const v = Object.freeze({
  float,
  integer,
  choice,
  module: moduleVariable,
  composite,
  conditional,
  provider,
  model,
  adapter,
  reasoningStrategy,
  temperature,
  maxTokens,
  topP,
  numDemos,
  instructions,
  demoSets,
});

export { Variable, VARIABLE, isVariable, isConfigValue } from './variable.js';
export type {
  ChoiceOptions,
  CommonVariableOptions,
  CompositeOptions,
  ConditionalOptions,
  ConfigValue,
  Configuration,
  NumericOptions,
  OptimizationHints,
  ValueCheck,
  VariableKind,
  VariableSpec,
} from './variable.js';
export { moduleVariable } from './builders.js';
export type { ModuleVariableOptions } from './builders.js';
export { DEFAULT_MODELS, candidateKindOf, candidatesOf, withCandidates } from './ml-variables.js';
export type { CandidateKind, ModelInfo, ModelVariableOptions } from './ml-variables.js';
export { VariableSpace, configurationKey } from './space.js';
export type {
  ConfigurationCheck,
  Dimensionality,
  SampleOptions,
  SpaceConstraint,
} from './space.js';
export { describeSpace, overrideConfiguration } from './space-description.js';
export type { VariableDescription } from './space-description.js';
export { VariableError } from './variable-error.js';
export type { ConfigurationIssue, VariableErrorCode } from './variable-error.js';
export { seededRandom } from './random.js';
export type { RandomSource, SeededRandom } from './random.js';
export {
  DEFAULT_OBJECTIVES,
  cheapestWithin,
  choosePoint,
  crowdingDistances,
  dominates,
  nondominatedRanks,
  paretoFront,
  parseObjectiveConstraint,
  violatedConstraints,
} from './objectives.js';
export type {
  ObjectiveConstraint,
  ObjectiveName,
  ObjectiveValues,
  Objectives,
  SelectionRule,
} from './objectives.js';
export { nearestRankPercentile } from './search-ledger.js';
export type {
  CandidateSpend,
  CandidatesRecord,
  ConfigurationEvaluator,
  EvaluatedPoint,
  ExampleOutcome,
  SearchBudget,
  SearchCheckpoint,
  SearchSpend,
} from './search-ledger.js';
export { gridSearch, paretoSearch, randomSearch, rungSizes } from './space-search.js';
export type {
  ParetoSearchOptions,
  SpaceSearchOptions,
  SpaceSearchProgress,
  SpaceSearchResult,
} from './space-search.js';
export { formatDollars, formatFrontTable, renderFrontHtml } from './front-report.js';
export type { FrontChartOptions, FrontTableOptions } from './front-report.js';
export { frontPointsOf, type FrontPointRecord } from './front-record.js';
