import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActorError } from '../../services/index.js';
import { RUNNING_RECORD_AFTER_MS } from '../../services/execution.js';
import type { RuntimeConfigInput } from '../../src/config/index.js';
import type { Prediction } from '../../src/modules/index.js';
import { Module, Predict } from '../../src/modules/index.js';
import { MemoryStore, type Store } from '../../src/store/index.js';
import { FakeClock } from '../../src/time/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import {
  fallbackExecutionKey,
  runJobHandler,
  type HandlerDeps,
} from '../../supervisors/job-handlers.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime, RuntimeEvent } from '../../supervisors/runtime-types.js';
import { rateLimited, startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { CrashingProgram, GatedProgram, fixtureLm, jobContext as job } from './runtime-helpers.js';

/** A program that never answers (a hung user program). */
class HangingProgram extends Module {
  async forward(): Promise<Prediction> {
    return new Promise<Prediction>(() => undefined);
  }
}

let fixture: LMFixture;
const runtimes: Runtime[] = [];

beforeEach(async () => {
  fixture = await startOpenAIFixture();
});

afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.stop();
  await fixture.close();
});

async function start(
  config: Omit<RuntimeConfigInput, 'programs'> & { programs: Record<string, Module> },
  options: Parameters<typeof startRuntime>[1] = {},
): Promise<Runtime> {
  const rt = await startRuntime(
    { queues: { concurrency: 2 }, shutdown: { drainTimeoutMs: 500 }, ...config },
    { logger: silentLogger(), lm: fixtureLm(fixture), ...options },
  );
  runtimes.push(rt);
  return rt;
}

