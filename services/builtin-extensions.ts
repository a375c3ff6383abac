import type { BuiltinNames } from '../src/extensions/index.js';
import { BUILTIN_METRICS } from './example-data.js';
import { OPTIMIZER_NAMES } from './optimizer-factory.js';

/** Adapters a program configuration may name without an extension. */
export const BUILTIN_ADAPTERS = ['chat', 'json', 'xml'] as const;

/** LM providers dspex ships (an extension may not take their names). */
const BUILTIN_LMS = ['openai', 'anthropic', 'dummy'];

/** Module classes dspex ships (an extension may not take their names). */
const BUILTIN_MODULES = [
  'Predict',
  'ChainOfThought',
  'ReAct',
  'ProgramOfThought',
  'MultiChainComparison',
  'BestOfN',
  'Refine',
  'Parallel',
  'Pipeline',
];

/**
 * The names the runtime itself provides, per extension kind: built-in metrics (plus `metrics`, the
 * ones a caller of `startRuntime` passed), the optimizers a run may name, the three adapters, the
 * LM providers and module classes. A programs module registering one of them is rejected.
 */
export function builtinExtensionNames(metrics: readonly string[] = []): BuiltinNames {
  return {
    metrics: [...Object.keys(BUILTIN_METRICS), ...metrics],
    optimizers: [...OPTIMIZER_NAMES],
    adapters: [...BUILTIN_ADAPTERS],
    lms: BUILTIN_LMS,
    modules: BUILTIN_MODULES,
  };
}
