import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignatureError, pythonTypeName, signature } from '../../src/signatures/index.js';

const KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

const identifier = fc
  .stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,11}$/)
  .filter((s) => !KEYWORDS.has(s));

const leaf = fc.constantFrom('str', 'int', 'float', 'bool', 'Any', 'list', 'dict');
const typeExpr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('t').map((t) => `list[${t}]`),
    fc.tuple(tie('t'), tie('t')).map(([k, v]) => `dict[${k}, ${v}]`),
    tie('t').map((t) => `Optional[${t}]`),
    fc
      .array(fc.constantFrom("'a'", "'b c'", '1', 'True'), { minLength: 1, maxLength: 3 })
      .map((vs) => `Literal[${[...new Set(vs)].join(', ')}]`),
  ),
})).t as fc.Arbitrary<string>;

const fieldSpec = fc.tuple(identifier, fc.option(typeExpr, { nil: undefined }));

const uniqueFields = fc
  .tuple(fc.array(fieldSpec, { maxLength: 4 }), fc.array(fieldSpec, { minLength: 1, maxLength: 4 }))
  .filter(
    ([ins, outs]) => new Set([...ins, ...outs].map(([n]) => n)).size === ins.length + outs.length,
  );

const render = (fields: [string, string | undefined][]) =>
  fields.map(([n, t]) => (t === undefined ? n : `${n}: ${t}`)).join(', ');

describe('string signature parser (property tests)', () => {
  it('keeps names and order, and the typed string form parses back to the same shape', () => {
    fc.assert(
      fc.property(uniqueFields, ([ins, outs]) => {
        const sig = signature(`${render(ins)} -> ${render(outs)}`);
        expect(sig.inputFields.map((f) => f.name)).toEqual(ins.map(([n]) => n));
        expect(sig.outputFields.map((f) => f.name)).toEqual(outs.map(([n]) => n));
        expect(signature(sig.toString()).fields.map((f) => f.name)).toEqual(
          sig.fields.map((f) => f.name),
        );
        const again = signature(sig.toTypedString());
        expect(again.sameShape(sig)).toBe(true);
        expect(again.fields.map((f) => pythonTypeName(f.type))).toEqual(
          sig.fields.map((f) => pythonTypeName(f.type)),
        );
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it("any spec without exactly one arrow fails with DSPy's message", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }).filter((s) => s.split('->').length !== 2),
        (spec) => {
          let caught: unknown;
          try {
            signature(spec);
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(SignatureError);
          expect((caught as Error).message).toBe(
            `Invalid signature format: '${spec}', must contain exactly one '->'.`,
          );
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it('a name on both sides always fails with the duplicates message', () => {
    fc.assert(
      fc.property(identifier, fc.array(identifier, { maxLength: 3 }), (shared, others) => {
        const ins = [...new Set([shared, ...others])];
        expect(() => signature(`${ins.join(', ')} -> ${shared}`)).toThrowError(
          /must have distinct names/,
        );
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  it('arbitrary text never crashes the parser with anything but a SignatureError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (left, right) => {
        try {
          signature(`${left}->${right}`);
        } catch (e) {
          expect(e).toBeInstanceOf(SignatureError);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
