import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nodeKey, nodesSetKey } from '../../src/daemon/index.js';
import { BullMQTransport } from '../../src/transport/index.js';
import { freePort } from '../helpers/redis-server.js';
import type { LMFixture } from '../fixtures/index.js';
import { startRedisDaemons, type RedisDaemons } from '../helpers/redis-daemons.js';
import { projectDir, runDspex, type DaemonProcess } from './cli-process.js';

describe('two dspex daemons in Redis mode, real processes', () => {
  const url = inject('redisUrl');
  const prefix = `cli-int-${process.pid}-${Date.now()}`;
  let cluster: RedisDaemons;
  let fixture: LMFixture;
  let env: NodeJS.ProcessEnv;
  let daemons: readonly DaemonProcess[];
  let redisArgs: string[];

  beforeAll(async () => {
    // The example programs talk to an OpenAI-compatible fixture server (echo mode) through the SDK.
    cluster = await startRedisDaemons({
      redisUrl: url,
      prefix,
      nodeIds: ['node-a', 'node-b'],
      config: { shutdown: { drainTimeoutMs: 15_000 } },
    });
    ({ fixture, env, daemons, redisArgs } = cluster);
  }, 120_000);

  afterAll(() => cluster?.close());

  it('the banner names the Redis mode and the model endpoint in use', () => {
    const out = daemons[0]!.stdout();
    expect(out).toContain(
      `mode      redis ${url} (prefix ${prefix}, queue dspex-run, concurrency 8)`,
    );
    expect(out).toContain('LM env    OPENAI_API_KEY, OPENAI_BASE_URL set');
    expect(daemons[0]!.stderr()).toContain(`OpenAI-compatible model gpt-4o-mini at ${fixture.url}`);
  });

  it('inspect --json sees both nodes through their Redis heartbeats; --node picks one', async () => {
    const [all, one, text] = await Promise.all([
      runDspex(['inspect', '--json', ...redisArgs], { cwd: daemons[0]!.cwd, env }),
      // From node-b's directory its config names the Redis: no flags needed.
      runDspex(['inspect', '--json', '--node', 'node-b'], { cwd: daemons[1]!.cwd, env }),
      runDspex(['inspect', ...redisArgs], { cwd: daemons[0]!.cwd, env }),
    ]);
    expect(all.code).toBe(0);
    const doc = JSON.parse(all.stdout) as {
      source: string;
      nodes: { nodeId: string; mode: string; tree: { id: string; children: unknown[] } }[];
    };
    expect(doc.source).toBe('redis');
    expect(doc.nodes.map((n) => [n.nodeId, n.mode])).toEqual([
      ['node-a', 'redis'],
      ['node-b', 'redis'],
    ]);
    for (const n of doc.nodes) {
      expect(n.tree.id).toBe('root');
      expect(n.tree.children.length).toBeGreaterThan(0);
    }
    expect(one.code).toBe(0);
    expect(
      (JSON.parse(one.stdout) as { nodes: { nodeId: string }[] }).nodes.map((n) => n.nodeId),
    ).toEqual(['node-b']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^node node-a {2}mode redis {2}status ok {2}pid \d+/m);
    expect(text.stdout).toMatch(/^node node-b {2}mode redis/m);
    expect(text.stdout).toContain('heartbeat');
  }, 120_000);

  it('submit --wait returns { outputs, executionId, usage }; jobs show finds the job', async () => {
    const res = await runDspex(
      [
        'submit',
        'qa',
        '--input',
        '{"question": "What is 2+2?"}',
        '--wait',
        '--timeout',
        '60000',
        ...redisArgs,
      ],
      {
        cwd: daemons[0]!.cwd,
        env,
      },
    );
    expect(res.code).toBe(0);
    const result = JSON.parse(res.stdout) as {
      outputs: { answer: string };
      executionId: string;
      usage: object;
    };
    expect(result.outputs.answer).toMatch(/^answer-[0-9a-f]+$/);
    expect(typeof result.executionId).toBe('string');
    expect(typeof result.usage).toBe('object');
    const jobId = /job (\S+) queued on dspex-run/.exec(res.stderr)?.[1];
    expect(jobId).toBeDefined();
    const [show, missing, list] = await Promise.all([
      runDspex(['jobs', 'show', jobId!, ...redisArgs], { cwd: daemons[0]!.cwd, env }),
      runDspex(['jobs', 'show', 'no-such-job', ...redisArgs], { cwd: daemons[0]!.cwd, env }),
      runDspex(['jobs', 'list', '--state', 'completed', ...redisArgs], {
        cwd: daemons[0]!.cwd,
        env,
      }),
    ]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({
      id: jobId,
      state: 'completed',
      data: { program: 'qa' },
    });
    expect(missing.code).toBe(7);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${jobId} +completed +qa +1/3`, 'm'));
  }, 120_000);

  it('a job with bad data fails with a readable reason, the daemons carry on, and jobs retry re-queues it', async () => {
    const transport = new BullMQTransport({ url, prefix });
    try {
      const bad = await transport.enqueue(
        'dspex-run',
        { program: 'qa', inputs: 'not an object' },
        { attempts: 3 },
      );
      await expect
        .poll(async () => (await transport.getJob('dspex-run', bad))?.state, {
          timeout: 20_000,
          interval: 50,
        })
        .toBe('failed');
      const failed = await transport.getJob('dspex-run', bad);
      expect(failed?.attemptsMade).toBe(1); // invalid input is not retried
      const cwd = daemons[0]!.cwd;
      // In order: the retry moves the job out of the failed list.
      const list = await runDspex(['jobs', 'list', '--state', 'failed', ...redisArgs], {
        cwd,
        env,
      });
      const retry = await runDspex(['jobs', 'retry', bad, ...redisArgs], { cwd, env });
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(
        new RegExp(`^${bad} +failed +qa +1/3 .*invalid job data: inputs`, 'm'),
      );
      expect(retry.code).toBe(0);
      expect(retry.stdout).toBe(`job ${bad} moved back to waiting\n`);
      for (const d of daemons) expect(d.child.exitCode).toBeNull();
    } finally {
      await transport.close();
    }
  }, 120_000);

  it('exit codes: unknown program 4 (listing the known), bad JSON 2, Redis unreachable 5', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const cwd = daemons[0]!.cwd;
    const [unknown, badJson, submitDown, inspectDown, startDown] = await Promise.all([
      runDspex(['submit', 'nope', '--input', '{}', ...redisArgs], { cwd, env }),
      runDspex(['submit', 'qa', '--input', '{"question": "x"', ...redisArgs], { cwd, env }),
      runDspex(['submit', 'qa', '--input', '{}', '--redis', closed], { cwd, env }),
      runDspex(['inspect', '--redis', closed], { cwd, env }),
      runDspex(['start'], { cwd: projectDir({ redis: { url: closed }, admin: { port: 0 } }), env }),
    ]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain("unknown program 'nope' (known: cot_math, qa, summarize)");
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('at line 1, column 17');
    for (const r of [submitDown, inspectDown, startDown]) {
      expect(r.code).toBe(5);
      expect(r.stderr).toContain('is unreachable');
    }
  }, 120_000);

  it('SIGTERM drains the in-flight job to completion, exits 0 and removes the heartbeats', async () => {
    fixture.latencyMs = 2_000; // the LM call is in flight when the signal arrives
    const transport = new BullMQTransport({ url, prefix });
    const redis = new Redis(url);
    try {
      const id = await transport.enqueue('dspex-run', {
        program: 'qa',
        inputs: { question: 'slow one' },
      });
      await expect
        .poll(async () => (await transport.getJob('dspex-run', id))?.state, {
          timeout: 20_000,
          interval: 50,
        })
        .toBe('active');
      for (const d of daemons) d.child.kill('SIGTERM');
      const result = (await transport.waitForResult('dspex-run', id, 30_000)) as {
        outputs: { answer: string };
      };
      expect(result.outputs.answer).toMatch(/^answer-/);
      expect(await Promise.all(daemons.map((d) => d.exited))).toEqual([0, 0]);
      expect(await redis.exists(nodeKey(prefix, 'node-a'), nodeKey(prefix, 'node-b'))).toBe(0);
      expect(await redis.smembers(nodesSetKey(prefix))).toEqual([]);
    } finally {
      fixture.latencyMs = 0;
      redis.disconnect();
      await transport.close();
    }
  }, 90_000);
});
