import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startOpenAIFixture, type LMFixture } from './fixtures/index.js';
import { runExample } from './helpers/run-example.js';

describe('examples/http-serve.ts', () => {
  let fixture: LMFixture;
  beforeAll(async () => {
    fixture = await startOpenAIFixture();
    fixture.handle(() => ({ text: '[[ ## answer ## ]]\nLima, Peru\n\n[[ ## completed ## ]]' }));
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('runs, streams deltas and queues a job over HTTP against the OpenAI wire fixture', async () => {
    const out = await runExample('http-serve.ts', {
      OPENAI_BASE_URL: fixture.url,
      OPENAI_API_KEY: 'test-key',
    });
    expect(out).toMatch(/HTTP API at http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain('programs: qa');
    expect(out).toContain('run: 200 answer=Lima, Peru');
    // The LM's stream reaches the client as field deltas before the final prediction.
    const deltas = out.split('\n').filter((l) => l.startsWith('stream delta answer: '));
    expect(deltas.length).toBeGreaterThan(1);
    const streamed = deltas.map(
      (l) => JSON.parse(l.slice('stream delta answer: '.length)) as string,
    );
    expect(streamed.join('').trim()).toBe('Lima, Peru');
    expect(out.indexOf('stream delta')).toBeLessThan(
      out.indexOf('stream result: answer=Lima, Peru'),
    );
    expect(out).toMatch(/job submitted: 202 id=\S+/);
    expect(out).toContain('job completed: answer=Lima, Peru');
    expect(out).toContain('unknown program: 404 unknown_program');
    // run + stream (asked the provider to stream); the job repeats the run's question, a cache hit.
    expect(fixture.requests).toHaveLength(2);
    expect(fixture.requests.filter((r) => r.body.stream === true)).toHaveLength(1);
  }, 90_000);
});
