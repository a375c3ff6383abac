import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTransport } from '../../src/index.js';

// Differential test: the same scripted exchanges through Node's `fetch` and through the node
// transport must look the same to a client — status, status text, headers, body — and must reach
// the server the same (method, path, body, the caller's headers). fetch is the reference here.
// It found that `node:http` sends a DELETE body without a content-length (the server read the next
// request from it), and that undici leaves the header off an empty body of such a method.

interface Scripted {
  status: number;
  reason: string;
  headers: [string, string][];
  body: string;
  encoding: 'identity' | 'gzip' | 'deflate' | 'br';
  chunked: boolean;
  contentType: string;
}

let script: Scripted | undefined;
const received: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] =
  [];
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    const s = script!;
    const raw = Buffer.from(s.body, 'utf8');
    const bytes =
      s.encoding === 'gzip'
        ? gzipSync(raw)
        : s.encoding === 'deflate'
          ? deflateSync(raw)
          : s.encoding === 'br'
            ? brotliCompressSync(raw)
            : raw;
    const headers: [string, string][] = [...s.headers, ['content-type', s.contentType]];
    if (s.encoding !== 'identity') headers.push(['content-encoding', s.encoding]);
    if (!s.chunked) headers.push(['content-length', String(bytes.length)]);
    res.writeHead(s.status, s.reason, headers.flat());
    if (s.chunked) {
      const mid = Math.floor(bytes.length / 2);
      res.write(bytes.subarray(0, mid));
      res.end(bytes.subarray(mid));
    } else res.end(bytes);
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const token = fc.stringMatching(/^x-[a-z0-9-]{1,12}$/);
const headerValue = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
const exchange = fc.record({
  status: fc.constantFrom(
    200,
    201,
    202,
    400,
    401,
    403,
    404,
    408,
    409,
    422,
    429,
    500,
    502,
    503,
    529,
  ),
  reason: fc.constantFrom('OK', 'Too Many Requests', 'Whatever', ''),
  headers: fc.uniqueArray(fc.tuple(token, headerValue), {
    maxLength: 5,
    selector: ([k]) => k,
  }),
  body: fc.oneof(
    fc.string({ maxLength: 300, unit: 'grapheme' }),
    fc.json({ maxDepth: 3 }),
    fc.constant(''),
  ),
  encoding: fc.constantFrom('identity', 'gzip', 'deflate', 'br'),
  chunked: fc.boolean(),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'text/event-stream',
  ),
}) satisfies fc.Arbitrary<Scripted>;

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  path: fc.stringMatching(/^\/[a-z0-9/_-]{0,20}(\?[a-z]=[a-z0-9]{1,5})?$/),
  headers: fc.uniqueArray(fc.tuple(token, headerValue), { maxLength: 4, selector: ([k]) => k }),
  body: fc.option(fc.string({ maxLength: 200, unit: 'grapheme' }), { nil: undefined }),
  asBytes: fc.boolean(),
});

/** What a client sees of a response. */
async function seen(r: Response): Promise<Record<string, unknown>> {
  return {
    status: r.status,
    statusText: r.statusText,
    ok: r.ok,
    headers: [...r.headers].filter(
      ([k]) => k !== 'date' && k !== 'keep-alive' && k !== 'connection',
    ),
    body: await r.text(),
  };
}

/** The headers the caller set, as the server got them (fetch adds its own: user agent, accept…). */
function callerHeaders(h: http.IncomingHttpHeaders, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((n) => [n, h[n]]));
}

describe('node transport against fetch (differential)', () => {
  it('answers_every_scripted_exchange_as_fetch_does', async () => {
    const transport = createNodeTransport();
    await fc.assert(
      fc.asyncProperty(exchange, request, async (s, q) => {
        script = s;
        const init: RequestInit = {
          method: q.method,
          headers: [...q.headers, ['content-type', 'application/json']],
          ...(q.body === undefined || q.method === 'GET'
            ? {}
            : { body: q.asBytes ? new TextEncoder().encode(q.body) : q.body }),
        };
        received.length = 0;
        const viaFetch = await seen(await fetch(`${base}${q.path}`, init));
        const viaNode = await seen(await transport(`${base}${q.path}`, init));
        expect(viaNode).toEqual(viaFetch);
        const names = [...q.headers.map(([k]) => k), 'content-type', 'content-length'];
        const [a, b] = received;
        expect({ ...b, headers: callerHeaders(b!.headers, names) }).toEqual({
          ...a,
          headers: callerHeaders(a!.headers, names),
        });
      }),
      // PARITY_SEED=N explores other cases (the suite runs the fixed seed).
      { numRuns: 300, seed: Number(process.env['PARITY_SEED'] ?? 20261204) },
    );
  });
});
