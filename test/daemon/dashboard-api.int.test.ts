import { afterEach, describe, expect, it } from 'vitest';
import {
  startAdminServer,
  type AdminServer,
  type AdminServerOptions,
  type NodeHeartbeat,
} from '../../src/daemon/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { MemoryTransport, TransportError, systemClock } from '../../src/transport/index.js';
import { StubRuntime } from './stub-runtime.js';

/** The stub runtime with a real in-memory transport and store behind the dashboard's lists. */
class RuntimeWithData extends StubRuntime {
  /** Job creation times: 1 ms apart, in enqueue order (the list sorts on them). */
  private tick = 0;
  readonly transport = new MemoryTransport({ clock: { ...systemClock, now: () => ++this.tick } });
  readonly store = new MemoryStore();
}

let server: AdminServer | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const close of closers.splice(0)) await close();
});

let clock = 1_700_000_000_000;
async function start(
  runtime: StubRuntime,
  extra: Partial<AdminServerOptions> = {},
): Promise<AdminServer> {
  server = await startAdminServer({
    runtime,
    port: 0,
    logger: silentLogger(),
    now: () => clock,
    ...extra,
  });
  return server;
}

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
}

describe('dashboard JSON API', () => {
  it('/api/jobs lists the newest jobs of the given queues with program and reason, never inputs', async () => {
    const runtime = new RuntimeWithData();
    closers.push(() => runtime.transport.close());
    const t = runtime.transport;
    const consumer = await t.process('dspex-run', async (job) => {
      if (job.data.program === 'broken') throw new TypeError('broken program: x is undefined');
      return { ok: true };
    });
    closers.push(() => consumer.close());
    const ok = await t.enqueue('dspex-run', { program: 'qa', inputs: { question: 'SECRET-1' } });
    await t.waitForResult('dspex-run', ok, 5_000);
    const bad = await t.enqueue('dspex-run', { program: 'broken', inputs: { q: 'SECRET-2' } });
    await expect(t.waitForResult('dspex-run', bad, 5_000)).rejects.toBeInstanceOf(TransportError);
    const waiting = await t.enqueue('dspex-optimize', { runId: 'r1' });
    await t.enqueue('elsewhere', { program: 'qa', inputs: {} }); // a queue the dashboard does not list

    const admin = await start(runtime, { dashboard: { queues: ['dspex-run', 'dspex-optimize'] } });
    const { status, body } = await json<{ jobs: Record<string, unknown>[] }>(
      `${admin.url}/api/jobs?limit=10`,
    );
    expect(status).toBe(200);
    expect(body.jobs.map((j) => [j.queue, j.id])).toEqual([
      ['dspex-optimize', waiting],
      ['dspex-run', bad],
      ['dspex-run', ok],
    ]);
    expect(body.jobs[1]).toMatchObject({
      queue: 'dspex-run',
      program: 'broken',
      state: 'failed',
      attemptsMade: 1,
      attempts: 1,
      reason: expect.stringContaining('broken program: x is undefined'),
    });
    expect(body.jobs[0]).toMatchObject({ queue: 'dspex-optimize', program: null, reason: null });
    expect(JSON.stringify(body)).not.toMatch(/SECRET/);
    const one = await json<{ jobs: unknown[] }>(`${admin.url}/api/jobs?limit=1`);
    expect(one.body.jobs).toHaveLength(1);
  });

  it('/api/runs lists optimization runs with progress and history; /api/runs/:id reads one', async () => {
    const runtime = new RuntimeWithData();
    const runs = runtime.store.optimizationRuns;
    const first = await runs.create({ program: 'qa', optimizer: 'random-search' });
    const progress = { status: 'running', progress: { done: 2, total: 0 }, bestScore: 60 } as const;
    const trials = [
      { step: 1, score: 40 },
      { step: 2, score: 60 },
    ];
    await runs.update(first.id, { ...progress, appendHistory: trials });
    const second = await runs.create({ program: 'summarize', optimizer: 'bootstrap-few-shot' });
    const admin = await start(runtime);

    const list = await json<{ runs: { id: string }[] }>(`${admin.url}/api/runs`);
    expect(list.status).toBe(200);
    expect(list.body.runs.map((r) => r.id).sort()).toEqual([first.id, second.id].sort());

    const one = await json<{ run: Record<string, unknown> }>(
      `${admin.url}/api/runs/${encodeURIComponent(first.id)}`,
    );
    expect(one.status).toBe(200);
    expect(one.body.run).toMatchObject({
      id: first.id,
      program: 'qa',
      ...progress,
      history: trials.map((t) => expect.objectContaining(t)),
    });
    expect((await fetch(`${admin.url}/api/runs/no-such-run`)).status).toBe(404);
    expect((await fetch(`${admin.url}/api/runs/bad%01id`)).status).toBe(400);
    expect(await (await fetch(`${admin.url}/api/runs/bad%01id`)).json()).toEqual({
      error: 'a run id is 1 to 256 characters without control characters',
    });
    expect((await fetch(`${admin.url}/api/runs/%E0%A4%A`)).status).toBe(400);
  });

  it('a runtime without transport or store gets empty lists, not errors', async () => {
    const admin = await start(new StubRuntime());
    expect((await json(`${admin.url}/api/jobs`)).body).toEqual({ jobs: [] });
    expect((await json(`${admin.url}/api/runs`)).body).toEqual({ runs: [] });
    expect((await fetch(`${admin.url}/api/runs/x`)).status).toBe(404);
  });

  it('/api/nodes shows this node first, then the cluster heartbeats of the others', async () => {
    const runtime = new StubRuntime('node-a', 'redis');
    const beat = (nodeId: string): NodeHeartbeat => ({
      nodeId,
      mode: 'redis',
      status: 'ok',
      pid: 4242,
      hostname: 'h',
      programs: [],
      admin: null,
      heartbeatAt: clock - 1_000,
      intervalMs: 2_000,
      snapshot: { ...runtime.inspect(), nodeId },
    });
    const admin = await start(runtime, {
      dashboard: { clusterNodes: async () => [beat('node-a'), beat('node-b')] },
    });
    const { body } = await json<{ nodes: Record<string, unknown>[] }>(`${admin.url}/api/nodes`);
    expect(body.nodes.map((n) => [n.nodeId, n.self, n.seenAt])).toEqual([
      ['node-a', true, clock],
      ['node-b', false, clock - 1_000],
    ]);
    expect(body.nodes[1]).toMatchObject({ pid: 4242, status: 'ok', mode: 'redis' });
    admin.setStatus('draining');
    const again = await json<{ nodes: { status: string }[] }>(`${admin.url}/api/nodes`);
    expect(again.body.nodes[0]!.status).toBe('draining');
  });
});

