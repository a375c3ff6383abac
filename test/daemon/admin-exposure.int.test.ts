import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import {
  nodeKey,
  startAdminServer,
  startHeartbeat,
  type RuntimeSnapshotView,
} from '../../src/daemon/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { projectDir, runDspex } from '../cli/cli-process.js';
import { StubRuntime } from './stub-runtime.js';

const SECRETS = ['redis://app:s3cret-pass@db:6379', 'sk-live-key', 'the user question'];

/** A runtime whose snapshot carries what must never leave the node through Redis. */
class LeakyRuntime extends StubRuntime {
  override inspect(): RuntimeSnapshotView {
    const base = super.inspect();
    const leaky = {
      ...base,
      config: { redis: { url: SECRETS[0] }, admin: { token: 'tok' } },
      tree: {
        ...base.tree,
        details: { redisUrl: SECRETS[0] },
        children: [
          {
            id: 'program-worker',
            kind: 'worker',
            status: 'running',
            restarts: 0,
            inFlight: 1,
            state: { running: 'busy' },
            details: { apiKey: SECRETS[1], inputs: { question: SECRETS[2] } },
          },
          {
            id: 'odd-state',
            kind: 'worker',
            status: 'running',
            restarts: 0,
            state: { inputs: { question: 42 } },
          },
        ],
      },
    };
    return leaky as RuntimeSnapshotView;
  }
}

describe('admin endpoint beyond loopback', () => {
  it('the config refuses a non-loopback admin.host without a token, naming admin.token', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'node1.example.com']) {
      let error: unknown;
      try {
        parseConfig({ programs: './p.ts', admin: { host } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(
        `admin.token: admin.host ${host} is not a loopback`,
      );
    }
    expect(
      parseConfig({ programs: './p.ts', admin: { host: '0.0.0.0', token: 't' } }).admin.host,
    ).toBe('0.0.0.0');
    for (const host of ['127.0.0.1', '::1', 'localhost'])
      expect(parseConfig({ programs: './p.ts', admin: { host } }).admin.host).toBe(host);
    // a disabled endpoint binds nothing
    expect(
      parseConfig({ programs: './p.ts', admin: { enabled: false, host: '0.0.0.0' } }).admin.enabled,
    ).toBe(false);
  });

  it('startAdminServer refuses 0.0.0.0 without a token before binding', async () => {
    await expect(
      startAdminServer({
        runtime: new StubRuntime(),
        host: '0.0.0.0',
        port: 0,
        logger: silentLogger(),
      }),
    ).rejects.toMatchObject({ code: 'admin_insecure', details: { host: '0.0.0.0' } });
  });

  it('on 0.0.0.0 with a token, requests without it get 401 and with it 200', async () => {
    const admin = await startAdminServer({
      runtime: new StubRuntime(),
      host: '0.0.0.0',
      port: 0,
      token: 'open-sesame',
      logger: silentLogger(),
    });
    try {
      const url = `http://127.0.0.1:${admin.port}`;
      for (const path of ['/health', '/tree', '/metrics']) {
        const denied = await fetch(`${url}${path}`);
        expect(denied.status).toBe(401);
        expect(await denied.text()).not.toContain('stub-node');
      }
      const wrong = await fetch(`${url}/tree`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const ok = await fetch(`${url}/tree`, { headers: { authorization: 'Bearer open-sesame' } });
      expect(ok.status).toBe(200);
    } finally {
      await admin.close();
    }
  });

  it('dspex start with admin.host 0.0.0.0 and no token exits 2 before the runtime starts', async () => {
    const cwd = projectDir({ admin: { host: '0.0.0.0', port: 0 } });
    const res = await runDspex(['start'], { cwd, timeoutMs: 60_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('admin.host 0.0.0.0 is not a loopback address: set admin.token');
    expect(res.stdout).not.toContain('dspex daemon started');
    const stateDir = join(cwd, '.dspex');
    expect(existsSync(stateDir) ? readdirSync(stateDir) : []).toEqual([]);
  }, 90_000);
});

describe('Redis heartbeats show no more than the protected endpoint', () => {
  it('publishes only the tree fields inspect draws: no details, URLs, keys or job inputs', async () => {
    const prefix = `hb-leak-${process.pid}-${Date.now()}`;
    const redis = new Redis(inject('redisUrl'));
    const hb = await startHeartbeat({
      redis,
      prefix,
      runtime: new LeakyRuntime('leaky', 'redis'),
      intervalMs: 60_000,
      admin: 'http://127.0.0.1:7390',
      logger: silentLogger(),
      status: () => 'ok',
    });
    try {
      const text = (await redis.get(nodeKey(prefix, 'leaky'))) ?? '';
      for (const secret of [...SECRETS, 'tok', 'details', 'config'])
        expect(text).not.toContain(secret);
      const record = JSON.parse(text) as Record<string, unknown> & {
        snapshot: RuntimeSnapshotView;
      };
      expect(Object.keys(record).sort()).toEqual(
        [
          'admin',
          'heartbeatAt',
          'hostname',
          'intervalMs',
          'mode',
          'nodeId',
          'pid',
          'programs',
          'snapshot',
          'status',
        ].sort(),
      );
      expect(Object.keys(record.snapshot).sort()).toEqual(['mode', 'nodeId', 'startedAt', 'tree']);
      expect(record.snapshot.tree.children).toEqual([
        {
          id: 'program-worker',
          kind: 'worker',
          status: 'running',
          restarts: 0,
          inFlight: 1,
          state: { running: 'busy' },
        },
        { id: 'odd-state', kind: 'worker', status: 'running', restarts: 0 },
      ]);
    } finally {
      await hb.stop();
      redis.disconnect();
    }
  });
});
