import { afterEach, describe, expect, it } from 'vitest';
import { ActorError, retryAfterOf } from '../../services/index.js';
import { Module, Prediction } from '../../src/modules/index.js';
import { CircuitOpenError } from '../../src/resilience/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import {
  DelayJobError,
  UnrecoverableJobError,
  type JobContext,
  type JsonValue,
} from '../../src/transport/index.js';
import { retryDelay, runJobHandler, type HandlerDeps } from '../../supervisors/job-handlers.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { jobContext } from './runtime-helpers.js';

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
  return jobContext('job-1', { program: 'flaky', inputs: { question: 'q' } }, over);
}

let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.stop();
  rt = undefined;
});

async function handlerWith(
  program: FlakyCircuit,
): Promise<(j: JobContext<{ [key: string]: JsonValue }>) => Promise<JsonValue>> {
  rt = await startRuntime(
    { programs: { flaky: program }, queues: { concurrency: 2 } },
    { logger: silentLogger(), jobs: { attempts: 3, backoff: { type: 'exponential', delay: 100 } } },
  );
  const deps = (rt as unknown as { deps: HandlerDeps }).deps;
  return runJobHandler(deps);
}

/** Runs the handler as the transport would: each DelayJobError is a run that ends, job delayed. */
async function runUntilSettled(
  handle: (j: JobContext<{ [key: string]: JsonValue }>) => Promise<JsonValue>,
  over: Partial<JobContext<{ [key: string]: JsonValue }>> = {},
): Promise<{ result?: JsonValue; error?: unknown; delays: number[] }> {
  const delays: number[] = [];
  for (let started = 1; ; started++) {
    try {
      return { result: await handle(job({ ...over, started })), delays };
    } catch (error) {
      if (!(error instanceof DelayJobError)) return { error, delays };
      delays.push(error.delayMs);
    }
  }
}

describe('retry policy of dspex-run jobs (the node owns retries)', () => {
  it('delays_the_job_in_the_queue_for_the_retry_hint_of_an_open_circuit', async () => {
    const program = new FlakyCircuit(2, 30_000);
    const handle = await handlerWith(program);
    const { result, delays } = await runUntilSettled(handle);
    expect((result as { outputs: unknown }).outputs).toEqual({ answer: 'ok q' });
    expect(program.calls).toBe(3);
    // Exponential backoff would be 100 then 200 ms; the circuit asked for 30 s each time.
    expect(delays).toEqual([30_000, 30_000]);
  });

  it('keeps_the_backoff_when_it_is_longer_than_the_retry_hint', async () => {
    const handle = await handlerWith(new FlakyCircuit(1, 50));
    const { delays } = await runUntilSettled(handle);
    expect(delays).toEqual([100]);
  });

  it('caps_an_hour_long_retry_after_at_max_retry_after_ms', async () => {
    const handle = await handlerWith(new FlakyCircuit(1, 3_600_000));
    const { delays } = await runUntilSettled(handle);
    expect(delays).toEqual([60_000]);
  });

  it('uses_the_producers_backoff_and_attempts_when_the_job_brings_them', async () => {
    const program = new FlakyCircuit(4, 10);
    const handle = await handlerWith(program);
    const { result, delays } = await runUntilSettled(handle, {
      attempts: 5,
      backoff: { type: 'fixed', delay: 1_000 },
    });
    expect(result).toBeDefined();
    expect(delays).toEqual([1_000, 1_000, 1_000, 1_000]);
  });

  it('fails_the_job_for_good_after_its_attempts_with_the_last_reason', async () => {
    const program = new FlakyCircuit(10, 10);
    const handle = await handlerWith(program);
    const { error, delays } = await runUntilSettled(handle);
    expect(delays).toHaveLength(2);
    expect(program.calls).toBe(3);
    expect(error).toBeInstanceOf(UnrecoverableJobError);
    expect((error as Error).message).toMatch(/circuit.*after 3 attempt/);
  });

  it('computes_the_delay_as_the_longer_of_backoff_and_capped_hint', () => {
    const backoff = { type: 'exponential', delay: 1_000 } as const;
    expect(retryDelay(backoff, 1, new Error('plain'))).toBe(1_000);
    expect(retryDelay(backoff, 3, new CircuitOpenError('k', 2_500))).toBe(4_000);
    expect(retryDelay(backoff, 1, new CircuitOpenError('k', 2_500.2))).toBe(2_501);
    expect(retryDelay(backoff, 1, new CircuitOpenError('k', 3_600_000), 60_000)).toBe(60_000);
    const wrapped = new ActorError('execution_failed', 'program failed', {
      retryable: true,
      cause: new CircuitOpenError('k', 7_000),
    });
    expect(retryAfterOf(wrapped)).toBe(7_000);
    expect(retryDelay(undefined, 1, wrapped)).toBe(7_000);
  });
});
