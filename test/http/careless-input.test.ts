/**
 * Careless input over HTTP: every mistake a user makes in a request gets a JSON error with a
 * stable `code` and a message naming the field (or the header, or the limit), never a 500 with a
 * stack and never a hang. A real embedded runtime (`qa`, the metric `echoed`, the stored dataset
 * `caps@v1`) behind the app; requests through Hono's `app.request`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/http/index.js';
import { httpRuntimeOf } from '../../supervisors/http-port.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { startCapsRuntime } from '../helpers/caps-runtime.js';

let fixture: LMFixture;
let rt: Runtime;

beforeAll(async () => {
  fixture = await startOpenAIFixture();
  rt = await startCapsRuntime(fixture);
});

afterAll(async () => {
  await rt?.stop();
  await fixture?.close();
});

const MAX_BODY = 4 * 1024;
const example = [{ question: 'q', answer: 'a' }];

/** A case: the request (JSON unless a string body), and the answer it must get. */
interface Case {
  path: string;
  body: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** Text the message must contain: the field, header or limit at fault. */
  names: string;
}

const cases: Record<string, Case> = {
  'an unknown dataset in an evaluation': {
    path: '/v1/evaluations',
    body: { program: 'qa', metric: 'echoed', dataset: 'ghost' },
    status: 404,
    code: 'unknown_dataset',
    names: "unknown dataset 'ghost' (datasets: caps)",
  },
  'an unknown dataset in an optimization': {
    path: '/v1/optimizations',
    body: { program: 'qa', optimizer: 'bootstrap', dataset: 'ghost' },
    status: 404,
    code: 'unknown_dataset',
    names: "unknown dataset 'ghost'",
  },
  'an unknown validation dataset': {
    path: '/v1/optimizations',
    body: { program: 'qa', optimizer: 'labeled-few-shot', dataset: 'caps', valDataset: 'ghost' },
    status: 404,
    code: 'unknown_dataset',
    names: "unknown dataset 'ghost'",
  },
  'an unknown split of a dataset': {
    path: '/v1/optimizations',
    body: { program: 'qa', optimizer: 'labeled-few-shot', dataset: 'caps', split: 'nope' },
    status: 404,
    code: 'unknown_dataset',
    names: "no split 'nope' (splits: train, dev)",
  },
  'an unknown program in an evaluation': {
    path: '/v1/evaluations',
    body: { program: 'nope', metric: 'echoed', devset: example },
    status: 404,
    code: 'unknown_program',
    names: "unknown program 'nope' (known: qa)",
  },
  'an unknown program in an optimization': {
    path: '/v1/optimizations',
    body: { program: 'nope', optimizer: 'labeled-few-shot', trainset: example },
    status: 404,
    code: 'unknown_program',
    names: "unknown program 'nope'",
  },
  'an unknown program to run': {
    path: '/v1/programs/nope/run',
    body: { inputs: { question: 'q' } },
    status: 404,
    code: 'unknown_program',
    names: "unknown program 'nope'",
  },
  'a malformed JSON evaluation': {
    path: '/v1/evaluations',
    body: '{"program":',
    status: 400,
    code: 'invalid_json',
    names: 'not valid JSON',
  },
  'a malformed JSON optimization': {
    path: '/v1/optimizations',
    body: '{"program":',
    status: 400,
    code: 'invalid_json',
    names: 'not valid JSON',
  },
  'an empty body': {
    path: '/v1/programs/qa/jobs',
    body: '',
    status: 400,
    code: 'invalid_json',
    names: 'not valid JSON',
  },
  'a form body (curl -d without a JSON body)': {
    path: '/v1/programs/qa/run',
    body: 'question=hi',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 400,
    code: 'invalid_json',
    names: 'content-type: application/x-www-form-urlencoded; send application/json',
  },
  'a JSON array instead of an object': {
    path: '/v1/evaluations',
    body: [1, 2],
    status: 400,
    code: 'invalid_request',
    names: 'must be a JSON object',
  },
  'a body over the size limit': {
    path: '/v1/programs/qa/run',
    body: { inputs: { question: 'x'.repeat(MAX_BODY * 4) } },
    status: 413,
    code: 'body_too_large',
    names: `larger than ${MAX_BODY} bytes`,
  },
  'an absurd maxTokens': {
    path: '/v1/programs/qa/run',
    body: { inputs: { question: 'q' }, config: { maxTokens: 1e15 } },
    status: 400,
    code: 'invalid_job',
    names: 'maxTokens 1000000000000000 is above the node',
  },
  'an absurd maxTokens on the queue path (refused before it is queued)': {
    path: '/v1/programs/qa/jobs',
    body: { inputs: { question: 'q' }, config: { maxTokens: 1e15 } },
    status: 400,
    code: 'invalid_job',
    names: 'maxTokens 1000000000000000 is above the node',
  },
  'a model the node does not allow, on the queue path': {
    path: '/v1/programs/qa/jobs',
    body: { inputs: { question: 'q' }, config: { model: 'gpt-9-ultra' } },
    status: 400,
    code: 'invalid_job',
    names: 'model "gpt-9-ultra" is not allowed for this program',
  },
  'a negative temperature': {
    path: '/v1/programs/qa/jobs',
    body: { inputs: { question: 'q' }, config: { temperature: -1 } },
    status: 400,
    code: 'invalid_job',
    names: 'temperature',
  },
  'a deadline that is not a number': {
    path: '/v1/programs/qa/run',
    body: { inputs: { question: 'q' }, deadlineMs: 'soon' },
    status: 400,
    code: 'invalid_request',
    names: 'deadlineMs',
  },
  'a missing input field': {
    path: '/v1/programs/qa/run',
    body: { inputs: { q: 'hi' } },
    status: 400,
    code: 'missing_inputs',
    names: "Missing input field(s) 'question'",
  },
  'concurrency 0': {
    path: '/v1/evaluations',
    body: { program: 'qa', metric: 'echoed', devset: example, concurrency: 0 },
    status: 400,
    code: 'invalid_request',
    names: 'concurrency',
  },
  'negative shards': {
    path: '/v1/evaluations',
    body: { program: 'qa', metric: 'echoed', devset: example, shards: -3 },
    status: 400,
    code: 'invalid_request',
    names: 'shards',
  },
  'shards 0 in optimization params': {
    path: '/v1/optimizations',
    body: { program: 'qa', optimizer: 'copro', trainset: example, params: { shards: 0 } },
    status: 400,
    code: 'invalid_request',
    names: 'params.shards',
  },
  'an unknown metric in an evaluation': {
    path: '/v1/evaluations',
    body: { program: 'qa', metric: 'f2', devset: example },
    status: 400,
    code: 'unknown_metric',
    names: "metric: unknown metric 'f2' (known: answer_exact_match, answer_passage_match, echoed",
  },
  'an unknown metric in optimization params': {
    path: '/v1/optimizations',
    body: { program: 'qa', optimizer: 'bootstrap', trainset: example, params: { metric: 'f2' } },
    status: 400,
    code: 'unknown_metric',
    names: "params.metric: unknown metric 'f2'",
  },
  'an unknown optimizer option': {
    path: '/v1/optimizations',
    body: { program: 'qa', optimizer: 'bootstrap', trainset: example, params: { maxDemos: 2 } },
    status: 400,
    code: 'invalid_request',
    names: "params.maxDemos: unknown option 'maxDemos' for bootstrap (it takes: metric,",
  },
  'an optimizer option of the wrong type': {
    path: '/v1/optimizations',
    body: { program: 'qa', optimizer: 'copro', trainset: example, params: { breadth: 'wide' } },
    status: 400,
    code: 'invalid_request',
    names: `params.breadth: option 'breadth' of copro must be an integer ≥ 1, got "wide"`,
  },
  'an optimizer count below zero': {
    path: '/v1/optimizations',
    body: {
      program: 'qa',
      optimizer: 'bootstrap',
      trainset: example,
      params: { maxBootstrappedDemos: -5 },
    },
    status: 400,
    code: 'invalid_request',
    names: `params.maxBootstrappedDemos: option 'maxBootstrappedDemos' of bootstrap must be an integer ≥ 0, got -5`,
  },
};

describe('careless input over HTTP gets a JSON error with a stable code naming the field', () => {
  const app = () =>
    createHttpApp({ runtime: httpRuntimeOf(rt), tokens: [], maxBodyBytes: MAX_BODY });

  it.each(Object.entries(cases))('%s', async (_name, c) => {
    const res = await app().request(c.path, {
      method: 'POST',
      headers: c.headers ?? { 'content-type': 'application/json' },
      body: typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
    });
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect({ status: res.status, code: body.error.code }).toEqual({
      status: c.status,
      code: c.code,
    });
    expect(body.error.message).toContain(c.names);
    expect(body.error.message).not.toMatch(/\n\s+at /);
  });

  it('a refused optimization creates no run record', async () => {
    const before = (await rt.store.optimizationRuns.list({})).items.length;
    const res = await app().request('/v1/optimizations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        program: 'qa',
        optimizer: 'bootstrap',
        trainset: example,
        params: { metric: 'f2' },
      }),
    });
    expect(res.status).toBe(400);
    expect((await rt.store.optimizationRuns.list({})).items.length).toBe(before);
  });
});
