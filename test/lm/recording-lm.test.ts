import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithContext, UsageTracker } from '../../src/context/index.js';
import { isLMError, openai, RecordingLM, type RecordingFile } from '../../src/lm/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';

describe('RecordingLM', () => {
  let fx: LMFixture;
  let dir: string;
  beforeAll(async () => {
    fx = await startOpenAIFixture();
    dir = mkdtempSync(join(tmpdir(), 'dspex-rec-'));
  });
  afterAll(async () => {
    await fx.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const live = () =>
    openai({ model: 'gpt-4o-mini', apiKey: 'k', baseURL: fx.url, params: { temperature: 0 } });
  const messages = [{ role: 'user' as const, content: 'capital of France?' }];

  it('records_to_json_then_replays_without_the_network_keyed_like_the_cache', async () => {
    const path = join(dir, 'a.json');
    fx.enqueue({ text: 'Paris', usage: { input: 8, output: 1 } });
    const recorder = new RecordingLM({ lm: live(), path });
    expect((await recorder.complete({ messages })).choices[0]?.text).toBe('Paris');
    const file = JSON.parse(readFileSync(path, 'utf8')) as RecordingFile;
    expect(Object.keys(file.entries)).toEqual([live().cacheKey({ messages })]);
    expect(file).toMatchObject({ version: 1, provider: 'openai', model: 'gpt-4o-mini' });

    const before = fx.requests.length;
    const replay = new RecordingLM({ path, mode: 'replay' });
    const tracker = new UsageTracker();
    const res = await runWithContext({ usageTrackers: [tracker] }, () =>
      replay.complete({ messages }),
    );
    expect(res).toMatchObject({
      cached: false,
      choices: [{ text: 'Paris' }],
      usage: { promptTokens: 8, completionTokens: 1 },
    });
    expect(tracker.total().calls).toBe(1);
    expect(fx.requests.length).toBe(before);
  });

  it('replay_of_an_unrecorded_request_fails_with_not_recorded', async () => {
    const path = join(dir, 'b.json');
    fx.enqueue({ text: 'x' });
    await new RecordingLM({ lm: live(), path }).complete({ messages });
    const e = await new RecordingLM({ path, mode: 'replay' })
      .complete({ messages: [{ role: 'user', content: 'new prompt' }] })
      .catch((err: unknown) => err);
    expect(isLMError(e, 'bad_request')).toBe(true);
    expect((e as { details: Record<string, unknown> }).details['reason']).toBe('not_recorded');
  });

  it('record_mode_always_calls_the_lm_and_overwrites', async () => {
    const path = join(dir, 'c.json');
    fx.enqueue({ text: 'old' }, { text: 'new' });
    await new RecordingLM({ lm: live(), path }).complete({ messages });
    await new RecordingLM({ lm: live(), path, mode: 'record' }).complete({ messages });
    expect(
      (await new RecordingLM({ path, mode: 'replay' }).complete({ messages })).choices[0]?.text,
    ).toBe('new');
  });
});
