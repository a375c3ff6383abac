import { OPTIMIZER_PARAMS, optimizerParamsProblem } from '../optimizers/index.js';
import { CliError } from './cli-error.js';

export { OPTIMIZER_PARAMS };

/**
 * Checks `--params` of a built-in optimizer before anything runs (an optimizer that is not built
 * in is looked up in the programs module's extensions by the runtime); an unknown key names the key and the keys that optimizer takes; a value of the wrong JSON
 * type says which type it needs. Every failure is `usage` (exit 2).
 */
export function checkOptimizerParams(optimizer: string, params: Record<string, unknown>): void {
  if (params['deploy'] !== undefined)
    throw new CliError('usage', `--params: use --deploy instead of the 'deploy' key`);
  const problem = optimizerParamsProblem(optimizer, params);
  if (problem !== undefined)
    throw new CliError('usage', `--params: ${problem.message}`, {
      details: { optimizer, key: problem.key },
    });
}
