import { describe, expect, it } from 'vitest';
import { ChatAdapter, JSONAdapter, XMLAdapter, type Adapter } from '../../src/adapters/index.js';
import {
  buildSignature,
  decode,
  describeError,
  loadFixture,
  type FormatCase,
  type ParseCase,
} from './fixtures.js';
import { deliberateDifference } from './deliberate-differences.js';

/**
 * dspex's adapters against DSPy 3.3.1's own ChatAdapter / JSONAdapter / XMLAdapter, on the cases
 * test/parity/generate.py recorded (seeded random signatures, demos, inputs and completions).
 * Cases where DSPy's behaviour is a bug dspex does not copy are listed in
 * deliberate-differences.ts; for those the test checks that dspex still differs, and how.
 */

const ADAPTERS: Record<string, () => Adapter> = {
  chat: () => new ChatAdapter(),
  json: () => new JSONAdapter(),
  xml: () => new XMLAdapter(),
};

/** DSPy's exception classes and the dspex class that stands for each. */
const ERROR_CLASSES: Record<string, string> = {
  AdapterParseError: 'AdapterParseError',
  ValidationError: 'SignatureError',
  ValueError: 'SignatureError',
};

function runFormat(adapterName: string, c: FormatCase): unknown {
  try {
    return {
      messages: ADAPTERS[adapterName]!().format(buildSignature(c.signature), c.demos, c.inputs),
    };
  } catch (e) {
    return { error: describeError(e) };
  }
}

function runParse(adapterName: string, c: ParseCase): unknown {
  try {
    return { outputs: ADAPTERS[adapterName]!().parse(buildSignature(c.signature), c.completion) };
  } catch (e) {
    return { error: describeError(e) };
  }
}

function expectedOutcome(expected: unknown): unknown {
  const e = expected as { error?: { class: string; message: string } };
  if (e.error) {
    return {
      error: { class: ERROR_CLASSES[e.error.class] ?? e.error.class, message: e.error.message },
    };
  }
  return decode(expected);
}

describe.each(['chat', 'json', 'xml'])('%s adapter', (adapterName) => {
  const formatCases = loadFixture<FormatCase[]>(`${adapterName}-format.json`);
  const parseCases = loadFixture<ParseCase[]>(`${adapterName}-parse.json`);

  describe('format() matches DSPy', () => {
    it.each(formatCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
      expect(runFormat(adapterName, c)).toEqual(expectedOutcome(c.expected));
    });
  });

  describe('parse() matches DSPy', () => {
    it.each(parseCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
      const actual = runParse(adapterName, c);
      const expected = expectedOutcome(c.expected);
      const difference = deliberateDifference(adapterName, c);
      if (difference) {
        // A listed difference must still be one, and dspex must give what the entry says.
        expect(actual).not.toEqual(expected);
        expect(actual).toEqual(expectedOutcome(difference.dspexOutcome(c)));
      } else {
        expect(actual).toEqual(expected);
      }
    });
  });
});
