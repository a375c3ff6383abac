import {
  listLocalNodes,
  type ProgramsVersionView,
  type RuntimeSnapshotView,
} from '../daemon/index.js';
import { CliError } from './cli-error.js';

/** How to reach one daemon's admin endpoint. */
export interface AdminTarget {
  url: string;
  token?: string;
}

const START_HINT = 'start one with `npx dspex start` (or `npx dspex start --config PATH`)';

/** One local node's admin endpoint. */
export interface LocalAdminTarget extends AdminTarget {
  nodeId: string;
  pid: number;
}

/**
 * The admin endpoints of every live node started in `cwd`, from their `.dspex/node-<pid>.json`
 * files, oldest first. None (no file, or only files whose process is gone) is
 * `daemon_not_running` (exit 3) saying how to start one. The token of each is `tokens.explicit`
 * (`--token`), else its state file's, else `tokens.fallback` (`DSPEX_ADMIN_TOKEN`).
 */
export function localAdminTargets(
  cwd: string,
  tokens: { explicit?: string | undefined; fallback?: string | undefined } = {},
): LocalAdminTarget[] {
  const { live, stale, unreadable } = listLocalNodes(cwd);
  if (live.length === 0) {
    const why =
      unreadable.length > 0
        ? unreadable.map((u) => u.reason).join('; ')
        : stale.length > 0
          ? `the node(s) with pid ${stale.join(', ')} are no longer running (stale state files in .dspex/)`
          : 'no .dspex/node-*.json';
    throw new CliError(
      'daemon_not_running',
      `no dspex node running in ${cwd} (${why}); ${START_HINT}`,
      {
        details: { cwd, stale },
      },
    );
  }
  return live.map((state) => {
    const token = tokens.explicit ?? state.token ?? tokens.fallback;
    return {
      url: `http://${state.host.includes(':') ? `[${state.host}]` : state.host}:${state.port}`,
      nodeId: state.nodeId,
      pid: state.pid,
      ...(token === undefined ? {} : { token }),
    };
  });
}

/** Sends one request to the admin server; unreachable → exit 3, 401 → exit 8. */
async function adminFetch(
  target: AdminTarget,
  path: string,
  timeoutMs: number,
  method = 'GET',
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, {
      method,
      headers: target.token === undefined ? {} : { authorization: `Bearer ${target.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    const why =
      ((cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message) ||
      'no answer';
    throw new CliError(
      'daemon_not_running',
      `the dspex daemon admin endpoint ${target.url} does not answer (${why}); ${START_HINT}`,
      { cause, details: { url: target.url } },
    );
  }
  if (res.status === 401)
    throw new CliError(
      'unauthorized',
      `the admin endpoint ${target.url} refused the request: ${target.token === undefined ? 'a bearer token is required (set DSPEX_ADMIN_TOKEN or --token)' : 'wrong token'}`,
      { details: { url: target.url } },
    );
  return res;
}

/** GETs a JSON endpoint of the admin server; unreachable → exit 3, 401 → exit 8. */
export async function adminGet<T>(
  target: AdminTarget,
  path: string,
  timeoutMs = 5_000,
): Promise<T> {
  const res = await adminFetch(target, path, timeoutMs);
  if (!res.ok)
    throw new CliError(
      'failed',
      `GET ${target.url}${path} answered ${res.status}: ${await res.text()}`,
    );
  return (await res.json()) as T;
}

/**
 * POSTs to an admin endpoint that answers JSON on success and on the failures listed in
 * `jsonStatuses` (e.g. 422 for a refused reload); any other status is `failed` (exit 1).
 */
export async function adminPost<T>(
  target: AdminTarget,
  path: string,
  jsonStatuses: readonly number[],
  timeoutMs = 60_000,
): Promise<T> {
  const res = await adminFetch(target, path, timeoutMs, 'POST');
  if (!res.ok && !jsonStatuses.includes(res.status))
    throw new CliError(
      'failed',
      `POST ${target.url}${path} answered ${res.status}: ${await res.text()}`,
    );
  return (await res.json()) as T;
}

/** `/health` of a daemon. */
export interface HealthView {
  status: string;
  nodeId: string;
  mode: 'embedded' | 'redis';
  uptime: number;
  pid?: number;
  programs?: string[];
  programsVersion?: ProgramsVersionView;
}

/** One node as `dspex inspect --json` prints it: its facts and its tree snapshot. */
export interface InspectedNode {
  nodeId: string;
  mode: string;
  status: string;
  pid?: number;
  hostname?: string;
  programs?: string[];
  /** Epoch ms of the heartbeat (cluster view only). */
  heartbeatAt?: number;
  /** The programs-module version the node serves (hot reload). */
  programsVersion?: ProgramsVersionView;
  startedAt: number;
  tree: RuntimeSnapshotView['tree'];
}

/** Reads one daemon's health and tree through its admin endpoint. */
export async function inspectViaAdmin(target: AdminTarget): Promise<InspectedNode> {
  const [health, snapshot] = await Promise.all([
    adminGet<HealthView>(target, '/health'),
    adminGet<RuntimeSnapshotView>(target, '/tree'),
  ]);
  return {
    nodeId: snapshot.nodeId,
    mode: snapshot.mode,
    status: health.status,
    ...(health.pid === undefined ? {} : { pid: health.pid }),
    ...(health.programs === undefined ? {} : { programs: health.programs }),
    ...(health.programsVersion === undefined ? {} : { programsVersion: health.programsVersion }),
    startedAt: snapshot.startedAt,
    tree: snapshot.tree,
  };
}
