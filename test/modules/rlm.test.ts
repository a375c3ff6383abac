import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DummyLM, globalLMHistory, openai, resetGlobalHistory } from '../../src/lm/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import {
  RLM,
  Tool,
  context,
  formatHistory,
  stripCodeFences,
  type REPLEntry,
} from '../../src/modules/index.js';

beforeEach(() => resetGlobalHistory());
const quiet = { warn: () => undefined };

const step = (reasoning: string, code: string) => ({
  reasoning,
  code: `\`\`\`javascript\n${code}\n\`\`\``,
});
const userText = (i: number): string =>
  String(globalLMHistory()[i]?.messages.at(-1)?.content ?? '');

describe('RLM', () => {
  it('keeps REPL state between steps, queries the sub-LM, and submits typed outputs', async () => {
    const lm = new DummyLM([
      step('Look at the data.', 'const words = context.split(" "); print(words.length)'),
      step(
        'Ask the sub-LM about the last word, then count.',
        'const verdict = llm_query("Is " + words.at(-1) + " a number?"); SUBMIT({ answer: verdict, count: words.length })',
      ),
    ]);
    const sub = new DummyLM(['yes']);
    const rlm = new RLM('context, query -> answer, count: int', { subLm: sub });
    const pred = await context({ lm }, () =>
      rlm.call({ context: 'the magic number is 42', query: 'magic number?' }),
    );
    expect(pred.get('answer')).toBe('yes');
    expect(pred.get('count')).toBe(5);
    const trajectory = pred.get('trajectory') as REPLEntry[];
    expect(trajectory.map((e) => e.output)).toEqual(['5', 'FINAL: {"answer":"yes","count":5}']);
    expect(pred.get('final_reasoning')).toBe('Ask the sub-LM about the last word, then count.');
    // The inputs are described, not pasted: type, length and a preview.
    const first = userText(0);
    expect(first).toContain('Variable: `context` (access it in your code)\n    Type: string');
    expect(first).toContain('Total length: 22 characters');
    expect(first).toContain('You have not interacted with the REPL environment yet.');
    expect(first).toContain('[[ ## iteration ## ]]\n1/20');
    expect(String(globalLMHistory()[0]?.messages[0]?.content)).toContain(
      'You have access to a JavaScript REPL environment.',
    );
    // The second step sees the first one's code and output.
    expect(userText(1)).toContain(
      '=== Step 1 ===\nReasoning: Look at the data.\nCode:\n```javascript\nconst words = context.split(" "); print(words.length)\n```\nOutput (1 chars):\n5',
    );
  });

  it('feeds errors and bad SUBMITs back to the model until a valid one', async () => {
    const lm = new DummyLM([
      step('Try.', 'undefinedFunction()'),
      step('Submit without count.', 'SUBMIT({ answer: "x" })'),
      step('Submit a wrong type.', 'SUBMIT({ answer: "x", count: "many" })'),
      step('Fixed.', 'SUBMIT({ answer: "x", count: 3 })'),
    ]);
    const rlm = new RLM('context -> answer, count: int');
    const pred = await context({ lm }, () => rlm.call({ context: 'c' }));
    const outputs = (pred.get('trajectory') as REPLEntry[]).map((e) => e.output);
    expect(outputs[0]).toMatch(/^\[Error\] ReferenceError: .*undefinedFunction/);
    expect(outputs[1]).toBe(
      "[Error] Missing output fields: ['count']. Use SUBMIT({ answer, count })",
    );
    expect(outputs[2]).toMatch(/^\[Type Error\] count: /);
    expect(pred.get('count')).toBe(3);
  });

  it('enforces the sub-LM call budget with DSPy’s message and isolates failed batch prompts', async () => {
    const lm = new DummyLM([
      step('Batch.', 'print(JSON.stringify(llm_query_batched(["a", "b"])))'),
      step('One more.', 'llm_query("c")'),
      step('Done.', 'SUBMIT({ answer: "ok" })'),
    ]);
    const sub = new DummyLM(['A', 'B', 'C']);
    const rlm = new RLM('context -> answer', { subLm: sub, maxLlmCalls: 2 });
    const pred = await context({ lm }, () => rlm.call({ context: 'c' }));
    const outputs = (pred.get('trajectory') as REPLEntry[]).map((e) => e.output);
    expect(outputs[0]).toBe('["A","B"]');
    expect(outputs[1]).toContain(
      'LLM call limit exceeded: 2 + 1 > 2. Use JavaScript code for aggregation instead of making more LLM calls.',
    );
  });

  it('extracts the outputs from the history after maxIters steps', async () => {
    const lm = new DummyLM([
      step('Explore.', 'print(context.length)'),
      step('Explore more.', 'print(context.toUpperCase())'),
      { answer: 'extracted' },
    ]);
    const rlm = new RLM('context -> answer', { maxIters: 2 });
    const pred = await context({ lm, logger: quiet }, () => rlm.call({ context: 'abc' }));
    expect(pred.get('answer')).toBe('extracted');
    expect(pred.get('final_reasoning')).toBe('Extract forced final output');
    const extractPrompt = userText(2);
    expect(extractPrompt).toContain('[[ ## repl_history ## ]]\n=== Step 1 ===');
    expect(extractPrompt).toContain('Output (3 chars):\nABC');
    expect(String(globalLMHistory()[2]?.messages[0]?.content)).toContain(
      'Based on the REPL trajectory, extract the final outputs now.',
    );
  });

  it('calls user tools with one arguments object and lists them in the instructions', async () => {
    const lookup = new Tool({
      name: 'lookup',
      description: 'Finds a value\nby key.',
      args: { key: { type: 'string' } },
      func: ({ key }) => ({ a: 1, b: 2 })[String(key) as 'a' | 'b'] ?? null,
    });
    const lm = new DummyLM([
      step('Use the tool.', 'SUBMIT({ answer: String(lookup({ key: "b" })) })'),
    ]);
    const rlm = new RLM('context -> answer', { tools: [lookup] });
    const pred = await context({ lm }, () => rlm.call({ context: 'c' }));
    expect(pred.get('answer')).toBe('2');
    expect(String(globalLMHistory()[0]?.messages[0]?.content)).toContain(
      '- `lookup({ key: string })` - Finds a value  by key.',
    );
  });

  it('rejects names that clash with the sandbox, tools or result fields, and bad inputs', async () => {
    expect(() => new RLM('print -> answer')).toThrow(
      "Input fields conflict with built-in sandbox functions: ['print']",
    );
    expect(() => new RLM('context -> trajectory')).toThrow(
      "Output fields conflict with RLM result metadata: ['trajectory']",
    );
    expect(
      () => new RLM('lookup -> answer', { tools: [{ name: 'lookup', func: () => 1 }] }),
    ).toThrow("Input fields conflict with user tools: ['lookup']");
    expect(() => new RLM('a -> b', { tools: [{ name: 'llm_query', func: () => 1 }] })).toThrow(
      "Tool name 'llm_query' conflicts with built-in sandbox function",
    );
    const rlm = new RLM('context, query -> answer');
    await expect(
      context({ lm: new DummyLM([]) }, () => rlm.call({ context: 'x', extra: 1 } as never)),
    ).rejects.toThrow("Unexpected inputs not declared in the signature: ['extra']");
  });

  it('exposes its two predictors for optimizers and saves them', () => {
    const rlm = new RLM('context -> answer');
    expect(rlm.namedPredictors().map(([n]) => n)).toEqual(['generateAction', 'extract']);
    expect(Object.keys(rlm.save())).toEqual(['generateAction', 'extract']);
  });
});

