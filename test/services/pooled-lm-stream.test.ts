import { describe, expect, it } from 'vitest';
import type { LM, LMRequest, LMResponse, LMStreamChunk } from '../../src/lm/types.js';
import { ClientPool } from '../../actors/index.js';

/** A one-shot gate the test opens. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const RESPONSE: LMResponse = {
  choices: [{ text: 'Hello world', finishReason: 'stop' }],
  usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
  model: 'm1',
  cached: false,
  latencyMs: 0,
};

/** An LM that streams `Hello`, waits for the test's gate, then streams ` world` and ends. */
class GatedStreamLM implements LM {
  readonly provider = 'gated';
  readonly model = 'm1';
  readonly params = {};
  readonly middle = gate();
  signal: AbortSignal | undefined;
  async complete(): Promise<LMResponse> {
    return RESPONSE;
  }
  async *stream(request: LMRequest): AsyncIterable<LMStreamChunk> {
    this.signal = request.signal;
    yield { type: 'text', index: 0, text: 'Hello' };
    await Promise.race([
      this.middle.wait,
      new Promise<never>((_, reject) =>
        request.signal?.addEventListener('abort', () => reject(new Error('aborted')), {
          once: true,
        }),
      ),
    ]);
    yield { type: 'text', index: 0, text: ' world' };
    yield { type: 'done', response: RESPONSE };
  }
  copy(): LM {
    return this;
  }
  dumpState(): Record<string, unknown> {
    return {};
  }
}

const request: LMRequest = { messages: [{ role: 'user', content: 'hi' }] };

describe('pooled LM streaming', () => {
  it('passes each chunk on as it arrives while the call holds its pool slot', async () => {
    const reports: string[] = [];
    const pool = new ClientPool({
      limits: { 'gated:*': { concurrency: 1 } },
      onCall: (c) => reports.push(`${c.outcome}:${c.promptTokens}+${c.completionTokens}`),
    });
    const inner = new GatedStreamLM();
    const iterator = pool.lmFor(inner).stream(request)[Symbol.asyncIterator]();
    // The first chunk arrives while the provider is still holding the rest back.
    expect((await iterator.next()).value).toEqual({ type: 'text', index: 0, text: 'Hello' });
    expect(pool.snapshot().keys[0]).toMatchObject({ key: 'gated:m1', inFlight: 1 });
    inner.middle.open();
    const rest: LMStreamChunk[] = [];
    for (let r = await iterator.next(); r.done !== true; r = await iterator.next())
      rest.push(r.value);
    expect(rest.map((c) => c.type)).toEqual(['text', 'done']);
    expect(pool.snapshot().keys[0]).toMatchObject({ inFlight: 0, calls: 1, errors: 0 });
    expect(reports).toEqual(['ok:3+2']);
  });

  it('a reader that stops early aborts the provider stream and frees the slot', async () => {
    const pool = new ClientPool({ limits: { 'gated:*': { concurrency: 1 } } });
    const inner = new GatedStreamLM();
    for await (const chunk of pool.lmFor(inner).stream(request)) {
      expect(chunk).toEqual({ type: 'text', index: 0, text: 'Hello' });
      break;
    }
    expect(inner.signal?.aborted).toBe(true);
    expect(pool.snapshot().keys[0]).toMatchObject({ inFlight: 0 });
  });
});
