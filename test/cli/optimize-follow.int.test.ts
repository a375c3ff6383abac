/**
 * `dspex optimize` in Redis mode follows the run it handed to the cluster. When every node dies
 * mid-run it must not poll forever: it stops with exit 9 and says how to go on, and
 * `dspex runs follow` picks the run up again once a node has resumed it. Real processes: a
 * `dspex start` node whose LM calls (through the OpenAI SDK, to the wire fixture) are held so the
 * run is provably mid-way when the node is SIGKILLed.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../src/store/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { holdRepliesUntil } from '../helpers/lm-gate.js';
import { pollUntil } from '../helpers/node-cluster.js';
import {
  ROOT,
  cleanEnv,
  projectDir,
  runDspex,
  startDaemonProcess,
  type DaemonProcess,
} from './cli-process.js';

const TRAINSET = join(ROOT, 'examples', 'data', 'math-trainset.jsonl');
const PARAMS = '{"metric":"exact_match","maxBootstrappedDemos":2}';

describe('dspex optimize when every node dies mid-run (real Redis, real node processes)', () => {
  const url = inject('redisUrl');
  const prefix = `optfollow-${process.pid}-${Date.now()}`;
  const redisArgs = ['--redis', url, '--prefix', prefix];
  const started: DaemonProcess[] = [];
  let fixture: LMFixture | undefined;

  afterAll(async () => {
    for (const node of started) node.kill();
    await fixture?.close();
  });

  it('stops with exit 9 naming the run, and `dspex runs follow` sees it finish once a node is back', async () => {
    fixture = await startOpenAIFixture();
    // Every LM call is held: the run cannot end before the node is killed.
    const gate = holdRepliesUntil(fixture, () => false);
    const config = { redis: { url, prefix }, admin: { port: 0 } };
    const node = startDaemonProcess(
      projectDir({ ...config, node: { id: 'follow-a' } }),
      cleanEnv({ OPENAI_BASE_URL: fixture.url, OPENAI_API_KEY: 'test-key' }),
    );
    started.push(node);
    await node.waitForOutput('dspex daemon started');

    const cwd = projectDir({});
    const optimize = runDspex(
      ['optimize', 'cot_math', '-o', 'bootstrap-few-shot', '-t', TRAINSET, '--params', PARAMS]
        .concat(['--node-grace', '1'])
        .concat(redisArgs),
      { cwd, timeoutMs: 60_000 },
    );
    // The run is under way on the node: its first LM call is waiting at the fixture.
    await pollUntil('an LM call of the run', 60_000, () =>
      gate.waiting.length > 0 ? true : undefined,
    );
    node.kill();
    await node.exited;

    const stopped = await optimize;
    expect(stopped.code).toBe(9);
    expect(stopped.stdout).toBe('');
    const runId = /optimization run (\S+) \(bootstrap-few-shot\) queued/.exec(stopped.stderr)?.[1];
    expect(runId).toBeDefined();
    expect(stopped.stderr).toContain(
      `no live dspex node for 1 s while following optimization run ${runId} (last progress`,
    );
    expect(stopped.stderr).toContain(
      `the run is checkpointed and resumes when a node starts — \`dspex start\`; follow it again with \`dspex runs follow ${runId}\``,
    );
    gate.close();

    // Nothing was lost: the run is still open in the store.
    const store = new RedisStore({ redis: url, prefix: `${prefix}:store` });
    try {
      expect(['queued', 'running']).toContain((await store.optimizationRuns.get(runId!)).status);
    } finally {
      await store.close();
    }

    // A node starts (the offline demo LM this time); the job is redelivered to it and the run ends.
    const second = startDaemonProcess(projectDir({ ...config, node: { id: 'follow-b' } }));
    started.push(second);
    await second.waitForOutput('dspex daemon started');
    const followed = await runDspex(
      ['runs', 'follow', runId!, '--node-grace', '30', ...redisArgs],
      {
        cwd,
        timeoutMs: 90_000,
      },
    );
    expect(followed.stderr).not.toContain('no live dspex node');
    expect(followed.code).toBe(0);
    expect(JSON.parse(followed.stdout)).toMatchObject({
      runId,
      status: 'succeeded',
      optimizer: 'bootstrap-few-shot',
    });
  }, 150_000);

  it('runs follow on an unknown run id exits 7', async () => {
    const res = await runDspex(['runs', 'follow', 'no-such-run', ...redisArgs], {
      cwd: projectDir({}),
    });
    expect(res.code).toBe(7);
    expect(res.stderr).toContain('no-such-run');
  }, 60_000);
});
