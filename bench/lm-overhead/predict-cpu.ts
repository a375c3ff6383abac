/**
 * Program-path CPU: what `Predict.call` adds over the raw `openai` SDK, in-process, with the OpenAI
 * fixture (echo mode, 0 ms) in a child process. CPU µs per call, 8 concurrent, in alternating
 * rounds (median and min–max over 7 rounds of 1500 calls):
 *
 * - `raw`: `ChatAdapter.format` + `client.chat.completions.create` + `ChatAdapter.parse`;
 * - `predict`: `Predict.call` inside the fault scope, invocation context and usage tracker, as
 *   services/execution.ts `runProgram` runs a job;
 * - `lmonly`: `lm.complete` (BaseLM: retries, deadline, history, accounting).
 *
 *   npx tsx bench/lm-overhead/predict-cpu.ts [raw|predict|lmonly]
 *
 * A variant name runs only that variant (for `node --cpu-prof --import tsx …`).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ChatAdapter } from '../../src/adapters/index.js';
import { UsageTracker } from '../../src/context/index.js';
import { installFaultTrap, runTrapped } from '../../src/kernel/index.js';
import { openai } from '../../src/lm/index.js';
import type { LMMessage } from '../../src/lm/index.js';
import { Predict, contextWithUsage } from '../../src/modules/index.js';
import { signature } from '../../src/signatures/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONCURRENCY = 8;
const ROUNDS = 7;

const fx = spawn(process.execPath, ['--import', 'tsx', `${ROOT}test/fixtures/serve.ts`, 'openai'], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [line] = (await once(createInterface({ input: fx.stdout }), 'line')) as [string];
const { url } = JSON.parse(line) as { url: string };
const client = new OpenAI({ apiKey: 'k', baseURL: url, maxRetries: 0 });
const adapter = new ChatAdapter();
const sig = signature('question -> answer');
const lm = openai({
  model: 'gpt-4o-mini',
  apiKey: 'k',
  baseURL: url,
  cache: false,
  retry: { maxAttempts: 1 },
});
const program = new Predict('question -> answer');
installFaultTrap(() => undefined);

const variants: Record<string, (i: number) => Promise<unknown>> = {
  raw: async (i) => {
    const messages = adapter.format(sig, [], { question: `q${i}` });
    const r = await client.chat.completions.create({
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

async function round(name: string, n: number): Promise<number> {
  let next = 0;
  const f = variants[name];
  if (f === undefined) throw new Error(`unknown variant ${name}`);
  const worker = async (): Promise<void> => {
    while (next < n) await f(next++);
  };
  const c0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

const only = process.argv[2];
if (only !== undefined) for (const k of Object.keys(variants)) if (k !== only) delete variants[k];
try {
  for (const v of Object.keys(variants)) await round(v, 2000);
  const res: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(variants);
    // Alternate the order (ABBA…) so drift in machine load hits every variant alike.
    for (const v of r % 2 === 0 ? names : names.reverse())
      (res[v] ??= []).push(await round(v, 1500));
  }
  for (const [v, xs] of Object.entries(res)) {
    xs.sort((a, b) => a - b);
    const median = xs[Math.floor(xs.length / 2)] ?? NaN;
    console.log(
      v.padEnd(8),
      'µs/call median',
      median.toFixed(0),
      'min',
      (xs[0] ?? NaN).toFixed(0),
      'max',
      (xs[xs.length - 1] ?? NaN).toFixed(0),
    );
  }
} finally {
  fx.kill();
}
