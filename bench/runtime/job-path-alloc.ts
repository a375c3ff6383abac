/**
 * Bytes allocated per job on the in-process job path, and where: an embedded runtime (memory store
 * and transport, DummyLM) runs `runtime.submit` + `waitForJob` 8 at a time under V8's sampling heap
 * profiler, counting objects collected by minor and major GCs too (allocation, not retention).
 * Prints bytes per job and the functions that allocate most, per job. Allocation is what the
 * garbage collector pays for, a large share of a node's CPU per job (bench/README.md).
 *
 *   npx tsx bench/runtime/job-path-alloc.ts [--jobs 5000] [--top 40]
 */
import { Session } from 'node:inspector/promises';
import { DummyLM } from '../../src/lm/index.js';
import { Predict } from '../../src/modules/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import { numberOption } from './bench-setup.js';

const JOBS = numberOption('--jobs', 5000);
const TOP = numberOption('--top', 40);

interface SampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampleNode[];
}

const runtime = await startRuntime(
  { programs: { qa: new Predict('question -> answer') }, queues: { concurrency: 8 } },
  { logger: silentLogger(), lm: new DummyLM({ question: { answer: 'yes' } }) },
);

async function burst(n: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const { jobId } = await runtime.submit('qa', { question: `q${next++}` });
      await runtime.waitForJob(jobId);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

const session = new Session();
try {
  await burst(JOBS); // warm-up: JIT, caches
  session.connect();
  // The GC flags are newer than @types/node's parameter type for this method.
  const sampling: Record<string, unknown> = {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  };
  await session.post('HeapProfiler.startSampling', sampling);
  await burst(JOBS);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as {
    profile: { head: SampleNode };
  };
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: SampleNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    const site = `${functionName || '(anon)'} ${url.replace(/^.*\/(node_modules\/)?/, '')}:${lineNumber}`;
    total += node.selfSize;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const lines = [...bySite]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([site, bytes]) => `${(bytes / JOBS).toFixed(0).padStart(7)}  ${site}`);
  process.stdout.write(
    `${(total / JOBS).toFixed(0)} bytes allocated per job (${JOBS} jobs)\nbytes/job  site\n${lines.join('\n')}\n`,
  );
} finally {
  session.disconnect();
  await runtime.stop();
}
