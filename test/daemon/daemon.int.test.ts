import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import {
  nodeKey,
  nodesSetKey,
  readClusterNodes,
  readStateFile,
  startDaemon,
  type DaemonConfig,
  type SignalSource,
} from '../../src/daemon/index.js';
import type { HttpRuntime } from '../../src/http/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { StubRuntime } from './stub-runtime.js';

function config(overrides: Partial<DaemonConfig> = {}): DaemonConfig {
  return {
    admin: { enabled: true, host: '127.0.0.1', port: 0 },
    shutdown: { drainTimeoutMs: 1234 },
    ...overrides,
  };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'dspex-daemon-'));

describe('startDaemon', () => {
  it('writes the state file with the chosen port and removes it on shutdown', async () => {
    const cwd = tmp();
    const daemon = await startDaemon({
      runtime: new StubRuntime('n1'),
      config: config({ admin: { enabled: true, host: '127.0.0.1', port: 0, token: 'tok' } }),
      logger: silentLogger(),
      cwd,
      signals: false,
    });
    const state = readStateFile(cwd);
    expect(state).toMatchObject({
      pid: process.pid,
      nodeId: 'n1',
      port: daemon.admin!.port,
      token: 'tok',
      mode: 'embedded',
    });
    expect(await daemon.shutdown()).toBe(0);
    expect(existsSync(join(cwd, '.dspex', `node-${process.pid}.json`))).toBe(false);
    await expect(fetch(`${daemon.admin!.url}/health`)).rejects.toThrow();
  });

  it('shutdown drains with shutdown.drainTimeoutMs, then stops the tree, and is idempotent', async () => {
    const runtime = new StubRuntime();
    let release!: () => void;
    runtime.drainGate = new Promise((r) => (release = r));
    const daemon = await startDaemon({
      runtime,
      config: config(),
      logger: silentLogger(),
      cwd: tmp(),
      signals: false,
    });
    const first = daemon.shutdown('test');
    const health = (await (await fetch(`${daemon.admin!.url}/health`)).json()) as {
      status: string;
    };
    expect(health.status).toBe('draining');
    release();
    expect(await first).toBe(0);
    expect(await daemon.shutdown()).toBe(0);
    expect(await daemon.done).toBe(0);
    expect(runtime.calls).toEqual(['drain', 'stop']);
    expect(runtime.drainDeadline).toBe(1234);
  });

  it('the first SIGTERM shuts down gracefully; a second one forces the exit with 128+15', async () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    const runtime = new StubRuntime();
    runtime.drainGate = new Promise(() => undefined); // a drain that never ends
    await startDaemon({
      runtime,
      config: config(),
      logger: silentLogger(),
      cwd: tmp(),
      signals: signals as unknown as SignalSource,
      exit: (code) => exits.push(code),
    });
    signals.emit('SIGTERM');
    await expect.poll(() => runtime.calls).toEqual(['drain']);
    expect(exits).toEqual([]);
    signals.emit('SIGTERM');
    expect(exits).toEqual([143]);
  });

  it('a second node in the same folder takes a free admin port when the configured one is taken', async () => {
    const cwd = tmp();
    const first = await startDaemon({
      runtime: new StubRuntime('first'),
      config: config(),
      logger: silentLogger(),
      cwd,
      signals: false,
    });
    const taken = first.admin!.port;
    const second = await startDaemon({
      runtime: new StubRuntime('second'),
      config: config({ admin: { enabled: true, host: '127.0.0.1', port: taken } }),
      logger: silentLogger(),
      cwd: tmp(),
      signals: false,
    });
    try {
      expect(second.adminPortTaken).toBe(taken);
      expect(second.admin!.port).not.toBe(taken);
      expect(await (await fetch(`${second.admin!.url}/health`)).json()).toMatchObject({
        nodeId: 'second',
      });
      expect(first.adminPortTaken).toBeNull();
    } finally {
      await second.shutdown();
      await first.shutdown();
    }
  });

  it('a second node in the same folder serves its HTTP API on a free port when the configured one is taken', async () => {
    // Only the OpenAPI document is fetched: it never reaches the runtime behind the API.
    const api = {} as HttpRuntime;
    const http = (port: number): NonNullable<DaemonConfig['http']> => ({
      enabled: true,
      host: '127.0.0.1',
      port,
      tokens: [],
      runDeadlineMs: 1000,
      retryAfterSeconds: 1,
      maxQueuedJobs: 10,
      maxBodyBytes: 1024 * 1024,
    });
    const first = await startDaemon({
      runtime: new StubRuntime('first'),
      config: config({ http: http(0) }),
      logger: silentLogger(),
      cwd: tmp(),
      signals: false,
      api,
    });
    const taken = first.http!.port;
    const second = await startDaemon({
      runtime: new StubRuntime('second'),
      config: config({ http: http(taken) }),
      logger: silentLogger(),
      cwd: tmp(),
      signals: false,
      api,
    });
    try {
      expect(first.httpPortTaken).toBeNull();
      expect(second.httpPortTaken).toBe(taken);
      expect(second.http!.port).not.toBe(taken);
      const doc = await fetch(`${second.http!.url}/v1/openapi.json`);
      expect(doc.status).toBe(200);
    } finally {
      await second.shutdown();
      await first.shutdown();
    }
  });

  it('in Redis mode publishes heartbeats with a TTL and removes them on shutdown', async () => {
    const url = inject('redisUrl');
    const prefix = `hb-${process.pid}-${Date.now()}`;
    const redis = new Redis(url);
    try {
      const runtime = new StubRuntime('node-a', 'redis');
      const daemon = await startDaemon({
        runtime,
        config: config({
          redis: { url, prefix },
          admin: { enabled: false, host: '127.0.0.1', port: 0 },
        }),
        logger: silentLogger(),
        cwd: tmp(),
        signals: false,
        heartbeatMs: 200,
      });
      expect(daemon.admin).toBeNull();
      const ttl = await redis.pttl(nodeKey(prefix, 'node-a'));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600);
      const nodes = await readClusterNodes(redis, prefix);
      expect(nodes.map((n) => [n.nodeId, n.status, n.intervalMs])).toEqual([['node-a', 'ok', 200]]);
      expect(nodes[0]!.snapshot.tree.id).toBe('root');
      expect(nodes[0]!.programs).toEqual(['qa', 'summarize']);
      await daemon.shutdown();
      expect(await redis.exists(nodeKey(prefix, 'node-a'))).toBe(0);
      expect(await redis.smembers(nodesSetKey(prefix))).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('the cluster view drops node ids whose heartbeat expired', async () => {
    const url = inject('redisUrl');
    const prefix = `hb-exp-${process.pid}-${Date.now()}`;
    const redis = new Redis(url);
    try {
      await redis.sadd(nodesSetKey(prefix), 'dead-node');
      expect(await readClusterNodes(redis, prefix)).toEqual([]);
      expect(await redis.smembers(nodesSetKey(prefix))).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
