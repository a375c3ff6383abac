import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from '../telemetry/index.js';
import { isLoopback } from './auth.js';
import { createHttpApp, type HttpAppOptions } from './app.js';
import { HttpError } from './errors.js';

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions extends HttpAppOptions {
  /** Interface to bind. Default `127.0.0.1`; any other address requires at least one token. */
  host?: string;
  /** Port; 0 lets the OS choose (read it back from {@link HttpServer.port}). Default 0. */
  port?: number;
  logger: Logger;
}

/** A running HTTP API server. */
export interface HttpServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops accepting, ends open streams and closes the server. */
  close(): Promise<void>;
}

/**
 * Serves {@link createHttpApp} on node:http through `@hono/node-server`. Refuses (`HttpError`
 * `insecure_bind`) to bind beyond loopback without a bearer token.
 *
 * @example
 * ```ts
 * const api = await startHttpServer({ runtime: httpRuntimeOf(rt), port: 8080, tokens: ['s3cret'], logger });
 * // curl -H 'authorization: Bearer s3cret' http://127.0.0.1:8080/v1/programs
 * await api.close();
 * ```
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && (options.tokens ?? []).length === 0)
    throw new HttpError(
      'insecure_bind',
      `refusing to serve the HTTP API on ${host} without a token: set http.tokens, or bind 127.0.0.1`,
    );
  const app = createHttpApp(options);
  const log = options.logger.child({ component: 'http' });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, () =>
      resolve(s),
    );
    s.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new HttpError(
          'http_listen_failed',
          `cannot listen on ${host}:${options.port ?? 0}: ${e.message}`,
          {},
          { cause: e, details: { host, port: options.port ?? 0, errno: e.code ?? null } },
        ),
      ),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url, auth: (options.tokens ?? []).length > 0 }, 'HTTP API listening');
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        const s = server as { closeAllConnections?: () => void };
        s.closeAllConnections?.();
      })),
  };
}
