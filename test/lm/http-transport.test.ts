import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNodeTransport, LMError, nodeTransport, openai } from '../../src/index.js';
import { freePort } from '../helpers/redis-server.js';

// The transport against a real `node:http` server whose handler each test sets: what a client
// (the openai SDK, an LM) sees must be what Node's `fetch` would have given it.
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;
let handler: Handler = (_req, res) => res.end('{}');
const connections: Socket[] = [];
let connectionCount = 0;
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => handler(req, res, body));
});
server.on('connection', (s: Socket) => {
  connectionCount++;
  connections.push(s);
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of connections) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const json = (res: http.ServerResponse, status: number, value: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

describe('node transport (fetch-compatible)', () => {
  it('sends_method_headers_and_a_text_body_and_returns_status_headers_and_json', async () => {
    let seen: { method?: string; auth?: string; type?: string; body?: string } = {};
    handler = (req, res, body) => {
      seen = {
        method: req.method!,
        auth: req.headers.authorization!,
        type: req.headers['content-type']!,
        body,
      };
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-request-id', 'req_7');
      json(res, 201, { ok: true, text: 'é ünïcode' });
    };
    const headers = new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' });
    const r = await nodeTransport(`${base}/v1/x?y=1`, {
      method: 'POST',
      headers,
      body: '{"q":"é"}',
    });
    expect(seen).toEqual({
      method: 'POST',
      auth: 'Bearer k',
      type: 'application/json',
      body: '{"q":"é"}',
    });
    expect(r.status).toBe(201);
    expect(r.ok).toBe(true);
    expect(r.url).toBe(`${base}/v1/x?y=1`);
    expect(r.headers.get('x-request-id')).toBe('req_7');
    expect(r.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await r.json()).toEqual({ ok: true, text: 'é ünïcode' });
  });

  it('takes_headers_as_a_record_or_as_pairs_and_bytes_as_a_body', async () => {
    const seen: string[] = [];
    handler = (req, res, body) => {
      seen.push(`${String(req.headers['x-a'])}:${body}`);
      res.end('ok');
    };
    await nodeTransport(base, { method: 'POST', headers: { 'X-A': '1' }, body: 'one' });
    await nodeTransport(base, {
      method: 'POST',
      headers: [['X-A', '2']],
      body: new TextEncoder().encode('two'),
    });
    expect(seen).toEqual(['1:one', '2:two']);
  });

  it('decodes_gzip_and_brotli_bodies', async () => {
    const payload = JSON.stringify({ answer: 'x'.repeat(5000) });
    for (const [encoding, bytes] of [
      ['gzip', gzipSync(payload)],
      ['br', brotliCompressSync(payload)],
    ] as const) {
      handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
        res.end(bytes);
      };
      const r = await nodeTransport(base);
      expect(await r.text()).toBe(payload);
    }
  });

  it('keeps_the_connection_alive_between_requests', async () => {
    handler = (_req, res) => res.end('ok');
    const transport = createNodeTransport();
    const before = connectionCount;
    for (let i = 0; i < 5; i++) expect(await (await transport(base)).text()).toBe('ok');
    expect(connectionCount - before).toBe(1);
  });

  it('closes_a_connection_idle_past_its_timeout_and_opens_a_new_one', async () => {
    handler = (_req, res) => res.end('ok');
    const transport = createNodeTransport({ idleTimeoutMs: 30 });
    const before = connectionCount;
    await (await transport(base)).text();
    const socket = connections.at(-1)!;
    // The client closes its idle connection (the server sees it end) before a server would.
    await new Promise((r) => socket.once('close', r));
    expect(await (await transport(base)).text()).toBe('ok');
    expect(connectionCount - before).toBe(2);
  });

  it('a_request_slower_than_the_idle_timeout_is_not_cut', async () => {
    // The idle timeout is for connections in the pool; a call in flight is bounded by its signal.
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"slow":');
      setTimeout(() => res.end('true}'), 120);
    };
    const transport = createNodeTransport({ idleTimeoutMs: 20 });
    expect(await (await transport(base)).json()).toEqual({ slow: true });
  });

  it('a_204_and_a_head_request_have_no_body', async () => {
    handler = (_req, res) => {
      res.writeHead(204);
      res.end();
    };
    const r = await nodeTransport(base, { method: 'DELETE' });
    expect(r.status).toBe(204);
    expect(r.body).toBeNull();
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.end();
    };
    const h = await nodeTransport(base, { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(await h.text()).toBe('');
  });

  it('follows_a_redirect_as_fetch_does_replaying_the_body', async () => {
    const seen: string[] = [];
    handler = (req, res, body) => {
      seen.push(`${req.url} ${body}`);
      if (req.url === '/old') {
        res.writeHead(307, { location: '/new' });
        res.end();
      } else json(res, 200, { at: req.url });
    };
    const r = await nodeTransport(`${base}/old`, { method: 'POST', body: 'b' });
    expect(await r.json()).toEqual({ at: '/new' });
    expect(seen).toEqual(['/old b', '/old b', '/new b']);
  });

  it('a_refused_connection_rejects_like_fetch_with_the_cause', async () => {
    const port = await freePort(); // nothing listens there
    const err = await nodeTransport(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as TypeError).message).toBe('fetch failed');
    expect(((err as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('a_body_cut_before_its_end_rejects_and_a_bad_status_does_not_crash', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      setImmediate(() => res.socket?.destroy());
    };
    const cut = await nodeTransport(base).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(TypeError);
    expect((cut as TypeError).message).toBe('fetch failed');
    handler = (_req, res) => {
      res.writeHead(600);
      res.end('x');
    };
    const bad = await nodeTransport(base).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TypeError);
    expect((bad as TypeError).message).toBe('fetch failed');
  });

  it('an_aborted_signal_rejects_with_its_reason_before_during_and_after_the_headers', async () => {
    const reason = new Error('stop now');
    // Already aborted: nothing is sent.
    let requests = 0;
    handler = (_req, res) => {
      requests++;
      res.end('x');
    };
    await expect(nodeTransport(base, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(requests).toBe(0);
    // Before the headers.
    let release: (() => void) | undefined;
    handler = (_req, res) => {
      release = () => res.end('late');
    };
    const c1 = new AbortController();
    const p1 = nodeTransport(base, { signal: c1.signal });
    await vi.waitFor(() => expect(release).not.toBe(undefined));
    c1.abort(reason);
    await expect(p1).rejects.toBe(reason);
    release!();
    // While the body is read (headers sent, body pending).
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
    };
    const c2 = new AbortController();
    const p2 = nodeTransport(base, { signal: c2.signal });
    await new Promise((r) => setTimeout(r, 20));
    c2.abort(reason);
    await expect(p2).rejects.toBe(reason);
  });

  it('streams_server_sent_events_as_they_arrive_and_errors_the_stream_on_a_break', async () => {
    let sendMore: (s: string) => void = () => undefined;
    let breakIt: () => void = () => undefined;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      sendMore = (s) => res.write(s);
      breakIt = () => res.socket?.destroy();
    };
    const r = await nodeTransport(base);
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe('data: 1\n\n');
    sendMore('data: 2\n\n');
    expect(decoder.decode((await reader.read()).value)).toBe('data: 2\n\n');
    breakIt();
    const err = await reader.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as TypeError).message).toBe('terminated');
  });

  it('aborting_a_stream_errors_it_with_the_reason', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    };
    const c = new AbortController();
    const r = await nodeTransport(base, { signal: c.signal });
    const reader = r.body!.getReader();
    await reader.read();
    const reason = new Error('user stop');
    c.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
  });

  it('hands_other_bodies_env_proxies_and_dispatchers_to_fetch', async () => {
    const g = globalThis;
    handler = (_req, res, body) => res.end(`got ${body}`);
    const spy = vi.spyOn(globalThis, 'fetch');
    const r = await nodeTransport(base, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
    expect(await r.text()).toBe('got a=1');
    expect(spy).toHaveBeenCalledTimes(1);
    vi.stubEnv('NODE_USE_ENV_PROXY', '1');
    expect(await (await nodeTransport(base, { method: 'POST', body: 'p' })).text()).toBe('got p');
    expect(spy).toHaveBeenCalledTimes(2);
    vi.stubEnv('NODE_USE_ENV_PROXY', undefined);
    vi.stubEnv('DSPEX_HTTP_TRANSPORT', 'fetch');
    expect(await (await nodeTransport(base, { method: 'POST', body: 'f' })).text()).toBe('got f');
    expect(spy).toHaveBeenCalledTimes(3);
    vi.unstubAllEnvs();
    // A request naming an undici dispatcher (the SDKs' `fetchOptions: { dispatcher }`).
    const dispatcher = (g as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')];
    const withDispatcher = { method: 'POST', body: 'd', dispatcher } as RequestInit;
    expect(await (await nodeTransport(base, withDispatcher)).text()).toBe('got d');
    expect(spy).toHaveBeenCalledTimes(4);
    expect(await (await nodeTransport(base, { method: 'POST', body: 'q' })).text()).toBe('got q');
    expect(spy).toHaveBeenCalledTimes(4);
  });

  it('a_global_dispatcher_set_for_fetch_such_as_a_proxy_sends_through_fetch', async () => {
    const key = Symbol.for('undici.globalDispatcher.1');
    const g = globalThis as Record<symbol, unknown>;
    const installed = g[key];
    class ProxyAgent {}
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('via the proxy'));
    g[key] = new ProxyAgent();
    try {
      expect(await (await nodeTransport(base)).text()).toBe('via the proxy');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      g[key] = installed;
    }
    handler = (_req, res) => res.end('direct');
    expect(await (await nodeTransport(base)).text()).toBe('direct');
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('speaks_https_with_the_certificate_authority_it_is_given', async () => {
    const dir = new URL('../fixtures/tls/', import.meta.url);
    const tls = https.createServer(
      {
        key: readFileSync(new URL('localhost-key.pem', dir)),
        cert: readFileSync(new URL('localhost-cert.pem', dir)),
      },
      (_req, res) => json(res, 200, { secure: true }),
    );
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const url = `https://localhost:${(tls.address() as AddressInfo).port}/`;
    try {
      const trusting = createNodeTransport({
        tls: { ca: readFileSync(new URL('localhost-cert.pem', dir)) },
      });
      expect(await (await trusting(url)).json()).toEqual({ secure: true });
      // Without it the self-signed certificate is refused, as fetch refuses it.
      const err = await createNodeTransport()(url).catch((e: unknown) => e);
      expect((err as TypeError).message).toBe('fetch failed');
      expect(((err as TypeError).cause as NodeJS.ErrnoException).code).toBe(
        'DEPTH_ZERO_SELF_SIGNED_CERT',
      );
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((r) => tls.close(() => r()));
    }
  });
});

describe('provider clients on the node transport', () => {
  it('an_openai_lm_uses_it_by_default_and_fetch_when_asked', async () => {
    handler = (_req, res) =>
      json(res, 200, {
        id: 'c',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    const spy = vi.spyOn(globalThis, 'fetch');
    const messages = [{ role: 'user' as const, content: 'q' }];
    const lean = openai({ model: 'm', apiKey: 'k', baseURL: `${base}/v1`, cache: false });
    expect((await lean.complete({ messages })).choices[0]?.text).toBe('hi');
    expect(spy).not.toHaveBeenCalled();
    const viaFetch = openai({
      model: 'm',
      apiKey: 'k',
      baseURL: `${base}/v1`,
      cache: false,
      fetch: globalThis.fetch,
    });
    expect((await viaFetch.complete({ messages })).choices[0]?.text).toBe('hi');
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('an_unreachable_server_is_a_retryable_connection_error_of_the_lm', async () => {
    const port = await freePort(); // nothing listens there
    const lm = openai({
      model: 'm',
      apiKey: 'k',
      baseURL: `http://127.0.0.1:${port}/v1`,
      cache: false,
      retry: { maxAttempts: 1 },
    });
    const err = await lm.complete({ messages: [{ role: 'user', content: 'q' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(LMError);
    expect((err as LMError).retryable).toBe(true);
  });
});
