import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createKernel } from '../../src/kernel/index.js';
import { dynamicSup, startChildren } from './echo-worker.js';

/**
 * The V8 full-GC function: `globalThis.gc` under `--expose-gc` (how run.ts starts), else enabled
 * at run time (the vitest smoke test runs without the flag).
 */
export function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function settledHeap(gc: () => void): number {
  gc();
  gc(); // a second pass collects what the first one's finalisation released
  return process.memoryUsage().heapUsed;
}

/**
 * 5. Retained heap per idle supervised actor: heap delta (after full GCs) of `n` dynamic children
 * of one supervisor, divided by `n`. It includes the supervisor's bookkeeping per child, as
 * erlang:memory(processes) on the OTP side includes the supervisor's child map.
 */
export async function measureIdleMemory(n: number): Promise<{ bytesPerActor: number }> {
  const gc = exposeGc();
  const sup = await dynamicSup(createKernel());
  try {
    const before = settledHeap(gc);
    await startChildren(sup, n);
    const after = settledHeap(gc);
    return { bytesPerActor: (after - before) / n };
  } finally {
    await sup.stop();
  }
}
