import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fixtures/node-process.js';

/** Runs the fault fixture in its own Node process (faults must not reach the test runner). */
function runFixture(): Promise<{
  code: number | null;
  lines: Record<string, unknown>[];
  stderr: string;
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'runtime', 'fixtures', 'async-fault-node.ts')],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      resolve({
        code,
        stderr,
        lines: out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
  });
}

describe('asynchronous faults in a program', () => {
  it('fail_only_the_execution_they_came_from_and_the_node_stays_up', async () => {
    const { code, lines, stderr } = await runFixture();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines).toEqual([
      { program: 'timer', ok: false, error: "program 'timer' failed: boom from a timer" },
      { program: 'healthy', ok: true, outputs: { answer: 'ok 1' } },
      { program: 'reject', ok: false, error: "program 'reject' failed: nobody awaited me" },
      { program: 'healthy', ok: true, outputs: { answer: 'ok 1' } },
      { program: 'stray', ok: true, alive: 'running' },
    ]);
  }, 30_000);
});
