import { describe, expect, it } from 'vitest';
import { CliError, EXIT_CODES } from '../../src/cli/cli-error.js';
import { followRun, type NodeWatch } from '../../src/cli/commands/run-follow.js';
import type { CliDeps } from '../../src/cli/cli-deps.js';
import type { OptimizationRunView } from '../../src/cli/runtime-port.js';
import { memoryIO } from './fake-runtime.js';

/** A CLI whose clock only moves when the follow sleeps (each poll advances it by `ms`). */
function clockedDeps(): CliDeps & { clock: { now: number } } {
  const clock = { now: 0 };
  const io = { ...memoryIO('/tmp'), now: () => clock.now };
  io.sleep = (ms: number) => {
    clock.now += ms;
    return Promise.resolve();
  };
  return { io, startRuntime: () => Promise.reject(new Error('unused')), clock };
}

const running = (done: number): OptimizationRunView => ({
  status: 'running',
  progress: { done, total: 10 },
  bestScore: 50,
  history: [{ step: 1, score: 50 }],
});

/** A watch whose live-node count follows `alive(now)`. */
function watchOf(deps: { clock: { now: number } }, alive: (now: number) => number): NodeWatch {
  return { graceMs: 30_000, liveNodes: () => Promise.resolve(alive(deps.clock.now)) };
}

describe('following a run in Redis mode watches node liveness', () => {
  it('stops with no_live_node (exit 9) once no node has been alive for the grace period', async () => {
    const deps = clockedDeps();
    const error = await followRun(deps, 'qa', 'run-7', () => Promise.resolve(running(3)), {
      pollMs: 1_000,
      watch: watchOf(deps, (now) => (now < 5_000 ? 1 : 0)),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('no_live_node');
    expect((error as CliError).exitCode).toBe(EXIT_CODES.noLiveNode);
    expect((error as CliError).exitCode).toBe(9);
    // Last seen alive at 4 s: given up at the first poll 30 s after that.
    expect(deps.clock.now).toBe(34_000);
    expect((error as CliError).message).toBe(
      'no live dspex node for 30 s while following optimization run run-7 (last progress 3/10, trial 1, best 50.00%, status running); the run is checkpointed and resumes when a node starts — `dspex start`; follow it again with `dspex runs follow run-7`',
    );
  });

  it('a node that comes back within the grace period lets the follow run to the end', async () => {
    const deps = clockedDeps();
    let reads = 0;
    const final = await followRun(
      deps,
      'qa',
      'run-8',
      () =>
        Promise.resolve(
          ++reads < 60 ? running(reads % 10) : { ...running(10), status: 'succeeded' },
        ),
      // Last alive at 1 s, dead until 30 s (29 s < grace), alive again after.
      { pollMs: 1_000, watch: watchOf(deps, (now) => (now < 2_000 || now >= 30_000 ? 1 : 0)) },
    );
    expect(final).toMatchObject({ runId: 'run-8', status: 'succeeded' });
    expect(deps.clock.now).toBe(59_000);
  });

  it('without a watch (embedded runtime) the follow never gives up on liveness', async () => {
    const deps = clockedDeps();
    let reads = 0;
    const final = await followRun(deps, 'qa', 'run-9', () =>
      Promise.resolve(++reads < 200 ? running(1) : { ...running(10), status: 'failed' }),
    );
    expect(final.status).toBe('failed');
    expect(deps.clock.now).toBe(199 * 250);
  });
});
