/**
 * The six measurements of one side (dspex kernel or Erlang/OTP), best round of each. Lower is
 * better except `castPerSec`.
 */
export interface KernelNumbers {
  readonly callP50Us: number;
  readonly callP99Us: number;
  readonly castPerSec: number;
  readonly startUsPerChild: number;
  readonly restartP50Us: number;
  readonly restartP99Us: number;
  readonly idleBytesPerActor: number;
  readonly dynamicStartMs: number;
  readonly dynamicStopMs: number;
  readonly dynamicTotalMs: number;
  /** CPU time (all threads: GC helpers, schedulers) spent during the start + stop. */
  readonly dynamicCpuMs: number;
}
