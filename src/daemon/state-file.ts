import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonError } from './daemon-error.js';

/** Folder (in the daemon's working directory) holding the nodes' state files. */
export const STATE_DIR = '.dspex';
/** State file names: `node-<pid>.json`, one per node started in the folder. */
const STATE_FILE_RE = /^node-(\d+)\.json$/;

/**
 * What a running node writes to `.dspex/node-<pid>.json` in its working directory, so the CLI
 * (`dspex inspect`, `submit`, `jobs`) finds its admin endpoint (even when the port was chosen by
 * the OS) and its cluster (Redis URL, prefix, run queue). Several nodes may run from one folder
 * (one per core): each has its own file. Written with mode 0600 because it may hold the admin token
 * and the Redis URL's password.
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
  /** Where the node's cluster lives, in Redis mode. */
  redis?: { url: string; prefix: string };
  /** The node's `dspex-run` queue name. */
  runQueue?: string;
}

/** Absolute path of the state file of the node with process id `pid` started in `cwd`. */
export function stateFilePath(cwd: string, pid: number = process.pid): string {
  return join(cwd, STATE_DIR, `node-${pid}.json`);
}

/** Writes the node's state file atomically (temp file + rename), so a reader never sees half of it. */
export function writeStateFile(cwd: string, state: DaemonState): string {
  const file = stateFilePath(cwd, state.pid);
  const tmp = `${file}.tmp`;
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

/**
 * Reads the state file of node `pid` in `cwd`; `undefined` when there is none. Throws `state_file`
 * when it is unreadable or corrupt.
 */
export function readStateFile(cwd: string, pid: number = process.pid): DaemonState | undefined {
  const file = stateFilePath(cwd, pid);
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
  if (!isDaemonState(parsed) || parsed.pid !== pid)
    throw new DaemonError('state_file', `${file} is not a dspex node state file`, {
      details: { path: file },
    });
  return parsed;
}

/** The nodes of a folder, from their state files. */
export interface LocalNodes {
  /** Nodes whose process is alive, oldest first. */
  live: DaemonState[];
  /** Pids of state files whose process is gone (a node killed with SIGKILL leaves its file). */
  stale: number[];
  /** State files that could not be read, with the reason. */
  unreadable: { path: string; reason: string }[];
}

/** Every node started in `cwd` (`.dspex/node-*.json`), sorted by start time. */
export function listLocalNodes(cwd: string): LocalNodes {
  const out: LocalNodes = { live: [], stale: [], unreadable: [] };
  let names: string[];
  try {
    names = readdirSync(join(cwd, STATE_DIR));
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const pid = Number(STATE_FILE_RE.exec(name)?.[1] ?? NaN);
    if (!Number.isSafeInteger(pid)) continue;
    try {
      const state = readStateFile(cwd, pid);
      if (state === undefined) continue; // removed since the listing
      if (isProcessAlive(pid)) out.live.push(state);
      else out.stale.push(pid);
    } catch (e) {
      out.unreadable.push({ path: stateFilePath(cwd, pid), reason: (e as Error).message });
    }
  }
  out.live.sort((a, b) => a.startedAt - b.startedAt || a.pid - b.pid);
  return out;
}

/** Removes the state file of node `pid` (default: this process). */
export function removeStateFile(cwd: string, pid: number = process.pid): void {
  rmSync(stateFilePath(cwd, pid), { force: true });
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
  const redis = s.redis as Record<string, unknown> | undefined;
  return (
    typeof s.pid === 'number' &&
    typeof s.port === 'number' &&
    typeof s.host === 'string' &&
    typeof s.nodeId === 'string' &&
    (s.token === undefined || typeof s.token === 'string') &&
    (redis === undefined ||
      (typeof redis === 'object' &&
        redis !== null &&
        typeof redis.url === 'string' &&
        typeof redis.prefix === 'string')) &&
    (s.runQueue === undefined || typeof s.runQueue === 'string')
  );
}
