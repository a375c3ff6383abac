/**
 * The hand-rolled baseline of bench/runtime: what a user would write instead of a dspex node. One
 * process with a plain BullMQ `Worker` whose processor sends the same ChatAdapter prompt as the
 * `qa` program (`question -> answer`) through the official `openai` SDK and parses the answer with
 * the same ChatAdapter, with the same concurrency and lock settings as a node's transport. No
 * supervision, no execution record, no retries policy, no metrics.
 *
 *   node --import tsx bench/runtime/hand-rolled-worker.ts REDIS_URL PREFIX QUEUE CONCURRENCY LM_URL [--als] [--node-transport]
 *
 * `--als`: the same worker with one AsyncLocalStorage scope per job (what a worker that carries a
 * request context or routes a job's async faults to it needs), and nothing else changed: it shows
 * what enabling AsyncLocalStorage alone costs this worker on the Node version it runs on.
 *
 * `--node-transport`: the SDK client on dspex's HTTP transport (`fetch: nodeTransport`, what a
 * node's LMs use) instead of Node's `fetch`: a hand-rolled worker with the node's transport, so the
 * comparison shows the node's own per-job work apart from the transport it gains on.
 *
 * Prints `{"ready":true}` once it consumes; stops on SIGTERM.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import OpenAI from 'openai';
import { ChatAdapter } from '../../src/adapters/index.js';
import { nodeTransport } from '../../src/lm/index.js';
import { signature } from '../../src/signatures/index.js';
import { startBenchWorker } from './bench-worker.js';

const [url = '', prefix = 'bench', queue = 'hand', concurrency = '8', lmUrl = ''] =
  process.argv.slice(2);
const client = new OpenAI({
  apiKey: 'test-key',
  baseURL: lmUrl,
  maxRetries: 0,
  ...(process.argv.includes('--node-transport') ? { fetch: nodeTransport } : {}),
});
const adapter = new ChatAdapter();
const sig = signature('question -> answer');

const als = process.argv.includes('--als') ? new AsyncLocalStorage<{ id: string }>() : undefined;

const processor = async (job: { id?: string; data: unknown }): Promise<unknown> => {
  const inputs = (job.data as { inputs: Record<string, unknown> }).inputs;
  const messages = adapter.format(sig, [], inputs);
  const res = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: messages as OpenAI.Chat.ChatCompletionMessageParam[],
  });
  const outputs = adapter.parse(sig, res.choices[0]?.message.content ?? '');
  return { outputs, usage: res.usage ?? {} };
};

await startBenchWorker(url, prefix, queue, Number(concurrency), (job) =>
  als === undefined ? processor(job) : als.run({ id: job.id ?? '' }, () => processor(job)),
);
