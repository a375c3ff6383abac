import http from 'node:http';
import https from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';

/**
 * The HTTP transport of the provider SDKs' clients dspex builds: a `fetch`-compatible function over
 * `node:http`/`node:https` with keep-alive agents, handed to the official `openai` and
 * `@anthropic-ai/sdk` clients as their `fetch`.
 *
 * Why: Node's built-in `fetch` (undici's WHATWG implementation) costs more CPU per call than the
 * rest of an LM call together — a request object, a cloned body, an AbortSignal of its own, a web
 * stream for the body — and a node answering jobs from a 0 ms LM is CPU-bound on exactly that.
 * Measured at concurrency 8 against the local OpenAI fixture (bench/lm-overhead/predict-cpu.ts,
 * `raw` against `raw-node`, median of 7 alternating rounds): an SDK call costs 606–829 µs CPU with
 * `fetch` and 309–412 µs with this transport on Node 20, 429–685 and 319–364 µs on Node 24.
 *
 * What it keeps of `fetch`: the same `Response` (status, headers, body as text/JSON or a stream),
 * rejections a client already understands (`TypeError('fetch failed', { cause })` when the
 * connection fails, `TypeError('terminated')` when a streamed body breaks, the signal's reason when
 * aborted — before, during or after the headers), gzip/deflate/br bodies decoded. What it hands to
 * `fetch` itself: redirects (the request is replayed through `fetch`, which follows them), bodies
 * other than text or bytes (form data, streams), and requests that name an undici `dispatcher` (the
 * SDKs' `fetchOptions: { dispatcher }`, how their docs set a proxy). It asks for no compression (`accept-encoding` is left to the
 * caller): an LM's JSON answer is small and decoding costs CPU.
 *
 * Every request goes through `fetch` instead when the process asks for it: the environment variable
 * `DSPEX_HTTP_TRANSPORT=fetch`, `NODE_USE_ENV_PROXY`, or a global undici dispatcher set with
 * `setGlobalDispatcher` (a proxy agent, a mock agent) — which `fetch` honours and this transport
 * could not.
 *
 * Choose another one per client with the `fetch` option of {@link openai}/{@link anthropic}
 * (`fetch: globalThis.fetch` restores Node's).
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createNodeTransport}. */
export interface NodeTransportOptions {
  /** Extra TLS options of the https agent (e.g. `ca` for a private certificate authority). */
  tls?: https.AgentOptions;
  /** Idle connections kept per origin (default 64). */
  maxFreeSockets?: number;
  /**
   * How long an idle connection is kept, ms (default 4 000, as Node's `fetch`; a server's shorter
   * `Keep-Alive: timeout=N` hint wins, less a second). Closing before the server does keeps a
   * request from being sent on a connection the server is closing; when that happens anyway the
   * request fails as a connection error, which the LM's retries take.
   */
  idleTimeoutMs?: number;
}

/** What a `Response` is built from. */
type ResponseBody = ConstructorParameters<typeof Response>[0];

/** The statuses `fetch` follows (`redirect: 'follow'`, its default). */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Methods whose requests carry a body by their semantics (undici's list). */
const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);
/** Statuses whose response has no body (a `Response` with one throws). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Builds a transport with its own keep-alive agents. {@link nodeTransport} is the one the clients
 * share; build another for other TLS options.
 */
