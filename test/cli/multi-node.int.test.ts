import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectDir, runDspex, startDaemonProcess, type DaemonProcess } from './cli-process.js';

/** A port that was free a moment ago (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('several nodes started from one folder (real processes)', () => {
  let cwd: string;
  let port: number;
  const nodes: DaemonProcess[] = [];
  const states: { pid: number; port: number; nodeId: string }[] = [];

  beforeAll(async () => {
    port = await freePort();
    cwd = projectDir({ admin: { port }, shutdown: { drainTimeoutMs: 2_000 } });
    // One after the other, so the first surely holds the configured port.
    for (let i = 0; i < 2; i++) {
      const node = startDaemonProcess(cwd);
      nodes.push(node);
      states.push(await node.waitForState());
      await node.waitForOutput('dspex daemon started');
    }
  }, 180_000);
  afterAll(() => nodes.forEach((n) => n.kill()));

  it('the second `dspex start` in the same folder runs beside the first on a free admin port', () => {
    const [first, second] = states;
    expect(first!.port).toBe(port);
    expect(second!.port).not.toBe(port);
    expect(second!.nodeId).not.toBe(first!.nodeId);
    expect(nodes[1]!.stdout()).toContain(`(port ${port} was taken`);
    for (const s of states)
      expect(existsSync(join(cwd, '.dspex', `node-${s.pid}.json`))).toBe(true);
  });

  it('dspex inspect lists every node started in the folder', async () => {
    const json = await runDspex(['inspect', '--json'], { cwd });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { nodes: { nodeId: string; pid: number }[] };
    expect(doc.nodes.map((n) => n.nodeId)).toEqual(states.map((s) => s.nodeId));
    const text = await runDspex(['inspect'], { cwd });
    for (const s of states) expect(text.stdout).toContain(s.nodeId);
  });

  it('stopping one node leaves the other listed; with none left inspect exits 3', async () => {
    nodes[0]!.child.kill('SIGTERM');
    expect(await nodes[0]!.exited).toBe(0);
    const json = await runDspex(['inspect', '--json'], { cwd });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { nodes: { nodeId: string }[] };
    expect(doc.nodes.map((n) => n.nodeId)).toEqual([states[1]!.nodeId]);
    nodes[1]!.child.kill('SIGTERM');
    expect(await nodes[1]!.exited).toBe(0);
    expect((await runDspex(['inspect'], { cwd })).code).toBe(3);
  }, 60_000);
});
