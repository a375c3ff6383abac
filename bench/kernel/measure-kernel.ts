import { measureCall, measureCast } from './measure-messaging.js';
import { measureRestart, measureStart, measureStartStop } from './measure-lifecycle.js';
import { measureIdleMemory } from './measure-memory.js';
import type { KernelNumbers } from './numbers.js';
import type { BenchSizes } from './sizes.js';
import { bestOf } from './stats.js';

/**
 * Runs the six TypeScript measurements, each `rounds` times in a row, keeping the best round
 * (latencies: the round with the lowest p50, its p99 with it). `progress` names each step.
 */
export async function measureKernel(
  sizes: BenchSizes,
  rounds: number,
  progress: (step: string) => void = () => {},
): Promise<KernelNumbers> {
  progress(`call round trip (${sizes.calls} calls)`);
  const call = await bestOf(
    rounds,
    () => measureCall(sizes.calls),
    (r) => r.p50Us,
  );
  progress(`cast throughput (${sizes.casts} casts)`);
  const cast = await bestOf(
    rounds,
    () => measureCast(sizes.casts),
    (r) => -r.perSec,
  );
  progress(`actor start (${sizes.starts} children)`);
  const start = await bestOf(
    rounds,
    () => measureStart(sizes.starts),
    (r) => r.usPerChild,
  );
  progress(`restart latency (${sizes.restarts} restarts)`);
  const restart = await bestOf(
    rounds,
    () => measureRestart(sizes.restarts),
    (r) => r.p50Us,
  );
  progress(`idle memory (${sizes.idle} actors)`);
  const memory = await bestOf(
    rounds,
    () => measureIdleMemory(sizes.idle),
    (r) => r.bytesPerActor,
  );
  progress(`start + stop (${sizes.dynamic} dynamic children)`);
  const dynamic = await bestOf(
    rounds,
    () => measureStartStop(sizes.dynamic),
    (r) => r.totalMs,
  );
  return {
    callP50Us: call.p50Us,
    callP99Us: call.p99Us,
    castPerSec: cast.perSec,
    startUsPerChild: start.usPerChild,
    restartP50Us: restart.p50Us,
    restartP99Us: restart.p99Us,
    idleBytesPerActor: memory.bytesPerActor,
    dynamicStartMs: dynamic.startMs,
    dynamicStopMs: dynamic.stopMs,
    dynamicTotalMs: dynamic.totalMs,
    dynamicCpuMs: dynamic.cpuMs,
  };
}
