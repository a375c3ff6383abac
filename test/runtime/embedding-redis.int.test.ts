import { Queue, QueueEvents } from 'bullmq';
import { nanoid } from 'nanoid';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import type { LMFixture } from '../fixtures/index.js';
import {
  fixtureAndPrograms,
  fixtureLm,
  type GatedProgram,
} from '../supervisors/runtime-helpers.js';

const redisUrl = inject('redisUrl');
const connection = (() => {
  const u = new URL(redisUrl);
  return { host: u.hostname, port: Number(u.port) };
})();

let fixture: LMFixture;
let gated: GatedProgram;
let rt: Runtime;
let prefix: string;
let queue: Queue;
let queueEvents: QueueEvents;

beforeEach(async () => {
  const setup = await fixtureAndPrograms();
  fixture = setup.fixture;
  gated = setup.gated;
  prefix = `dspex-t${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
  rt = await startRuntime(
    {
      programs: setup.programs,
      redis: { url: redisUrl, prefix },
      shutdown: { drainTimeoutMs: 2000 },
    },
    {
      logger: silentLogger(),
      lm: fixtureLm(fixture),
      jobs: { attempts: 3, backoff: { type: 'fixed', delay: 50 } },
    },
  );
  queue = new Queue('dspex-run', { prefix, connection });
  queueEvents = new QueueEvents('dspex-run', { prefix, connection });
  await queueEvents.waitUntilReady();
});

afterEach(async () => {
  gated.release();
  await queueEvents.close();
  await queue.close();
  await rt.stop();
  await fixture.close();
});

describe('redis-mode runtime', () => {
  it('completes_a_job_sent_by_a_plain_bullmq_producer_with_outputs_execution_id_and_usage', async () => {
    expect(rt.mode).toBe('redis');
    const job = await queue.add('run', { program: 'qa', inputs: { question: 'From BullMQ?' } });
    const value = (await job.waitUntilFinished(queueEvents, 10_000)) as Record<string, unknown>;
    expect(value).toMatchObject({
      outputs: { answer: expect.stringMatching(/^answer-/) },
      executionId: expect.any(String),
      usage: { 'openai/gpt-4o-mini': expect.objectContaining({ totalTokens: expect.any(Number) }) },
    });
    const record = await rt.store.executions.findByJobId(job.id as string);
    expect(record).toMatchObject({
      id: value['executionId'],
      status: 'succeeded',
      node: rt.nodeId,
    });
  });

  it('fails_malformed_and_unknown_program_jobs_without_retries_and_stays_alive', async () => {
    const bad = await queue.add('run', { inputs: 'nope' }, { attempts: 5 });
    const unknown = await queue.add('run', { program: 'ghost', inputs: {} }, { attempts: 5 });
    await expect(bad.waitUntilFinished(queueEvents, 10_000)).rejects.toThrow(
      /invalid job data: program: /,
    );
    await expect(unknown.waitUntilFinished(queueEvents, 10_000)).rejects.toThrow(
      "unknown program 'ghost' (known: crash, gated, qa)",
    );
    expect((await queue.getJob(bad.id as string))?.attemptsMade).toBe(1);
    expect((await queue.getJob(unknown.id as string))?.attemptsMade).toBe(1);
    const ok = await queue.add('run', { program: 'qa', inputs: { question: 'alive?' } });
    await expect(ok.waitUntilFinished(queueEvents, 10_000)).resolves.toMatchObject({
      executionId: expect.any(String),
    });
  });

  it('retries_a_job_after_an_lm_5xx_and_records_one_execution', async () => {
    fixture.enqueue({ kind: 'error', status: 503 });
    const { jobId } = await rt.submit('qa', { question: 'flaky' });
    const result = await rt.waitForJob(jobId, 10_000);
    // The node retried it by delaying it in the queue: two runs, one BullMQ attempt, one record.
    expect((await queue.getJob(jobId))?.attemptsStarted).toBe(2);
    const page = await rt.store.executions.list({ program: 'qa' });
    expect(page.items.map((e) => e.id)).toEqual([result.executionId]);
  });

  it('evaluates_a_program_in_shards_run_as_jobs', async () => {
    const devset = [1, 2, 3, 4].map((i) => ({ question: `q${i}`, answer: 'nothing matches' }));
    const summary = await rt.evaluate('qa', {
      devset,
      metric: 'exact_match',
      shards: 2,
      inputKeys: ['question'],
    });
    expect(summary).toMatchObject({ program: 'qa', total: 4, shards: 2, score: 0, errors: 0 });
    const evalQueue = new Queue('dspex-eval', { prefix, connection });
    expect(await evalQueue.getJobCounts('completed')).toEqual({ completed: 2 });
    await evalQueue.close();
  });
});

describe('redis-mode deployment', () => {
  it('serves_a_state_activated_by_one_node_on_every_node_through_the_store', async () => {
    const { Example, Predict } = await import('../../src/modules/index.js');
    const other = await startRuntime(
      {
        programs: { qa: new Predict('question -> answer') },
        redis: { url: redisUrl, prefix },
        shutdown: { drainTimeoutMs: 2000 },
      },
      { logger: silentLogger(), lm: fixtureLm(fixture) },
    );
    try {
      const trainset = [
        new Example({ question: 'Capital of Peru?', answer: 'Lima' }).withInputs('question'),
      ];
      const { runId } = await rt.optimize('qa', {
        optimizer: 'labeled-few-shot',
        trainset,
        params: { k: 1 },
      });
      const deadline = Date.now() + 10_000;
      while ((await rt.optimizationRun(runId))?.status !== 'succeeded') {
        if (Date.now() > deadline) throw new Error('optimization did not finish');
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const node of [rt, other]) {
        const result = await node.run('qa', { question: 'Capital of Chile?' });
        expect(JSON.stringify(fixture.requests.at(-1)?.body.messages)).toContain(
          'Capital of Peru?',
        );
        expect((await node.store.executions.get(result.executionId)).version).toBe('1');
      }
    } finally {
      await other.stop();
    }
  });
});

describe('redis-mode pipelines', () => {
  it('runs_each_stage_of_a_pipeline_as_a_job_feeding_parent_outputs_to_children', async () => {
    const setup = await fixtureAndPrograms();
    const local = `dspex-p${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const { Predict } = await import('../../src/modules/index.js');
    const node = await startRuntime(
      {
        programs: { ...setup.programs, judge: new Predict('question, answer -> verdict') },
        redis: { url: redisUrl, prefix: local },
        shutdown: { drainTimeoutMs: 2000 },
      },
      {
        logger: silentLogger(),
        lm: fixtureLm(setup.fixture),
        pipelines: {
          review: {
            stages: {
              draft: { program: 'qa', after: [] },
              check: { program: 'judge', after: ['draft'] },
            },
          },
        },
      },
    );
    try {
      const { runId, outputs } = await node.runPipeline('review', { question: 'Is water wet?' });
      expect(Object.keys(outputs)).toEqual(['check']);
      expect(outputs['check']?.outputs['verdict']).toMatch(/^verdict-/);
      const judgeCall = setup.fixture.requests.at(-1)?.body;
      expect(JSON.stringify(judgeCall.messages)).toMatch(/answer-[0-9a-f]+/);
      const executions = await node.store.executions.list();
      expect(executions.items.map((e) => e.jobId).sort()).toEqual([
        `${runId}.check`,
        `${runId}.draft`,
      ]);
    } finally {
      await node.stop();
      await setup.fixture.close();
    }
  });
});

