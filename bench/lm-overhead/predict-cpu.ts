/**
 * Program-path CPU: what `Predict.call` adds over the raw `openai` SDK, in-process, with the OpenAI
 * fixture (echo mode, 0 ms) in a child process. CPU µs per call, 8 concurrent, in alternating
 * rounds (median and min–max over 7 rounds of 1500 calls, 20 000 with `--no-http`):
 *
 * - `raw`: `ChatAdapter.format` + `client.chat.completions.create` + `ChatAdapter.parse`, the
 *   SDK's client as a user builds it (Node's `fetch`);
 * - `raw-node`: the same with the SDK client on dspex's HTTP transport (`fetch: nodeTransport`,
 *   what the LMs dspex builds use): the transport's share of a call;
 * - `predict`: `Predict.call` inside the fault scope, invocation context and usage tracker, as
 *   services/execution.ts `runProgram` runs a job;
 * - `lmonly`: `lm.complete` (BaseLM: retries, deadline, history, accounting).
 *
 *   npx tsx bench/lm-overhead/predict-cpu.ts [raw|raw-node|predict|lmonly] [--no-http]
 *
 * A variant name runs only that variant (for `node --cpu-prof --import tsx …`). `--no-http` swaps
 * the SDK client for a stub answering a fixed completion after one microtask: what remains is the
 * program path's own CPU, without the ~500 µs of HTTP whose noise hides it on a shared machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ChatAdapter } from '../../src/adapters/index.js';
import { UsageTracker } from '../../src/context/index.js';
import { installFaultTrap, runTrapped } from '../../src/kernel/index.js';
import { nodeTransport, openai } from '../../src/lm/index.js';
import type { LMMessage } from '../../src/lm/index.js';
import { Predict, contextWithUsage } from '../../src/modules/index.js';
import { signature } from '../../src/signatures/index.js';
import { cpuPerCall } from '../runtime/measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONCURRENCY = 8;
const ROUNDS = 7;
const args = process.argv.slice(2);
const noHttp = args.includes('--no-http');
const only = args.find((a) => !a.startsWith('--'));
const CALLS = noHttp ? 20_000 : 1500;

/** What the fixture's echo mode answers, as the SDK hands it over. */
const STUB_COMPLETION = {
  id: 'stub',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      finish_reason: 'stop',
      logprobs: null,
      message: {
        role: 'assistant',
        refusal: null,
        content: '[[ ## answer ## ]]\nq\n\n[[ ## completed ## ]]',
      },
    },
  ],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
} as const satisfies OpenAI.Chat.Completions.ChatCompletion;

async function stubCreate(): Promise<OpenAI.Chat.Completions.ChatCompletion> {
  await null;
  return STUB_COMPLETION;
}

let fx: ChildProcess | undefined;
let url = 'http://127.0.0.1:9/v1';
if (!noHttp) {
  fx = spawn(process.execPath, ['--import', 'tsx', `${ROOT}test/fixtures/serve.ts`, 'openai'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stdout = fx.stdout;
  if (stdout === null) throw new Error('fixture has no stdout');
  const [line] = (await once(createInterface({ input: stdout }), 'line')) as [string];
  ({ url } = JSON.parse(line) as { url: string });
}
const client = noHttp
  ? ({ chat: { completions: { create: stubCreate } } } as unknown as OpenAI)
  : new OpenAI({ apiKey: 'k', baseURL: url, maxRetries: 0 });
const nodeClient = noHttp
  ? client
  : new OpenAI({ apiKey: 'k', baseURL: url, maxRetries: 0, fetch: nodeTransport });
const adapter = new ChatAdapter();
const sig = signature('question -> answer');
const lm = openai({
  model: 'gpt-4o-mini',
  apiKey: 'k',
  baseURL: url,
  ...(noHttp ? { client } : {}),
  cache: false,
  retry: { maxAttempts: 1 },
});
const program = new Predict('question -> answer');
installFaultTrap(() => undefined);
// Turns Node's async hooks on for the whole process (as in a node, where every job opens a scope),
// so a variant run alone pays the same per-promise hook as the others.
await runTrapped(() => Promise.resolve());

const variants: Record<string, (i: number) => Promise<unknown>> = {
  raw: async (i) => {
    const messages = adapter.format(sig, [], { question: `q${i}` });
    const r = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: messages as ChatCompletionMessageParam[],
    });
    return adapter.parse(sig, r.choices[0]?.message.content ?? '');
  },
  'raw-node': async (i) => {
    const messages = adapter.format(sig, [], { question: `q${i}` });
    const r = await nodeClient.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: messages as ChatCompletionMessageParam[],
    });
    return adapter.parse(sig, r.choices[0]?.message.content ?? '');
  },
  predict: (i) =>
    runTrapped(() =>
      contextWithUsage({ lm, trace: [] }, new UsageTracker(), () =>
        program.call({ question: `q${i}` }),
      ),
    ),
  lmonly: (i) =>
    lm.complete({ messages: adapter.format(sig, [], { question: `q${i}` }) as LMMessage[] }),
};

function round(name: string, n: number): Promise<number> {
  const f = variants[name];
  if (f === undefined) throw new Error(`unknown variant ${name}`);
  return cpuPerCall(f, n, CONCURRENCY);
}

if (only !== undefined) for (const k of Object.keys(variants)) if (k !== only) delete variants[k];
try {
  for (const v of Object.keys(variants)) await round(v, CALLS);
  const res: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(variants);
    // Alternate the order (ABBA…) so drift in machine load hits every variant alike.
    for (const v of r % 2 === 0 ? names : names.reverse())
      (res[v] ??= []).push(await round(v, CALLS));
  }
  for (const [v, xs] of Object.entries(res)) {
    xs.sort((a, b) => a - b);
    const median = xs[Math.floor(xs.length / 2)] ?? NaN;
    console.log(
      v.padEnd(8),
      'µs/call median',
      median.toFixed(noHttp ? 1 : 0),
      'min',
      (xs[0] ?? NaN).toFixed(noHttp ? 1 : 0),
      'max',
      (xs[xs.length - 1] ?? NaN).toFixed(noHttp ? 1 : 0),
    );
  }
} finally {
  fx?.kill();
}
