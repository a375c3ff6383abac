/**
 * `dspex runs list|show|cancel` against a real redis-server holding the runtime's store: runs
 * written as a node writes them (record, trial history, spend, the published version).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { progressDetail } from '../../src/cli/commands/run-follow.js';
import { Predict } from '../../src/modules/index.js';
import { RedisStore } from '../../src/store/index.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { fakeFactory, memoryIO } from './fake-runtime.js';

const quiet = new Writable({ write: (_c, _e, cb) => cb() });
const prefix = `runs-${process.pid}`;
let redis: RedisServerHandle;
let store: RedisStore;
let dir: string;
let done: string;
let running: string;

async function cli(argv: string[]) {
  const io = memoryIO(dir);
  const code = await runCli([...argv, '--redis', redis.url, '--prefix', prefix], {
    startRuntime: fakeFactory().factory,
    io,
    logDestination: quiet,
  });
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  redis = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), 'dspex-runs-'));
  store = new RedisStore({ redis: redis.url, prefix: `${prefix}:store` });
  const best = new Predict('review -> label');
  best.signature = best.signature.withInstructions('Label the review as pos or neg.');
  best.demos = [{ review: 'great sound', label: 'pos' }];
  await store.programs.create({ name: 'sentiment' });
  const published = await store.programs.publishVersion('sentiment', {
    state: best.save() as never,
  });
  const version = published.versions.at(-1)!.version;
  done = (await store.optimizationRuns.create({ program: 'sentiment', optimizer: 'copro' })).id;
  await store.optimizationRuns.update(done, { status: 'running' });
  await store.optimizationRuns.update(done, {
    appendHistory: [
      { step: 1, score: 50 },
      { step: 2, score: 62.5 },
    ],
    bestScore: 62.5,
    spend: { lmCalls: 40, metricCalls: 32, usd: 0.0123 },
  });
  await store.optimizationRuns.update(done, {
    status: 'succeeded',
    result: { runId: done, version, deployed: false, score: 62.5 },
  });
  running = (await store.optimizationRuns.create({ program: 'sentiment', optimizer: 'mipro' })).id;
  await store.optimizationRuns.update(running, { status: 'running' });
}, 30_000);

afterAll(async () => {
  await store?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('dspex runs', () => {
  it('lists_every_run_with_its_status_best_score_trials_and_spend', async () => {
    const { code, out } = await cli(['runs', 'list']);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^ID\s+PROGRAM\s+OPTIMIZER\s+STATUS\s+BEST\s+TRIALS\s+SPEND\s+CREATED$/,
    );
    const row = lines.find((l) => l.startsWith(done))!;
    expect(row.split(/\s+/).slice(1, 7)).toEqual([
      'sentiment',
      'copro',
      'succeeded',
      '62.50%',
      '2',
      '$0.0123',
    ]);
    expect(lines.some((l) => l.startsWith(running) && l.includes('running'))).toBe(true);
  });

  it('shows_the_trial_log_and_the_best_candidates_instructions_and_demos', async () => {
    const { code, out } = await cli(['runs', 'show', done]);
    expect(code).toBe(0);
    expect(out).toContain(`run ${done}: copro on sentiment, succeeded`);
    expect(out).toContain('best 62.50%, 2 trials, spend $0.0123 (40 LM calls, 32 metric calls)');
    expect(out).toMatch(/trials:\n\s+1\s+50\.00%\n\s+2\s+62\.50%\n/);
    expect(out).toContain('instructions: Label the review as pos or neg.');
    expect(out).toContain('demos: 1');
    expect(out).toContain('{"review":"great sound","label":"pos"}');
  });

  it('cancels_a_running_run_and_refuses_to_cancel_a_finished_one', async () => {
    const first = await cli(['runs', 'cancel', running]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect((await store.optimizationRuns.get(running)).status).toBe('cancelled');
    const again = await cli(['runs', 'cancel', done]);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`run ${done} is succeeded`);
  });

  it('names_an_unknown_run', async () => {
    const { code, err } = await cli(['runs', 'show', 'nope']);
    expect(code).not.toBe(0);
    expect(err).toContain('nope');
  });
});

describe('the optimize progress line', () => {
  it('shows_the_trial_the_best_score_and_the_spend', () => {
    expect(
      progressDetail({
        status: 'running',
        progress: { done: 3, total: 0 },
        bestScore: 62.5,
        history: [
          { step: 1, score: 1 },
          { step: 2, score: 2 },
          { step: 3, score: 3 },
        ],
        spend: { lmCalls: 9, metricCalls: 9, usd: 0.01234 },
      }),
    ).toBe('trial 3, best 62.50%, $0.0123');
  });
});
