import type { CliDeps } from '../cli-deps.js';
import { loadRuntimeConfig } from '../cli-config.js';
import { CliError } from '../cli-error.js';
import type { ProgramTools } from '../program-tools-port.js';
import { toCliError, unknownProgramError } from '../runtime-errors.js';

/**
 * Loads the programs module's {@link ProgramTools} for a command on `program` (`graph`,
 * `synthesize`), checking the program exists (`unknown_program`, exit 4).
 */
export async function programTools(
  deps: CliDeps,
  program: string,
  configPath: string | undefined,
): Promise<ProgramTools> {
  if (deps.programTools === undefined)
    throw new CliError('usage', 'this dspex build has no program tools (graph, synthesize)');
  const loaded = await loadRuntimeConfig(deps.io, configPath);
  let tools: ProgramTools;
  try {
    tools = await deps.programTools(loaded);
  } catch (e) {
    throw toCliError(e);
  }
  const known = tools.names();
  if (!known.includes(program)) throw unknownProgramError(program, known);
  return tools;
}
