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
