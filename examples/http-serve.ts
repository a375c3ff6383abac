/**
 * Serving a program over HTTP: a runtime with the HTTP API enabled in its config, then the three
 * ways to call it with plain `fetch` — a synchronous run, a stream of Server-Sent Events (field
 * deltas as the LM writes them, then the prediction) and the queue path (a job, then its state).
 * Embedded mode; with `redis: { url }` in the config any node of the cluster runs the job.
 *
 *   npx tsx examples/http-serve.ts        # offline, scripted DummyLM
 *   OPENAI_API_KEY=sk-... npx tsx examples/http-serve.ts
 */
import { Predict, startRuntime } from 'dspex';
import { createLogger, httpRuntimeOf, parseConfig, startDaemon } from 'dspex/runtime';
import { lmFromEnv } from './lm-from-env.js';

const { lm, describe } = lmFromEnv({
  'capital of Peru': { answer: 'Lima' },
  'capital of Chile': { answer: 'Santiago' },
});
console.log(`LM: ${describe}`);

const TOKEN = 'example-token';
// What a dspex.config.json would hold. Port 0: the OS picks a free one (a fixed port such as 7391
// in a deployment); a bind beyond loopback (host 0.0.0.0) is refused without a token.
const settings = {
  http: { enabled: true, host: '127.0.0.1', port: 0, tokens: [TOKEN] },
  admin: { enabled: false },
};
const logger = createLogger({ level: 'warn' });
const runtime = await startRuntime(
  { ...settings, programs: { qa: new Predict('question -> answer') } },
  { lm, logger },
);
// The daemon serves the runtime: here only the HTTP API (what `npx dspex start` does with a file).
const daemon = await startDaemon({
  runtime,
  config: parseConfig({ ...settings, programs: '(inline)' }),
  logger,
  api: httpRuntimeOf(runtime),
  signals: false,
});
const base = daemon.http!.url;
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
console.log(`HTTP API at ${base}`);

try {
  // GET /v1/programs: names, signatures and active versions.
  const programs = (await (await fetch(`${base}/v1/programs`, { headers })).json()) as {
    programs: { name: string }[];
  };
  console.log(`programs: ${programs.programs.map((p) => p.name).join(', ')}`);

  // POST /v1/programs/:name/run: synchronous, with a deadline.
  const run = await fetch(`${base}/v1/programs/qa/run`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      inputs: { question: 'What is the capital of Peru?' },
      deadlineMs: 20_000,
    }),
  });
  const result = (await run.json()) as Answered;
  console.log(`run: ${run.status} answer=${result.outputs.answer}`);

  // POST /v1/programs/:name/stream: read the event stream as it arrives.
  const stream = await fetch(`${base}/v1/programs/qa/stream`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ inputs: { question: 'What is the capital of Chile?' } }),
  });
  for await (const { event, data } of serverSentEvents(stream.body!)) {
    if (event === 'delta') {
      const delta = data as { field: string; text: string };
      console.log(`stream delta ${delta.field}: ${JSON.stringify(delta.text)}`);
    } else if (event === 'result') {
      console.log(`stream result: answer=${(data as Answered).outputs.answer}`);
    } else console.log(`stream ${event}: ${JSON.stringify(data)}`);
  }

  // POST /v1/programs/:name/jobs, then GET /v1/jobs/:id until the job is done.
  const submitted = await fetch(`${base}/v1/programs/qa/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ inputs: { question: 'What is the capital of Peru?' } }),
  });
  const { jobId } = (await submitted.json()) as { jobId: string };
  console.log(`job submitted: ${submitted.status} id=${jobId}`);
  let job: { state: string; result?: Answered; failedReason?: string } = { state: 'waiting' };
  for (let i = 0; i < 200 && job.state !== 'completed' && job.state !== 'failed'; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 50));
    job = (await (await fetch(`${base}/v1/jobs/${jobId}`, { headers })).json()) as typeof job;
  }
  console.log(`job ${job.state}: answer=${job.result?.outputs.answer ?? job.failedReason}`);

  // Errors are JSON with a stable code.
  const wrong = await fetch(`${base}/v1/programs/nope/run`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ inputs: {} }),
  });
  const { error } = (await wrong.json()) as { error: { code: string } };
  console.log(`unknown program: ${wrong.status} ${error.code}`);
} finally {
  await daemon.shutdown('example done');
}

/** A run's result as the API returns it. */
interface Answered {
  outputs: { answer: string };
}

/** The events of a `text/event-stream` body, parsed as they arrive (`data` is JSON). */
async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ event: string; data: unknown }> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) as unknown };
    }
  }
}
