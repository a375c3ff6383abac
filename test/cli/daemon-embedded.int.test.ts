import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectDir, runDspex, startDaemonProcess, type DaemonProcess } from './cli-process.js';

/** Every node of an `inspect --json` tree has the DESIGN §5 fields; returns all ids. */
function checkTree(node: Record<string, unknown>, ids: string[] = []): string[] {
  expect(typeof node.id).toBe('string');
  expect(['supervisor', 'worker']).toContain(node.kind);
  expect(typeof node.status).toBe('string');
  expect(typeof node.restarts).toBe('number');
  ids.push(node.id as string);
  if (node.kind === 'supervisor') {
    expect(Array.isArray(node.children)).toBe(true);
    for (const child of node.children as Record<string, unknown>[]) checkTree(child, ids);
  }
  return ids;
}

describe('dspex start (embedded mode, admin token set) as a real process', () => {
  let daemon: DaemonProcess;
  let state: { pid: number; port: number; nodeId: string; token?: string };
  const token = 'int-test-token';

  beforeAll(async () => {
    const cwd = projectDir({ admin: { port: 0, token }, shutdown: { drainTimeoutMs: 5_000 } });
    daemon = startDaemonProcess(cwd);
    state = await daemon.waitForState();
    await daemon.waitForOutput('dspex daemon started');
  }, 120_000);
  afterAll(() => daemon.kill());

  it('prints a banner with node id, mode, programs, admin URL and how to point it at a model', () => {
    const out = daemon.stdout();
    expect(out).toContain(`node      ${state.nodeId} (pid ${state.pid})`);
    expect(out).toContain('mode      embedded');
    expect(out).toContain('programs  cot_math, qa, summarize');
    expect(out).toContain(`admin     http://127.0.0.1:${state.port} (bearer token required)`);
    expect(out).toMatch(/OPENAI_BASE_URL=.*vLLM, Ollama, llama\.cpp, LM Studio/);
    expect(daemon.stderr()).toContain('offline demo LM');
  });

  it('the state file names the ephemeral port, and the admin endpoint wants the bearer token', async () => {
    expect(state.token).toBe(token);
    const url = `http://127.0.0.1:${state.port}`;
    expect((await fetch(`${url}/health`)).status).toBe(401);
    expect(
      (await fetch(`${url}/tree`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    const health = await fetch(`${url}/health`, { headers: { authorization: `Bearer ${token}` } });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      nodeId: state.nodeId,
      mode: 'embedded',
    });
    const metrics = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await metrics.text()).toContain('# TYPE dspex_jobs_total counter');
  });

  it('inspect --json, inspect, run and the CLI error cases, each a real CLI process', async () => {
    const cwd = daemon.cwd;
    const [json, text, wrongToken, run, badJson, unknown] = await Promise.all([
      runDspex(['inspect', '--json'], { cwd }),
      runDspex(['inspect'], { cwd }),
      runDspex(['inspect', '--url', `http://127.0.0.1:${state.port}`], { cwd }),
      runDspex(['run', 'qa', '--input', '{"question": "What is 2+2?"}'], { cwd }),
      runDspex(['run', 'qa', '--input', '{"question": }'], { cwd }),
      runDspex(['run', 'nope', '--input', '{}'], { cwd }),
    ]);

    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { source: string; nodes: Record<string, unknown>[] };
    expect(doc.source).toBe('admin');
    expect(doc.nodes).toHaveLength(1);
    expect(doc.nodes[0]).toMatchObject({ nodeId: state.nodeId, mode: 'embedded', status: 'ok' });
    const ids = checkTree(doc.nodes[0]!.tree as Record<string, unknown>);
    expect(ids[0]).toBe('root');
    expect(ids).toEqual(
      expect.arrayContaining(['registries', 'program-workers', 'bridges', 'run-bridge']),
    );

    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`node ${state.nodeId}  mode embedded  status ok`);
    expect(text.stdout).toMatch(/^├─ registries +supervisor +running/m);

    expect(wrongToken.code).toBe(8);
    expect(wrongToken.stderr).toContain('bearer token is required');

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      answer: expect.stringContaining('[offline demo LM'),
    });

    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--input is not valid JSON');
    expect(badJson.stderr).toContain('at line 1, column 14');

    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain("unknown program 'nope' (known: cot_math, qa, summarize)");
  }, 120_000);

  it('SIGTERM drains and exits 0, removing the state file; inspect then exits 3', async () => {
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(existsSync(join(daemon.cwd, '.dspex', `node-${state.pid}.json`))).toBe(false);
    expect(daemon.stderr()).toContain('daemon stopped');
    const after = await runDspex(['inspect'], { cwd: daemon.cwd });
    expect(after.code).toBe(3);
    expect(after.stderr).toContain('npx dspex start');
  }, 60_000);
});
