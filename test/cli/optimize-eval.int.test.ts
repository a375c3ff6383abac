import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../src/store/index.js';
import { BullMQTransport } from '../../src/transport/index.js';
import {
  ROOT,
  projectDir,
  runDspex,
  startDaemonProcess,
  type DaemonProcess,
} from './cli-process.js';

const TRAINSET = join(ROOT, 'examples', 'data', 'math-trainset.jsonl');
const DEVSET = join(ROOT, 'examples', 'data', 'math-devset.jsonl');
const PARAMS = '{"metric":"exact_match","maxBootstrappedDemos":2}';

describe('dspex optimize hands the run to the cluster and keeps the result in its store (real Redis, a real node)', () => {
  const url = inject('redisUrl');
  const prefix = `optimize-${process.pid}-${Date.now()}`;
  const redisArgs = ['--redis', url, '--prefix', prefix];
  let node: DaemonProcess;

  beforeAll(async () => {
    node = startDaemonProcess(
      projectDir({ redis: { url, prefix }, node: { id: 'opt-node' }, admin: { port: 0 } }),
    );
    await node.waitForOutput('dspex daemon started');
  }, 120_000);

  afterAll(() => node.kill());

  it('a node runs the submitted job; --deploy activates the new version and --out writes its state', async () => {
    const cwd = projectDir({});
    const out = join(mkdtempSync(join(tmpdir(), 'dspex-out-')), 'cot_math.json');
    const deployed = await runDspex(
      ['optimize', 'cot_math', '-o', 'bootstrap-few-shot', '-t', TRAINSET, '--params', PARAMS]
        .concat(['--deploy', '--out', out])
        .concat(redisArgs),
      { cwd },
    );
    expect(deployed.stderr).toMatch(
      /optimization run \S+ \(bootstrap-few-shot\) queued on dspex-optimize/,
    );
    expect(deployed.stderr).toContain('deployed: running nodes use it from their next job');
    expect(deployed.code).toBe(0);
    const run = JSON.parse(deployed.stdout) as {
      runId: string;
      status: string;
      result: { version: string };
      store: object;
    };
    expect(run.store).toEqual({ kind: 'redis', url, prefix });
    // The job on dspex-optimize was taken and finished by the node: its result is the run's.
    const transport = new BullMQTransport({ url, prefix });
    const store = new RedisStore({ redis: url, prefix: `${prefix}:store` });
    try {
      expect(await transport.waitForResult('dspex-optimize', run.runId, 10_000)).toEqual(
        run.result,
      );
      const record = await store.optimizationRuns.get(run.runId);
      expect(record).toMatchObject({ status: 'succeeded', optimizer: 'bootstrap-few-shot' });
      expect(record.params).toMatchObject({ metric: 'exact_match', deploy: true });
      expect(record.result).toEqual(run.result);
      expect((await store.programs.find('cot_math'))?.activeVersion).toBe(run.result.version);
      const saved = await store.programs.getVersion('cot_math', run.result.version);
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(saved.state);
      expect(JSON.stringify(saved.state)).toContain('"demos"');

      // --local runs it in this process over the same store; not deployed without --deploy.
      const second = await runDspex(
        ['optimize', 'cot_math', '-o', 'labeled-few-shot', '-t', TRAINSET, '--local', ...redisArgs],
        { cwd },
      );
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/optimization run \S+ \(labeled-few-shot\) started/);
      expect(second.stderr).toContain('not deployed');
      const next = JSON.parse(second.stdout) as {
        runId: string;
        result: { version: string; deployed: boolean };
      };
      expect(next.result.deployed).toBe(false);
      expect(next.result.version).not.toBe(run.result.version);
      expect(await transport.getJob('dspex-optimize', next.runId)).toBeUndefined();
      expect((await store.programs.find('cot_math'))?.activeVersion).toBe(run.result.version);
    } finally {
      await store.close();
      await transport.close();
    }
  }, 120_000);

  it('an optimizer or metric no live node accepts is refused by the CLI before a run record exists', async () => {
    const cwd = projectDir({});
    const store = new RedisStore({ redis: url, prefix: `${prefix}:store` });
    try {
      const before = (await store.optimizationRuns.list({})).items.length;
      const optimizer = await runDspex(
        ['optimize', 'cot_math', '-o', 'miprov3', '-t', TRAINSET].concat(redisArgs),
        { cwd },
      );
      expect(optimizer.code).toBe(2);
      expect(optimizer.stderr).toMatch(
        /unknown optimizer 'miprov3' \(the live nodes accept: bootstrap, .*mipro.*\)/,
      );
      const metric = await runDspex(
        ['optimize', 'cot_math', '-o', 'bootstrap', '-t', TRAINSET, '-m', 'f1_nope'].concat(
          redisArgs,
        ),
        { cwd },
      );
      expect(metric.code).toBe(2);
      expect(metric.stderr).toMatch(
        /unknown metric 'f1_nope' \(the live nodes accept: .*exact_match/,
      );
      expect((await store.optimizationRuns.list({})).items.length).toBe(before);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('with no live node in Redis it fails fast naming `dspex start` and --local', async () => {
    const res = await runDspex(
      ['optimize', 'cot_math', '-o', 'labeled-few-shot', '-t', TRAINSET].concat([
        '--redis',
        url,
        '--prefix',
        `${prefix}-empty`,
      ]),
      { cwd: projectDir({}) },
    );
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(
      `no live dspex node in Redis ${url} (prefix ${prefix}-empty) to run the optimization: start one with \`dspex start\`, or pass --local to run it in this process`,
    );
    expect(res.stdout).toBe('');
  }, 60_000);
});

describe('dspex optimize and eval on bad input exit 2 with a readable sentence', () => {
  const cwd = projectDir({});

  it('an unknown --params key is refused by name before anything runs', async () => {
    const res = await runDspex(
      [
        'optimize',
        'cot_math',
        '-o',
        'bootstrap-few-shot',
        '-t',
        TRAINSET,
        '--params',
        '{"maxDemos":2}',
      ],
      { cwd },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("unknown option 'maxDemos' for bootstrap-few-shot");
    expect(res.stderr).not.toContain('"code"');
  });

  it('an unknown optimizer names the known ones', async () => {
    const res = await runDspex(['optimize', 'cot_math', '-o', 'miprov3', '-t', TRAINSET], {
      cwd,
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      "unknown optimizer 'miprov3' (registered: bootstrap, bootstrap-few-shot, copro, gepa, labeled-few-shot, mipro, random, random-search, simba, space-search)",
    );
  });

  it('--deploy without Redis is refused instead of claiming a deployment', async () => {
    const res = await runDspex(
      ['optimize', 'cot_math', '-o', 'labeled-few-shot', '-t', TRAINSET, '--deploy'],
      { cwd },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--deploy needs Redis mode');
  });

  it('eval --show-errors prints each failed example with its reason and the percent score', async () => {
    const res = await runDspex(
      ['eval', 'cot_math', '--data', DEVSET, '--metric', 'exact_match', '--show-errors'],
      { cwd },
    );
    expect(res.code).toBe(0);
    // The offline demo LM answers 0: the two examples whose answer is 0 match.
    expect(res.stderr).toContain('score 50.00% over 4 examples');
    expect(JSON.parse(res.stdout)).toMatchObject({ score: 50, total: 4, errors: 0, failures: [] });
  }, 60_000);

  it('eval on a missing data file exits 2', async () => {
    const res = await runDspex(
      ['eval', 'cot_math', '--data', 'nope.jsonl', '--metric', 'exact_match'],
      {
        cwd,
      },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('cannot read data file');
  });
});

describe('every prompt optimizer the CLI names runs end to end on the offline demo LM (embedded)', () => {
  const cwd = projectDir({});

  // Small budgets: the point is that the example programs' offline LM answers every proposer,
  // description and feedback signature the optimizers send, so a new user's first try completes.
  it.each([
    [
      'mipro',
      '{"metric":"exact_match","auto":null,"numCandidates":2,"numTrials":2,"minibatchSize":4}',
    ],
    ['copro', '{"metric":"exact_match","breadth":2,"depth":1}'],
    ['simba', '{"metric":"exact_match","bsize":4,"maxSteps":1}'],
    ['gepa', '{"metric":"exact_match","maxMetricCalls":30}'],
  ])(
    '%s finishes with a new program version',
    async (optimizer, params) => {
      const res = await runDspex(
        ['optimize', 'cot_math', '-o', optimizer, '-t', TRAINSET, '--params', params],
        { cwd },
      );
      expect(res.stderr).not.toContain('No more responses');
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({ status: 'succeeded', optimizer });
    },
    60_000,
  );
});