describe('dashboard page and its sessions', () => {
  it('serves the page, its module and the vendored chart library under a strict CSP', async () => {
    const admin = await start(new StubRuntime());
    const page = await fetch(`${admin.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<script type="module" src="/dashboard/app.js">');
    const app = await fetch(`${admin.url}/dashboard/app.js`);
    expect(app.headers.get('content-type')).toContain('text/javascript');
    expect(await app.text()).toContain("from '/dashboard/vendor/uplot.js'");
    const uplot = await fetch(`${admin.url}/dashboard/vendor/uplot.js`);
    expect(await uplot.text()).toContain('export { uPlot as default }');
    expect((await fetch(`${admin.url}/dashboard/vendor/uplot.css`)).status).toBe(200);
  });

  it('/ redirects to /dashboard keeping the query', async () => {
    const admin = await start(new StubRuntime());
    const res = await fetch(`${admin.url}/?token=abc`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard?token=abc');
  });

  it('with a token, ?token= opens a cookie session that reads every route until it expires', async () => {
    const admin = await start(new StubRuntime(), { token: 's3cret' });
    expect((await fetch(`${admin.url}/api/nodes`)).status).toBe(401);
    const login = await fetch(`${admin.url}/dashboard`);
    expect(login.status).toBe(401);
    expect(await login.text()).toContain('name="token"');
    const wrong = await fetch(`${admin.url}/dashboard?token=nope`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const opened = await fetch(`${admin.url}/dashboard?token=s3cret`, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/dashboard');
    const setCookie = opened.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      new RegExp(`^dspex_admin_${admin.port}=[\\w-]{43}; Path=/; HttpOnly; SameSite=Strict`),
    );
    expect(setCookie).not.toContain('s3cret');
    const cookie = setCookie.split(';')[0]!;
    for (const path of ['/dashboard', '/api/nodes', '/tree', '/health'])
      expect((await fetch(`${admin.url}${path}`, { headers: { cookie } })).status).toBe(200);
    const abort = new AbortController();
    const events = await fetch(`${admin.url}/events`, {
      headers: { cookie },
      signal: abort.signal,
    });
    expect(events.status).toBe(200);
    abort.abort();

    // Another port's cookie name, or a made-up id, opens nothing.
    const forged = `dspex_admin_${admin.port}=${'A'.repeat(43)}`;
    expect((await fetch(`${admin.url}/tree`, { headers: { cookie: forged } })).status).toBe(401);
    const otherPort = cookie.replace(`dspex_admin_${admin.port}`, 'dspex_admin_1');
    expect((await fetch(`${admin.url}/tree`, { headers: { cookie: otherPort } })).status).toBe(401);
    // The bearer token still works for scripts, the page included.
    const bearer = { authorization: 'Bearer s3cret' };
    expect((await fetch(`${admin.url}/dashboard`, { headers: bearer })).status).toBe(200);

    clock += 12 * 3600_000;
    expect((await fetch(`${admin.url}/tree`, { headers: { cookie } })).status).toBe(401);
  });
});