export function createNodeTransport(options: NodeTransportOptions = {}): FetchLike {
  const agentOptions = {
    keepAlive: true,
    maxFreeSockets: options.maxFreeSockets ?? 64,
    scheduling: 'lifo' as const,
    // The agent destroys a free socket idle this long; a socket in use only gets a 'timeout' event
    // nobody listens to (the caller's signal bounds a request).
    timeout: options.idleTimeoutMs ?? 4_000,
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent({ ...agentOptions, ...options.tls });

  return function nodeFetch(input, init) {
    if (
      typeof input !== 'string' ||
      !sendable(init?.body) ||
      (init as { dispatcher?: unknown } | undefined)?.dispatcher !== undefined ||
      fetchWanted()
    ) {
      return globalThis.fetch(input, init);
    }
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    let url: URL;
    try {
      url = new URL(input);
    } catch (e) {
      return Promise.reject(new TypeError('fetch failed', { cause: e }));
    }
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') return globalThis.fetch(input, init);
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      let body: Readable | undefined;
      const onAbort = (): void => {
        const reason: unknown = signal!.reason;
        if (!settled) {
          settled = true;
          reject(reason);
        } else body?.destroy(reason instanceof Error ? reason : new Error(String(reason)));
        req.destroy();
      };
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      const fail = (e: unknown): void => {
        done();
        if (settled) return;
        settled = true;
        reject(new TypeError('fetch failed', { cause: e }));
      };
      const req = (secure ? https : http).request(
        {
          protocol: url.protocol,
          hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: init?.method ?? 'GET',
          headers: requestHeaders(init),
          agent: secure ? httpsAgent : httpAgent,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (REDIRECTS.has(status) && init?.redirect !== 'manual' && res.headers.location) {
            // fetch's redirect rules (method changes, hop limit, cross-origin headers) are its own.
            res.resume();
            done();
            settled = true;
            globalThis.fetch(input, init).then(resolve, reject);
            return;
          }
          const headers = new Headers();
          const raw = res.rawHeaders;
          try {
            for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
          } catch (e) {
            // A header `Headers` refuses (fetch refuses the response alike).
            res.destroy();
            fail(e);
            return;
          }
          const responseInit = { status, statusText: res.statusMessage ?? '', headers };
          const answer = (b: ResponseBody): void => {
            settled = true;
            try {
              resolve(response(b, responseInit, input));
            } catch (e) {
              done();
              res.destroy();
              reject(e);
            }
          };
          if (NULL_BODY.has(status) || init?.method === 'HEAD') {
            res.resume();
            done();
            answer(null);
            return;
          }
          const source = decoded(res, headers.get('content-encoding'));
          body = source;
          if ((headers.get('content-type') ?? '').startsWith('text/event-stream')) {
            // A stream of events: handed over as it arrives; a break errors the stream.
            source.on('close', done);
            answer(streamOf(source, signal));
            return;
          }
          const chunks: Buffer[] = [];
          source.on('data', (c: Buffer) => chunks.push(c));
          source.on('end', () => {
            done();
            if (!settled) answer(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
          });
          source.on('error', fail);
          if (source === res) {
            res.on('close', () => {
              if (!res.complete) fail(new Error('the connection closed before the body ended'));
            });
          }
        },
      );
      req.on('error', fail);
      const payload = init?.body;
      if (payload === undefined || payload === null) req.end();
      else req.end(payload as string | Uint8Array);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };
}

/** Where undici (Node's `fetch`) keeps the dispatcher `setGlobalDispatcher` installs. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * Whether this process asked for `fetch`'s own way of sending: `DSPEX_HTTP_TRANSPORT=fetch`;
 * `NODE_USE_ENV_PROXY` (Node then sends `fetch` through the environment's proxy); or a global
 * dispatcher other than undici's plain `Agent` (a `ProxyAgent`, `EnvHttpProxyAgent`, `MockAgent`…
 * installed with `setGlobalDispatcher`), which only `fetch` consults.
 */
function fetchWanted(): boolean {
  if (process.env['DSPEX_HTTP_TRANSPORT'] === 'fetch') return true;
  if (process.env['NODE_USE_ENV_PROXY'] !== undefined) return true;
  const dispatcher = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
  return (
    dispatcher !== undefined &&
    (dispatcher as { constructor?: { name?: string } }).constructor?.name !== 'Agent'
  );
}

/** The transport dspex's provider clients use unless given a `fetch` (one set of agents). */
export const nodeTransport: FetchLike = createNodeTransport();

/** Bodies this transport sends itself: none, text or bytes (what the SDKs send for JSON). */
function sendable(body: RequestInit['body']): boolean {
  return (
    body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array
  );
}

/**
 * The request's headers as `node:http` takes them, with the body's `content-length` as `fetch`
 * sends it (`node:http` would send a DELETE or GET body without one, which a server misreads).
 */
function requestHeaders(init: RequestInit | undefined): Record<string, string> {
  const out = plainHeaders(init?.headers);
  const body = init?.body;
  if (body === undefined || body === null || out['content-length'] !== undefined) return out;
  const length =
    typeof body === 'string' ? Buffer.byteLength(body) : (body as Uint8Array).byteLength;
  // An empty body of a method that expects none goes without the header (RFC 9110 §8.6, as undici).
  if (length > 0 || PAYLOAD_METHODS.has(init?.method ?? 'GET'))
    out['content-length'] = String(length);
  return out;
}

/** A `HeadersInit` as the plain record `node:http` takes. */
function plainHeaders(h: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (h === undefined) return out;
  if (h instanceof Headers) {
    h.forEach((v, k) => {
      out[k] = v;
    });
  } else if (Array.isArray(h)) {
    for (const [k, v] of h) out[k!.toLowerCase()] = v!;
  } else {
    for (const k of Object.keys(h)) {
      const v = (h as Record<string, string | undefined>)[k];
      if (v !== undefined) out[k.toLowerCase()] = v;
    }
  }
  return out;
}

/** The body decoded per `content-encoding` (gzip, deflate, br; anything else as sent). */
function decoded(res: http.IncomingMessage, encoding: string | null): Readable {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return through(res, zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH }));
    case 'deflate':
      return through(res, zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH }));
    case 'br':
      return through(res, zlib.createBrotliDecompress());
    default:
      return res;
  }
}

/** `res` through a decoder; a connection that breaks mid-body errors the decoder. */
function through(res: http.IncomingMessage, decoder: Readable & NodeJS.WritableStream): Readable {
  pipeline(res, decoder, () => undefined);
  return decoder;
}

/** A web stream over a Node stream; a break before the end errors it as `fetch` does. */
function streamOf(source: Readable, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let ended = false;
      source.on('data', (c: Buffer) => {
        controller.enqueue(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) source.pause();
      });
      source.on('end', () => {
        ended = true;
        controller.close();
      });
      const broken = (e?: unknown): void => {
        if (ended) return;
        ended = true;
        controller.error(
          signal?.aborted ? signal.reason : new TypeError('terminated', { cause: e }),
        );
      };
      source.on('error', broken);
      source.on('close', () => broken(new Error('the connection closed before the body ended')));
    },
    pull() {
      source.resume();
    },
    cancel() {
      source.destroy();
    },
  });
}

/**
 * A `Response` whose `url` reads as the request's (a constructed one's is ''). A status `Response`
 * refuses (below 200 or above 599) fails the request as `fetch` fails it.
 */
function response(body: ResponseBody, init: ResponseInit, url: string): Response {
  let r: Response;
  try {
    r = new Response(body, init);
  } catch (e) {
    throw new TypeError('fetch failed', { cause: e });
  }
  Object.defineProperty(r, 'url', { value: url });
  return r;
}
