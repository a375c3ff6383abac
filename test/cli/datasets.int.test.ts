/**
 * `dspex datasets` and the `--dataset` flags of `dspex eval` / `dspex optimize`. One command goes
 * through the real `bin/dspex.js` process (the first `datasets add`); the others call the same
 * `runCli` in this process with the runtime `bin/dspex.js` builds, which keeps the file quick
 * (each CLI process spends seconds loading the framework and the programs module).
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { RuntimeFactory } from '../../src/cli/runtime-port.js';
import { RedisStore } from '../../src/store/index.js';
import { httpRuntimeOf } from '../../supervisors/http-port.js';
import { loadProgramTools } from '../../supervisors/program-tools.js';
import { startRuntime } from '../../supervisors/runtime.js';
import { ROOT, projectDir, runDspex } from './cli-process.js';
import { memoryIO } from './fake-runtime.js';

const TRAINSET = join(ROOT, 'examples', 'data', 'math-trainset.jsonl');
const PARAMS = '{"metric":"exact_match","maxBootstrappedDemos":2}';
const quiet = new Writable({ write: (_c, _e, cb) => cb() });

/** The runtime `bin/dspex.js` gives the commands (supervisors/cli-main.ts), in this process. */
const cliRuntime: RuntimeFactory = async (loaded, { logger, store }) => {
  const runtime = await startRuntime(loaded, { logger, ...(store === undefined ? {} : { store }) });
  return Object.assign(runtime, { httpApi: httpRuntimeOf(runtime) });
};

/** `dspex …args` in this process: exit code and what it printed. */
async function dspex(args: string[], { cwd }: { cwd: string }) {
  const io = memoryIO(cwd);
  const code = await runCli(args, {
    startRuntime: cliRuntime,
    programTools: loadProgramTools,
    io,
    logDestination: quiet,
  });
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('dspex datasets in embedded mode (the folder file store), used by eval and optimize', () => {
  it('adds a versioned dataset once, lists, shows and samples it, and eval/optimize link the version', async () => {
    const cwd = projectDir({});
    copyFileSync(TRAINSET, join(cwd, 'math.jsonl'));
    const added = await runDspex(
      ['datasets', 'add', 'math', 'math.jsonl', '--program', 'cot_math'].concat([
        '--split',
        'train=0:4',
        '--split',
        'dev=4:',
        '--description',
        'arithmetic',
      ]),
      { cwd },
    );
    expect(added.stderr).not.toContain('dspex:');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^added math@v1: 6 examples, sha256:[0-9a-f]{64} /);
    const hash = /sha256:[0-9a-f]{64}/.exec(added.stdout)?.[0];

    const [again, list, show, sample] = await Promise.all([
      dspex(['datasets', 'add', 'math', 'math.jsonl'], { cwd }),
      dspex(['datasets', 'list'], { cwd }),
      dspex(['datasets', 'show', 'math@v1', '--json'], { cwd }),
      dspex(['datasets', 'sample', 'math', '-n', '2', '--seed', '1', '--split', 'dev'], {
        cwd,
      }),
    ]);
    expect(again.stdout).toContain('math@v1 already holds these examples');
    expect(list.stdout).toMatch(/math\s+v1\s+6\s+sha256:/);
    expect(JSON.parse(show.stdout)).toMatchObject({
      name: 'math',
      version: 'v1',
      hash,
      count: 6,
      inputKeys: ['question'],
      fields: { question: 6, answer: 6 },
      splits: { train: 4, dev: 2 },
      source: 'math.jsonl',
    });
    const drawn = sample.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as object);
    expect(drawn).toHaveLength(2);

    const [evaluated, optimized] = [
      await dspex(
        ['eval', 'cot_math', '--dataset', 'math@v1', '--split', 'dev', '-m', 'exact_match'],
        {
          cwd,
        },
      ),
      await dspex(
        ['optimize', 'cot_math', '-o', 'bootstrap-few-shot', '--dataset', 'math', '--split'].concat(
          ['train', '--params', PARAMS],
        ),
        { cwd },
      ),
    ];
    expect(evaluated.code).toBe(0);
    expect(evaluated.stderr).toContain('over 2 examples of math@v1 (split dev)');
    expect(JSON.parse(evaluated.stdout)).toMatchObject({
      total: 2,
      dataset: { name: 'math', version: 'v1', hash, split: 'dev' },
    });
    expect(optimized.code).toBe(0);
    expect(JSON.parse(optimized.stdout)).toMatchObject({
      status: 'succeeded',
      dataset: { name: 'math', version: 'v1', hash, split: 'train' },
    });

    // The evaluation outlives the command: kept in the folder's store, read by `dspex evals`.
    const { evalId } = JSON.parse(evaluated.stdout) as { evalId: string };
    expect(evaluated.stderr).toContain(`kept as evaluation ${evalId} in `);
    const kept = await dspex(['evals', 'list', '--program', 'cot_math', '--json'], { cwd });
    expect(JSON.parse(kept.stdout)).toMatchObject([
      {
        id: evalId,
        status: 'succeeded',
        counts: { total: 2 },
        dataset: { name: 'math', version: 'v1', hash, split: 'dev' },
      },
    ]);
  }, 120_000);

  it('refuses bad input with the file, line, field or known names, and stores nothing', async () => {
    const cwd = projectDir({});
    writeFileSync(join(cwd, 'bad.jsonl'), '{"question": "a", "answer": "1"}\n{"question": \n');
    writeFileSync(join(cwd, 'short.csv'), 'question,answer\n"What is 1, plus 1?",2\nWhat is 3?\n');
    writeFileSync(join(cwd, 'nolabel.csv'), 'question,answer\nWhat is 3?,\n');
    const [missing, badLine, shortCsv, noLabel, unknown] = await Promise.all([
      dspex(['datasets', 'add', 'm', 'nope.jsonl'], { cwd }),
      dspex(['datasets', 'add', 'm', 'bad.jsonl'], { cwd }),
      dspex(['datasets', 'add', 'm', 'short.csv'], { cwd }),
      dspex(['datasets', 'add', 'm', 'nolabel.csv', '--program', 'cot_math'], { cwd }),
      dspex(['eval', 'cot_math', '--dataset', 'ghost@v2', '-m', 'exact_match'], { cwd }),
    ]);
    expect([missing.code, badLine.code, shortCsv.code, noLabel.code]).toEqual([2, 2, 2, 2]);
    expect(missing.stderr).toContain('cannot read data file');
    expect(badLine.stderr).toMatch(/bad\.jsonl line 2 is not valid JSON/);
    expect(shortCsv.stderr).toContain(
      'short.csv line 3: 1 fields but the header has 2 (missing column "answer")',
    );
    expect(noLabel.stderr).toContain('nolabel.csv line 2: missing output field "answer"');
    expect(unknown.code).toBe(7);
    expect(unknown.stderr).toContain("unknown dataset 'ghost'");
    const list = await dspex(['datasets', 'list'], { cwd });
    expect(list.stdout).toContain('no datasets');
  }, 120_000);
});

