import { Redis } from 'ioredis';
import { CONFIG_DEFAULTS, type RuntimeConfig } from '../config/index.js';
import { startHttpServer, type HttpRuntime, type HttpServer } from '../http/index.js';
import type { Logger } from '../telemetry/index.js';
import { startAdminServer, type AdminServer, type DaemonStatus } from './admin-server.js';
import { DspexError } from '../errors/index.js';
import { DaemonError } from './daemon-error.js';
import { readClusterNodes } from './cluster-view.js';
import { startHeartbeat, type Heartbeat, type NodeHeartbeat } from './heartbeat.js';
import type { DaemonRuntime } from './runtime-port.js';
import {
  forcedExitCode,
  onShutdownSignals,
  type ShutdownSignal,
  type SignalSource,
} from './shutdown-signals.js';
import { startReloadListener } from './reload-control.js';
import { removeStateFile, writeStateFile } from './state-file.js';

/** Queues besides the run queue whose jobs the dashboard lists (the runtime's default names). */
const DASHBOARD_QUEUES = ['dspex-optimize', 'dspex-eval'];

/** The configuration sections the daemon reads. */
export type DaemonConfig = Pick<RuntimeConfig, 'admin' | 'shutdown'> & {
  redis?: RuntimeConfig['redis'];
  /** The HTTP API (served when `http.enabled`; needs {@link DaemonOptions.api}). */
  http?: RuntimeConfig['http'];
};

/** Options of {@link startDaemon}. */
export interface DaemonOptions {
  runtime: DaemonRuntime;
  config: DaemonConfig;
  logger: Logger;
  /** Directory of the node's state file `.dspex/node-<pid>.json`. Default `process.cwd()`. */
  cwd?: string;
  /** Heartbeat interval in Redis mode, ms. Default 2 000 (record TTL: 3 intervals). */
  heartbeatMs?: number;
  /** Install SIGTERM/SIGINT handlers on `process` (or the given source). Default true. */
  signals?: boolean | SignalSource;
  /** The node's `dspex-run` queue name, recorded in the state file for the CLI. */
  runQueue?: string;
  /** Called on a forced exit (second signal). Default `process.exit`. */
  exit?: (code: number) => void;
  /** The runtime as the HTTP API serves it (required when `config.http.enabled`). */
  api?: HttpRuntime;
}

/** A running daemon. */
export interface Daemon {
  /** The admin endpoint, or `null` when `admin.enabled` is false. */
  readonly admin: AdminServer | null;
  /** Path of the state file, or `null` when there is no admin endpoint. */
  readonly stateFile: string | null;
  /**
   * The configured admin port when it was taken and the endpoint fell back to a free port (so
   * several nodes can run on one machine); `null` otherwise.
   */
  readonly adminPortTaken: number | null;
  /** The HTTP API, or `null` when `http.enabled` is false. */
  readonly http: HttpServer | null;
  /** The configured HTTP port when it was taken and the API fell back to a free port; else `null`. */
  readonly httpPortTaken: number | null;
  /**
   * Graceful shutdown (idempotent): stop intake, drain in-flight work up to
   * `shutdown.drainTimeoutMs`, stop the tree in reverse order, stop heartbeats, close the admin
   * endpoint, remove the state file. Resolves with the exit code to use (0, or 1 when a step failed).
   */
  shutdown(reason?: string): Promise<number>;
  /** Settles with the exit code once the daemon has shut down (by signal or {@link shutdown}). */
  readonly done: Promise<number>;
}

