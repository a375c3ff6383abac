/**
 * The server process of bench/http/run.ts: one embedded runtime hosting `qa` (one Predict, the
 * OpenAI SDK against the fixture at `--lm-url`), served twice on loopback:
 * - `api`: dspex's HTTP API (`startHttpServer`: Hono, body validation with the job schema, 429
 *   backpressure, spans to the no-op tracer), `POST /v1/programs/qa/run`;
 * - `bare`: what a user would write instead, a bare node:http handler that parses the JSON body and
 *   answers `runtime.run()`'s result.
 * Prints one JSON line `{"api": url, "bare": url}` once both listen; stops on SIGTERM.
 *
 *   npx tsx bench/http/server.ts --lm-url http://127.0.0.1:PORT/v1 [--concurrency 16]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Predict, openai } from 'dspex';
import { httpRuntimeOf, silentLogger, startHttpServer } from 'dspex/runtime';
import { startRuntime } from 'dspex';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const lmUrl = option('--lm-url');
if (lmUrl === undefined) throw new Error('--lm-url is required');
const concurrency = Number(option('--concurrency') ?? 16);

const logger = silentLogger();
const rt = await startRuntime(
  {
    programs: { qa: new Predict('question -> answer') },
    queues: { concurrency },
    logLevel: 'silent',
  },
  {
    logger,
    lm: openai({ model: 'gpt-4o-mini', apiKey: 'bench', baseURL: lmUrl, cache: false }),
  },
);
const api = await startHttpServer({ runtime: httpRuntimeOf(rt), port: 0, logger });

const bare = createServer((req, res) => {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    const { inputs } = JSON.parse(body) as { inputs: Record<string, unknown> };
    rt.run('qa', inputs).then(
      (result) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
      (error: unknown) =>
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'error', message: String(error) } })),
    );
  });
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const barePort = (bare.address() as AddressInfo).port;

process.stdout.write(JSON.stringify({ api: api.url, bare: `http://127.0.0.1:${barePort}` }) + '\n');

const stop = (): void => {
  bare.close();
  void api
    .close()
    .then(() => rt.stop())
    .then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
