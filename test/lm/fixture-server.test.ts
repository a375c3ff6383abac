import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openai } from '../../src/lm/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';

describe('LM fixture server', () => {
  let fx: LMFixture;
  beforeAll(async () => {
    fx = await startOpenAIFixture();
  });
  afterAll(() => fx.close());
  beforeEach(() => fx.reset());
  const lm = () =>
    openai({ model: 'm', apiKey: 'k', baseURL: fx.url, cache: false, retry: { maxAttempts: 1 } });
  const ask = (content: string) => lm().complete({ messages: [{ role: 'user', content }] });

  it('queued_replies_win_over_the_handler_which_wins_over_echo', async () => {
    fx.handle((req) =>
      req.body.messages[0].content === 'handled' ? { text: 'from handler' } : undefined,
    );
    fx.enqueue({ text: 'from queue' });
    expect((await ask('handled')).choices[0]?.text).toBe('from queue');
    expect((await ask('handled')).choices[0]?.text).toBe('from handler');
    expect((await ask('other')).choices[0]?.text).toMatch(/^echo-[0-9a-f]{8}$/);
    expect(fx.pending).toBe(0);
  });

  it('records_method_path_headers_and_parsed_body', async () => {
    await ask('hi');
    expect(fx.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer k' },
      body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
    });
    fx.recordRequests = false;
    await ask('not kept');
    expect(fx.requests).toHaveLength(1);
  });

  it('can_be_scripted_over_http_from_another_process', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${fx.port}${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect(
      (await post('/__fixture/enqueue', { replies: [{ text: 'remote script' }] })).status,
    ).toBe(204);
    expect((await post('/__fixture/latency', { ms: 30 })).status).toBe(204);
    expect(fx.latencyMs).toBe(30);
    const started = Date.now();
    expect((await ask('x')).choices[0]?.text).toBe('remote script');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const count = (await (
      await fetch(`http://127.0.0.1:${fx.port}/__fixture/requests`)
    ).json()) as { count: number };
    expect(count.count).toBe(1);
  });

  it('unknown_routes_are_404_in_the_provider_error_shape', async () => {
    const res = await fetch(`http://127.0.0.1:${fx.port}/v1/audio/speech`, {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { message: expect.any(String) } });
  });
});
