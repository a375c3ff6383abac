import type { BuiltinNames, ModuleExtension } from '../src/extensions/index.js';
import { ChainOfThought, Predict, type PredictOptions } from '../src/modules/index.js';
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
  'StrategyModule',
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

/** The options of a module built by name: a `signature` string, then the module's own options. */
function signatureOptions(
  name: string,
  options: Record<string, unknown>,
): [string, PredictOptions] {
  const { signature, ...rest } = options;
  if (typeof signature !== 'string' || signature.trim() === '')
    throw new TypeError(
      `module '${name}' needs options.signature, a signature string such as 'question -> answer'`,
    );
  return [signature, rest as PredictOptions];
}

/**
 * The built-in modules a definition may name (`{ module: 'ChainOfThought', options: { signature }
 * }`): the ones built from a signature and JSON options. The other built-in classes take code
 * (tools, a reward function, sub-modules) and are declared in the programs module itself.
 */
export const BUILTIN_MODULE_FACTORIES: Readonly<Record<string, ModuleExtension>> = {
  Predict: (options) => new Predict(...signatureOptions('Predict', options)),
  ChainOfThought: (options) => new ChainOfThought(...signatureOptions('ChainOfThought', options)),
};