/**
 * Serves a started runtime as a long-running daemon: the loopback admin endpoint (health, metrics,
 * tree, events) and its state file, Redis heartbeats in Redis mode, and graceful SIGTERM/SIGINT
 * shutdown (a second signal forces the exit). Bad jobs never stop it: the runtime fails them.
 *
 * @example
 * ```ts
 * const runtime = await startRuntime(config);
 * const daemon = await startDaemon({ runtime, config, logger });
 * process.exitCode = await daemon.done;
 * ```
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { runtime, config } = options;
  const cwd = options.cwd ?? process.cwd();
  const log = options.logger.child({ component: 'daemon', node: runtime.nodeId });
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let status: DaemonStatus = 'ok';

  let admin: AdminServer | null = null;
  let stateFile: string | null = null;
  let adminPortTaken: number | null = null;
  let httpPortTaken: number | null = null;
  // The heartbeat connection is opened below; until then the dashboard shows this node only.
  const cluster: { read?: () => Promise<NodeHeartbeat[]> } = {};
  if (config.admin.enabled) {
    const dashboard = {
      queues: [options.runQueue ?? CONFIG_DEFAULTS.runQueue, ...DASHBOARD_QUEUES],
      clusterNodes: () => cluster.read?.() ?? Promise.resolve([]),
    };
    const listenOn = (port: number): Promise<AdminServer> =>
      startAdminServer({
        runtime,
        host: config.admin.host,
        port,
        logger: options.logger,
        dashboard,
        ...(config.admin.token === undefined ? {} : { token: config.admin.token }),
      });
    const bound = await listenWithFallback(listenOn, config.admin.port, (port) =>
      log.info(
        { configured: config.admin.port, port },
        'admin port taken (another node?): listening on a free port',
      ),
    );
    admin = bound.server;
    adminPortTaken = bound.portTaken;
    stateFile = writeStateFile(cwd, {
      pid: process.pid,
      nodeId: runtime.nodeId,
      mode: runtime.mode,
      host: admin.host,
      port: admin.port,
      ...(config.admin.token === undefined ? {} : { token: config.admin.token }),
      startedAt: runtime.inspect().startedAt,
      ...(options.runQueue === undefined ? {} : { runQueue: options.runQueue }),
      ...(runtime.mode === 'redis' && config.redis !== undefined
        ? { redis: { url: config.redis.url, prefix: config.redis.prefix } }
        : {}),
    });
  }

  let http: HttpServer | null = null;
  if (config.http?.enabled === true) {
    if (options.api === undefined)
      throw new DaemonError(
        'http_unavailable',
        'http.enabled is set but no HTTP runtime was given',
      );
    const [api, httpConfig] = [options.api, config.http];
    const httpOn = (port: number): Promise<HttpServer> =>
      startHttpServer({
        runtime: api,
        host: httpConfig.host,
        port,
        tokens: httpConfig.tokens,
        runDeadlineMs: httpConfig.runDeadlineMs,
        retryAfterSeconds: httpConfig.retryAfterSeconds,
        maxQueuedJobs: httpConfig.maxQueuedJobs,
        maxBodyBytes: httpConfig.maxBodyBytes,
        logger: options.logger,
      });
    try {
      const bound = await listenWithFallback(httpOn, httpConfig.port, (port) =>
        log.warn(
          { configured: httpConfig.port, port },
          'HTTP API port taken (another node?): listening on a free port',
        ),
      );
      http = bound.server;
      httpPortTaken = bound.portTaken;
    } catch (e) {
      await admin?.close();
      if (stateFile !== null) removeStateFile(cwd);
      throw e;
    }
  }

  let redis: Redis | null = null;
  let heartbeat: Heartbeat | null = null;
  let stopReloadListener: (() => Promise<void>) | null = null;
  if (runtime.mode === 'redis' && config.redis !== undefined) {
    redis = new Redis(config.redis.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    redis.on('error', (err) => log.debug({ err }, 'heartbeat redis connection error'));
    const [connection, prefix] = [redis, config.redis.prefix];
    cluster.read = () => readClusterNodes(connection, prefix);
    heartbeat = await startHeartbeat({
      redis,
      prefix: config.redis.prefix,
      runtime,
      intervalMs: options.heartbeatMs ?? CONFIG_DEFAULTS.heartbeatMs,
      admin: admin?.url ?? null,
      logger: options.logger,
      status: () => status,
    });
    // `dspex reload` reaches every node of the cluster through Redis pub/sub.
    if (runtime.reload !== undefined)
      stopReloadListener = await startReloadListener({
        subscriber: redis.duplicate({ lazyConnect: false }),
        publisher: redis,
        prefix: config.redis.prefix,
        runtime,
        logger: options.logger,
      }).catch((err: unknown) => {
        log.warn(
          { err },
          'cannot listen for cluster reloads (dspex reload reaches this node through its admin endpoint only)',
        );
        return null;
      });
  }

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  let shuttingDown: Promise<number> | undefined;

  async function runShutdown(reason: string): Promise<number> {
    const drainMs = config.shutdown.drainTimeoutMs;
    log.info({ reason, drainTimeoutMs: drainMs }, 'shutting down: draining in-flight work');
    status = 'draining';
    admin?.setStatus('draining');
    await heartbeat?.beat();
    let code = 0;
    const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        code = 1;
        log.error({ err }, `shutdown: ${what} failed`);
      }
    };
    await step('drain', () => runtime.drain(drainMs));
    await step('closing the HTTP API', async () => {
      await http?.close();
    });
    await step('stopping the tree', () => runtime.stop());
    await step('removing the heartbeat', async () => {
      await stopReloadListener?.();
      await heartbeat?.stop();
      await redis?.quit();
    });
    await step('closing the admin endpoint', async () => {
      await admin?.close();
    });
    removeStateFile(cwd);
    uninstallSignals();
    log.info({ code }, 'daemon stopped');
    resolveDone(code);
    return code;
  }

  function shutdown(reason = 'requested'): Promise<number> {
    shuttingDown ??= runShutdown(reason);
    return shuttingDown;
  }

  const signalSource =
    options.signals === false
      ? null
      : options.signals === undefined || options.signals === true
        ? process
        : options.signals;
  const uninstallSignals =
    signalSource === null
      ? () => undefined
      : onShutdownSignals(
          signalSource,
          (signal: ShutdownSignal) => void shutdown(signal),
          (signal: ShutdownSignal) => {
            log.warn({ signal }, 'second signal: forcing exit without finishing the drain');
            removeStateFile(cwd);
            exit(forcedExitCode(signal));
          },
        );

  return { admin, stateFile, adminPortTaken, http, httpPortTaken, shutdown, done };
}

/**
 * Listens on `port`; when it is taken (several nodes started from one folder share a config: one per
 * core), on a free port instead, reported through `onFallback`. The CLI finds every node through
 * its state file and banner. `portTaken` is the configured port when the fallback was used.
 */
async function listenWithFallback<S extends { port: number }>(
  listen: (port: number) => Promise<S>,
  port: number,
  onFallback: (freePort: number) => void,
): Promise<{ server: S; portTaken: number | null }> {
  try {
    return { server: await listen(port), portTaken: null };
  } catch (e) {
    if (!isPortTaken(e) || port === 0) throw e;
    const server = await listen(0);
    onFallback(server.port);
    return { server, portTaken: port };
  }
}

function isPortTaken(e: unknown): boolean {
  return (
    e instanceof DspexError &&
    (e.code === 'admin_listen_failed' || e.code === 'http_listen_failed') &&
    e.details.errno === 'EADDRINUSE'
  );
}
