import type { CliIO } from './cli-io.js';
import type { ProgramToolsFactory } from './program-tools-port.js';
import type { RuntimeFactory } from './runtime-port.js';

/** What every command receives: the injected runtime factory and the process IO. */
export interface CliDeps {
  startRuntime: RuntimeFactory;
  io: CliIO;
  /** Where runtime logs (pino JSON lines) go. Default: process.stderr, so stdout stays for results. */
  logDestination?: NodeJS.WritableStream;
  /** Framework tools over the programs module (`graph`, `synthesize`); absent: those commands fail. */
  programTools?: ProgramToolsFactory;
}
