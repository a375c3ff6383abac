import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApp, startHttpServer, type HttpRuntime } from '../../src/http/index.js';
import { Predict } from '../../src/modules/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { httpRuntimeOf } from '../../supervisors/http-port.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime, RuntimeEvent } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { eventually, fixtureLm } from '../supervisors/runtime-helpers.js';
import { oneToolAgent, scriptToolTurns } from '../helpers/agent-turns.js';
import { parseSse } from './sse.js';

// The HTTP API in front of a real embedded runtime (concurrency 1), its LM the OpenAI SDK against
// the wire fixture; requests go through Hono's `app.request` (no socket).
let fixture: LMFixture;
let rt: Runtime;
let port: HttpRuntime;
const TOKEN = 'test-token';
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  fixture = await startOpenAIFixture();
  rt = await startRuntime(
    {
      programs: {
        qa: new Predict('question -> answer'),
        agent: oneToolAgent('lookup', 'word', 'a city'),
      },
      queues: { concurrency: 1 },
      shutdown: { drainTimeoutMs: 2000 },
    },
    { logger: silentLogger(), lm: fixtureLm(fixture) },
  );
  port = httpRuntimeOf(rt);
});

beforeEach(() => fixture.reset());

afterAll(async () => {
  await rt?.stop();
  await fixture?.close();
});

function app(options: { tokens?: string[]; runDeadlineMs?: number } = {}) {
  return createHttpApp({ runtime: port, tokens: [TOKEN], ...options });
}

