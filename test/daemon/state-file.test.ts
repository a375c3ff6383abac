import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  forcedExitCode,
  listLocalNodes,
  onShutdownSignals,
  readStateFile,
  removeStateFile,
  stateFilePath,
  writeStateFile,
  type DaemonState,
  type SignalSource,
} from '../../src/daemon/index.js';

const state: DaemonState = {
  pid: 123,
  nodeId: 'n1',
  mode: 'embedded',
  host: '127.0.0.1',
  port: 4567,
  token: 't',
  startedAt: 1,
};
const tmp = (): string => mkdtempSync(join(tmpdir(), 'dspex-state-'));

describe('per-node state files .dspex/node-<pid>.json', () => {
  it('round-trips and is readable by its owner only (it may hold the admin token)', () => {
    const cwd = tmp();
    const file = writeStateFile(cwd, state);
    expect(file).toBe(join(cwd, '.dspex', 'node-123.json'));
    expect(readStateFile(cwd, 123)).toEqual(state);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps the cluster facts (Redis URL, prefix, run queue) for the CLI', () => {
    const cwd = tmp();
    const withRedis: DaemonState = {
      ...state,
      mode: 'redis',
      redis: { url: 'redis://127.0.0.1:6390', prefix: 'p' },
      runQueue: 'q',
    };
    writeStateFile(cwd, withRedis);
    expect(readStateFile(cwd, 123)).toEqual(withRedis);
  });

  it('is undefined when absent and a state_file error when corrupt', () => {
    const cwd = tmp();
    expect(readStateFile(cwd, 123)).toBeUndefined();
    mkdirSync(join(cwd, '.dspex'));
    writeFileSync(stateFilePath(cwd, 123), '{"pid": "nope"}');
    expect(() => readStateFile(cwd, 123)).toThrow(expect.objectContaining({ code: 'state_file' }));
  });

  it('two nodes of one folder have a file each; removing one leaves the other', () => {
    const cwd = tmp();
    writeStateFile(cwd, state);
    writeStateFile(cwd, { ...state, pid: 124, nodeId: 'n2' });
    removeStateFile(cwd, 123);
    expect(existsSync(stateFilePath(cwd, 123))).toBe(false);
    expect(readStateFile(cwd, 124)?.nodeId).toBe('n2');
  });

  it('listLocalNodes lists live nodes oldest first and reports stale and unreadable files', () => {
    const cwd = tmp();
    writeStateFile(cwd, { ...state, pid: process.pid, nodeId: 'me', startedAt: 5 });
    writeStateFile(cwd, { ...state, pid: process.ppid, nodeId: 'parent', startedAt: 2 });
    writeStateFile(cwd, { ...state, pid: 4_194_303, nodeId: 'gone' });
    writeFileSync(join(cwd, '.dspex', 'node-77.json'), 'not json');
    writeFileSync(join(cwd, '.dspex', 'notes.txt'), 'ignored');
    const nodes = listLocalNodes(cwd);
    expect(nodes.live.map((n) => n.nodeId)).toEqual(['parent', 'me']);
    expect(nodes.stale).toEqual([4_194_303]);
    expect(nodes.unreadable).toEqual([
      {
        path: join(cwd, '.dspex', 'node-77.json'),
        reason: expect.stringContaining('node-77.json'),
      },
    ]);
    expect(listLocalNodes(tmp())).toEqual({ live: [], stale: [], unreadable: [] });
  });
});

describe('onShutdownSignals', () => {
  it.each([
    ['SIGTERM', 'SIGTERM', 143],
    ['SIGINT', 'SIGINT', 130],
    ['SIGTERM', 'SIGINT', 130],
  ] as const)(
    'a first %s shuts down gracefully, a second %s forces exit %i',
    (first, second, code) => {
      const source = new EventEmitter();
      const seen: string[] = [];
      const uninstall = onShutdownSignals(
        source as unknown as SignalSource,
        (s) => seen.push(`shutdown:${s}`),
        (s) => seen.push(`force:${forcedExitCode(s)}`),
      );
      source.emit(first);
      source.emit(second);
      expect(seen).toEqual([`shutdown:${first}`, `force:${code}`]);
      uninstall();
      expect(source.listenerCount('SIGTERM') + source.listenerCount('SIGINT')).toBe(0);
    },
  );
});
