import { beforeEach, describe, expect, it } from 'vitest';
import { DummyLM, globalLMHistory, resetGlobalHistory } from '../../src/lm/index.js';
import { ModuleError, ProgramOfThought, context, parseCode } from '../../src/modules/index.js';

beforeEach(() => resetGlobalHistory());
const quiet = { warn: () => undefined };

describe('ProgramOfThought', () => {
  it('runs the generated JavaScript in the sandbox and answers from its output', async () => {
    const lm = new DummyLM([
      {
        reasoning: 'Sum the primes.',
        generated_code:
          '```javascript\nconst primes = [];\nfor (let n = 2; primes.length < 100; n++) if (primes.every((p) => n % p)) primes.push(n);\nSUBMIT({ answer: primes.reduce((a, b) => a + b) })\n```',
      },
      { reasoning: 'The code printed it.', answer: '24133' },
    ]);
    const pot = new ProgramOfThought('question -> answer: int');
    const pred = await context({ lm }, () =>
      pot.call({ question: 'What is the sum of the first 100 primes?' }),
    );
    expect(pred.answer).toBe(24133);
    const [generate, answer] = globalLMHistory();
    expect(String(generate?.messages[0]?.content)).toContain(
      'Generating executable JavaScript code that programmatically computes the correct `generated_code`.',
    );
    expect(String(answer?.messages.at(-1)?.content)).toContain(
      '[[ ## code_output ## ]]\n{"answer":24133}',
    );
    expect(pot.namedPredictors().map(([n]) => n)).toEqual([
      'codeGenerate.predict',
      'codeRegenerate.predict',
      'generateOutput.predict',
    ]);
  });

  it('regenerates with the previous code and its error, then succeeds', async () => {
    const lm = new DummyLM([
      { reasoning: 'r', generated_code: 'undefinedFunction(1)\nconst x = 2' },
      { reasoning: 'r', generated_code: 'const x = 40\nconst y = x + 2' },
      { reasoning: 'r', answer: '42' },
    ]);
    const pot = new ProgramOfThought('question -> answer');
    const pred = await context({ lm, logger: quiet }, () => pot.call({ question: 'q' }));
    expect(pred.answer).toBe('42');
    const regenerate = String(globalLMHistory()[1]?.messages.at(-1)?.content);
    expect(regenerate).toContain('[[ ## previous_code ## ]]\nundefinedFunction(1)');
    expect(regenerate).toContain(
      "[[ ## error ## ]]\nReferenceError: 'undefinedFunction' is not defined",
    );
    expect(String(globalLMHistory()[2]?.messages.at(-1)?.content)).toContain(
      '[[ ## code_output ## ]]\n42',
    );
  });

  it("gives up after maxIters with DSPy's message", async () => {
    const lm = new DummyLM([
      { reasoning: 'r', generated_code: 'while (true) {}' },
      { reasoning: 'r', generated_code: 'throw new Error("nope")' },
    ]);
    // A clock that ticks once per look: the loop is interrupted after 100 looks, whatever the load.
    let tick = 0;
    const pot = new ProgramOfThought('question -> answer', {
      maxIters: 2,
      sandbox: { timeoutMs: 100, now: () => tick++ },
    });
    const err = await context({ lm, logger: quiet }, () => pot.call({ question: 'q' })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModuleError);
    expect((err as Error).message).toBe(
      'Max hops reached. Failed to run ProgramOfThought: Error: nope',
    );
    expect(String(globalLMHistory()[1]?.messages.at(-1)?.content)).toContain(
      '[[ ## error ## ]]\nInternalError: interrupted',
    );
  });

  it("parses code as DSPy's _parse_code does", () => {
    expect(parseCode('```js\nconst a = 1\nconst b = a + 1\n```')).toEqual({
      code: 'const a = 1\nconst b = a + 1\nb',
    });
    expect(parseCode('a = 1; b = 2')).toMatchObject({
      error: 'Error: Code format is not correct.',
    });
    expect(parseCode('')).toMatchObject({ error: 'Error: Empty code after parsing.' });
    expect(parseCode('1 + 1\n---\nexplanation')).toEqual({ code: '1 + 1\n' });
  });
});