describe('dspex datasets in Redis mode (the cluster store)', () => {
  const url = inject('redisUrl');
  const prefix = `datasets-${process.pid}-${Date.now()}`;
  const redisArgs = ['--redis', url, '--prefix', prefix];

  it('a dataset added from one shell is in the shared store, and the optimization run links it', async () => {
    const cwd = projectDir({});
    const added = await dspex(['datasets', 'add', 'math', TRAINSET, ...redisArgs], { cwd });
    expect(added.code).toBe(0);
    const store = new RedisStore({ redis: url, prefix: `${prefix}:store` });
    try {
      const stored = await store.datasets.get('math');
      expect(stored.version).toBe('v1');
      const optimized = await dspex(
        [
          'optimize',
          'cot_math',
          '-o',
          'labeled-few-shot',
          '--dataset',
          'math@v1',
          '--local',
          ...redisArgs,
        ],
        { cwd },
      );
      expect(optimized.code).toBe(0);
      const { runId } = JSON.parse(optimized.stdout) as { runId: string };
      expect((await store.optimizationRuns.get(runId)).dataset).toEqual({
        name: 'math',
        version: 'v1',
        hash: stored.hash,
      });
      const shown = await dspex(['runs', 'show', runId, ...redisArgs], { cwd });
      // On a failure, say what the command said (it failed once in CI with no output on stdout).
      expect(shown.stdout, `exit ${shown.code}: ${shown.stderr}`).toContain(
        `trainset: dataset math@v1, ${stored.hash}`,
      );
    } finally {
      await store.close();
    }
  }, 120_000);
});
