/**
 * `dspex optimize --deploy` reaching a running node, all real processes: a Redis-mode node started
 * with `dspex start`, `dspex optimize … --deploy` from another process, then `dspex submit --wait`
 * served by the new version (its execution record names it), without restarting the node.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../src/store/index.js';
import {
  ROOT,
  projectDir,
  runDspex,
  startDaemonProcess,
  type DaemonProcess,
} from './cli-process.js';

const TRAINSET = join(ROOT, 'examples', 'data', 'math-trainset.jsonl');

describe('dspex optimize --deploy reaches a running node (real processes, real Redis)', () => {
  const url = inject('redisUrl');
  const prefix = `deploy-${process.pid}-${Date.now()}`;
  let daemon: DaemonProcess;
  let store: RedisStore;

  beforeAll(async () => {
    const cwd = projectDir({
      redis: { url, prefix },
      node: { id: 'deploy-node' },
      admin: { port: 0 },
      shutdown: { drainTimeoutMs: 5_000 },
    });
    daemon = startDaemonProcess(cwd);
    await daemon.waitForOutput('dspex daemon started', 90_000);
    store = new RedisStore({ redis: url, prefix: `${prefix}:store` });
  }, 120_000);

  afterAll(async () => {
    daemon?.kill();
    await store?.close();
  });

  /** `dspex submit cot_math --wait` from the node's folder (its config names the cluster). */
  async function submit(question: string): Promise<{ executionId: string; answer: unknown }> {
    const res = await runDspex(
      [
        'submit',
        'cot_math',
        '--input',
        JSON.stringify({ question }),
        '--wait',
        '--timeout',
        '60000',
      ],
      { cwd: daemon.cwd },
    );
    expect(res.stderr).toContain('queued on dspex-run');
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { executionId: string; outputs: { answer: unknown } };
    return { executionId: out.executionId, answer: out.outputs.answer };
  }

  it('the next job after the deploy runs the new version on the same node process', async () => {
    const before = await submit('What is 1 + 1?');
    expect((await store.executions.get(before.executionId)).version).toBeUndefined();

    const optimize = await runDspex(
      ['optimize', 'cot_math', '-o', 'labeled-few-shot', '-t', TRAINSET, '--deploy'],
      { cwd: daemon.cwd },
    );
    expect(optimize.stderr).toContain('deployed: running nodes use it from their next job');
    expect(optimize.code).toBe(0);
    const version = (JSON.parse(optimize.stdout) as { result: { version: string } }).result.version;
    expect((await store.programs.find('cot_math'))?.activeVersion).toBe(version);

    const after = await submit('What is 1 + 1?');
    const record = await store.executions.get(after.executionId);
    expect(record.version).toBe(version);
    expect(record.node).toBe('deploy-node');
    expect(daemon.child.exitCode).toBeNull();
  }, 180_000);
});