describe('faults of the job path', () => {
  it('keeps_the_circuit_closed_through_a_burst_of_429s', async () => {
    const rt = await start(
      { programs: { qa: new Predict('question -> answer') } },
      { breaker: { failureThreshold: 2, resetTimeoutMs: 30_000 } },
    );
    const events: RuntimeEvent[] = [];
    rt.subscribe((e) => events.push(e));
    for (let i = 0; i < 4; i++) {
      fixture.enqueue(rateLimited({ retryAfterMs: '10' }));
      await expect(rt.run('qa', { question: `q${i}` })).rejects.toMatchObject({
        details: { cause: 'rate_limited' },
      });
    }
    // Four 429s in a row against a threshold of 2: rate limiting is not an outage.
    expect(events.filter((e) => e.type === 'circuit')).toEqual([]);
    const result = await rt.run('qa', { question: 'after the burst' });
    expect(result.outputs['answer']).toMatch(/^answer-/);
  });

  it('still_opens_the_circuit_on_consecutive_5xx', async () => {
    const rt = await start(
      { programs: { qa: new Predict('question -> answer') } },
      { breaker: { failureThreshold: 2, resetTimeoutMs: 30_000 } },
    );
    const events: RuntimeEvent[] = [];
    rt.subscribe((e) => events.push(e));
    for (let i = 0; i < 2; i++) {
      fixture.enqueue({ kind: 'error', status: 503 });
      await expect(rt.run('qa', { question: `q${i}` })).rejects.toBeInstanceOf(ActorError);
    }
    expect(events).toContainEqual(expect.objectContaining({ type: 'circuit', to: 'open' }));
  });

  it('makes_one_provider_call_per_attempt_when_the_node_owns_retries', async () => {
    const rt = await start({ programs: { qa: new Predict('question -> answer') } });
    fixture.enqueue({ kind: 'error', status: 500 });
    await expect(rt.run('qa', { question: 'once' })).rejects.toMatchObject({
      details: { cause: 'server' },
    });
    // The LM's own retry policy (4 attempts by default) is off inside a node: one call.
    expect(fixture.requests).toHaveLength(1);
  });

  it('fails_an_oversized_lm_answer_before_parsing_it', async () => {
    const rt = await start({
      programs: { qa: new Predict('question -> answer') },
      lm: { maxResponseChars: 1_000 },
    });
    fixture.enqueue({ text: `[[ ## answer ## ]]\n${'x'.repeat(50_000)}\n[[ ## completed ## ]]` });
    await expect(rt.run('qa', { question: 'huge' })).rejects.toMatchObject({
      retryable: false,
      details: { cause: 'response_too_large' },
    });
    const result = await rt.run('qa', { question: 'normal' });
    expect(result.outputs['answer']).toMatch(/^answer-/);
  });

  it('applies_the_lm_timeout_from_the_node_config', async () => {
    const rt = await start({
      programs: { qa: new Predict('question -> answer') },
      lm: { timeoutMs: 100 },
    });
    fixture.enqueue({ text: '[[ ## answer ## ]]\nlate\n[[ ## completed ## ]]', delayMs: 5_000 });
    await expect(rt.run('qa', { question: 'slow' })).rejects.toMatchObject({
      details: { cause: 'timeout' },
    });
  });

  it('stops_a_hung_program_at_the_job_deadline_and_kills_its_worker', async () => {
    const rt = await start({
      programs: { hang: new HangingProgram(), qa: new Predict('question -> answer') },
      jobs: { deadlineMs: 300 },
    });
    // Warm the LM client up first: its first call alone can take a few hundred ms.
    await rt.run('qa', { question: 'warm-up' });
    const running = rt.run('hang', {}).catch((e: unknown) => e);
    const workers = (): unknown[] =>
      (rt.inspect().tree.children ?? []).find((c) => c.id === 'program-workers')?.children ?? [];
    await waitFor(() => workers().length === 1);
    const failure = await running;
    expect(failure).toMatchObject({ code: 'deadline_exceeded', retryable: false });
    expect((failure as Error).message).toMatch(/deadline of 300 ms; its worker was killed/);
    // Its supervisor terminated the hung worker: no program worker is left.
    await waitFor(() => workers().length === 0);
    // The node carries on.
    expect((await rt.run('qa', { question: 'next' })).outputs['answer']).toMatch(/^answer-/);
    expect(rt.inspect().tree.status).toBe('running');
  });

  it('rejects_a_job_model_the_program_does_not_allow_and_a_huge_max_tokens', async () => {
    const rt = await start({
      programs: { qa: new Predict('question -> answer') },
      jobs: { overrides: { models: ['gpt-4o'] } },
    });
    await expect(
      rt.run('qa', { question: 'q' }, { config: { model: 'attacker-model-123' } }),
    ).rejects.toThrow(/model "attacker-model-123" is not allowed.*allowed: gpt-4o-mini, gpt-4o/);
    await expect(rt.run('qa', { question: 'q' }, { config: { maxTokens: 1e15 } })).rejects.toThrow(
      /maxTokens 1000000000000000 is above the node's limit of 16384/,
    );
    const ok = await rt.run('qa', { question: 'q' }, { config: { model: 'gpt-4o' } });
    expect(ok.outputs['answer']).toMatch(/^answer-/);
    expect(fixture.requests.map((r) => (r.body as { model: string }).model)).toEqual(['gpt-4o']);
  });

  it('fails_a_job_as_poison_once_it_was_lost_with_its_node_max_crashes_times', async () => {
    const rt = await start({
      programs: { qa: new Predict('question -> answer') },
      jobs: { maxCrashes: 2 },
    });
    const handle = runJobHandler((rt as unknown as { deps: HandlerDeps }).deps);
    const data = { program: 'qa', inputs: { question: 'poison?' } };
    const failure = await handle(job('p-1', data, { started: 3, stalls: 2 })).catch(
      (e: unknown) => e,
    );
    expect((failure as Error).message).toMatch(/^poison job: .*died or hung 2 time/);
    expect(fixture.requests).toHaveLength(0);
    const record = await rt.store.executions.findByJobId('p-1');
    expect(record).toMatchObject({ status: 'failed', error: { code: 'poison_job' } });
    // One lost lock is not enough: the job runs.
    const ok = await handle(job('p-2', data, { started: 2, stalls: 1 }));
    expect(ok).toMatchObject({ outputs: { answer: expect.stringMatching(/^answer-/) } });
  });

  it('completes_a_job_with_the_recorded_result_when_its_other_run_finished_first', async () => {
    // Two nodes sharing a store run the same job (its lock was lost on the first one).
    const store = new MemoryStore();
    const gatedA = new GatedProgram();
    const gatedB = new GatedProgram();
    const a = await start({ programs: { g: gatedA } }, { store, nodeId: 'node-a' });
    const b = await start({ programs: { g: gatedB } }, { store, nodeId: 'node-b' });
    const data = { program: 'g', inputs: { text: 'same job' } };
    const runA = runJobHandler((a as unknown as { deps: HandlerDeps }).deps)(job('j-1', data));
    await waitFor(() => gatedA.started === 1);
    const runB = runJobHandler((b as unknown as { deps: HandlerDeps }).deps)(
      job('j-1', data, { started: 2, stalls: 1 }),
    );
    await waitFor(() => gatedB.started === 1);
    gatedB.release();
    const resultB = (await runB) as { executionId: string; outputs: unknown };
    gatedA.release();
    // Before: "illegal transition succeeded → succeeded" failed the first run.
    const resultA = (await runA) as { executionId: string; outputs: unknown };
    expect(resultA).toEqual(resultB);
    expect(await store.executions.findByJobId('j-1')).toMatchObject({ status: 'succeeded' });
  });

  it('runs_a_redelivered_job_once_when_its_first_run_is_still_going_on_this_node', async () => {
    const gated = new GatedProgram();
    const rt = await start({ programs: { g: gated } });
    const handle = runJobHandler((rt as unknown as { deps: HandlerDeps }).deps);
    const data = { program: 'g', inputs: { text: 'twice?' } };
    const first = handle(job('j-2', data));
    await waitFor(() => gated.started === 1);
    const second = handle(job('j-2', data, { started: 2, stalls: 1 }));
    gated.release();
    expect(await second).toEqual(await first);
    expect(gated.started).toBe(1);
  });

  it('keeps_only_the_configured_number_of_finished_jobs_in_the_queue', async () => {
    const rt = await start({
      programs: { qa: new Predict('question -> answer') },
      retention: { completedJobs: { ageSeconds: 3600, count: 2 } },
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { jobId } = await rt.submit('qa', { question: `k${i}` });
      await rt.waitForJob(jobId, 5_000);
      ids.push(jobId);
    }
    const kept = await Promise.all(ids.map((id) => rt.transport.getJob('dspex-run', id)));
    expect(kept.map((j) => j?.state ?? 'removed')).toEqual([
      'removed',
      'removed',
      'removed',
      'completed',
      'completed',
    ]);
  });
});

/** Waits (on real time) for a condition the runtime reaches by itself. */
async function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A runtime on a clock that moves only when told (its `running`-record timer included). */
async function startOnClock(
  programs: Record<string, Module>,
  store: Store = new MemoryStore(),
): Promise<{ deps: HandlerDeps; store: Store; clock: FakeClock }> {
  const clock = new FakeClock(Date.now());
  const rt = await start({ programs }, { store, clock });
  return { deps: (rt as unknown as { deps: HandlerDeps }).deps, store, clock };
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}

describe('the execution record of a job', () => {
  it('writes_a_first_delivery_that_ends_quickly_once_already_succeeded', async () => {
    const { deps, store } = await startOnClock({ qa: new Predict('question -> answer') });
    // The clock does not move: the run ends before its `running` record is due.
    const result = (await runJobHandler(deps)(
      job('once-1', { program: 'qa', inputs: { question: 'q' } }),
    )) as { executionId: string; outputs: Record<string, unknown> };
    const record = await store.executions.findByJobId('once-1');
    // Revision 1: one write, no `running` record first.
    expect(record).toMatchObject({
      id: result.executionId,
      status: 'succeeded',
      revision: 1,
      outputs: result.outputs,
      program: 'qa',
      inputs: { question: 'q' },
      node: expect.any(String),
    });
    expect(record?.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(record!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(record!.startedAt!));
  });

  it('shows_a_first_delivery_still_running_as_running_then_finishes_that_record', async () => {
    const gated = new GatedProgram();
    const { deps, store, clock } = await startOnClock({ g: gated });
    const run = runJobHandler(deps)(job('slow-1', { program: 'g', inputs: { text: 'slow' } }));
    await until('the run to start', async () => gated.started === 1);
    await clock.advance(RUNNING_RECORD_AFTER_MS - 1);
    expect(await store.executions.findByJobId('slow-1')).toBeUndefined();
    await clock.advance(1);
    await until(
      'the running record',
      async () => (await store.executions.findByJobId('slow-1'))?.status === 'running',
    );
    gated.release();
    const result = (await run) as { executionId: string };
    expect(await store.executions.findByJobId('slow-1')).toMatchObject({
      id: result.executionId,
      status: 'succeeded',
      revision: 2,
      outputs: { echoed: 'slow' },
    });
  });

  it('writes_a_reused_job_id_s_first_run_under_its_fallback_key', async () => {
    const store = new MemoryStore();
    const { execution: old } = await store.executions.recordOnce('reused-1', {
      program: 'qa',
      inputs: { question: 'from before the queue was obliterated' },
      status: 'running',
    });
    await store.executions.update(old.id, { status: 'succeeded', outputs: { answer: 'old' } });
    const { deps } = await startOnClock({ qa: new Predict('question -> answer') }, store);
    const ctx = job('reused-1', { program: 'qa', inputs: { question: 'new' } });
    const result = (await runJobHandler(deps)(ctx)) as { executionId: string };
    expect(result.executionId).not.toBe(old.id);
    expect(await store.executions.findByJobId(fallbackExecutionKey(ctx))).toMatchObject({
      id: result.executionId,
      status: 'succeeded',
      inputs: { question: 'new' },
    });
    expect(await store.executions.findByJobId('reused-1')).toMatchObject({
      id: old.id,
      outputs: { answer: 'old' },
    });
  });

  it('records_the_final_failure_of_a_first_delivery', async () => {
    const { deps, store } = await startOnClock({ crash: new CrashingProgram() });
    await expect(
      runJobHandler(deps)(job('fail-1', { program: 'crash', inputs: {} })),
    ).rejects.toThrow(/cannot read properties/);
    expect(await store.executions.findByJobId('fail-1')).toMatchObject({
      status: 'failed',
      error: { message: expect.stringMatching(/cannot read properties/) },
    });
  });
});
