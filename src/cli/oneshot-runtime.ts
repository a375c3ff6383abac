import type { Store } from '../store/index.js';
import { createLogger } from '../telemetry/index.js';
import type { CliDeps } from './cli-deps.js';
import { loadRuntimeConfig } from './cli-config.js';
import { toCliError, unknownProgramError } from './runtime-errors.js';
import type { CliRuntime } from './runtime-port.js';

/** Options shared by `run`, `eval` and `optimize`. */
export interface OneshotOptions {
  config?: string;
  logLevel?: string;
  /** The store the runtime uses (default: a memory store that ends with the command). */
  store?: Store;
}

/**
 * Starts an embedded runtime for one command (no daemon, no Redis: `DSPEX_REDIS_URL` is blanked
 * and the admin endpoint is not started), checks the program exists (`unknown_program`, exit 4,
 * listing the known ones), runs `work`, and always stops the runtime.
 */
export async function withOneshotRuntime<T>(
  deps: CliDeps,
  program: string,
  options: OneshotOptions,
  work: (runtime: CliRuntime) => Promise<T>,
): Promise<T> {
  const loaded = await loadRuntimeConfig(deps.io, options.config, {
    ...deps.io.env,
    DSPEX_REDIS_URL: '',
  });
  const logger = createLogger({
    level: options.logLevel ?? 'warn',
    destination: deps.logDestination ?? process.stderr,
  });
  let runtime: CliRuntime;
  try {
    runtime = await deps.startRuntime(
      {
        ...loaded,
        config: { ...loaded.config, admin: { ...loaded.config.admin, enabled: false } },
      },
      {
        logger,
        purpose: 'oneshot',
        ...(options.store === undefined ? {} : { store: options.store }),
      },
    );
  } catch (e) {
    throw toCliError(e);
  }
  try {
    const known = runtime.programs();
    if (!known.includes(program)) throw unknownProgramError(program, known);
    return await work(runtime);
  } catch (e) {
    throw toCliError(e);
  } finally {
    await runtime.stop();
  }
}