describe('RLM helpers', () => {
  it('strips fences like DSPy, refusing a non-JavaScript block', () => {
    expect(stripCodeFences('print(1)')).toBe('print(1)');
    expect(stripCodeFences('```\n```js\nprint(1)\n```\n```')).toBe('print(1)');
    expect(stripCodeFences('Here:\n```javascript\nlet x = 1\n```\ntrailing')).toBe('let x = 1');
    expect(() => stripCodeFences('```python\nprint(1)\n```')).toThrow(
      'Expected JavaScript code but got ```python fence. Write JavaScript code, not python.',
    );
  });

  it('cuts a long step output to its head and tail, keeping the true length', () => {
    const text = formatHistory(
      [{ reasoning: '', code: 'x', output: 'a'.repeat(30) + 'b'.repeat(30) }],
      20,
    );
    expect(text).toBe(
      '=== Step 1 ===\nCode:\n```javascript\nx\n```\nOutput (60 chars):\naaaaaaaaaa\n\n... (40 characters omitted) ...\n\nbbbbbbbbbb',
    );
  });
});

describe('RLM over the OpenAI SDK', () => {
  let fx: LMFixture;
  beforeAll(async () => {
    fx = await startOpenAIFixture();
  });
  afterAll(() => fx.close());

  it('sends the action prompt and the sub-LM query through the wire, and reports both in usage', async () => {
    const chat = (fields: Record<string, string>): string =>
      Object.entries(fields)
        .map(([k, v]) => `[[ ## ${k} ## ]]\n${v}`)
        .join('\n\n') + '\n\n[[ ## completed ## ]]';
    fx.enqueue({
      text: chat({ reasoning: 'Ask.', code: '```js\nSUBMIT({ answer: llm_query("2+2?") })\n```' }),
      usage: { input: 100, output: 20 },
    });
    fx.enqueue({ text: '4', usage: { input: 5, output: 1 } });
    const lm = openai({ model: 'gpt-4o-mini', apiKey: 'test', baseURL: fx.url, cache: false });
    const pred = await context({ lm }, () => new RLM('question -> answer').call({ question: 'q' }));
    expect(pred.get('answer')).toBe('4');
    expect(fx.requests).toHaveLength(2);
    expect(fx.requests[1]?.body.messages).toEqual([{ role: 'user', content: '2+2?' }]);
    expect(pred.usage?.['openai/gpt-4o-mini']).toMatchObject({ promptTokens: 105, calls: 2 });
  });
});
