import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Module } from '../../src/modules/index.js';
import { MemoryTransport } from '../../src/transport/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime, RuntimeEvent, RuntimeNode } from '../../supervisors/runtime-types.js';
import type { LMFixture } from '../fixtures/index.js';
import {
  fixtureAndPrograms,
  fixtureLm,
  eventually,
  type GatedProgram,
} from '../supervisors/runtime-helpers.js';
import { silentLogger } from '../../src/telemetry/index.js';

let fixture: LMFixture;
let gated: GatedProgram;
let programs: Record<string, Module>;
let rt: Runtime;
let events: RuntimeEvent[];

async function start(extra: Parameters<typeof startRuntime>[1] = {}): Promise<Runtime> {
  rt = await startRuntime(
    {
      programs,
      queues: { concurrency: 4 },
      shutdown: { drainTimeoutMs: 2000 },
      retention: { trace: true },
    },
    {
      logger: silentLogger(),
      lm: fixtureLm(fixture),
      jobs: { attempts: 3, backoff: { type: 'fixed', delay: 10 } },
      ...extra,
    },
  );
  events = [];
  rt.subscribe((e) => events.push(e));
  return rt;
}

function find(node: RuntimeNode, id: string): RuntimeNode | undefined {
  if (node.id === id) return node;
  for (const c of node.children ?? []) {
    const f = find(c, id);
    if (f !== undefined) return f;
  }
  return undefined;
}

beforeEach(async () => {
  ({ fixture, gated, programs } = await fixtureAndPrograms());
});

afterEach(async () => {
  gated.release();
  await rt?.stop();
  await fixture.close();
});

