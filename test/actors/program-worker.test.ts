import { afterEach, describe, expect, it } from 'vitest';
import { DummyLM } from '../../src/lm/index.js';
import { Pid } from '../../src/kernel/index.js';
import { Predict } from '../../src/modules/index.js';
import { VARIABLE_REGISTRY, executeOn, programWorkerStart } from '../../actors/index.js';
import { callActor, type ExecutionRequest } from '../../services/index.js';
import { startHarness, type Harness } from './actor-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.sup.stop();
});

const request = (jobId: string, extra: Partial<ExecutionRequest> = {}): ExecutionRequest => ({
  jobId,
  program: 'qa',
  inputs: { question: 'Capital of France?' },
  attempt: 1,
  attempts: 1,
  ...extra,
});

async function spawnWorker(req: ExecutionRequest): Promise<Pid> {
  const pid = await h.kernel.spawn(programWorkerStart(h.services), req);
  if (!(pid instanceof Pid)) throw new Error('worker did not start');
  return pid;
}

describe('program worker', () => {
  it('takes_a_state_version_published_after_it_started_without_a_restart', async () => {
    const lm = new DummyLM([{ answer: 'Paris' }, { answer: 'Paris' }]);
    h = await startHarness({ qa: new Predict('question -> answer') }, lm);
    const optimized = new Predict('question -> answer');
    optimized.demos = [{ question: 'Capital of Peru?', answer: 'Lima' }];
    await h.store.programs.create({ name: 'qa' });
    await h.store.programs.publishVersion('qa', { state: optimized.save() as never });

    const worker = await spawnWorker(request('job-1'));
    await callActor(h.kernel, VARIABLE_REGISTRY, {
      type: 'set',
      program: 'qa',
      config: { stateVersion: '1' },
    });
    const result = await executeOn(h.services, worker);

    expect(result.outputs).toEqual({ answer: 'Paris' });
    expect(JSON.stringify(lm.history.list().at(-1)?.messages)).toContain('Capital of Peru?');
    expect(await h.store.executions.get(result.executionId)).toMatchObject({
      status: 'succeeded',
      node: 'test-node',
    });
    expect(worker.alive).toBe(false);
  });

  it('returns_the_recorded_result_when_a_succeeded_job_is_delivered_again', async () => {
    const lm = new DummyLM([{ answer: 'first' }, { answer: 'second' }]);
    h = await startHarness({ qa: new Predict('question -> answer') }, lm);
    const a = await executeOn(h.services, await spawnWorker(request('job-7')));
    const b = await executeOn(h.services, await spawnWorker(request('job-7')));
    expect(b).toEqual(a);
    expect(lm.history.list()).toHaveLength(1);
    expect((await h.store.executions.list()).items).toHaveLength(1);
  });

  it('takes_over_the_record_of_a_job_redelivered_from_a_dead_node', async () => {
    h = await startHarness(
      { qa: new Predict('question -> answer') },
      new DummyLM([{ answer: 'Paris' }]),
    );
    const { execution } = await h.store.executions.recordOnce('job-8', {
      program: 'qa',
      inputs: { question: 'Capital of France?' },
      status: 'running',
      node: 'dead-node',
    });
    const result = await executeOn(h.services, await spawnWorker(request('job-8')));
    expect(result.executionId).toBe(execution.id);
    expect(await h.store.executions.get(execution.id)).toMatchObject({
      status: 'succeeded',
      node: 'test-node',
    });
  });

  it('rejects_invalid_job_config_as_a_non_retryable_invalid_job', async () => {
    h = await startHarness(
      { qa: new Predict('question -> answer') },
      new DummyLM([{ answer: 'x' }]),
    );
    await expect(
      executeOn(
        h.services,
        await spawnWorker(request('job-9', { config: { temperature: 'hot' } })),
      ),
    ).rejects.toMatchObject({ code: 'invalid_job', retryable: false });
  });

  it('answers_a_message_outside_its_protocol_with_bad_message', async () => {
    h = await startHarness(
      { qa: new Predict('question -> answer') },
      new DummyLM([{ answer: 'x' }]),
    );
    const worker = await spawnWorker(request('job-10'));
    await expect(callActor(h.kernel, worker, { type: 'explode' })).rejects.toMatchObject({
      code: 'bad_message',
    });
    expect(worker.alive).toBe(true);
    await executeOn(h.services, worker);
  });
});
