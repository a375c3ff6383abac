import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CliError } from '../../src/cli/index.js';
import { locateJsonError, parseJsonObject } from '../../src/cli/index.js';

function failure(text: string): CliError {
  try {
    parseJsonObject(text, '--input');
  } catch (e) {
    return e as CliError;
  }
  throw new Error('expected a failure');
}

describe('parseJsonObject', () => {
  it('returns the object', () => {
    expect(parseJsonObject('{"question": "hi", "n": [1, 2]}', '--input')).toEqual({
      question: 'hi',
      n: [1, 2],
    });
  });

  it.each([
    ['{"question": "hi",}', 1, 19],
    ['{question: "hi"}', 1, 2],
    ['abc', 1, 1],
    ['{"a": 1', 1, 8],
    ['{\n  "a": tru\n}', 2, 11],
    ['', 1, 1],
  ])(
    'a syntax error in %j is bad_json at line %i, column %i with a caret',
    (text, line, column) => {
      const e = failure(text);
      expect(e.code).toBe('bad_json');
      expect(e.exitCode).toBe(2);
      expect(e.details).toMatchObject({ line, column });
      expect(e.message).toContain(`at line ${line}, column ${column}`);
      expect(e.message.split('\n').at(-1)).toBe(`  ${' '.repeat(column - 1)}^`);
    },
  );

  it.each([
    ['[1, 2]', 'an array'],
    ['"text"', 'a string'],
    ['null', 'null'],
    ['3', 'a number'],
  ])('valid JSON that is not an object (%s) is bad_json naming what it got', (text, what) => {
    const e = failure(text);
    expect(e.code).toBe('bad_json');
    expect(e.message).toBe(`--input must be a JSON object, got ${what}`);
  });
});

describe('locateJsonError', () => {
  it('finds no error in any JSON document', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (value, space) => {
        expect(locateJsonError(JSON.stringify(value, null, space))).toBeUndefined();
      }),
    );
  });

  it('agrees with JSON.parse on arbitrary text', () => {
    const alphabet = fc.constantFrom(...'{}[]":,0123456789-+.eEtrufalsn \\u\n'.split(''));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 24 }).map((cs) => cs.join('')),
        (text) => {
          let valid = true;
          try {
            JSON.parse(text);
          } catch {
            valid = false;
          }
          expect(locateJsonError(text) === undefined).toBe(valid);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
