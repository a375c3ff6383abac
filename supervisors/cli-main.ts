/**
 * The process entry of the `dspex` binary (bin/dspex.js): wires the generic CLI of src/cli to this
 * package's runtime (`startRuntime`), the one piece src/cli must not import itself.
 */
// Straight from the files (not src/cli/index.js): the index re-exports every command's helpers,
// and a CLI start should load only the command it runs.
import { processIO } from '../src/cli/cli-io.js';
import { runCli } from '../src/cli/program.js';
import type { CliRuntime, RuntimeFactory } from '../src/cli/runtime-port.js';

const startCliRuntime: RuntimeFactory = async (loaded, { logger, store }) => {
  // Loaded on demand: `inspect`, `submit` and `jobs` never need the framework, and importing it
  // (xstate, the LM SDKs, every module) is most of a cold start.
  const { startRuntime } = await import('./runtime.js');
  const { httpRuntimeOf } = await import('./http-port.js');
  const runtime = await startRuntime(loaded, { logger, ...(store === undefined ? {} : { store }) });
  // Structural check at compile time: the runtime is what the CLI drives (plus its HTTP view).
  const cli: CliRuntime = Object.assign(runtime, { httpApi: httpRuntimeOf(runtime) });
  return cli;
};

const argv = process.argv.slice(2);
const interrupt = new AbortController();
// `start` installs its own SIGTERM/SIGINT handlers (graceful drain); `inspect --watch` ends
// cleanly (exit 0) when `interrupt` aborts; every other command stops at once, shell style.
for (const [signal, number] of [
  ['SIGINT', 2],
  ['SIGTERM', 15],
] as const) {
  process.on(signal, () => {
    if (process.listenerCount(signal) > 1) return; // the daemon's handler owns it
    if (argv[0] === 'inspect' && !interrupt.signal.aborted) interrupt.abort();
    else process.exit(128 + number);
  });
}

const code = await runCli(argv, {
  startRuntime: startCliRuntime,
  programTools: async (loaded) => (await import('./program-tools.js')).loadProgramTools(loaded),
  io: processIO(interrupt.signal),
});
// Exit explicitly: a closed runtime may leave idle handles (sockets being torn down) behind, and
// the daemon's contract is to exit as soon as its shutdown is complete.
process.exit(code);
