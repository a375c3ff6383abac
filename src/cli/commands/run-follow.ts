import { readClusterNodes } from '../../daemon/index.js';
import type { CliDeps } from '../cli-deps.js';
import { CliError } from '../cli-error.js';
import { createProgress } from '../progress.js';
import { openRedis } from '../redis-access.js';
import { toCliError } from '../runtime-errors.js';
import type { OptimizationRunView } from '../runtime-port.js';

/** Default of `--node-grace`: how long a follow waits with no live node before it gives up, ms. */
export const DEFAULT_NODE_GRACE_MS = 30_000;

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * How a follow watches the cluster's nodes (Redis mode): `liveNodes` counts the live heartbeats;
 * when none has been seen for `graceMs` the follow stops with `no_live_node` (exit 9).
 */
export interface NodeWatch {
  liveNodes(): Promise<number>;
  graceMs: number;
}

/** Options of {@link followRun}. */
export interface FollowOptions {
  /** How often the run record is polled, ms. Default 250. */
  pollMs?: number;
  /** Redis mode: stop when no node is alive (else the follow polls until the run ends). */
  watch?: NodeWatch;
}

/**
 * Polls an optimization run record with a progress bar (trial, best score, spend) until the run
 * has ended; returns the final record. With a {@link NodeWatch}, a run that no live node can
 * advance (every node died) stops the follow after the grace period with `no_live_node`, naming
 * the run, its last progress, `dspex start` and `dspex runs follow RUN_ID`: the run itself is
 * checkpointed in the store and a node that starts later resumes it.
 */
export async function followRun(
  deps: CliDeps,
  program: string,
  runId: string,
  read: () => Promise<OptimizationRunView | undefined>,
  options: FollowOptions = {},
): Promise<OptimizationRunView & { runId: string }> {
  const { io } = deps;
  const progress = createProgress(`optimize ${program}`, io.stderr, { now: io.now });
  let last: OptimizationRunView | undefined;
  let lastLive = io.now();
  try {
    for (;;) {
      const run = await read();
      if (run !== undefined) {
        last = run;
        // Candidate scores are DSPy's Evaluate scores: percent, as `dspex eval` prints them.
        progress.update(run.progress.done, run.progress.total, progressDetail(run));
        if (FINAL.has(run.status)) return { runId, ...run };
      }
      const watch = options.watch;
      if (watch !== undefined) {
        if ((await watch.liveNodes()) > 0) lastLive = io.now();
        else if (io.now() - lastLive >= watch.graceMs) throw noLiveNode(runId, last, watch);
      }
      await io.sleep(options.pollMs ?? 250);
    }
  } finally {
    progress.stop();
  }
}

function noLiveNode(
  runId: string,
  run: OptimizationRunView | undefined,
  watch: NodeWatch,
): CliError {
  const seconds = Math.round(watch.graceMs / 100) / 10;
  const where =
    run === undefined
      ? 'no progress recorded'
      : `last progress ${run.progress.done}/${run.progress.total}${progressDetail(run) === '' ? '' : `, ${progressDetail(run)}`}, status ${run.status}`;
  return new CliError(
    'no_live_node',
    `no live dspex node for ${seconds} s while following optimization run ${runId} (${where}); the run is checkpointed and resumes when a node starts — \`dspex start\`; follow it again with \`dspex runs follow ${runId}\``,
    { details: { runId, graceMs: watch.graceMs } },
  );
}

/** The progress bar's suffix: trials, best score, spend (`trial 7, best 62.50%, $0.0123`). */
export function progressDetail(run: OptimizationRunView): string {
  const parts: string[] = [];
  if (run.history !== undefined && run.history.length > 0)
    parts.push(`trial ${run.history.length}`);
  if (run.bestScore !== null) parts.push(`best ${run.bestScore.toFixed(2)}%`);
  if (run.spend !== undefined) parts.push(`$${run.spend.usd.toFixed(4)}`);
  return parts.join(', ');
}

/**
 * Runs `work` with a {@link NodeWatch} over the cluster at `url` / `prefix` (one Redis connection,
 * closed after). A failed heartbeat read counts as no live node: a Redis that went away cannot
 * tell the follow that the run advances either.
 */
export async function withNodeWatch<T>(
  url: string,
  prefix: string,
  graceMs: number,
  work: (watch: NodeWatch) => Promise<T>,
): Promise<T> {
  const redis = await openRedis(url);
  try {
    return await work({
      graceMs,
      liveNodes: async () => {
        try {
          return (await readClusterNodes(redis, prefix)).length;
        } catch {
          return 0;
        }
      },
    });
  } finally {
    redis.disconnect();
  }
}

/**
 * Throws unless the followed run succeeded: the run record carries the failure's code, so a bad
 * request (unknown optimizer or metric, invalid job) exits 2 like any usage error, anything else 1.
 */
export function assertRunSucceeded(final: OptimizationRunView & { runId: string }): void {
  if (final.status === 'succeeded') return;
  const code = (final.error as { code?: unknown } | undefined)?.code;
  const mapped = toCliError(Object.assign(new Error('run failed'), { code }));
  const message = (final.error as { message?: unknown } | undefined)?.message;
  throw new CliError(
    mapped.code,
    `optimization run ${final.runId} ${final.status}${typeof message === 'string' ? `: ${message}` : ''}`,
    { details: { runId: final.runId } },
  );
}
