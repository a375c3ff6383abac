import { afterEach, describe, expect, it } from 'vitest';
import {
  startAdminServer,
  type AdminServer,
  type ReloadResultView,
} from '../../src/daemon/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { StubRuntime } from './stub-runtime.js';

let server: AdminServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A stub runtime whose reloads answer from a script, one per call. */
class ReloadingRuntime extends StubRuntime {
  readonly outcomes: ReloadResultView[] = [];
  reloads = 0;
  programsVersion() {
    return { version: 1, hash: 'abc', loadedAt: 5 };
  }
  async reload(): Promise<ReloadResultView> {
    this.reloads++;
    return this.outcomes.shift()!;
  }
}

async function start(runtime: StubRuntime, token?: string): Promise<AdminServer> {
  server = await startAdminServer({
    runtime,
    port: 0,
    logger: silentLogger(),
    ...(token === undefined ? {} : { token }),
  });
  return server;
}

describe('admin endpoint POST /reload', () => {
  it('answers 200 with the new version, 422 with the error when the module is refused', async () => {
    const runtime = new ReloadingRuntime('n1');
    runtime.outcomes.push(
      {
        ok: true,
        result: 'reloaded',
        version: { version: 2, hash: 'def', loadedAt: 9 },
        programs: ['qa'],
      },
      { ok: false, error: 'has a syntax error', version: { version: 2, hash: 'def', loadedAt: 9 } },
    );
    const admin = await start(runtime);
    const ok = await fetch(`${admin.url}/reload`, { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ nodeId: 'n1', ok: true, version: { version: 2 } });
    const refused = await fetch(`${admin.url}/reload`, { method: 'POST' });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ ok: false, error: 'has a syntax error' });
    const health = (await (await fetch(`${admin.url}/health`)).json()) as Record<string, unknown>;
    expect(health['programsVersion']).toEqual({ version: 1, hash: 'abc', loadedAt: 5 });
  });

  it('refuses GET (405), a request without the token (401), and a runtime without reload (501)', async () => {
    const runtime = new ReloadingRuntime();
    const admin = await start(runtime, 'tok-123456');
    const auth = { authorization: 'Bearer tok-123456' };
    expect((await fetch(`${admin.url}/reload`, { headers: auth })).status).toBe(405);
    expect((await fetch(`${admin.url}/reload`, { method: 'POST' })).status).toBe(401);
    expect(runtime.reloads).toBe(0);
    await admin.close();
    const plain = await start(new StubRuntime());
    const none = await fetch(`${plain.url}/reload`, { method: 'POST' });
    expect(none.status).toBe(501);
  });
});
