import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { fakeFactory, FakeRuntime, memoryIO } from './fake-runtime.js';

/** A directory with a dspex.config.json (the fake factory never loads the programs module). */
function project(extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dspex-cli-'));
  writeFileSync(
    join(dir, 'dspex.config.json'),
    JSON.stringify({ programs: './programs.js', ...extra }),
  );
  return dir;
}

const quiet = new Writable({ write: (_c, _e, cb) => cb() });

async function cli(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; runtime?: FakeRuntime } = {},
) {
  const io = memoryIO(options.cwd ?? project(), options.env);
  const fake = fakeFactory(options.runtime);
  const code = await runCli(argv, { startRuntime: fake.factory, io, logDestination: quiet });
  return { code, out: io.out(), err: io.err(), fake };
}

describe('dspex --help and usage errors', () => {
  it('--help lists the commands and documents the exit codes (exit 0)', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['start', 'submit', 'jobs', 'inspect', 'run', 'eval', 'optimize'])
      expect(out).toContain(command);
    expect(out).toContain('Exit codes:');
    expect(out).toMatch(/3 {2}daemon not running/);
    expect(out).toMatch(/5 {2}Redis unreachable/);
  });

  it.each([
    [[], 'no command'],
    [['frobnicate'], 'an unknown command'],
    [['run', 'qa'], 'a missing required --input'],
    [['submit', 'qa', '--input', '{}', '--timeout', 'soon'], 'a non-numeric --timeout'],
    [
      ['jobs', 'list', '--state', 'bogus', '--redis', 'redis://127.0.0.1:1'],
      'an unknown job state',
    ],
  ])('%j (%s) exits 2', async (argv) => {
    expect((await cli(argv)).code).toBe(2);
  });
});

describe('dspex run', () => {
  it('prints the outputs of one run on an embedded runtime without admin endpoint, then stops it', async () => {
    const { code, out, fake } = await cli(['run', 'qa', '--input', '{"question":"hi"}'], {
      env: { DSPEX_REDIS_URL: 'redis://127.0.0.1:6399' },
    });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ echo: { question: 'hi' } });
    expect(fake.purposes).toEqual(['oneshot']);
    expect(fake.loaded[0]!.config.redis).toBeUndefined();
    expect(fake.loaded[0]!.config.admin.enabled).toBe(false);
    expect(fake.runtime.stopped).toBe(true);
  });

  it('--full prints { outputs, executionId, usage }', async () => {
    const { out } = await cli(['run', 'qa', '--input', '{}', '--full']);
    expect(JSON.parse(out)).toEqual({ outputs: { echo: {} }, executionId: 'ex-1', usage: {} });
  });

  it('bad JSON exits 2 showing the parse position, before any runtime starts', async () => {
    const { code, err, fake } = await cli(['run', 'qa', '--input', '{"question": hi}']);
    expect(code).toBe(2);
    expect(err).toContain('--input is not valid JSON');
    expect(err).toContain('at line 1, column 14');
    expect(fake.purposes).toEqual([]);
  });

  it('an unknown program exits 4 listing the known ones, and the runtime is stopped', async () => {
    const { code, err, fake } = await cli(['run', 'nope', '--input', '{}']);
    expect(code).toBe(4);
    expect(err).toBe("dspex: unknown program 'nope' (known: qa, summarize)\n");
    expect(fake.runtime.stopped).toBe(true);
  });

  it.each([
    ['execution_failed', 1],
    ['unknown_metric', 2],
    ['unknown_program', 4],
  ])('a runtime failure with code %s exits %i', async (errorCode, exit) => {
    const runtime = new FakeRuntime();
    runtime.runImpl = () =>
      Promise.reject(Object.assign(new Error(`boom ${errorCode}`), { code: errorCode }));
    const { code, err } = await cli(['run', 'qa', '--input', '{}'], { runtime });
    expect(code).toBe(exit);
    expect(err).toBe(`dspex: boom ${errorCode}\n`);
  });

  it('a missing config exits 2 and says how to name one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dspex-cli-empty-'));
    const { code, err } = await cli(['run', 'qa', '--input', '{}'], { cwd: empty });
    expect(code).toBe(2);
    expect(err).toContain('pass --config PATH');
  });
});

