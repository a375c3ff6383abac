import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJSON,
  MemoryCache,
  requestCacheKey,
  TieredCache,
  type LMRequest,
} from '../../src/lm/index.js';

const base: LMRequest = { messages: [{ role: 'user', content: 'hi' }], temperature: 0 };
const entry = (text: string) => ({
  choices: [{ text, finishReason: 'stop' as const }],
  model: 'm',
});

describe('canonicalJSON', () => {
  it('sorts_keys_at_every_level_and_drops_undefined', () => {
    expect(canonicalJSON({ b: 1, a: { d: [1, { z: 1, y: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"z":1}]},"b":1}',
    );
  });

  it('is_independent_of_key_insertion_order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJSON(reversed)).toBe(canonicalJSON(obj));
      }),
    );
  });
});

describe('requestCacheKey', () => {
  const key = (r: LMRequest, provider = 'openai', model = 'gpt') =>
    requestCacheKey(provider, model, r);

  it('is_a_sha256_hex_digest', () => {
    expect(key(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores_signal_timeout_and_cache_flags', () => {
    expect(key({ ...base, signal: new AbortController().signal, timeoutMs: 5, cache: true })).toBe(
      key(base),
    );
  });

  it.each<[string, LMRequest]>([
    ['rolloutId', { ...base, rolloutId: 1 }],
    ['temperature', { ...base, temperature: 1 }],
    ['messages', { ...base, messages: [{ role: 'user', content: 'hello' }] }],
    ['responseFormat', { ...base, responseFormat: { type: 'json_object' } }],
    ['extra', { ...base, extra: { user: 'x' } }],
    ['tools', { ...base, tools: [{ name: 'f', parameters: {} }] }],
  ])('changes_with_%s', (_label, changed) => {
    expect(key(changed)).not.toBe(key(base));
  });

  it('changes_with_provider_and_model', () => {
    expect(key(base, 'anthropic')).not.toBe(key(base));
    expect(key(base, 'openai', 'other')).not.toBe(key(base));
  });
});

describe('MemoryCache', () => {
  it('evicts_the_least_recently_used_entry_when_full', async () => {
    const c = new MemoryCache({ maxEntries: 2 });
    await c.set('a', entry('a'));
    await c.set('b', entry('b'));
    await c.get('a');
    await c.set('c', entry('c'));
    expect(await c.get('b')).toBeUndefined();
    expect((await c.get('a'))?.choices[0]?.text).toBe('a');
    expect(c.size).toBe(2);
  });
});

describe('TieredCache', () => {
  it('backfills_memory_from_the_remote_layer', async () => {
    const remote = new MemoryCache();
    await remote.set('k', entry('remote'));
    const memory = new MemoryCache();
    const tiered = new TieredCache(memory, remote);
    expect((await tiered.get('k'))?.choices[0]?.text).toBe('remote');
    expect(memory.getSync('k')?.choices[0]?.text).toBe('remote');
  });

  it('writes_both_layers', async () => {
    const remote = new MemoryCache();
    const tiered = new TieredCache(new MemoryCache(), remote);
    await tiered.set('k', entry('v'));
    expect(remote.getSync('k')).toBeDefined();
  });
});
