/**
 * The hand-rolled baseline of bench/runtime: what a user would write instead of a dspex node. One
 * process with a plain BullMQ `Worker` whose processor sends the same ChatAdapter prompt as the
 * `qa` program (`question -> answer`) through the official `openai` SDK and parses the answer with
 * the same ChatAdapter, with the same concurrency and lock settings as a node's transport. No
 * supervision, no execution record, no retries policy, no metrics.
 *
 *   node --import tsx bench/runtime/hand-rolled-worker.ts REDIS_URL PREFIX QUEUE CONCURRENCY LM_URL
 *
 * Prints `{"ready":true}` once it consumes; stops on SIGTERM.
 */
import OpenAI from 'openai';
import { ChatAdapter } from '../../src/adapters/index.js';
import { signature } from '../../src/signatures/index.js';
import { startBenchWorker } from './bench-worker.js';

const [url = '', prefix = 'bench', queue = 'hand', concurrency = '8', lmUrl = ''] =
  process.argv.slice(2);
const client = new OpenAI({ apiKey: 'test-key', baseURL: lmUrl, maxRetries: 0 });
const adapter = new ChatAdapter();
const sig = signature('question -> answer');

await startBenchWorker(url, prefix, queue, Number(concurrency), async (job) => {
  const inputs = (job.data as { inputs: Record<string, unknown> }).inputs;
  const messages = adapter.format(sig, [], inputs);
  const res = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: messages as OpenAI.Chat.ChatCompletionMessageParam[],
  });
  const outputs = adapter.parse(sig, res.choices[0]?.message.content ?? '');
  return { outputs, usage: res.usage ?? {} };
});
