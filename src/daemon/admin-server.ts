import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminExposureProblem } from '../config/index.js';
import type { Logger } from '../telemetry/index.js';
import { hasBearerToken } from './admin-auth.js';
import { DaemonError } from './daemon-error.js';
import { createDashboard, type DashboardViews } from './dashboard/dashboard.js';
import { sendJson, toJsonText } from './json-safe.js';
import type { DaemonRuntime } from './runtime-port.js';

/** Health of a node as `/health` reports it. */
export type DaemonStatus = 'ok' | 'draining';

/** Options of {@link startAdminServer}. */
export interface AdminServerOptions {
  runtime: DaemonRuntime;
  /** Interface to bind. Default `127.0.0.1` (loopback: the endpoint is for local operators). */
  host?: string;
  /** Port; 0 lets the OS choose (read it back from {@link AdminServer.port}). Default 0. */
  port?: number;
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). */
  token?: string;
  logger: Logger;
  /** Epoch ms source, for `uptime`. Default `Date.now`. */
  now?: () => number;
  /** Interval of SSE keep-alive comments, ms. Default 15 000. */
  keepAliveMs?: number;
  /** What the dashboard lists besides this node (queues, the cluster's other nodes). */
  dashboard?: DashboardViews;
}

/** A running admin endpoint. */
export interface AdminServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** What `/health` reports from now on. */
  setStatus(status: DaemonStatus): void;
  /** Ends the event streams and closes the server and its connections. */
  close(): Promise<void>;
}

/**
 * Starts the loopback admin endpoint of a daemon:
 * - `GET /health` → `{ status, nodeId, mode, uptime, pid, programs }` (`uptime` in seconds);
 * - `GET /metrics` → Prometheus text;
 * - `GET /tree` → the runtime snapshot `{ nodeId, mode, startedAt, tree }` as JSON;
 * - `GET /events` → Server-Sent Events, one `event: <type>` per runtime event, JSON `data`;
 * - `POST /reload` → hot reload of the programs module (200 reloaded/unchanged, 422 refused).
 * Rejects with {@link DaemonError} `admin_listen_failed` (details carry the errno code) when the
 * port cannot be bound, and `admin_insecure` (before binding) for a non-loopback `host` without a
 * `token`.
 *
 * @example
 * ```ts
 * const admin = await startAdminServer({ runtime, port: 0, logger });
 * const health = await (await fetch(`${admin.url}/health`)).json();
 * ```
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const host = options.host ?? '127.0.0.1';
  const exposure = adminExposureProblem({ host, token: options.token });
  if (exposure !== undefined)
    throw new DaemonError('admin_insecure', exposure, { details: { host } });
  const now = options.now ?? Date.now;
  const startedAt = now();
  const log = options.logger.child({ component: 'admin' });
  const streams = new Set<ServerResponse>();
  let status: DaemonStatus = 'ok';

  const routes: Record<
    string,
    (res: ServerResponse, req: IncomingMessage) => Promise<void> | void
  > = {
    '/health': (res) => {
      const runtime = options.runtime;
      sendJson(res, 200, {
        status,
        nodeId: runtime.nodeId,
        mode: runtime.mode,
        uptime: Math.max(0, (now() - startedAt) / 1000),
        pid: process.pid,
        programs: runtime.programs(),
        ...(runtime.programsVersion === undefined
          ? {}
          : { programsVersion: runtime.programsVersion() }),
      });
    },
    '/metrics': async (res) => {
      const text = await options.runtime.metrics();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
    },
    '/tree': (res) => sendJson(res, 200, options.runtime.inspect()),
    '/events': (res, req) => openEventStream(res, req),
  };
  let boundPort = options.port ?? 0;
  const dashboard = createDashboard({
    runtime: options.runtime,
    queues: options.dashboard?.queues ?? ['dspex-run'],
    ...(options.dashboard?.clusterNodes === undefined
      ? {}
      : { clusterNodes: options.dashboard.clusterNodes }),
    status: () => status,
    now,
    port: () => boundPort,
    ...(options.token === undefined ? {} : { token: options.token }),
  });

  function openEventStream(res: ServerResponse, req: IncomingMessage): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(`: connected to ${options.runtime.nodeId}\n\n`);
    streams.add(res);
    const unsubscribe = options.runtime.subscribe((event) => {
      res.write(
        `event: ${String(event.type).replace(/[\r\n]/g, ' ')}\ndata: ${safeJson(event)}\n\n`,
      );
    });
    const keepAlive = setInterval(
      () => res.write(': keep-alive\n\n'),
      options.keepAliveMs ?? 15_000,
    );
    keepAlive.unref();
    const end = (): void => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', end);
    res.on('close', end);
  }

  /**
   * `POST /reload`: hot reload of the programs module; 200 with the new (or unchanged) version,
   * 422 with the error when the new version was refused (the old one keeps serving).
   */
  async function reload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(res, 405, { error: `${req.method ?? '?'} not allowed on /reload (use POST)` });
      return;
    }
    // A dashboard session (a browser cookie) does not reach this: a reload needs the token itself.
    if (options.token !== undefined && !hasBearerToken(req, options.token)) {
      sendJson(res, 401, { error: 'POST /reload needs the bearer token (admin.token is set)' });
      return;
    }
    const runtime = options.runtime;
    if (runtime.reload === undefined) {
      sendJson(res, 501, { error: 'this runtime does not support hot reload' });
      return;
    }
    const outcome = await runtime.reload();
    log.info({ ok: outcome.ok, version: outcome.version.version }, 'reload requested');
    sendJson(res, outcome.ok ? 200 : 422, { nodeId: runtime.nodeId, ...outcome });
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      log.error({ err: e, path: req.url }, 'admin request failed');
      if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (dashboard.intercept(req, res, url)) return;
    if (
      options.token !== undefined &&
      !hasBearerToken(req, options.token) &&
      !dashboard.hasSession(req)
    ) {
      res.setHeader('www-authenticate', 'Bearer realm="dspex"');
      sendJson(res, 401, { error: 'missing or wrong bearer token (admin.token is set)' });
      return;
    }
    const path = url.pathname;
    if (path === '/reload') {
      await reload(req, res);
      return;
    }
    const route = routes[path] ?? dashboard.routes[path] ?? dashboard.match(path);
    if (route === undefined) {
      const endpoints = [...Object.keys(routes), '/reload', ...dashboard.endpoints];
      sendJson(res, 404, { error: `no such endpoint ${path}`, endpoints });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET');
      sendJson(res, 405, { error: `${req.method ?? '?'} not allowed on ${path}` });
      return;
    }
    await route(res, req);
  }

  const port = await listen(server, host, options.port ?? 0);
  boundPort = port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url }, 'admin endpoint listening');
  return {
    host,
    port,
    url,
    setStatus(next) {
      status = next;
    },
    close() {
      for (const res of streams) res.end();
      streams.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (cause: NodeJS.ErrnoException): void => {
      const hint =
        cause.code === 'EADDRINUSE'
          ? ` (another daemon may be running; set admin.port, or DSPEX_ADMIN_PORT=0 for any free port)`
          : '';
      reject(
        new DaemonError(
          'admin_listen_failed',
          `cannot listen on ${host}:${port}: ${cause.code ?? cause.message}${hint}`,
          { cause, details: { host, port, errno: cause.code ?? null } },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function safeJson(value: unknown): string {
  return toJsonText(value);
}
