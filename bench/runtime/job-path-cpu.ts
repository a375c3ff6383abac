/**
 * CPU per job of the in-process part of a node's job path, without Redis or a queue: a program
 * call in the job's fault scope and invocation context (`runTrapped(contextWithUsage(…))`, as
 * services/execution.ts runs it) on a DummyLM, 8 at a time. Prints µs of process CPU per job.
 * Robust to a loaded machine (CPU time, not wall time); compare checkouts by running this file
 * from each one, alternating (bench/README.md, w3/lean4).
 *
 *   npx tsx bench/runtime/job-path-cpu.ts [--jobs 6000]
 */
import { UsageTracker } from '../../src/context/index.js';
import { installFaultTrap, runTrapped } from '../../src/kernel/index.js';
import { DummyLM } from '../../src/lm/index.js';
import { Predict, contextWithUsage } from '../../src/modules/index.js';
import { numberOption } from './bench-setup.js';

const JOBS = numberOption('--jobs', 6000);
const program = new Predict('question -> answer');

async function runJobs(n: number): Promise<void> {
  const lm = new DummyLM(Array.from({ length: n }, (_, i) => ({ answer: `a${i}` })));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await runTrapped(() =>
        contextWithUsage({ lm, trace: [] }, new UsageTracker(), () =>
          program.call({ question: `q${i}` }),
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

const uninstall = installFaultTrap(() => undefined);
await runJobs(1000); // warm-up
const start = process.cpuUsage();
await runJobs(JOBS);
const used = process.cpuUsage(start);
uninstall();
process.stdout.write(`${((used.user + used.system) / JOBS).toFixed(1)} µs CPU/job\n`);
