import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject, Transport } from '../../src/transport/index.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { readDataset } from '../../src/cli/dataset-store.js';
import { memoryIO } from '../cli/fake-runtime.js';
import { startCapsRuntime } from '../helpers/caps-runtime.js';
import { eventually } from '../supervisors/runtime-helpers.js';

let fixture: LMFixture;
let rt: Runtime;

beforeEach(async () => {
  fixture = await startOpenAIFixture();
  rt = await startCapsRuntime(fixture);
});

afterEach(async () => {
  await rt.stop();
  await fixture.close();
});

describe('the runtime reads stored datasets by name', () => {
  it('evaluates_one_split_of_a_named_dataset_and_the_summary_links_its_version_and_hash', async () => {
    const stored = await rt.store.datasets.get('caps');
    const summary = await rt.evaluate('qa', { dataset: 'caps', split: 'dev', metric: 'echoed' });
    expect(summary).toMatchObject({
      total: 1,
      dataset: { name: 'caps', version: 'v1', hash: stored.hash, split: 'dev' },
    });
    expect(await rt.evaluation(summary.evalId)).toMatchObject({
      program: 'qa',
      metric: 'echoed',
      status: 'succeeded',
      score: summary.score,
      counts: { total: 1, errors: summary.errors },
      dataset: { name: 'caps', version: 'v1', hash: stored.hash, split: 'dev' },
    });
  });

  it('records_a_failed_evaluation_with_its_error_and_lists_it_by_program', async () => {
    await expect(rt.evaluate('qa', { dataset: 'caps', metric: 'nope' })).rejects.toThrow(
      /unknown metric 'nope'/,
    );
    const [failed] = await rt.listEvaluations({ program: 'qa' });
    expect(failed).toMatchObject({
      program: 'qa',
      metric: 'nope',
      status: 'failed',
      score: null,
      dataset: { name: 'caps', version: 'v1' },
      error: { message: expect.stringContaining("unknown metric 'nope'") },
    });
    expect(failed?.finishedAt).toBeDefined();
    expect(await rt.listEvaluations({ program: 'other' })).toEqual([]);
  });

  it('optimizes_on_a_named_dataset_and_the_run_record_links_train_and_val_versions', async () => {
    const { runId } = await rt.optimize('qa', {
      optimizer: 'labeled-few-shot',
      dataset: 'caps@v1',
      split: 'train',
      valDataset: 'caps@v1',
      valSplit: 'dev',
      params: { k: 1 },
    });
    await eventually(async () => (await rt.optimizationRun(runId))?.status === 'succeeded');
    const run = await rt.store.optimizationRuns.get(runId);
    expect(run.dataset).toMatchObject({ name: 'caps', version: 'v1', split: 'train' });
    expect(run.valDataset).toMatchObject({ name: 'caps', version: 'v1', split: 'dev' });
  });

  it('refuses_an_unknown_dataset_version_or_split_naming_what_exists', async () => {
    await expect(rt.evaluate('qa', { dataset: 'ghost', metric: 'echoed' })).rejects.toMatchObject({
      code: 'unknown_dataset',
      message: expect.stringContaining("unknown dataset 'ghost'"),
    });
    await expect(rt.evaluate('qa', { dataset: 'caps@v9', metric: 'echoed' })).rejects.toMatchObject(
      { code: 'unknown_dataset', message: expect.stringContaining('versions: v1') },
    );
    await expect(
      rt.evaluate('qa', { dataset: 'caps', split: 'test', metric: 'echoed' }),
    ).rejects.toMatchObject({
      code: 'unknown_dataset',
      message: expect.stringContaining('splits: train, dev'),
    });
    await expect(
      rt.evaluate('qa', { devset: [{ question: 'q' }], dataset: 'caps', metric: 'echoed' }),
    ).rejects.toMatchObject({ code: 'bad_message' });
  });

  it.each([
    ['an_unknown_name', 'ghost', "unknown dataset 'ghost' (datasets: caps)"],
    ['an_unknown_version', 'caps@v9', "dataset caps has no version 'v9' (versions: v1)"],
  ])(
    'refuses_%s_with_one_sentence_from_the_runtime_a_raw_job_and_the_cli',
    async (_case, ref, sentence) => {
      const refusal = (p: Promise<unknown>) =>
        p.then(
          () => 'resolved',
          (e: unknown) => e as { code?: string; message: string; details?: unknown },
        );
      const viaRuntime = await refusal(rt.evaluate('qa', { dataset: ref, metric: 'echoed' }));
      expect(viaRuntime).toMatchObject({ code: 'unknown_dataset', message: sentence });
      const viaCli = await refusal(readDataset(memoryIO('/'), {}, ref, undefined, rt.store));
      expect(viaCli).toMatchObject({ code: 'not_found', message: sentence });
      const transport = (rt as unknown as { transport: Transport }).transport;
      const runId = `unknown-${_case}`;
      await transport.enqueue(
        'dspex-optimize',
        { runId, program: 'qa', optimizer: 'labeled-few-shot', dataset: ref },
        { jobId: runId },
      );
      const viaJob = await refusal(transport.waitForResult('dspex-optimize', runId, 10_000));
      expect(JSON.stringify(viaJob)).toContain(sentence);
    },
  );

  it('runs_an_optimize_job_whose_payload_names_a_dataset_instead_of_examples', async () => {
    const run = await rt.store.optimizationRuns.create({
      program: 'qa',
      optimizer: 'labeled-few-shot',
    });
    const transport = (rt as unknown as { transport: Transport }).transport;
    const payload: JsonObject = {
      runId: run.id,
      program: 'qa',
      optimizer: 'labeled-few-shot',
      dataset: 'caps@v1',
      split: 'train',
      params: { k: 3 },
    };
    await transport.enqueue('dspex-optimize', payload, { jobId: run.id });
    await eventually(async () => (await rt.optimizationRun(run.id))?.status === 'succeeded');
    const version = (await rt.store.programs.get('qa')).activeVersion as string;
    const state = JSON.stringify((await rt.store.programs.getVersion('qa', version)).state);
    // k = 3 takes the whole train split (q1..q3) and nothing of dev (q4).
    for (const q of ['q1', 'q2', 'q3']) expect(state).toContain(`"question":"${q}"`);
    expect(state).not.toContain('q4');
    // The run record links the version it read, as runtime.optimize's does.
    const { hash } = await rt.store.datasets.get('caps');
    expect((await rt.store.optimizationRuns.get(run.id)).dataset).toEqual({
      name: 'caps',
      version: 'v1',
      hash,
      split: 'train',
    });
  });

  it('a_raw_optimize_job_naming_a_dataset_without_a_run_record_gets_one_linking_it', async () => {
    const transport = (rt as unknown as { transport: Transport }).transport;
    const runId = 'raw-run-1';
    await transport.enqueue(
      'dspex-optimize',
      { runId, program: 'qa', optimizer: 'labeled-few-shot', dataset: 'caps', split: 'dev' },
      { jobId: runId },
    );
    await eventually(async () => (await rt.optimizationRun(runId))?.status === 'succeeded');
    expect((await rt.store.optimizationRuns.get(runId)).dataset).toMatchObject({
      name: 'caps',
      version: 'v1',
      split: 'dev',
    });
  });

  it('evaluation_shards_naming_a_dataset_read_it_on_the_node_and_score_their_partition', async () => {
    const transport = (rt as unknown as { transport: Transport }).transport;
    const shard = (n: number): JsonObject => ({
      evalId: 'eval-ds',
      shard: n,
      shards: 3,
      program: 'qa',
      metric: 'echoed',
      dataset: 'caps@v1',
    });
    const ids = await Promise.all([0, 1, 2].map((n) => transport.enqueue('dspex-eval', shard(n))));
    const results = (await Promise.all(
      ids.map((id) => transport.waitForResult('dspex-eval', id, 20_000)),
    )) as unknown as { shard: number; scores: number[] }[];
    // Four examples in three contiguous parts: 2, 1, 1; every example scored once.
    expect(results.map((r) => [r.shard, r.scores.length])).toEqual([
      [0, 2],
      [1, 1],
      [2, 1],
    ]);
    expect(results.flatMap((r) => r.scores)).toEqual([1, 1, 1, 1]);
    const both = await transport.enqueue('dspex-eval', {
      ...shard(0),
      examples: [{ data: { question: 'q' }, inputs: ['question'] }],
    });
    await expect(transport.waitForResult('dspex-eval', both, 20_000)).rejects.toThrow(
      'give either examples or dataset, not both',
    );
  });

  it('fails_an_optimize_job_naming_an_unknown_dataset_with_a_readable_error', async () => {
    const run = await rt.store.optimizationRuns.create({
      program: 'qa',
      optimizer: 'labeled-few-shot',
    });
    const transport = (rt as unknown as { transport: Transport }).transport;
    await transport.enqueue(
      'dspex-optimize',
      { runId: run.id, program: 'qa', optimizer: 'labeled-few-shot', dataset: 'ghost' },
      { jobId: run.id },
    );
    await eventually(async () => (await rt.optimizationRun(run.id))?.status === 'failed');
    expect((await rt.optimizationRun(run.id))?.error).toMatchObject({
      code: 'unknown_dataset',
      message: expect.stringContaining("unknown dataset 'ghost'"),
    });
  });
});
