import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { KernelNumbers } from './numbers.js';
import type { BenchSizes } from './sizes.js';

/** Path of the Erlang side of the benchmark. */
export const ESCRIPT_PATH = fileURLToPath(new URL('./otp_bench.escript', import.meta.url));
// (run.ts copies the escript next to its compiled copy of this file, so the URL still resolves.)

/** The JSON object otp_bench.escript prints. */
const otpOutput = z.object({
  otp_release: z.string(),
  erts: z.string(),
  schedulers: z.number().int(),
  call_p50_us: z.number(),
  call_p99_us: z.number(),
  cast_per_s: z.number(),
  start_us: z.number(),
  restart_p50_us: z.number(),
  restart_p99_us: z.number(),
  idle_bytes_per_actor: z.number(),
  dynamic_start_ms: z.number(),
  dynamic_stop_ms: z.number(),
  dynamic_total_ms: z.number(),
  dynamic_cpu_ms: z.number(),
});

/** The Erlang side's numbers and the runtime that produced them. */
export interface OtpResult {
  readonly numbers: KernelNumbers;
  readonly otpRelease: string;
  readonly erts: string;
  readonly schedulers: number;
}

/** Why the Erlang side has no numbers. */
export interface OtpUnavailable {
  readonly unavailable: string;
}

/** Parses (and validates) the escript's stdout: its last non-empty line is the JSON object. */
export function parseOtpOutput(stdout: string): OtpResult {
  const line = stdout.trim().split('\n').pop() ?? '';
  const o = otpOutput.parse(JSON.parse(line));
  return {
    otpRelease: o.otp_release,
    erts: o.erts,
    schedulers: o.schedulers,
    numbers: {
      callP50Us: o.call_p50_us,
      callP99Us: o.call_p99_us,
      castPerSec: o.cast_per_s,
      startUsPerChild: o.start_us,
      restartP50Us: o.restart_p50_us,
      restartP99Us: o.restart_p99_us,
      idleBytesPerActor: o.idle_bytes_per_actor,
      dynamicStartMs: o.dynamic_start_ms,
      dynamicStopMs: o.dynamic_stop_ms,
      dynamicTotalMs: o.dynamic_total_ms,
      dynamicCpuMs: o.dynamic_cpu_ms,
    },
  };
}

/** The escript's `key=N` arguments for these sizes. */
export function escriptArgs(sizes: BenchSizes, rounds: number): string[] {
  return [...Object.entries(sizes).map(([k, v]) => `${k}=${v}`), `rounds=${rounds}`];
}

/**
 * Runs otp_bench.escript with the same sizes and rounds. Resolves `{ unavailable }` (never
 * rejects) when escript is not installed or the run fails, so the TypeScript numbers still print.
 */
export function measureOtp(
  sizes: BenchSizes,
  rounds: number,
  timeoutMs = 120_000,
): Promise<OtpResult | OtpUnavailable> {
  return new Promise((resolve) => {
    execFile(
      'escript',
      [ESCRIPT_PATH, ...escriptArgs(sizes, rounds)],
      { timeout: timeoutMs },
      (err, stdout, stderr) => {
        if (err !== null) {
          const missing = (err as { code?: unknown }).code === 'ENOENT';
          resolve({
            unavailable: missing
              ? 'escript not found on PATH'
              : `otp_bench.escript failed: ${stderr.trim() || err.message}`,
          });
          return;
        }
        try {
          resolve(parseOtpOutput(stdout));
        } catch (e) {
          resolve({ unavailable: `unreadable escript output: ${(e as Error).message}` });
        }
      },
    );
  });
}
