import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChatAdapter, JSONAdapter, ToolCalls } from '../../src/adapters/index.js';
import { Tool } from '../../src/modules/index.js';
import { signature } from '../../src/signatures/index.js';

/** Recorded by generate_native_types.py from DSPy 3.3.1's own adapters. */
interface Fixture {
  cases: { adapter: 'chat' | 'json'; signature: string; messages: unknown[] }[];
  definitions: { type: 'function'; function: Record<string, unknown> }[];
  parsed: unknown;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/native-types.json', import.meta.url), 'utf8'),
) as Fixture;

const tools = [
  new Tool({
    name: 'weather',
    description: 'Weather in a city.',
    args: { city: { type: 'string' }, unit: { type: 'string', default: 'celsius' } },
    func: ({ city }) => `Sunny in ${String(city)}`,
  }),
  new Tool({
    name: 'search',
    description: 'Search the web.',
    args: { query: { type: 'string' } },
    func: ({ query }) => query,
  }),
];

describe('Tool, ToolCalls and Reasoning prompts match DSPy 3.3.1', () => {
  for (const c of fixture.cases) {
    it(`${c.adapter} adapter formats "${c.signature}" as DSPy does`, () => {
      const adapter = c.adapter === 'chat' ? new ChatAdapter() : new JSONAdapter();
      const sig = signature(c.signature);
      const withTools = sig.inputFields.some((f) => f.name === 'tools');
      const demos = withTools
        ? [
            {
              question: 'q0',
              tools,
              answer: 'a0',
              tool_calls: ToolCalls.fromDictList([{ name: 'search', args: { query: 'x' } }]),
            },
          ]
        : [];
      const inputs = withTools
        ? { question: 'What is the weather in Paris?', tools }
        : { question: 'Why?' };
      expect(adapter.format(sig, demos, inputs)).toEqual(c.messages);
    });
  }

  it('tools become the function definitions DSPy sends', () => {
    expect(
      tools.map((t) => {
        const d = t.formatAsFunctionCall();
        return {
          type: 'function',
          function: { name: d.name, description: d.description, parameters: d.parameters },
        };
      }),
    ).toEqual(fixture.definitions);
  });

  it('a ToolCalls answer written as text parses to the calls DSPy reads', () => {
    const sig = signature('question, tools: list[Tool] -> answer, tool_calls: ToolCalls');
    const out = new ChatAdapter().parse(
      sig,
      '[[ ## answer ## ]]\nok\n\n[[ ## tool_calls ## ]]\n{"tool_calls": [{"name": "search", "args": {"query": "cats"}}]}\n\n[[ ## completed ## ]]',
    );
    expect(ToolCalls.from(out['tool_calls']).toJSON()).toEqual(fixture.parsed);
  });
});
