/**
 * CPU per job of the in-process part of a node's job path, without Redis, on a DummyLM, 8 at a
 * time, in alternating rounds. Variants:
 *
 * - `program`: the program call alone, in the job's fault scope and invocation context
 *   (`runTrapped(contextWithUsage(…))`, as services/execution.ts runs it);
 * - `run`: `runtime.run` of an embedded runtime (memory store and transport): the program worker
 *   under its supervisor, the configuration, the execution record;
 * - `submit`: `runtime.submit` + `waitForJob` through the memory transport: the whole job path
 *   (bridge handler, validation, worker, record, result) but the network.
 *
 * Prints µs of process CPU per job (median and min–max over rounds). Robust to a loaded machine
 * (CPU time, not wall time); compare checkouts by running this file from each one, alternating.
 *
 *   npx tsx bench/runtime/job-path-cpu.ts [--jobs 3000] [--rounds 7] [program|run|submit …]
 */
import { UsageTracker } from '../../src/context/index.js';
import { installFaultTrap, runTrapped } from '../../src/kernel/index.js';
import { DummyLM } from '../../src/lm/index.js';
import { Predict, contextWithUsage } from '../../src/modules/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import { numberOption } from './bench-setup.js';
import { cpuPerCall, quantile } from './measure.js';

const JOBS = numberOption('--jobs', 3000);
const ROUNDS = numberOption('--rounds', 7);
const CONCURRENCY = 8;
const lm = new DummyLM({ question: { answer: 'yes' } });
const program = new Predict('question -> answer');
const runtime = await startRuntime(
  { programs: { qa: program }, queues: { concurrency: CONCURRENCY } },
  { logger: silentLogger(), lm },
);

const VARIANTS: Record<string, (i: number) => Promise<unknown>> = {
  program: (i) =>
    runTrapped(() =>
      contextWithUsage({ lm, trace: [] }, new UsageTracker(), () =>
        program.call({ question: `q${i}` }),
      ),
    ),
  run: (i) => runtime.run('qa', { question: `q${i}` }),
  submit: async (i) => {
    const { jobId } = await runtime.submit('qa', { question: `q${i}` });
    return runtime.waitForJob(jobId);
  },
};
const chosen = process.argv.slice(2).filter((a) => a in VARIANTS);
const variants = chosen.length > 0 ? chosen : Object.keys(VARIANTS);

/** CPU µs per job of `n` jobs of `variant`, `CONCURRENCY` at a time. */
const round = (variant: string, n: number): Promise<number> =>
  cpuPerCall(VARIANTS[variant]!, n, CONCURRENCY);

const uninstall = installFaultTrap(() => undefined);
try {
  for (const v of variants) await round(v, JOBS); // warm-up: JIT, caches
  const results = new Map<string, number[]>(variants.map((v) => [v, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + r) % variants.length]!;
      results.get(v)!.push(await round(v, JOBS));
    }
  for (const [v, xs] of results)
    process.stdout.write(
      `${v.padEnd(8)} ${quantile(xs, 0.5).toFixed(1)} µs CPU/job (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})\n`,
    );
} finally {
  uninstall();
  await runtime.stop();
}
