export { Evaluate } from './evaluate.js';
export type { EvaluableProgram, EvaluateOptions, EvaluateProgress } from './evaluate.js';
export { EvaluationResult } from './evaluation-result.js';
export type { ExampleResult, LatencyStats } from './evaluation-result.js';
export { exampleCost } from './program-cost.js';
export { EvaluateError } from './evaluate-error.js';
export type { EvaluateErrorCode } from './evaluate-error.js';
export { metricNameOf, normalizeMetricValue, passes, scoreOf } from './metric.js';
export type { Metric, MetricValue } from './metric.js';
export { answerExactMatch, answerPassageMatch } from './answer-metrics.js';
export {
  EM,
  F1,
  HotPotF1,
  emScore,
  f1Score,
  hotpotF1Score,
  normalizeText,
  precisionScore,
} from './text-normalization.js';
export { dprNormalize, passageMatch } from './passage-match.js';
export { pythonRound } from './python-round.js';
export { CallAccounting } from './call-accounting.js';
export type { CallStats } from './call-accounting.js';
export { formatResultTable, resultRows, toCsv } from './result-export.js';
export type { ResultRow } from './result-export.js';
export {
  SemanticF1,
  clampedF1,
  decompositionalSemanticRecallPrecision,
  semanticRecallPrecision,
} from './semantic-f1.js';
export type { SemanticF1Options } from './semantic-f1.js';
export {
  CompleteAndGrounded,
  answerCompleteness,
  answerGroundedness,
} from './complete-and-grounded.js';
export { Dataset, splitIndices, streamBatches } from './dataset.js';
export type { DatasetSelection } from './dataset.js';