describe('redis-mode client pool', () => {
  it('keeps_rpm_and_tpm_buckets_in_redis_so_limits_hold_across_nodes', async () => {
    const { Redis } = await import('ioredis');
    const setup = await fixtureAndPrograms();
    const local = `dspex-l${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const node = await startRuntime(
      {
        programs: setup.programs,
        redis: { url: redisUrl, prefix: local },
        limits: { 'openai:*': { rpm: 600, tpm: 100_000, concurrency: 2 } },
        shutdown: { drainTimeoutMs: 2000 },
      },
      { logger: silentLogger(), lm: fixtureLm(setup.fixture) },
    );
    const redis = new Redis(redisUrl);
    try {
      await node.run('qa', { question: 'limited?' });
      const keys = (await redis.keys(`${local}:ratelimit:*`)).sort();
      expect(keys).toEqual([
        expect.stringContaining(`${local}:ratelimit:rpm:`),
        expect.stringContaining(`${local}:ratelimit:tpm:`),
      ]);
      const pool = node.inspect().tree.children?.find((c) => c.id === 'client-pool');
      expect(pool?.details?.['keys']).toEqual([
        expect.objectContaining({
          key: 'openai:gpt-4o-mini',
          limit: 2,
          calls: 1,
          circuit: 'closed',
        }),
      ]);
    } finally {
      redis.disconnect();
      await node.stop();
      await setup.fixture.close();
    }
  });
});
