import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { holdRepliesUntil } from '../helpers/lm-gate.js';
import { pollUntil } from '../helpers/node-cluster.js';
import { freePort } from '../helpers/redis-server.js';
import {
  cleanEnv,
  projectDir,
  startDaemonProcess,
  type DaemonProcess,
} from '../cli/cli-process.js';
import { sseEvents, type SseEvent } from './sse.js';

/** One exported span as the OTLP/HTTP JSON body carries it, with its node. */
interface CollectedSpan {
  node: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
type OtlpAttrs = { key: string; value: OtlpValue }[] | undefined;

function attrs(list: OtlpAttrs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? [])
    out[key] = value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
  return out;
}

/** A tiny OTLP/HTTP (JSON) traces collector: what each node's exporter sends lands in `spans`. */
async function startCollector(): Promise<{ url: string; spans: CollectedSpan[]; server: Server }> {
  const spans: CollectedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const doc = JSON.parse(body) as {
        resourceSpans: {
          resource: { attributes: OtlpAttrs };
          scopeSpans: {
            spans: {
              traceId: string;
              spanId: string;
              parentSpanId?: string;
              name: string;
              attributes: OtlpAttrs;
            }[];
          }[];
        }[];
      };
      for (const rs of doc.resourceSpans) {
        const node = String(attrs(rs.resource.attributes)['service.instance.id']);
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans)
            spans.push({
              node,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              attributes: attrs(s.attributes),
            });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/v1/traces`, spans, server };
}

describe('HTTP API on a 2-node Redis cluster (real processes), traced across nodes', () => {
  const url = inject('redisUrl');
  const prefix = `http-int-${process.pid}-${Date.now()}`;
  const token = 'cluster-test-token';
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let fixture: LMFixture;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  const daemons: DaemonProcess[] = [];
  let api: string;

  beforeAll(async () => {
    fixture = await startOpenAIFixture();
    fixture.latencyMs = 100;
    collector = await startCollector();
    const env = cleanEnv({ OPENAI_BASE_URL: fixture.url, OPENAI_API_KEY: 'test-key' });
    const httpPort = await freePort();
    api = `http://127.0.0.1:${httpPort}`;
    // node-a serves HTTP and runs one job at a time; node-b runs eight: queued work spreads.
    for (const [id, concurrency] of [
      ['node-a', 1],
      ['node-b', 8],
    ] as const) {
      const cwd = projectDir({
        redis: { url, prefix },
        node: { id },
        admin: { port: 0 },
        queues: { concurrency },
        shutdown: { drainTimeoutMs: 5_000 },
        ...(id === 'node-a' ? { http: { enabled: true, port: httpPort, tokens: [token] } } : {}),
        telemetry: { otel: { enabled: true, endpoint: collector.url } },
      });
      daemons.push(startDaemonProcess(cwd, env));
    }
    await Promise.all(daemons.map((d) => d.waitForOutput('dspex daemon started')));
  }, 120_000);

  afterAll(async () => {
    for (const d of daemons) d.kill();
    await fixture?.close();
    collector?.server.close();
  });

  it('runs a program synchronously over HTTP (the LM reached through the openai SDK)', async () => {
    const res = await fetch(`${api}/v1/programs/qa/run`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ inputs: { question: 'What is the capital of Peru?' } }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outputs: { answer: string } };
    expect(body.outputs.answer).toMatch(/^answer-/);
    const sent = fixture.requests.at(-1);
    expect(sent?.headers['user-agent']).toMatch(/OpenAI\/JS/);
  });

  it('streams a run as Server-Sent Events: deltas reach the client while the LM still streams', async () => {
    // The LM's stream stops after "Lima is the " until the client has seen a delta: a delta that
    // arrives proves the stream is passed through, not buffered until the LM is done.
    let resume!: () => void;
    const until = new Promise<void>((r) => (resume = r));
    fixture.enqueue({
      text: '[[ ## answer ## ]]\nLima is the capital of Peru.\n\n[[ ## completed ## ]]',
      // The role chunk, five of the field header, then "Lima ", "is ", "the ".
      holdStream: { afterChunks: 9, until },
    });
    const res = await fetch(`${api}/v1/programs/qa/stream`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ inputs: { question: 'Stream me the capital of Peru' } }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events: SseEvent[] = [];
    let whileHeld: string | undefined;
    const text = () =>
      events
        .filter((e) => e.event === 'delta')
        .map((e) => (e.data as { text: string }).text)
        .join('');
    for await (const event of sseEvents(res.body!)) {
      events.push(event);
      if (event.event === 'delta' && whileHeld === undefined) {
        whileHeld = text();
        resume();
      }
    }
    expect(whileHeld).toMatch(/^Lima( is( the)?)? ?$/);
    expect(text()).toBe('Lima is the capital of Peru.');
    expect(events.filter((e) => e.event === 'delta').length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({
      event: 'result',
      data: { outputs: { answer: 'Lima is the capital of Peru.' } },
    });
  });

  it('queues jobs over HTTP; one run on the other node is one trace across both nodes', async () => {
    // node-a runs one job at a time: the LM answers once two calls wait at once, so one of the
    // jobs runs on node-b whatever the timing.
    const gate = holdRepliesUntil(fixture, (waiting) => waiting.length >= 2);
    const jobIds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${api}/v1/programs/qa/jobs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ inputs: { question: `Queued question ${i}` } }),
      });
      expect(res.status).toBe(202);
      jobIds.push(((await res.json()) as { jobId: string }).jobId);
    }
    for (const id of jobIds) {
      const job = await pollUntil(`job ${id}`, 30_000, async () => {
        const r = await fetch(`${api}/v1/jobs/${id}`, { headers });
        const j = (await r.json()) as { state: string; result?: { outputs: { answer: string } } };
        return j.state === 'completed' ? j : undefined;
      });
      expect(job.result?.outputs.answer).toMatch(/^answer-/);
    }
    gate.close();
    expect((await gate.opened).length).toBe(2);
    // A job executed on node-b: its program span's trace starts at node-a's HTTP request.
    const remote = await pollUntil('a program span of node-b with its LM span', 30_000, () => {
      const program = collector.spans.find(
        (s) =>
          s.node === 'node-b' &&
          s.name === 'program qa' &&
          jobIds.includes(String(s.attributes['dspex.job_id'])) &&
          collector.spans.some((c) => c.traceId === s.traceId && c.name.startsWith('chat ')),
      );
      return program;
    });
    const trace = collector.spans.filter((s) => s.traceId === remote.traceId);
    const byName = (name: string) => trace.find((s) => s.name.startsWith(name));
    const server = byName('POST /v1/programs/qa/jobs');
    const publish = byName('publish dspex-run');
    const consume = byName('process dspex-run');
    const module = byName('module Predict');
    const chat = byName('chat gpt-4o-mini');
    expect(server?.node).toBe('node-a');
    expect(publish?.node).toBe('node-a');
    expect(consume?.node).toBe('node-b');
    expect(publish?.parentSpanId).toBe(server?.spanId);
    expect(consume?.parentSpanId).toBe(publish?.spanId);
    expect(remote.parentSpanId).toBe(consume?.spanId);
    expect(module?.parentSpanId).toBe(remote.spanId);
    expect(chat?.parentSpanId).toBe(module?.spanId);
    expect(chat?.attributes).toMatchObject({
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
    });
    expect(new Set(trace.map((s) => s.node))).toEqual(new Set(['node-a', 'node-b']));
  }, 90_000);
});
