import { afterEach, describe, expect, it } from 'vitest';
import { ActorError, retryAfterOf } from '../../actors/index.js';
import { Module, Prediction } from '../../src/modules/index.js';
import { CircuitOpenError } from '../../src/resilience/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import type { JobContext, JsonValue } from '../../src/transport/index.js';
import { retryDelay, runJobHandler, type HandlerDeps } from '../../supervisors/job-handlers.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';

/** Fails with an open circuit (retry in `retryAfterMs`) `failures` times, then answers. */
class FlakyCircuit extends Module {
  calls = 0;
  constructor(
    private readonly failures: number,
    private readonly retryAfterMs: number,
  ) {
    super();
  }
  async forward(inputs: Record<string, unknown>): Promise<Prediction> {
    this.calls++;
    if (this.calls <= this.failures) throw new CircuitOpenError('openai:m', this.retryAfterMs);
    return new Prediction({ answer: `ok ${String(inputs['question'])}` });
  }
  override deepCopy(): this {
    // Executions run on copies; the call count must stay shared with the test.
    return this;
  }
}

function job(
  over: Partial<JobContext<{ [key: string]: JsonValue }>> = {},
): JobContext<{ [key: string]: JsonValue }> {
  return {
    id: 'job-1',
    queue: 'dspex-run',
    data: { program: 'flaky', inputs: { question: 'q' } },
    attempt: 1,
    attempts: 1,
    createdAt: 1_700_000_000_000,
    backoff: undefined,
    signal: new AbortController().signal,
    updateProgress: async () => undefined,
    ...over,
  };
}

let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.stop();
  rt = undefined;
});

async function handlerWith(program: FlakyCircuit): Promise<{
  handle: (j: JobContext<{ [key: string]: JsonValue }>) => Promise<JsonValue>;
  waits: number[];
}> {
  rt = await startRuntime(
    { programs: { flaky: program }, queues: { concurrency: 2 } },
    { logger: silentLogger(), jobs: { attempts: 3, backoff: { type: 'exponential', delay: 100 } } },
  );
  const deps = (rt as unknown as { deps: HandlerDeps }).deps;
  const waits: number[] = [];
  const sleep = async (ms: number): Promise<void> => void waits.push(ms);
  return { handle: runJobHandler({ ...deps, sleep }), waits };
}

describe('retry policy of dspex-run jobs', () => {
  it('waits_at_least_the_retry_hint_of_an_open_circuit_before_the_nodes_own_retry', async () => {
    const program = new FlakyCircuit(2, 30_000);
    const { handle, waits } = await handlerWith(program);
    const result = (await handle(job())) as { outputs: Record<string, unknown> };
    expect(result.outputs).toEqual({ answer: 'ok q' });
    expect(program.calls).toBe(3);
    // Exponential backoff would be 100 then 200 ms; the circuit asked for 30 s each time.
    expect(waits).toEqual([30_000, 30_000]);
  });

  it('keeps_the_backoff_when_it_is_longer_than_the_retry_hint', async () => {
    const program = new FlakyCircuit(1, 50);
    const { handle, waits } = await handlerWith(program);
    await handle(job());
    expect(waits).toEqual([100]);
  });

  it('holds_a_transport_retry_until_the_hint_minus_the_jobs_own_backoff_has_passed', async () => {
    const program = new FlakyCircuit(1, 30_000);
    const { handle, waits } = await handlerWith(program);
    const failure = handle(job({ attempts: 2, backoff: { type: 'fixed', delay: 1_000 } }));
    await expect(failure).rejects.toMatchObject({ details: { retryAfterMs: 30_000 } });
    // The transport then waits its own 1 s backoff: 29 s here + 1 s there = the hint.
    expect(waits).toEqual([29_000]);
  });

  it('computes_the_delay_as_the_longer_of_backoff_and_hint', () => {
    const backoff = { type: 'exponential', delay: 1_000 } as const;
    expect(retryDelay(backoff, 1, new Error('plain'))).toBe(1_000);
    expect(retryDelay(backoff, 3, new CircuitOpenError('k', 2_500))).toBe(4_000);
    expect(retryDelay(backoff, 1, new CircuitOpenError('k', 2_500.2))).toBe(2_501);
    const wrapped = new ActorError('execution_failed', 'program failed', {
      retryable: true,
      cause: new CircuitOpenError('k', 7_000),
    });
    expect(retryAfterOf(wrapped)).toBe(7_000);
    expect(retryDelay(undefined, 1, wrapped)).toBe(7_000);
  });
});
