import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { loadProgramTools } from '../../supervisors/program-tools.js';
import { memoryIO } from '../cli/fake-runtime.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { BATCHES, SEEDS, triviaScript } from './script.js';

const PROGRAMS = resolve(new URL('.', import.meta.url).pathname, 'fixtures', 'qa-programs.ts');

describe('dspex synthesize and dspex graph in process', () => {
  let fixture: LMFixture;
  let dir: string;
  const cli = async (argv: string[]) => {
    const io = memoryIO(dir);
    const code = await runCli(argv, {
      startRuntime: () => Promise.reject(new Error('no runtime needed')),
      programTools: loadProgramTools,
      io,
    });
    return { code, out: io.out(), err: io.err() };
  };

  beforeAll(async () => {
    fixture = await startOpenAIFixture();
    process.env['DSPEX_TEST_LM_URL'] = fixture.url;
    dir = mkdtempSync(join(tmpdir(), 'dspex-synth-'));
    writeFileSync(join(dir, 'dspex.config.json'), JSON.stringify({ programs: PROGRAMS }));
    writeFileSync(join(dir, 'seeds.jsonl'), SEEDS.map((s) => JSON.stringify(s)).join('\n'));
  });
  afterAll(async () => {
    delete process.env['DSPEX_TEST_LM_URL'];
    await fixture.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes_the_generated_examples_as_jsonl_and_reports_calls_and_cost', async () => {
    fixture.handle(triviaScript(BATCHES));
    const { code, err } = await cli([
      'synthesize',
      'qa',
      '--seed',
      'seeds.jsonl',
      '-n',
      '3',
      '--out',
      'train.jsonl',
      '--batch-size',
      '3',
    ]);
    expect(code).toBe(0);
    const lines = readFileSync(join(dir, 'train.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { question: 'Capital of Spain?', answer: 'answer to Capital of Spain?', difficulty: 3 },
      { question: 'What is 3+3?', answer: 'answer to What is 3+3?', difficulty: 3 },
      { question: 'Capital of Italy?', answer: 'answer to Capital of Italy?', difficulty: 3 },
    ]);
    expect(err).toMatch(
      /^wrote 3 example\(s\) to .*train\.jsonl; rejected: duplicate 2, invalid 1, failed 0; 9 LM call\(s\), \d+ prompt \+ \d+ completion tokens, cost \$\d+\.\d{4}\n$/,
    );
  });

  it('exits_4_naming_the_known_programs_for_an_unknown_one', async () => {
    const { code, err } = await cli([
      'synthesize',
      'nope',
      '--seed',
      'seeds.jsonl',
      '-n',
      '1',
      '--out',
      'x.jsonl',
    ]);
    expect(code).toBe(4);
    expect(err).toContain("unknown program 'nope'");
    expect(err).toContain('qa');
  });

  it('exits_2_for_a_missing_seed_file', async () => {
    const { code, err } = await cli([
      'synthesize',
      'qa',
      '--seed',
      'missing.jsonl',
      '-n',
      '1',
      '--out',
      'x.jsonl',
    ]);
    expect(code).toBe(2);
    expect(err).toContain('missing.jsonl');
  });

  it('graph_prints_the_programs_module_graph', async () => {
    const { code, out } = await cli(['graph', 'qa', '--direction', 'LR']);
    expect(code).toBe(0);
    expect(out).toBe(
      'flowchart LR\n  n0("Predict: Predict<br/>question → answer, difficulty")\n  n1(["outputs"])\n  n0 --> n1\n',
    );
  });
});
