/**
 * The README's "from another shell" lines, word for word, as real processes: an embedded daemon
 * and a Redis-mode daemon started from one folder with `--config examples/dspex.config.json`, then
 * `inspect`, `run` and `submit --wait` with no Redis URL on their command line or environment (the
 * CLI finds the cluster through the Redis node's state file).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  EXAMPLE_PROGRAMS,
  cleanEnv,
  runDspex,
  startDaemonProcess,
  type DaemonProcess,
} from './cli-process.js';

describe("the README's lines from another shell", () => {
  const url = inject('redisUrl');
  let cwd: string;
  let embedded: DaemonProcess;
  let redisNode: DaemonProcess;
  const config = ['--config', 'examples/dspex.config.json'];

  beforeAll(async () => {
    // A folder laid out like the clone: examples/dspex.config.json next to the programs module.
    cwd = mkdtempSync(join(tmpdir(), 'dspex-readme-'));
    mkdirSync(join(cwd, 'examples'));
    writeFileSync(
      join(cwd, 'examples', 'dspex.config.json'),
      JSON.stringify({
        programs: EXAMPLE_PROGRAMS,
        admin: { port: 7390 },
        shutdown: { drainTimeoutMs: 5_000 },
      }),
    );
    embedded = startDaemonProcess(cwd, cleanEnv(), config);
    redisNode = startDaemonProcess(cwd, cleanEnv({ DSPEX_REDIS_URL: url }), config);
    await Promise.all([embedded, redisNode].map((d) => d.waitForOutput('dspex daemon started')));
    await Promise.all([embedded, redisNode].map((d) => d.waitForState()));
  }, 180_000);
  afterAll(() => [embedded, redisNode].forEach((d) => d?.kill()));

  it('npx dspex inspect shows both nodes of the folder', async () => {
    const res = await runDspex(['inspect'], { cwd });
    expect(res.code).toBe(0);
    const [a, b] = await Promise.all([embedded.waitForState(), redisNode.waitForState()]);
    expect(res.stdout).toContain(a.nodeId);
    expect(res.stdout).toContain(b.nodeId);
  });

  it('npx dspex run qa --input … --config examples/dspex.config.json prints the outputs', async () => {
    const res = await runDspex(['run', 'qa', '--input', '{"question":"What is 2+2?"}', ...config], {
      cwd,
    });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toHaveProperty('answer');
  });

  it('npx dspex submit qa --input … --wait finds the cluster through the Redis node', async () => {
    const res = await runDspex(['submit', 'qa', '--input', '{"question":"Hi?"}', '--wait'], {
      cwd,
    });
    expect(res.stderr).not.toContain('needs Redis mode');
    expect(res.code).toBe(0);
    const result = JSON.parse(res.stdout) as { outputs: object; executionId: string };
    expect(result.outputs).toHaveProperty('answer');
    expect(typeof result.executionId).toBe('string');
    const jobs = await runDspex(['jobs', 'list'], { cwd });
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toMatch(/completed +qa/);
  }, 120_000);
});
