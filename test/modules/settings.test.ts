import { afterEach, describe, expect, it } from 'vitest';
import { ChatAdapter, JSONAdapter } from '../../src/adapters/index.js';
import { DummyLM } from '../../src/lm/index.js';
import { Predict, configure, context, currentSettings } from '../../src/modules/index.js';

afterEach(() => configure({ lm: undefined, adapter: undefined, callbacks: [] }));

describe('configure and context', () => {
  it('configure sets process-wide defaults; later calls keep keys they do not name', () => {
    const lm = new DummyLM([]);
    const adapter = new JSONAdapter();
    configure({ lm });
    configure({ adapter });
    expect(currentSettings().lm).toBe(lm);
    expect(currentSettings().adapter).toBe(adapter);
    configure({ lm: undefined });
    expect(currentSettings().lm).toBeUndefined();
    expect(currentSettings().adapter).toBe(adapter);
  });

  it('context overrides win inside their scope only, and nest', async () => {
    const global = new DummyLM([]);
    const scoped = new DummyLM([]);
    const inner = new ChatAdapter();
    configure({ lm: global });
    await context({ lm: scoped }, async () => {
      await Promise.resolve();
      expect(currentSettings().lm).toBe(scoped);
      context({ adapter: inner }, () => {
        expect(currentSettings().lm).toBe(scoped);
        expect(currentSettings().adapter).toBe(inner);
      });
      expect(currentSettings().adapter).toBeUndefined();
    });
    expect(currentSettings().lm).toBe(global);
  });

  it('a program uses the configured LM, and a context LM over it', async () => {
    configure({ lm: new DummyLM([{ answer: 'global' }]) });
    const p = new Predict('question -> answer');
    expect((await p.call({ question: 'q' })).answer).toBe('global');
    const scoped = new DummyLM([{ answer: 'scoped' }]);
    expect((await context({ lm: scoped }, () => p.call({ question: 'q' }))).answer).toBe('scoped');
  });

  it('concurrent scopes each see their own LM', async () => {
    const p = new Predict('question -> answer');
    const names = Array.from({ length: 10 }, (_, i) => `lm${i}`);
    const answers = await Promise.all(
      names.map((name) =>
        context({ lm: new DummyLM([{ answer: name }]) }, () => p.call({ question: 'q' })),
      ),
    );
    expect(answers.map((a) => a.answer)).toEqual(names);
  });

  it('callbacks set by context replace the configured ones in scope', async () => {
    const seen: string[] = [];
    configure({ callbacks: [{ onModuleStart: () => void seen.push('global') }] });
    const p = new Predict('question -> answer');
    const lm = new DummyLM([{ answer: 'a' }, { answer: 'b' }]);
    await context({ lm }, () => p.call({ question: 'q' }));
    await context({ lm, callbacks: [{ onModuleStart: () => void seen.push('scoped') }] }, () =>
      p.call({ question: 'q' }),
    );
    expect(seen).toEqual(['global', 'scoped']);
  });

  it('an aborted context signal stops the next LM call', async () => {
    const controller = new AbortController();
    const lm = new DummyLM([{ answer: 'a' }, { answer: 'b' }]);
    const p = new Predict('question -> answer');
    await context({ lm, signal: controller.signal }, async () => {
      expect((await p.call({ question: 'q' })).answer).toBe('a');
      controller.abort();
      await expect(p.call({ question: 'q' })).rejects.toMatchObject({ code: 'aborted' });
    });
  });
});
