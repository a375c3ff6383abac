/**
 * Registered names in queue payloads and HTTP bodies (issue 14): a programs module's metric,
 * optimizer and adapter are named by raw `dspex-eval`, `dspex-optimize` and `dspex-run` jobs and
 * by `POST /v1/evaluations` exactly as the built-ins are; an unknown name fails at once listing the
 * registered ones. A strategy variable chooses among registered modules by name from a job's
 * `config.variables`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/http/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import type { JsonObject, Transport } from '../../src/transport/index.js';
import { httpRuntimeOf } from '../../supervisors/http-port.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { fixtureLm } from '../supervisors/runtime-helpers.js';

const SRC = resolve(new URL('../../src', import.meta.url).pathname);
let dir: string;
let fixture: LMFixture;
let rt: Runtime;
let transport: Transport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dspex-names-'));
  const file = join(dir, 'programs.mts');
  writeFileSync(
    file,
    `import { ChainOfThought, JSONAdapter, Predict, defineExtensions } from ${JSON.stringify(join(SRC, 'index.js'))};
export const extensions = defineExtensions({
  metrics: { answered: (_ex, pred) => String(pred.answer ?? '').length > 0 },
  optimizers: {
    firstDemo: async ({ student, trainset, metric }) => {
      const copy = student.deepCopy();
      for (const p of copy.predictors()) p.demos = [trainset[0].toDict()];
      return { program: copy, score: metric === undefined ? 0 : 100 };
    },
  },
  adapters: { strictJson: () => new JSONAdapter() },
  modules: {
    stepwise: (options) => new ChainOfThought(String(options.signature)),
  },
});
export default {
  qa: new Predict('question -> answer'),
  pick: {
    module: 'StrategyModule',
    options: {
      signature: 'question -> answer',
      strategies: ['Predict', 'stepwise'],
      overridable: true,
    },
  },
};
`,
  );
  fixture = await startOpenAIFixture();
  rt = await startRuntime(
    { programs: file, shutdown: { drainTimeoutMs: 2000 } },
    { logger: silentLogger(), lm: fixtureLm(fixture) },
  );
  transport = (rt as unknown as { transport: Transport }).transport;
});

afterAll(async () => {
  await rt?.stop();
  await fixture?.close();
  rmSync(dir, { recursive: true, force: true });
});

const shard = (evalId: string, metric: string): JsonObject => ({
  evalId,
  shard: 0,
  shards: 1,
  program: 'qa',
  metric,
  examples: [{ data: { question: 'q1', answer: 'a1' }, inputs: ['question'] }],
});

describe('registered names in job payloads and HTTP bodies', () => {
  it('a_raw_evaluation_shard_names_a_registered_metric', async () => {
    const id = await transport.enqueue('dspex-eval', shard('names-1', 'answered'), {
      jobId: 'names-1.0',
    });
    expect(await transport.waitForResult('dspex-eval', id, 10_000)).toMatchObject({
      scores: [1],
      errors: 0,
    });
  });

  it('a_raw_evaluation_shard_naming_an_unknown_metric_fails_listing_the_registered_ones', async () => {
    const id = await transport.enqueue('dspex-eval', shard('names-2', 'f1'), {
      jobId: 'names-2.0',
    });
    const error = await transport.waitForResult('dspex-eval', id, 10_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(JSON.stringify(error)).toMatch(
      /unknown metric 'f1' \(registered: answer_exact_match, .*answered, .*\)/,
    );
  });

  it('a_raw_optimize_job_names_a_registered_optimizer_and_metric', async () => {
    // The producer makes the run record, as runtime.optimize and `dspex optimize` do.
    const { id: runId } = await rt.store.optimizationRuns.create({
      program: 'qa',
      optimizer: 'firstDemo',
    });
    await transport.enqueue(
      'dspex-optimize',
      {
        runId,
        program: 'qa',
        optimizer: 'firstDemo',
        trainset: [{ data: { question: 'q1', answer: 'a1' }, inputs: ['question'] }],
        params: { metric: 'answered' },
      },
      { jobId: runId },
    );
    await transport.waitForResult('dspex-optimize', runId, 10_000);
    expect(await rt.optimizationRun(runId)).toMatchObject({ status: 'succeeded', bestScore: 100 });
  });

  it('a_raw_run_job_names_a_registered_adapter_and_an_unknown_one_lists_them', async () => {
    fixture.enqueue({ text: '{"answer": "Lima"}' });
    const ok = await transport.enqueue('dspex-run', {
      program: 'qa',
      inputs: { question: 'Capital of Peru?' },
      config: { adapter: 'strictJson' },
    });
    expect(await transport.waitForResult('dspex-run', ok, 10_000)).toMatchObject({
      outputs: { answer: 'Lima' },
    });
    const bad = await transport.enqueue('dspex-run', {
      program: 'qa',
      inputs: { question: 'q' },
      config: { adapter: 'yaml' },
    });
    const error = await transport.waitForResult('dspex-run', bad, 10_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(JSON.stringify(error)).toMatch(/unknown adapter 'yaml' \(registered: .*strictJson/);
  });

  it('post_v1_evaluations_names_a_registered_metric_and_refuses_an_unknown_one', async () => {
    const app = createHttpApp({ runtime: httpRuntimeOf(rt) });
    const post = (metric: string) =>
      app.request('/v1/evaluations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ program: 'qa', metric, devset: [{ question: 'q', answer: 'a' }] }),
      });
    const ok = await post('answered');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ metric: 'answered', total: 1 });
    const bad = await post('f1');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^metric: unknown metric 'f1' \(known: answer_exact_match, .*answered/,
    );
  });

  it('a_run_job_chooses_a_registered_module_through_the_strategy_variable', async () => {
    const run = async (strategy: string) => {
      const id = await transport.enqueue('dspex-run', {
        program: 'pick',
        inputs: { question: 'Capital of Peru?' },
        config: { variables: { strategy } },
      });
      return transport.waitForResult('dspex-run', id, 10_000).then(
        () => JSON.stringify(fixture.requests.at(-1)?.body),
        (e: unknown) => JSON.stringify(e),
      );
    };
    // The registered module is a ChainOfThought: its prompt asks for `reasoning` first.
    expect(await run('stepwise')).toContain('`reasoning`');
    expect(await run('Predict')).not.toContain('`reasoning`');
    expect(await run('verbose')).toMatch(/verbose.*(Predict|stepwise)/);
  });
});
