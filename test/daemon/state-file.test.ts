import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  forcedExitCode,
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

describe('state file .dspex/daemon.json', () => {
  it('round-trips and is readable by its owner only (it may hold the admin token)', () => {
    const cwd = tmp();
    const file = writeStateFile(cwd, state);
    expect(file).toBe(join(cwd, '.dspex', 'daemon.json'));
    expect(readStateFile(cwd)).toEqual(state);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('is undefined when absent and a state_file error when corrupt', () => {
    const cwd = tmp();
    expect(readStateFile(cwd)).toBeUndefined();
    mkdirSync(join(cwd, '.dspex'));
    writeFileSync(stateFilePath(cwd), '{"pid": "nope"}');
    expect(() => readStateFile(cwd)).toThrow(expect.objectContaining({ code: 'state_file' }));
  });

  it('is removed only by the daemon that owns it', () => {
    const cwd = tmp();
    writeStateFile(cwd, state);
    removeStateFile(cwd, 999);
    expect(existsSync(stateFilePath(cwd))).toBe(true);
    removeStateFile(cwd, 123);
    expect(existsSync(stateFilePath(cwd))).toBe(false);
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
