/**
 * The dashboard's evaluation API on a stub runtime with a real in-memory store: `/api/evaluations`
 * lists records newest first without their per-example results, `/api/evaluations/:id` reads one
 * with them (as `/api/runs` and `/api/runs/:id` do for optimization runs).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/daemon/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { StubRuntime } from '../daemon/stub-runtime.js';

/** Record timestamps 1 ms apart, in creation order (the list is newest first). */
class RuntimeWithStore extends StubRuntime {
  private tick = 1_700_000_000_000;
  readonly store = new MemoryStore({ clock: { now: () => ++this.tick } });
}

let server: AdminServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(runtime: StubRuntime): Promise<AdminServer> {
  server = await startAdminServer({ runtime, port: 0, logger: silentLogger() });
  return server;
}

async function json<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

describe('dashboard evaluation API', () => {
  it('/api/evaluations lists records newest first without examples; /api/evaluations/:id reads one with them', async () => {
    const runtime = new RuntimeWithStore();
    const evaluations = runtime.store.evaluations;
    const dataset = { name: 'math', version: 'v2', hash: `sha256:${'a'.repeat(64)}` };
    const first = await evaluations.create({ program: 'qa', metric: 'exact_match', dataset });
    const examples = [
      { index: 0, score: 1 },
      { index: 1, score: 0, error: 'TypeError: x is undefined' },
    ];
    await evaluations.update(first.id, {
      status: 'succeeded',
      score: 50,
      counts: { total: 2, errors: 1 },
      examples,
    });
    const second = await evaluations.create({ program: 'summarize', metric: 'f1' });
    const admin = await start(runtime);

    const list = await json<{ evaluations: Record<string, unknown>[] }>(
      `${admin.url}/api/evaluations`,
    );
    expect(list.status).toBe(200);
    expect(list.body.evaluations.map((e) => e.id)).toEqual([second.id, first.id]);
    expect(list.body.evaluations[1]).toMatchObject({
      program: 'qa',
      metric: 'exact_match',
      status: 'succeeded',
      score: 50,
      counts: { total: 2, errors: 1 },
      dataset,
    });
    expect(list.body.evaluations[0]).toMatchObject({ status: 'running', score: null });
    for (const e of list.body.evaluations) expect(e).not.toHaveProperty('examples');
    const limited = await json<{ evaluations: { id: string }[] }>(
      `${admin.url}/api/evaluations?limit=1`,
    );
    expect(limited.body.evaluations.map((e) => e.id)).toEqual([second.id]);

    const one = await json<{ evaluation: Record<string, unknown> }>(
      `${admin.url}/api/evaluations/${encodeURIComponent(first.id)}`,
    );
    expect(one.status).toBe(200);
    expect(one.body.evaluation).toMatchObject({ id: first.id, program: 'qa', examples });
    const missing = await json<{ error: string }>(`${admin.url}/api/evaluations/no-such-eval`);
    expect(missing).toEqual({ status: 404, body: { error: "no evaluation 'no-such-eval'" } });
    expect((await fetch(`${admin.url}/api/evaluations/bad%01id`)).status).toBe(400);
    expect(await (await fetch(`${admin.url}/api/evaluations/bad%01id`)).json()).toEqual({
      error: 'an evaluation id is 1 to 256 characters without control characters',
    });
    expect((await fetch(`${admin.url}/api/evaluations/%E0%A4%A`)).status).toBe(400);
  });

  it('a runtime without a store lists no evaluations and finds none', async () => {
    const admin = await start(new StubRuntime());
    expect((await json(`${admin.url}/api/evaluations`)).body).toEqual({ evaluations: [] });
    expect((await fetch(`${admin.url}/api/evaluations/x`)).status).toBe(404);
  });
});