describe('embedded runtime', () => {
  it('runs_a_program_through_a_program_worker_and_returns_outputs_execution_id_and_usage', async () => {
    await start();
    expect(rt.mode).toBe('embedded');
    const result = await rt.run('qa', { question: 'What is 2+2?' });
    expect(result.outputs['answer']).toMatch(/^answer-/);
    expect(result.executionId).toEqual(expect.any(String));
    expect(Object.keys(result.usage)).toEqual(['openai/gpt-4o-mini']);
    const record = await rt.store.executions.get(result.executionId);
    expect(record).toMatchObject({
      status: 'succeeded',
      program: 'qa',
      inputs: { question: 'What is 2+2?' },
    });
    expect(record.outputs).toEqual(result.outputs);
    expect(record.trace).toEqual([
      expect.objectContaining({ predictor: 'self', inputs: { question: 'What is 2+2?' } }),
    ]);
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('completes_a_submitted_job_with_the_run_return_value', async () => {
    await start();
    const { jobId } = await rt.submit('qa', { question: 'Why?' });
    const result = await rt.waitForJob(jobId, 5000);
    expect(result).toMatchObject({
      outputs: { answer: expect.stringMatching(/^answer-/) },
      executionId: expect.any(String),
    });
  });

  it('fails_a_malformed_job_and_an_unknown_program_at_once_with_a_readable_reason', async () => {
    await start();
    const bad = await rt.transport.enqueue(
      'dspex-run',
      { program: 42, inputs: 'x' },
      { attempts: 3 },
    );
    const unknown = await rt.transport.enqueue(
      'dspex-run',
      { program: 'nope', inputs: {} },
      { attempts: 3 },
    );
    await expect(rt.transport.waitForResult('dspex-run', bad, 5000)).rejects.toThrow(
      /invalid job data: program: .*inputs: /,
    );
    await expect(rt.transport.waitForResult('dspex-run', unknown, 5000)).rejects.toThrow(
      "unknown program 'nope' (known: crash, gated, qa)",
    );
    expect((await rt.transport.getJob('dspex-run', bad))?.attemptsMade).toBe(1);
    expect((await rt.transport.getJob('dspex-run', unknown))?.attemptsMade).toBe(1);
    expect((await rt.run('qa', { question: 'still alive?' })).outputs['answer']).toBeDefined();
  });

  it('isolates_a_crashing_program_worker_while_other_runs_continue', async () => {
    await start();
    const slow = rt.run('gated', { text: 'keep going' });
    await eventually(() => gated.started === 1);
    await expect(rt.run('crash', {})).rejects.toMatchObject({ code: 'execution_failed' });
    await eventually(() => events.some((e) => e.type === 'supervisor_report'));
    const report = events.find((e) => e.type === 'supervisor_report');
    expect(report).toMatchObject({
      supervisor: 'program-workers',
      errorContext: 'child_terminated',
    });
    gated.release();
    expect((await slow).outputs).toEqual({ echoed: 'keep going' });
    const tree = rt.inspect().tree;
    expect(find(tree, 'program-workers')?.status).toBe('running');
    // A temporary worker is never restarted: its crash is counted on its supervisor.
    expect(find(tree, 'program-workers')).toMatchObject({ crashes: 1, restarts: 0 });
    expect(find(tree, 'registries')?.crashes).toBe(0);
    expect(find(tree, 'root')?.restarts).toBe(0);
  });

  it('restarts_a_killed_registry_which_keeps_its_versions_and_shows_the_restart_in_inspect', async () => {
    await start();
    await rt.configure('qa', { temperature: 0.3 });
    const kernel = rt.kernel;
    kernel.whereis('variable-registry')?.proc.signalExit('kill');
    await eventually(() => find(rt.inspect().tree, 'variable-registry')?.restarts === 1);
    expect(find(rt.inspect().tree, 'variable-registry')?.status).toBe('running');
    await rt.run('qa', { question: 'after restart' });
    expect(fixture.requests.at(-1)?.body.temperature).toBe(0.3);
    expect(events.some((e) => e.type === 'child_restarted' && e.id === 'variable-registry')).toBe(
      true,
    );
  });

  it('applies_a_variable_registry_change_to_the_next_execution_without_a_restart', async () => {
    await start();
    await rt.run('qa', { question: 'before' });
    expect(fixture.requests.at(-1)?.body.temperature).toBeUndefined();
    await rt.configure('qa', { temperature: 0.7, instructions: 'Answer like a pirate.' });
    await rt.run('qa', { question: 'after' });
    const body = fixture.requests.at(-1)?.body;
    expect(body.temperature).toBe(0.7);
    expect(JSON.stringify(body.messages)).toContain('Answer like a pirate.');
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'config_changed', program: 'qa', revision: 1 }),
    );
  });

  it('creates_one_execution_record_for_a_job_retried_after_an_lm_5xx', async () => {
    await start();
    fixture.enqueue({ kind: 'error', status: 500 });
    const { jobId } = await rt.submit('qa', { question: 'retry me' });
    const result = await rt.waitForJob(jobId, 5000);
    // The node retried it (delayed in the queue, no attempt used): two runs, one execution.
    expect((await rt.transport.getJob('dspex-run', jobId))?.started).toBe(2);
    const page = await rt.store.executions.list({ program: 'qa' });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ id: result.executionId, jobId, status: 'succeeded' });
  });

  it('retries_a_single_attempt_job_after_an_lm_5xx_with_the_node_job_policy', async () => {
    await start();
    fixture.enqueue({ kind: 'error', status: 503 });
    const id = await rt.transport.enqueue('dspex-run', {
      program: 'qa',
      inputs: { question: 'once' },
    });
    const result = (await rt.transport.waitForResult('dspex-run', id, 5000)) as {
      executionId: string;
    };
    expect((await rt.transport.getJob('dspex-run', id))?.attemptsMade).toBe(1);
    expect(await rt.store.executions.get(result.executionId)).toMatchObject({
      jobId: id,
      status: 'succeeded',
    });
  });

  it('gives_a_reused_job_id_with_another_payload_its_own_execution', async () => {
    await start();
    const { execution: stale } = await rt.store.executions.recordOnce('reused-1', {
      program: 'qa',
      inputs: { question: 'from a queue that was obliterated' },
    });
    const id = await rt.transport.enqueue(
      'dspex-run',
      { program: 'qa', inputs: { question: 'new' } },
      { jobId: 'reused-1' },
    );
    const result = (await rt.transport.waitForResult('dspex-run', id, 5000)) as {
      executionId: string;
    };
    expect(result.executionId).not.toBe(stale.id);
    const record = await rt.store.executions.get(result.executionId);
    expect(record.inputs).toEqual({ question: 'new' });
    expect(record.jobId).toMatch(/^reused-1@\d+$/);
  });

  it('opens_the_circuit_during_an_lm_outage_and_completes_every_job_later', async () => {
    await start({
      breaker: { failureThreshold: 2, resetTimeoutMs: 150 },
      jobs: { attempts: 8, backoff: { type: 'exponential', delay: 40 } },
    });
    for (let i = 0; i < 4; i++) fixture.enqueue({ kind: 'error', status: 500 });
    const ids = await Promise.all(
      [1, 2, 3].map(async (i) => (await rt.submit('qa', { question: `q${i}` })).jobId),
    );
    const results = await Promise.all(ids.map((id) => rt.waitForJob(id, 15_000)));
    expect(results.map((r) => r.outputs['answer'])).toEqual([
      expect.stringMatching(/^answer-/),
      expect.stringMatching(/^answer-/),
      expect.stringMatching(/^answer-/),
    ]);
    const circuit = events.filter((e) => e.type === 'circuit').map((e) => (e as { to: string }).to);
    expect(circuit).toContain('open');
    expect(circuit.at(-1)).toBe('closed');
    expect((await rt.store.executions.list({ program: 'qa' })).items).toHaveLength(3);
    expect(find(rt.inspect().tree, 'client-pool')?.details?.['keys']).toEqual([
      expect.objectContaining({ key: 'openai:gpt-4o-mini', circuit: 'closed' }),
    ]);
  });

  it('inspects_the_whole_tree_with_in_flight_work', async () => {
    await start();
    const pending = [rt.run('gated', { text: 'a' }), rt.run('gated', { text: 'b' })];
    await eventually(() => gated.started === 2);
    const snap = rt.inspect();
    expect(snap).toMatchObject({
      nodeId: expect.any(String),
      mode: 'embedded',
      programs: ['crash', 'gated', 'qa'],
    });
    const ids = (n: RuntimeNode): string[] => [n.id, ...(n.children ?? []).flatMap(ids)];
    expect(ids(snap.tree)).toEqual(
      expect.arrayContaining([
        'root',
        'registries',
        'schema-registry',
        'variable-registry',
        'client-pool',
        'program-workers',
        'evaluation-workers',
        'teleprompter-workers',
        'bridges',
        'run-bridge',
        'eval-bridge',
        'optimize-bridge',
      ]),
    );
    const workers = find(snap.tree, 'program-workers');
    expect(workers?.inFlight).toBe(2);
    expect(workers?.children?.map((c) => c.state)).toEqual(['running', 'running']);
    expect(workers?.children?.[0]?.details).toMatchObject({ program: 'gated' });
    expect(find(snap.tree, 'run-bridge')).toMatchObject({
      state: 'consuming',
      restarts: 0,
      kind: 'worker',
    });
    gated.release();
    await Promise.all(pending);
  });

  it('bounds_program_workers_by_concurrency_and_queues_the_rest', async () => {
    await start();
    const runs = Array.from({ length: 6 }, (_, i) => rt.run('gated', { text: String(i) }));
    await eventually(() => gated.started === 4);
    expect(find(rt.inspect().tree, 'program-workers')?.children).toHaveLength(4);
    gated.release();
    await eventually(() => gated.started === 6);
    gated.release();
    expect((await Promise.all(runs)).map((r) => r.outputs['echoed'])).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
  });

  it('drains_in_flight_work_then_refuses_new_runs', async () => {
    await start();
    const running = rt.run('gated', { text: 'finish me' });
    await eventually(() => gated.started === 1);
    const drained = rt.drain(2000);
    await expect(rt.run('qa', { question: 'late' })).rejects.toMatchObject({ code: 'stopping' });
    gated.release();
    await drained;
    expect((await running).outputs).toEqual({ echoed: 'finish me' });
    expect(find(rt.inspect().tree, 'run-bridge')?.state).toBe('closed');
  });

  it('uses_an_injected_transport_and_serves_prometheus_metrics', async () => {
    const transport = new MemoryTransport();
    await start({ transport });
    const { jobId } = await rt.submit('qa', { question: 'metrics' });
    await rt.waitForJob(jobId, 5000);
    const text = await rt.metrics();
    expect(text).toContain('dspex_jobs_total{queue="dspex-run",outcome="completed"} 1');
    expect(text).toContain(
      'dspex_lm_calls_total{provider="openai",model="gpt-4o-mini",outcome="ok"} 1',
    );
    await rt.stop();
    await transport.close();
  });
});
