import { afterEach, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/daemon/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { StubRuntime } from './stub-runtime.js';

let server: AdminServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(runtime: StubRuntime, token?: string): Promise<AdminServer> {
  let now = 1_000_000;
  server = await startAdminServer({
    runtime,
    port: 0,
    logger: silentLogger(),
    now: () => (now += 1_500),
    ...(token === undefined ? {} : { token }),
  });
  return server;
}

describe('admin endpoint', () => {
  it('health reports status, node id, mode and uptime on an ephemeral loopback port', async () => {
    const admin = await start(new StubRuntime('n1', 'redis'));
    expect(admin.host).toBe('127.0.0.1');
    expect(admin.port).toBeGreaterThan(0);
    const body = (await (await fetch(`${admin.url}/health`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ok',
      nodeId: 'n1',
      mode: 'redis',
      programs: ['qa', 'summarize'],
    });
    expect(body.uptime).toBe(1.5);
    admin.setStatus('draining');
    expect(((await (await fetch(`${admin.url}/health`)).json()) as { status: string }).status).toBe(
      'draining',
    );
  });

  it('tree returns the runtime snapshot and metrics the Prometheus text', async () => {
    const admin = await start(new StubRuntime());
    const tree = (await (await fetch(`${admin.url}/tree`)).json()) as {
      tree: { id: string; children: unknown[] };
    };
    expect(tree.tree.id).toBe('root');
    expect(tree.tree.children).toHaveLength(1);
    const metrics = await fetch(`${admin.url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toContain('dspex_jobs_total 3');
  });

  it('events streams runtime events as server-sent events and unsubscribes on disconnect', async () => {
    const runtime = new StubRuntime();
    const admin = await start(runtime);
    const abort = new AbortController();
    const res = await fetch(`${admin.url}/events`, { signal: abort.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    expect(text).toContain(': connected to stub-node');
    runtime.emit({ type: 'child_restarted', supervisor: 'root', id: 'schema-registry' });
    while (!/event:[^]*\n\n/.test(text)) text += decoder.decode((await reader.read()).value);
    expect(text).toContain(
      'event: child_restarted\ndata: {"type":"child_restarted","supervisor":"root","id":"schema-registry"}\n\n',
    );
    abort.abort();
    await expect.poll(() => runtime.listeners.size).toBe(0);
  });

  it('unknown paths answer 404 listing the endpoints, other methods 405', async () => {
    const admin = await start(new StubRuntime());
    const missing = await fetch(`${admin.url}/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { endpoints: string[] }).endpoints).toEqual([
      '/health',
      '/metrics',
      '/tree',
      '/events',
      '/reload',
      '/dashboard',
      '/api/nodes',
      '/api/jobs',
      '/api/runs',
      '/api/runs/:id',
      '/api/evaluations',
      '/api/evaluations/:id',
    ]);
    expect((await fetch(`${admin.url}/tree`, { method: 'POST' })).status).toBe(405);
  });

  it.each([
    ['no header', undefined, 401],
    ['a wrong token', 'Bearer nope', 401],
    ['a token of another length', 'Bearer s3cret-but-longer', 401],
    ['the token', 'Bearer s3cret', 200],
  ])('with admin.token set, a request with %s answers %i', async (_name, header, status) => {
    const admin = await start(new StubRuntime(), 's3cret');
    const res = await fetch(`${admin.url}/health`, {
      headers: header === undefined ? {} : { authorization: header },
    });
    expect(res.status).toBe(status);
    if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer realm="dspex"');
  });

  it('a taken port is admin_listen_failed naming EADDRINUSE', async () => {
    const first = await start(new StubRuntime());
    const attempt = startAdminServer({
      runtime: new StubRuntime(),
      port: first.port,
      logger: silentLogger(),
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'admin_listen_failed',
      details: { errno: 'EADDRINUSE' },
    });
  });
});
