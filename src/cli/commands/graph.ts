import type { CliDeps } from '../cli-deps.js';
import { programTools } from './program-tools.js';

/** Options of `dspex graph`. */
export interface GraphOptions {
  config?: string;
  /** `LR` for left-to-right (default top-down). */
  direction?: 'TD' | 'LR';
}

/**
 * `dspex graph <program>`: prints a Mermaid flowchart of the program's stages (a `Pipeline`) or
 * modules and predictors (any other program). No LM is called and no runtime is started.
 */
export async function graphCommand(
  deps: CliDeps,
  program: string,
  options: GraphOptions,
): Promise<number> {
  const tools = await programTools(deps, program, options.config);
  deps.io.stdout.write(
    tools.graph(program, options.direction === undefined ? {} : { direction: options.direction }),
  );
  return 0;
}
