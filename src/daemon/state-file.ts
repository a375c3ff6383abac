import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonError } from './daemon-error.js';

/** Folder (in the daemon's working directory) holding its state file. */
export const STATE_DIR = '.dspex';
/** Name of the state file inside {@link STATE_DIR}. */
export const STATE_FILE_NAME = 'daemon.json';

/**
 * What a running daemon writes to `.dspex/daemon.json` in its working directory, so the CLI
 * (`dspex inspect`) finds its admin endpoint even when the port was chosen by the OS (port 0).
 * Written with mode 0600 because it may hold the admin token.
 */
export interface DaemonState {
  pid: number;
  nodeId: string;
  mode: 'embedded' | 'redis';
  host: string;
  port: number;
  /** The admin bearer token, when one is configured. */
  token?: string;
  /** Epoch ms. */
  startedAt: number;
}

/** Absolute path of the state file of a daemon started in `cwd`. */
export function stateFilePath(cwd: string): string {
  return join(cwd, STATE_DIR, STATE_FILE_NAME);
}

/** Writes the state file atomically (temp file + rename), so a reader never sees half of it. */
export function writeStateFile(cwd: string, state: DaemonState): string {
  const file = stateFilePath(cwd);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(cwd, STATE_DIR), { recursive: true });
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (cause) {
    throw new DaemonError('state_file', `cannot write ${file}: ${(cause as Error).message}`, {
      cause,
      details: { path: file },
    });
  }
  return file;
}

/** Reads the state file of `cwd`; `undefined` when there is none. Throws `state_file` when it is corrupt. */
export function readStateFile(cwd: string): DaemonState | undefined {
  const file = stateFilePath(cwd);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DaemonError('state_file', `cannot read ${file}: ${(cause as Error).message}`, {
      cause,
      details: { path: file },
    });
  }
  const parsed = safeJson(text);
  if (!isDaemonState(parsed))
    throw new DaemonError('state_file', `${file} is not a dspex daemon state file`, {
      details: { path: file },
    });
  return parsed;
}

/** Removes the state file, only when it still belongs to `pid` (a newer daemon may own it). */
export function removeStateFile(cwd: string, pid: number = process.pid): void {
  try {
    const current = readStateFile(cwd);
    if (current !== undefined && current.pid !== pid) return;
    rmSync(stateFilePath(cwd), { force: true });
  } catch {
    // A corrupt or unreadable file is left for the operator: it is not ours to judge.
  }
}

/** True when a process with this pid exists (signal 0 probes without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isDaemonState(v: unknown): v is DaemonState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.pid === 'number' &&
    typeof s.port === 'number' &&
    typeof s.host === 'string' &&
    typeof s.nodeId === 'string' &&
    (s.token === undefined || typeof s.token === 'string')
  );
}
