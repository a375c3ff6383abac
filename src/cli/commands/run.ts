import type { CliDeps } from '../cli-deps.js';
import { parseJsonObject } from '../json-input.js';
import { withOneshotRuntime, type OneshotOptions } from '../oneshot-runtime.js';

/** Options of `dspex run`. */
export interface RunOptions extends OneshotOptions {
  input: string;
  /** Print the whole result `{ outputs, executionId, usage }` instead of the outputs. */
  full?: boolean;
}

/**
 * `dspex run <program> --input JSON`: runs the program once on an embedded runtime (no daemon, no
 * Redis) and prints its outputs as JSON.
 */
export async function runCommand(
  deps: CliDeps,
  program: string,
  options: RunOptions,
): Promise<number> {
  const inputs = parseJsonObject(options.input, '--input');
  const result = await withOneshotRuntime(deps, program, options, (runtime) =>
    runtime.run(program, inputs),
  );
  deps.io.stdout.write(
    `${JSON.stringify(options.full === true ? result : result.outputs, null, 2)}\n`,
  );
  return 0;
}
