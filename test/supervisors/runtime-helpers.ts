import { openai } from '../../src/lm/index.js';
import type { LM } from '../../src/lm/types.js';
import { Module, Predict, Prediction } from '../../src/modules/index.js';
import type { JobContext, JsonValue } from '../../src/transport/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';

/** An LM on the OpenAI fixture through the official SDK: no cache, no LM-level retries. */
export function fixtureLm(fixture: LMFixture, model = 'gpt-4o-mini'): LM {
  return openai({
    model,
    apiKey: 'test-key',
    baseURL: fixture.url,
    cache: false,
    retry: { maxAttempts: 1 },
  });
}

/** A program that throws a plain TypeError: a bug, not an LM failure. */
export class CrashingProgram extends Module {
  async forward(): Promise<Prediction> {
    throw new TypeError('cannot read properties of undefined (reading "x")');
  }
}

/** A program that waits for `release()` before answering: in-flight work on demand. */
export class GatedProgram extends Module {
  private waiting: (() => void)[] = [];
  started = 0;

  async forward(inputs: Record<string, unknown>): Promise<Prediction> {
    this.started++;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return new Prediction({ echoed: inputs['text'] });
  }

  /** Lets every waiting run finish. */
  release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const r of w) r();
  }

  override deepCopy(): this {
    // Executions run on copies; the gate must stay shared with the test.
    return this;
  }
}

/** Starts a fixture and the usual programs. */
export async function fixtureAndPrograms(): Promise<{
  fixture: LMFixture;
  gated: GatedProgram;
  programs: Record<string, Module>;
}> {
  const fixture = await startOpenAIFixture();
  const gated = new GatedProgram();
  return {
    fixture,
    gated,
    programs: { qa: new Predict('question -> answer'), crash: new CrashingProgram(), gated },
  };
}

/** Polls `cond` (real time) until true; for waits on real servers and queues. */
export async function eventually(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One attempt of a `dspex-run` job as a transport hands it to a handler (first run, no stall). */
export function jobContext(
  id: string,
  data: { [key: string]: JsonValue },
  over: Partial<JobContext<{ [key: string]: JsonValue }>> = {},
): JobContext<{ [key: string]: JsonValue }> {
  return {
    id,
    queue: 'dspex-run',
    data,
    attempt: 1,
    attempts: 1,
    createdAt: 1_700_000_000_000,
    started: 1,
    stalls: 0,
    backoff: undefined,
    signal: new AbortController().signal,
    updateProgress: async () => undefined,
    ...over,
  };
}
