import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectDir, runDspex } from './cli-process.js';

describe('dspex jobs on a queue holding jobs from other producers (real Redis)', () => {
  const url = inject('redisUrl');
  const prefix = `foreign-${process.pid}-${Date.now()}`;
  let queue: Queue;

  beforeAll(async () => {
    const { port, hostname } = new URL(url);
    queue = new Queue('dspex-run', { connection: { host: hostname, port: Number(port) }, prefix });
    await queue.add('null-data', null);
    await queue.add('string-data', 'hello' as never);
    await queue.add('foreign-object', { task: 'resize', program: { nested: true } } as never);
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('jobs list never crashes on a job whose data is null or foreign, shows ? as its program and the node run budget for a plain producer', async () => {
    const cwd = projectDir({});
    const res = await runDspex(['jobs', 'list', '--redis', url, '--prefix', prefix], { cwd });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('waiting 3');
    // A plain producer's job gets the node's run budget (config jobs.attempts, default 3).
    expect(res.stdout.match(/^\S+ +waiting +\? +0\/3 /gm)).toHaveLength(3);
    const json = await runDspex(['jobs', 'list', '--json', '--redis', url, '--prefix', prefix], {
      cwd,
    });
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { data: unknown }[]).map((j) => j.data)).toContainEqual(
      null,
    );
  }, 60_000);
});
