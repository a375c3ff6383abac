import type { Clock } from '../time/index.js';
import type { ResolvedChildSpec } from './child-spec.js';
import type { Process } from './process.js';
import type { Term } from './term.js';
import { Tuple } from './term.js';

const EXPIRED: unique symbol = Symbol('shutdown timeout');

/** `ok`, or the unexpected exit reason to report as `shutdown_error`. */
export type ShutdownResult = { ok: true } | { ok: false; reason: Term };

/** Waits for `proc` to die; resolves with its exit reason. */
export function awaitDown(proc: Process): Promise<Term> {
  return new Promise((resolve) => proc.monitor(resolve));
}

/** OTP's acceptance rule for the reason a child died of while being shut down. */
export function judgeShutdownReason(
  reason: Term,
  spec: Pick<ResolvedChildSpec, 'shutdown' | 'restart'>,
): ShutdownResult {
  const permanent = spec.restart === 'permanent';
  if (spec.shutdown === 'brutal_kill' && reason === 'killed') return { ok: true };
  if (reason === 'shutdown') return { ok: true };
  if (!permanent) {
    if (reason === 'normal') return { ok: true };
    if (reason instanceof Tuple && reason.size === 2 && reason.at(0) === 'shutdown')
      return { ok: true };
  }
  return { ok: false, reason };
}

/**
 * OTP's `shutdown/1`, monitor-based: `brutal_kill` kills; a timeout asks (`shutdown` signal) and
 * kills when it expires; `infinity` asks and waits. The caller must have unlinked the child (its
 * exit must not come back as an EXIT message) and passes an EXIT already queued, if any.
 */
export async function shutdownChild(
  proc: Process,
  spec: Pick<ResolvedChildSpec, 'shutdown' | 'restart'>,
  clock: Clock,
  queuedExit: Term | undefined,
): Promise<ShutdownResult> {
  if (queuedExit !== undefined) return judgeShutdownReason(queuedExit, spec);
  if (!proc.alive) return judgeShutdownReason(proc.exitReason ?? 'noproc', spec);
  const down = awaitDown(proc);
  if (spec.shutdown === 'brutal_kill') {
    proc.signalExit('kill');
    return judgeShutdownReason(await down, spec);
  }
  proc.signalExit('shutdown');
  // A worker that does not trap shutdown (or finishes at once) is already dead here: skip the timer
  // and the race, which cost more than the stop itself when a pool of 10,000 is terminated.
  if (!proc.alive) return judgeShutdownReason(proc.exitReason ?? (await down), spec);
  if (spec.shutdown === 'infinity') return judgeShutdownReason(await down, spec);
  let timer: unknown;
  const expired = new Promise<typeof EXPIRED>((resolve) => {
    timer = clock.setTimeout(() => resolve(EXPIRED), spec.shutdown as number);
  });
  const first = await Promise.race([down, expired]);
  if (first === EXPIRED && proc.alive) {
    proc.signalExit('kill');
    return judgeShutdownReason(await down, spec);
  }
  clock.clearTimeout(timer);
  return judgeShutdownReason(await down, spec);
}
