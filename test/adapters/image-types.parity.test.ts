import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChatAdapter, Image, JSONAdapter, XMLAdapter } from '../../src/adapters/index.js';
import { Example, Predict } from '../../src/modules/index.js';
import { signature } from '../../src/signatures/index.js';

/** Recorded by generate_image_types.py from DSPy 3.3.1's own adapters. */
interface Fixture {
  url: string;
  data: string;
  cases: {
    name: string;
    adapter: 'chat' | 'json' | 'xml';
    signature: string;
    demos: Record<string, unknown>[];
    inputs: Record<string, unknown>;
    messages: unknown[];
  }[];
  savedDemos: Record<string, unknown>[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/image-types.json', import.meta.url), 'utf8'),
) as Fixture;

/** `{ $image: url }` in the fixture stands for `dspy.Image(url)`. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record['$image'] === 'string') return new Image(record['$image']);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

const adapters = { chat: new ChatAdapter(), json: new JSONAdapter(), xml: new XMLAdapter() };

describe('Image inputs format as DSPy 3.3.1 formats them', () => {
  for (const c of fixture.cases) {
    it(`${c.adapter} adapter: ${c.name} ("${c.signature}") gives DSPy's content parts`, () => {
      const demos = c.demos.map((d) => revive(d) as Record<string, unknown>);
      const inputs = revive(c.inputs) as Record<string, unknown>;
      expect(adapters[c.adapter].format(signature(c.signature), demos, inputs)).toEqual(c.messages);
    });
  }

  it('plain URL and data URI strings in an Image field format like Image objects', () => {
    const sig = signature('images: list[Image], question -> answer');
    const withImages = adapters.chat.format(sig, [], {
      images: [new Image(fixture.url), new Image(fixture.data)],
      question: 'Same?',
    });
    const withStrings = adapters.chat.format(sig, [], {
      images: [fixture.url, { url: fixture.data }],
      question: 'Same?',
    });
    expect(withStrings).toEqual(withImages);
  });

  it('a predictor saves an image demo in DSPy shape and formats it the same after loading', () => {
    const sig = signature('image: Image, question -> answer');
    const predict = new Predict(sig, {
      demos: [{ image: new Image(fixture.data), question: 'q0', answer: 'a0' }],
    });
    const state = predict.dumpState();
    expect(state.demos).toEqual(fixture.savedDemos);
    const loaded = new Predict(sig);
    loaded.loadState(JSON.parse(JSON.stringify(state)) as typeof state);
    const inputs = { image: fixture.url, question: 'q' };
    const demos = (p: Predict) => p.demos.map((d) => new Example(d).toDict());
    expect(adapters.chat.format(sig, demos(loaded), inputs)).toEqual(
      adapters.chat.format(sig, demos(predict), inputs),
    );
  });
});
