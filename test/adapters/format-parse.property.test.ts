import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatAdapter, JSONAdapter, XMLAdapter, type Adapter } from '../../src/adapters/index.js';
import { signature } from '../../src/signatures/index.js';

/**
 * parse ∘ format = identity on output values: an assistant demo message written by an adapter
 * parses back to the same outputs. Text values avoid what DSPy's formats cannot carry: leading or
 * trailing whitespace (sections are stripped), header-looking lines and non-\n line breaks.
 */
const Point = z.object({ x: z.number().int(), label: z.string() }).meta({ title: 'Point' });
const sig = signature({
  inputs: { question: z.string() },
  outputs: {
    text: z.string(),
    count: z.number().int(),
    ratio: z.number(),
    flag: z.boolean(),
    tags: z.array(z.string()),
    weights: z.record(z.string(), z.number().int()),
    choice: z.enum(['yes', 'no', "it's"]),
    point: Point,
  },
});

const safeText = fc
  .string({
    unit: fc.constantFrom(
      'a',
      'Z',
      ' ',
      '\n',
      '{',
      '}',
      '"',
      "'",
      '[',
      ']',
      '#',
      '&',
      '<',
      '>',
      'é',
      '«',
      '1',
      '.',
      ',',
      ':',
      '\\',
    ),
    maxLength: 30,
  })
  .map((s) => s.trim())
  .filter((s) => !s.split('\n').some((line) => line.trim().startsWith('[[')));

const itemText = safeText.filter((s) => !s.includes('\n'));
const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);

const outputs = fc.record({
  text: safeText,
  count: fc.integer({ min: -1e9, max: 1e9 }),
  ratio: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  flag: fc.boolean(),
  tags: fc.array(itemText, { maxLength: 4 }),
  weights: fc.dictionary(key, fc.integer({ min: -1000, max: 1000 }), { maxKeys: 3 }),
  choice: fc.constantFrom('yes', 'no', "it's"),
  point: fc.record({ x: fc.integer({ min: -100, max: 100 }), label: itemText }),
});

function roundTrip(adapter: Adapter, values: Record<string, unknown>): Record<string, unknown> {
  const messages = adapter.format(sig, [{ question: 'q', ...values }], { question: 'q2' });
  const assistant = messages.find((m) => m.role === 'assistant');
  if (!assistant) throw new Error('no demo message');
  return adapter.parse(sig, assistant.content as string);
}

describe.each([
  ['ChatAdapter', new ChatAdapter()],
  ['JSONAdapter', new JSONAdapter()],
  ['XMLAdapter', new XMLAdapter()],
] as const)('%s: parse(format(outputs)) = outputs', (_name, adapter) => {
  it('holds for typed outputs', () => {
    fc.assert(
      fc.property(outputs, (values) => {
        expect(roundTrip(adapter, values)).toEqual(values);
      }),
      { numRuns: 150, seed: 2024 },
    );
  });
});
