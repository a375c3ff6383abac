import { describe, expect, it } from 'vitest';
import { measureKernel } from '../../bench/kernel/measure-kernel.js';
import { measureCall, measureCast } from '../../bench/kernel/measure-messaging.js';
import {
  measureRestart,
  measureStart,
  measureStartStop,
} from '../../bench/kernel/measure-lifecycle.js';
import { measureIdleMemory } from '../../bench/kernel/measure-memory.js';
import type { KernelNumbers } from '../../bench/kernel/numbers.js';
import { escriptArgs, parseOtpOutput } from '../../bench/kernel/otp.js';
import { buildRows, renderTable } from '../../bench/kernel/table.js';
import { latencyOf, percentile } from '../../bench/kernel/stats.js';

// A smoke test: the measurement functions run end to end on tiny sizes and return usable numbers.
// No timing assertions: the machine is shared and these are benchmarks, not tests of speed.

const finitePositive = (v: number): void => {
  expect(Number.isFinite(v)).toBe(true);
  expect(v).toBeGreaterThan(0);
};

const TINY = { calls: 30, casts: 200, starts: 20, restarts: 10, idle: 200, dynamic: 50 };

describe('bench/kernel measurement functions', () => {
  it('measureCall returns positive p50 <= p99 over every call', async () => {
    const r = await measureCall(TINY.calls);
    finitePositive(r.p50Us);
    finitePositive(r.p99Us);
    expect(r.p99Us).toBeGreaterThanOrEqual(r.p50Us);
    expect(r.samples).toBe(TINY.calls);
  });

  it('measureCast returns a positive throughput once every cast was counted', async () => {
    finitePositive((await measureCast(TINY.casts)).perSec);
  });

  it('measureStart returns a positive cost per dynamic child', async () => {
    finitePositive((await measureStart(TINY.starts)).usPerChild);
  });

  it('measureRestart times crash -> restarted child answering, for every restart', async () => {
    const r = await measureRestart(TINY.restarts);
    finitePositive(r.p50Us);
    finitePositive(r.p99Us);
    expect(r.samples).toBe(TINY.restarts);
  });

  it('measureIdleMemory returns a positive retained heap per idle actor', async () => {
    finitePositive((await measureIdleMemory(TINY.idle)).bytesPerActor);
  });

  it('measureStartStop returns positive start, stop, total and CPU times', async () => {
    const r = await measureStartStop(TINY.dynamic);
    for (const v of [r.startMs, r.stopMs, r.totalMs, r.cpuMs]) finitePositive(v);
    expect(r.totalMs).toBeCloseTo(r.startMs + r.stopMs, 6);
  });

  it('measureKernel fills every field with a finite positive number', async () => {
    const numbers = await measureKernel(TINY, 1);
    for (const v of Object.values(numbers)) finitePositive(v);
  });
});

describe('bench/kernel report', () => {
  const sample: KernelNumbers = {
    callP50Us: 10,
    callP99Us: 30,
    castPerSec: 100_000,
    startUsPerChild: 50,
    restartP50Us: 300,
    restartP99Us: 900,
    idleBytesPerActor: 4000,
    dynamicStartMs: 500,
    dynamicStopMs: 600,
    dynamicTotalMs: 1100,
    dynamicCpuMs: 1000,
  };
  const otp: KernelNumbers = { ...sample, callP50Us: 2, castPerSec: 1_000_000 };
  const sizes = { calls: 1, casts: 1, starts: 1, restarts: 1, idle: 10_000, dynamic: 10_000 };

  it('ratios read as dspex cost over OTP cost, throughput inverted, targets checked on dspex', () => {
    const rows = buildRows(sizes, sample, otp);
    const row = (prefix: string) => rows.find((r) => r.metric.startsWith(prefix));
    expect(row('call round trip p50')).toMatchObject({ ratio: 5, met: true });
    expect(row('cast throughput')?.ratio).toBe(10);
    expect(row('restart latency p50')?.met).toBe(false);
    expect(row('memory per idle actor')?.met).toBe(true);
    expect(row('10,000 dynamic children')).toMatchObject({ met: false, target: '< 1,000 ms' });
  });

  it('without OTP numbers the table says so instead of a ratio', () => {
    const table = renderTable(buildRows(sizes, sample, undefined));
    expect(table).toContain('not measured');
    expect(table).toContain('NOT MET');
  });

  it('parses the escript JSON line and passes the sizes as key=N arguments', () => {
    const line = JSON.stringify({
      otp_release: '25',
      erts: '13.1.5',
      schedulers: 1,
      call_p50_us: 3,
      call_p99_us: 8,
      cast_per_s: 900000,
      start_us: 20,
      restart_p50_us: 40,
      restart_p99_us: 90,
      idle_bytes_per_actor: 2700,
      dynamic_start_ms: 300,
      dynamic_stop_ms: 600,
      dynamic_total_ms: 900,
      dynamic_cpu_ms: 850,
    });
    const r = parseOtpOutput(`noise\n${line}\n`);
    expect(r.numbers.callP50Us).toBe(3);
    expect(r.numbers.dynamicCpuMs).toBe(850);
    expect(escriptArgs(sizes, 3)).toEqual([
      'calls=1',
      'casts=1',
      'starts=1',
      'restarts=1',
      'idle=10000',
      'dynamic=10000',
      'rounds=3',
    ]);
  });

  it('percentiles use the nearest rank', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(latencyOf([0.003, 0.001, 0.002]).p50Us).toBeCloseTo(2, 9);
  });
});
