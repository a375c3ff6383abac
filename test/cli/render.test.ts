import { describe, expect, it } from 'vitest';
import {
  redactRedisUrl,
  renderBanner,
  renderJobTable,
  type BannerFacts,
} from '../../src/cli/index.js';
import type { JobInfo } from '../../src/transport/index.js';

const facts: BannerFacts = {
  nodeId: 'n1',
  pid: 42,
  mode: 'redis',
  redisUrl: 'redis://:secret@127.0.0.1:6379',
  prefix: 'dspex',
  runQueue: 'dspex-run',
  concurrency: 8,
  programs: ['qa', 'summarize'],
  programsPath: 'examples/programs.ts',
  adminUrl: 'http://127.0.0.1:7390',
  tokenRequired: true,
  stateFile: '.dspex/daemon.json',
  lmEnv: [],
};

describe('renderBanner', () => {
  it('names node, mode with the Redis URL (password hidden), programs and the admin endpoint', () => {
    const text = renderBanner(facts);
    expect(text).toContain('  node      n1 (pid 42)\n');
    expect(text).toContain(
      '  mode      redis redis://:***@127.0.0.1:6379 (prefix dspex, queue dspex-run, concurrency 8)\n',
    );
    expect(text).not.toContain('secret');
    expect(text).toContain('  programs  qa, summarize  from examples/programs.ts\n');
    expect(text).toContain(
      '  admin     http://127.0.0.1:7390 (bearer token required)  state .dspex/daemon.json\n',
    );
  });

  it('says when the configured admin port was taken and a free one is used', () => {
    const text = renderBanner({
      ...facts,
      adminPortTaken: 7390,
      adminUrl: 'http://127.0.0.1:41234',
    });
    expect(text).toContain('  admin     http://127.0.0.1:41234');
    expect(text).toContain(
      '(port 7390 was taken, by another node?: this node listens on a free port)',
    );
    expect(renderBanner({ ...facts, adminPortTaken: null })).not.toContain('was taken');
  });

  it('shows the HTTP API when it is served, and says when its configured port was taken', () => {
    expect(renderBanner(facts)).not.toContain('  http ');
    const text = renderBanner({
      ...facts,
      httpUrl: 'http://127.0.0.1:41999',
      httpPortTaken: 7391,
    });
    expect(text).toContain(
      '  http      http://127.0.0.1:41999/v1  (OpenAPI: http://127.0.0.1:41999/v1/openapi.json)\n' +
        '            (port 7391 was taken, by another node?: this node listens on a free port)\n',
    );
  });

  it('with no LM in the environment says how to point it at a model', () => {
    const text = renderBanner({ ...facts, mode: 'embedded' });
    expect(text).toContain('mode      embedded');
    for (const v of [
      'OPENAI_API_KEY',
      'OPENAI_BASE_URL',
      'ANTHROPIC_API_KEY',
      'DSPEX_MODEL',
      'Ollama',
      'vLLM',
      'llama.cpp',
      'LM Studio',
    ])
      expect(text).toContain(v);
  });

  it('with an LM in the environment names the variables instead', () => {
    const text = renderBanner({ ...facts, lmEnv: ['OPENAI_BASE_URL'] });
    expect(text).toContain('  LM env    OPENAI_BASE_URL set\n');
    expect(text).not.toContain('ANTHROPIC_API_KEY');
  });
});

describe('renderJobTable', () => {
  const job = (id: string, extra: Partial<JobInfo>): JobInfo => ({
    id,
    queue: 'dspex-run',
    data: { program: 'qa', inputs: {} },
    state: 'completed',
    attemptsMade: 1,
    attempts: 3,
    stalledCount: 0,
    progress: 0,
    priority: 0,
    createdAt: 0,
    ...extra,
  });

  it('aligns id, state, program, attempts, age and the failure reason', () => {
    const text = renderJobTable(
      [job('7', {}), job('12', { state: 'failed', failedReason: 'inputs: expected record' })],
      65_000,
    );
    expect(text).toBe(
      [
        'ID  STATE      PROGRAM  ATTEMPTS  CREATED    REASON',
        '7   completed  qa       1/3       1m 5s ago',
        '12  failed     qa       1/3       1m 5s ago  inputs: expected record',
      ].join('\n'),
    );
  });

  it('says so when there are no jobs', () => expect(renderJobTable([], 0)).toBe('(no jobs)'));

  it("counts the node's own retries of a plain-producer job, not only BullMQ's attemptsMade", () => {
    // A plain BullMQ producer (attempts 0 → 1): the node ran it 3 times, retrying through
    // DelayJobError (no BullMQ attempt used) and failing the third run for good.
    const plain = (extra: Partial<JobInfo>): JobInfo =>
      job('p', { attempts: 0, attemptsMade: 1, started: 3, stalledCount: 0, ...extra });
    const line = (j: JobInfo, nodeAttempts?: number): string =>
      renderJobTable([j], 0, nodeAttempts).split('\n')[1] ?? '';
    expect(line(plain({ state: 'failed' }), 3)).toMatch(/^p +failed +qa +3\/3 /);
    // waiting in `delayed` after two failed runs
    expect(line(plain({ state: 'delayed', attemptsMade: 0, started: 2 }), 3)).toMatch(/ 2\/3 /);
    // the third run in progress; one earlier run lost with a dead node does not count
    expect(
      line(plain({ state: 'active', attemptsMade: 0, started: 4, stalledCount: 1 }), 3),
    ).toMatch(/ 2\/3 /);
    // a producer asking for more attempts than the node gets them
    expect(line(plain({ state: 'completed', attempts: 5, started: 1 }), 3)).toMatch(/ 1\/5 /);
    // outside a run queue (no node policy) the producer's own attempts count
    expect(line(plain({ state: 'completed', started: 1 }))).toMatch(/ 1\/1 /);
  });

  it('shows ? as the program of a job whose data is null or foreign, without throwing', () => {
    const foreign = [null, 'text', [1, 2], { task: 'other' }, { program: 42 }].map((data, i) =>
      job(`f${i}`, { data: data as never }),
    );
    const lines = renderJobTable(foreign, 0).split('\n').slice(1);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^f\d +completed +\? +1\/3 /);
  });

  it("keeps a multi-line failure reason on its job's line", () => {
    const text = renderJobTable(
      [job('1', { state: 'failed', failedReason: 'boom\n    at f (x.ts:1)\r\n\tat g' })],
      0,
    );
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('boom ⏎     at f (x.ts:1) ⏎  at g');
  });
});

describe('redactRedisUrl', () => {
  it.each([
    ['redis://user:pw@host:6380/2', 'redis://user:***@host:6380/2'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['not a url', '(unparsable Redis URL)'],
  ])('%s → %s', (url, shown) => expect(redactRedisUrl(url)).toBe(shown));
});
