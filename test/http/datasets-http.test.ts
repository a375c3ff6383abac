/**
 * The HTTP API names stored datasets (issue 14): `POST /v1/evaluations` and `POST
 * /v1/optimizations` take `dataset: "name@version"` (and splits) instead of inline examples,
 * resolved on the node; the summary and the run record link the version and hash used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/http/index.js';
import { httpRuntimeOf } from '../../supervisors/http-port.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { startCapsRuntime } from '../helpers/caps-runtime.js';
import { eventually } from '../supervisors/runtime-helpers.js';

let fixture: LMFixture;
let rt: Runtime;
let hash: string | undefined;

beforeAll(async () => {
  fixture = await startOpenAIFixture();
  rt = await startCapsRuntime(fixture);
  hash = (await rt.store.datasets.get('caps')).hash;
});

afterAll(async () => {
  await rt?.stop();
  await fixture?.close();
});

function post(path: string, body: unknown) {
  return createHttpApp({ runtime: httpRuntimeOf(rt), tokens: [] }).request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('HTTP evaluations and optimizations on a stored dataset', () => {
  it('evaluates_a_split_of_a_named_dataset_version_and_links_it_in_the_summary', async () => {
    const res = await post('/v1/evaluations', {
      program: 'qa',
      dataset: 'caps@v1',
      split: 'dev',
      metric: 'echoed',
      shards: 1,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      total: 1,
      score: 100,
      dataset: { name: 'caps', version: 'v1', hash, split: 'dev' },
    });
  });

  it('starts_an_optimization_on_named_datasets_and_the_run_record_links_them', async () => {
    const res = await post('/v1/optimizations', {
      program: 'qa',
      optimizer: 'labeled-few-shot',
      dataset: 'caps',
      split: 'train',
      valDataset: 'caps@v1',
      valSplit: 'dev',
      params: { k: 1 },
    });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    await eventually(async () => (await rt.optimizationRun(runId))?.status === 'succeeded');
    const run = await rt.store.optimizationRuns.get(runId);
    expect(run.dataset).toEqual({ name: 'caps', version: 'v1', hash, split: 'train' });
    expect(run.valDataset).toEqual({ name: 'caps', version: 'v1', hash, split: 'dev' });
  });

  it.each([
    [{ devset: [{ question: 'q' }], dataset: 'caps' }, 'give either devset or dataset'],
    [{}, 'give either devset or dataset'],
    [{ dataset: 'caps@v1@v2' }, 'dataset must be name or name@version'],
  ])('refuses_%j_with_400_saying_why', async (body, message) => {
    const res = await post('/v1/evaluations', { program: 'qa', metric: 'echoed', ...body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(message);
  });

  it('an_unknown_dataset_is_404_naming_what_exists', async () => {
    const res = await post('/v1/evaluations', {
      program: 'qa',
      metric: 'echoed',
      dataset: 'ghost',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: {
        code: 'unknown_dataset',
        message: expect.stringContaining("unknown dataset 'ghost'"),
      },
    });
    const noTrain = await post('/v1/optimizations', {
      program: 'qa',
      optimizer: 'labeled-few-shot',
    });
    expect(noTrain.status).toBe(400);
  });
});