describe('dspex eval and optimize', () => {
  it('eval reads JSONL, reports progress as plain lines off a terminal, prints the summary', async () => {
    const cwd = project();
    writeFileSync(
      join(cwd, 'dev.jsonl'),
      '{"question":"a","answer":"1"}\n\n{"question":"b","answer":"2"}\n',
    );
    const { code, out, err } = await cli(
      ['eval', 'qa', '--data', 'dev.jsonl', '--metric', 'exact_match'],
      { cwd },
    );
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ score: 50, total: 2 });
    expect(err).toContain('eval qa: 0/2\n');
    expect(err).toContain('eval qa: 2/2\n');
    expect(err).toContain('score 50.00% over 2 examples');
  });

  it('a bad JSONL line exits 2 naming the file and line', async () => {
    const cwd = project();
    writeFileSync(join(cwd, 'dev.jsonl'), '{"question":"a"}\n{"question": }\n');
    const { code, err } = await cli(
      ['eval', 'qa', '--data', 'dev.jsonl', '--metric', 'exact_match'],
      { cwd },
    );
    expect(code).toBe(2);
    expect(err).toMatch(/dev\.jsonl line 2 is not valid JSON: .* at line 1, column 14/);
  });

  it('a missing data file exits 2', async () => {
    const { code, err } = await cli([
      'eval',
      'qa',
      '--data',
      'missing.jsonl',
      '--metric',
      'exact_match',
    ]);
    expect(code).toBe(2);
    expect(err).toContain('cannot read data file');
  });

  it('optimize follows the run to its end and prints it', async () => {
    const cwd = project();
    writeFileSync(join(cwd, 'train.jsonl'), '{"question":"a","answer":"1"}\n');
    const { code, out, err } = await cli(
      [
        'optimize',
        'qa',
        '--optimizer',
        'bootstrap-few-shot',
        '--trainset',
        'train.jsonl',
        '--params',
        '{"metric":"exact_match"}',
      ],
      { cwd },
    );
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ runId: 'run-1', status: 'succeeded', bestScore: 75 });
    expect(err).toContain('optimization run run-1 (bootstrap-few-shot) started');
    expect(err).toContain('optimize qa: 2/2 best 75.00%');
    expect(err).toContain("kept only in this command's memory store");
  });

  it('a failed optimization exits 1', async () => {
    const runtime = new FakeRuntime();
    runtime.runs = [
      {
        status: 'failed',
        progress: { done: 0, total: 0 },
        bestScore: null,
        error: { message: 'no metric' },
      },
    ];
    const cwd = project();
    writeFileSync(join(cwd, 'train.jsonl'), '{"question":"a"}\n');
    const { code, err } = await cli(
      ['optimize', 'qa', '-o', 'bootstrap-few-shot', '-t', 'train.jsonl'],
      { cwd, runtime },
    );
    expect(code).toBe(1);
    expect(err).toContain('optimization run run-1 failed: no metric');
  });

  it('an optimization run that failed as a bad request (invalid_job) exits 2', async () => {
    const runtime = new FakeRuntime();
    runtime.runs = [
      {
        status: 'failed',
        progress: { done: 0, total: 0 },
        bestScore: null,
        error: { code: 'invalid_job', message: 'bad optimizer' },
      },
    ];
    const cwd = project();
    writeFileSync(join(cwd, 'train.jsonl'), '{"question":"a"}\n');
    const { code } = await cli(['optimize', 'qa', '-o', 'nope', '-t', 'train.jsonl'], {
      cwd,
      runtime,
    });
    expect(code).toBe(2);
  });
});

describe('dspex inspect and submit without a daemon or Redis', () => {
  it('inspect with no state file exits 3 and says how to start a daemon', async () => {
    const { code, err } = await cli(['inspect']);
    expect(code).toBe(3);
    expect(err).toContain('no dspex node running');
    expect(err).toContain('npx dspex start');
  });

  it('inspect with the state file of a dead daemon exits 3 calling it stale', async () => {
    const cwd = project();
    mkdirSync(join(cwd, '.dspex'));
    writeFileSync(
      join(cwd, '.dspex', 'node-4194303.json'),
      JSON.stringify({
        pid: 4_194_303,
        nodeId: 'gone',
        mode: 'embedded',
        host: '127.0.0.1',
        port: 1,
        startedAt: 0,
      }),
    );
    const { code, err } = await cli(['inspect'], { cwd });
    expect(code).toBe(3);
    expect(err).toContain('stale');
  });

  it('submit without Redis configured exits 2 pointing at `dspex run`', async () => {
    const { code, err } = await cli(['submit', 'qa', '--input', '{}']);
    expect(code).toBe(2);
    expect(err).toContain('needs Redis mode');
    expect(err).toContain('dspex run');
  });
});

describe('dspex submit checks its payload with the node schema', () => {
  it('a job config of the wrong shape exits 2 with the node error, before any queue is touched', async () => {
    const { code, err } = await cli([
      'submit',
      'qa',
      '--input',
      '{"question":"hi"}',
      '--job-config',
      '{"temperature":5}',
    ]);
    expect(code).toBe(2);
    expect(err).toContain('invalid job config: temperature:');
    expect(err).not.toContain('needs Redis mode');
  });
});