function post(path: string, body: unknown, headers: Record<string, string> = auth) {
  return app().request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Resolves once the runtime reports an execution started. */
function executionStarted(): Promise<void> {
  return new Promise((resolve) => {
    const off = rt.subscribe((e: RuntimeEvent) => {
      if (e.type === 'execution' && e.phase === 'started') {
        off();
        resolve();
      }
    });
  });
}

describe('HTTP API (app.request)', () => {
  it('lists the programs with their signatures and active version', async () => {
    const res = await app().request('/v1/programs', { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      programs: [
        // The agent lists what its caller passes and gets, not its per-turn ReActV2 signature
        // (`question, history, tools -> next_thought, tool_calls`).
        {
          name: 'agent',
          signature: 'question -> answer',
          inputs: ['question'],
          outputs: ['answer'],
          activeVersion: null,
        },
        {
          name: 'qa',
          signature: 'question -> answer',
          inputs: ['question'],
          outputs: ['answer'],
          activeVersion: null,
        },
      ],
    });
  });

  it('runs a program synchronously and answers its result', async () => {
    fixture.enqueue({ text: '[[ ## answer ## ]]\nLima\n\n[[ ## completed ## ]]' });
    const res = await post('/v1/programs/qa/run', { inputs: { question: 'Capital of Peru?' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outputs: unknown; executionId: string };
    expect(body.outputs).toEqual({ answer: 'Lima' });
    expect(body.executionId).toEqual(expect.any(String));
  });

  it('streams field deltas as Server-Sent Events, then the result', async () => {
    fixture.enqueue({
      text: '[[ ## answer ## ]]\nLima is the capital.\n\n[[ ## completed ## ]]',
    });
    const res = await post('/v1/programs/qa/stream', { inputs: { question: 'Peru?' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await res.text());
    const deltas = events.filter((e) => e.event === 'delta').map((e) => e.data);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => (d as { text: string }).text).join('')).toBe('Lima is the capital.');
    expect(deltas[0]).toMatchObject({ predictor: 'self', field: 'answer', last: false });
    expect(events.at(-1)).toMatchObject({
      event: 'result',
      data: { outputs: { answer: 'Lima is the capital.' } },
    });
  });

  it('streams an agent’s native tool calls as tool_call events, in order, before the result', async () => {
    scriptToolTurns(
      fixture,
      { id: 'call_l', name: 'lookup', arguments: { word: 'Lima' } },
      'a city',
    );
    const res = await post('/v1/programs/agent/stream', {
      inputs: { question: 'What is Lima?' },
      config: { adapter: 'json' },
    });
    expect(res.status).toBe(200);
    const events = parseSse(await res.text()).filter((e) => e.event !== 'delta');
    expect(events.map((e) => e.event)).toEqual(['tool_call', 'tool_call', 'result']);
    expect(events.slice(0, 2).map((e) => e.data)).toEqual([
      { predictor: 'react', id: 'call_l', name: 'lookup', arguments: '{"word":"Lima"}' },
      { predictor: 'react', id: 'call_s', name: 'submit', arguments: '{"answer":"a city"}' },
    ]);
    expect(events[2]?.data).toMatchObject({ outputs: { answer: 'a city' } });
  });

  it('a stream whose run fails ends with an error event carrying the code', async () => {
    fixture.enqueue({ kind: 'error', status: 500, message: 'provider down' });
    const res = await post('/v1/programs/qa/stream', { inputs: { question: 'x' } });
    const events = parseSse(await res.text());
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: { error: { code: 'execution_failed' } },
    });
  });

  it('queues a job (202) and reports it through GET /v1/jobs/:id', async () => {
    fixture.enqueue({ text: '[[ ## answer ## ]]\nSantiago\n\n[[ ## completed ## ]]' });
    const res = await post('/v1/programs/qa/jobs', { inputs: { question: 'Chile?' } });
    expect(res.status).toBe(202);
    const { jobId, status } = (await res.json()) as { jobId: string; status: string };
    expect(status).toBe(`/v1/jobs/${jobId}`);
    expect(res.headers.get('location')).toBe(status);
    await rt.waitForJob(jobId, 10_000);
    const job = await app().request(status, { headers: auth });
    expect(job.status).toBe(200);
    expect(await job.json()).toMatchObject({
      id: jobId,
      state: 'completed',
      result: { outputs: { answer: 'Santiago' } },
    });
  });

  it('validates bodies with the dspex-run job schema and names the bad field', async () => {
    const missing = await post('/v1/programs/qa/run', { question: 'no inputs object' });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_job');
    expect(body.error.message).toContain('inputs');
    const notJson = await post('/v1/programs/qa/run', '{"inputs":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid_json' } });
    const badDeadline = await post('/v1/programs/qa/run', { inputs: {}, deadlineMs: -1 });
    expect(await badDeadline.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('answers 404 unknown_program, and 404 not_found for unknown jobs, runs and routes', async () => {
    const unknown = await post('/v1/programs/nope/run', { inputs: { question: 'x' } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_program' } });
    for (const path of ['/v1/jobs/nope', '/v1/optimizations/nope', '/v1/nothing']) {
      const res = await app().request(path, { headers: auth });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('requires a bearer token on every route but the OpenAPI document', async () => {
    const none = await app().request('/v1/programs');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const wrong = await app().request('/v1/programs', {
      headers: { authorization: 'Bearer nope-token' },
    });
    expect(wrong.status).toBe(401);
    const doc = await app().request('/v1/openapi.json');
    expect(doc.status).toBe(200);
    const spec = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/programs/{name}/run',
        '/v1/programs/{name}/stream',
        '/v1/programs/{name}/jobs',
        '/v1/jobs/{id}',
        '/v1/evaluations',
        '/v1/optimizations',
      ]),
    );
  });

  it('answers 429 with Retry-After when every worker slot is busy', async () => {
    fixture.enqueue({ text: '[[ ## answer ## ]]\nslow\n\n[[ ## completed ## ]]', delayMs: 1_000 });
    const started = executionStarted();
    const first = post('/v1/programs/qa/run', { inputs: { question: 'slow' } });
    await started;
    const second = await post('/v1/programs/qa/run', { inputs: { question: 'fast' } });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await second.json()).toMatchObject({ error: { code: 'overloaded' } });
    const streamed = await post('/v1/programs/qa/stream', { inputs: { question: 'fast' } });
    expect(streamed.status).toBe(429);
    expect((await first).status).toBe(200);
  });

  it('answers 504 deadline_exceeded when a run passes its deadline, and aborts it', async () => {
    fixture.enqueue({ text: '[[ ## answer ## ]]\nlate\n\n[[ ## completed ## ]]', delayMs: 5_000 });
    const failed = new Promise<void>((resolve) => {
      const off = rt.subscribe((e) => {
        if (e.type === 'execution' && e.phase === 'failed') {
          off();
          resolve();
        }
      });
    });
    const res = await post('/v1/programs/qa/run', { inputs: { question: 'q' }, deadlineMs: 100 });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: { code: 'deadline_exceeded' } });
    await failed; // the aborted run frees its worker slot
  });

  it('evaluates with a named metric', async () => {
    const res = await post('/v1/evaluations', {
      program: 'qa',
      metric: 'exact_match',
      devset: [{ question: 'q1', answer: 'nope' }],
      inputKeys: ['question'],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ program: 'qa', total: 1, score: 0 });
    const bad = await post('/v1/evaluations', { program: 'qa', devset: [] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
      'metric',
    );
  });

  it('keeps each evaluation as a record that GET /v1/evaluations lists and shows', async () => {
    const res = await post('/v1/evaluations', {
      program: 'qa',
      metric: 'exact_match',
      devset: [
        { question: 'q1', answer: 'nope' },
        { question: 'q2', answer: 'nope' },
      ],
      inputKeys: ['question'],
    });
    const { evalId } = (await res.json()) as { evalId: string };
    const shown = await app().request(`/v1/evaluations/${evalId}`, { headers: auth });
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({
      id: evalId,
      program: 'qa',
      metric: 'exact_match',
      status: 'succeeded',
      score: 0,
      counts: { total: 2, errors: 0 },
      examples: [
        { index: 0, score: 0 },
        { index: 1, score: 0 },
      ],
    });
    const listed = await app().request('/v1/evaluations?program=qa&limit=1', { headers: auth });
    expect(
      ((await listed.json()) as { evaluations: { id: string }[] }).evaluations.map((e) => e.id),
    ).toEqual([evalId]);
    const none = await app().request('/v1/evaluations?program=agent', { headers: auth });
    expect(await none.json()).toEqual({ evaluations: [] });
    const missing = await app().request('/v1/evaluations/eval-nope', { headers: auth });
    expect(missing.status).toBe(404);
    const bad = await app().request('/v1/evaluations?status=done', { headers: auth });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
      'status',
    );
  });

  it('refuses a metric, optimizer or adapter name nobody registered, listing the registered ones', async () => {
    const reason = async (res: Response) => {
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    const metric = await reason(
      await post('/v1/evaluations', {
        program: 'qa',
        metric: 'f1_nope',
        devset: [{ question: 'q', answer: 'a' }],
      }),
    );
    expect(metric).toMatch(/^metric: unknown metric 'f1_nope' \(known: .*exact_match/);
    const paramsMetric = await reason(
      await post('/v1/optimizations', {
        program: 'qa',
        optimizer: 'bootstrap',
        trainset: [{ question: 'q', answer: 'a' }],
        params: { metric: 'f1_nope' },
      }),
    );
    expect(paramsMetric).toMatch(
      /^params\.metric: unknown metric 'f1_nope' \(known: .*exact_match/,
    );
    const adapter = await post('/v1/programs/qa/run', {
      inputs: { question: 'q' },
      config: { adapter: 'yaml' },
    });
    expect(((await adapter.json()) as { error: { message: string } }).error.message).toMatch(
      /unknown adapter 'yaml' \(registered: .*json/,
    );
  });

  it('starts an optimization run (202), shows it and cancels it', async () => {
    const res = await post('/v1/optimizations', {
      program: 'qa',
      optimizer: 'labeled-few-shot',
      trainset: [{ question: 'Capital of Peru?', answer: 'Lima' }],
      inputKeys: ['question'],
      params: { k: 1 },
    });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    await eventually(async () => (await rt.optimizationRun(runId))?.status === 'succeeded');
    const run = await app().request(`/v1/optimizations/${runId}`, { headers: auth });
    expect(await run.json()).toMatchObject({ id: runId, status: 'succeeded' });
    const cancelled = await app().request(`/v1/optimizations/${runId}/cancel`, {
      method: 'POST',
      headers: auth,
    });
    expect(cancelled.status).toBe(200);
    const bad = await post('/v1/optimizations', {
      program: 'qa',
      optimizer: 'gepa-please',
      trainset: [{ question: 'x' }],
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
      'labeled-few-shot',
    );
  });
});

describe('startHttpServer', () => {
  it('refuses to bind beyond loopback without a token', async () => {
    await expect(
      startHttpServer({ runtime: port, host: '0.0.0.0', logger: silentLogger() }),
    ).rejects.toMatchObject({ code: 'insecure_bind' });
  });

  it('serves the API on a real socket', async () => {
    const server = await startHttpServer({ runtime: port, port: 0, logger: silentLogger() });
    try {
      const res = await fetch(`${server.url}/v1/programs`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { programs: unknown[] }).programs).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});
