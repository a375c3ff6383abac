import type {
  BootstrapFewShotOptions,
  LabeledFewShotOptions,
  RandomSearchOptions,
} from '../optimizers/index.js';
import { CliError } from './cli-error.js';

/** JSON type of an optimizer option given in `--params`. */
type ParamType = 'number' | 'boolean' | 'string';

/** The options of `BootstrapFewShot` a `--params` object may set (`metric` is a metric name). */
const BOOTSTRAP_PARAMS = {
  metric: 'string',
  metricThreshold: 'number',
  maxBootstrappedDemos: 'number',
  maxLabeledDemos: 'number',
  maxRounds: 'number',
  maxErrors: 'number',
  seed: 'number',
  maxLmCalls: 'number',
  maxMetricCalls: 'number',
} as const satisfies Partial<Record<keyof BootstrapFewShotOptions, ParamType>>;

/**
 * The JSON options each optimizer takes from `dspex optimize --params`, by optimizer name (the
 * names the runtime's optimization jobs accept). The `satisfies` clauses keep each key an option
 * of its optimizer.
 */
export const OPTIMIZER_PARAMS: Readonly<Record<string, Readonly<Record<string, ParamType>>>> = {
  'labeled-few-shot': {
    k: 'number',
    sample: 'boolean',
    seed: 'number',
  } satisfies Partial<Record<keyof LabeledFewShotOptions, ParamType>>,
  'bootstrap-few-shot': BOOTSTRAP_PARAMS,
  'random-search': {
    ...BOOTSTRAP_PARAMS,
    numCandidatePrograms: 'number',
    stopAtScore: 'number',
  } satisfies Partial<Record<keyof RandomSearchOptions, ParamType>>,
};

/**
 * Checks `--optimizer` and `--params` before anything runs: an unknown optimizer names the known
 * ones; an unknown key names the key and the keys that optimizer takes; a value of the wrong JSON
 * type says which type it needs. Every failure is `usage` (exit 2).
 */
export function checkOptimizerParams(optimizer: string, params: Record<string, unknown>): void {
  const known = OPTIMIZER_PARAMS[optimizer];
  if (known === undefined)
    throw new CliError(
      'usage',
      `unknown optimizer '${optimizer}' (one of: ${Object.keys(OPTIMIZER_PARAMS).join(', ')})`,
      { details: { optimizer } },
    );
  for (const [key, value] of Object.entries(params)) {
    if (key === 'deploy')
      throw new CliError('usage', `--params: use --deploy instead of the 'deploy' key`);
    const type = known[key];
    if (type === undefined)
      throw new CliError(
        'usage',
        `--params: unknown option '${key}' for ${optimizer} (it takes: ${Object.keys(known).join(', ')})`,
        { details: { optimizer, key } },
      );
    if (typeof value !== type)
      throw new CliError(
        'usage',
        `--params: option '${key}' of ${optimizer} must be a ${type}, got ${JSON.stringify(value)}`,
        { details: { optimizer, key } },
      );
  }
}
