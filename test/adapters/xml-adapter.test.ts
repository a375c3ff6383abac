import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AdapterParseError, XMLAdapter } from '../../src/adapters/index.js';
import { signature } from '../../src/signatures/index.js';

const adapter = new XMLAdapter();

describe('XMLAdapter.format (T18, DSPy byte-exact messages)', () => {
  it('simple question -> answer', () => {
    const messages = adapter.format(signature('question -> answer'), [], {
      question: 'why did a chicken cross the kitchen?',
    });
    expect(messages).toEqual([
      {
        role: 'system',
        content: `Your input fields are:
1. \`question\` (str):
Your output fields are:
1. \`answer\` (str):
All interactions will be structured in the following way, with the appropriate values filled in.

<question>
{question}
</question>

<answer>
{answer}
</answer>
In adhering to this structure, your objective is: 
        Given the fields \`question\`, produce the fields \`answer\`.`,
      },
      {
        role: 'user',
        content:
          '<question>\nwhy did a chicken cross the kitchen?\n</question>\n\nRespond with the corresponding output fields wrapped in XML tags `<answer>`.',
      },
    ]);
  });

  it('a demo with a typed output', () => {
    const messages = adapter.format(
      signature('question -> answer, score: float'),
      [{ question: 'Q1', answer: 'A1', score: 0.9 }],
      {
        question: 'Q2',
      },
    );
    expect(messages[0]?.content).toContain(
      '<answer>\n{answer}\n</answer>\n\n<score>\n{score}        # note: the value you produce must be a single float value\n</score>\nIn adhering',
    );
    expect(messages.slice(1)).toEqual([
      { role: 'user', content: '<question>\nQ1\n</question>' },
      { role: 'assistant', content: '<answer>\nA1\n</answer>\n\n<score>\n0.9\n</score>' },
      {
        role: 'user',
        content:
          '<question>\nQ2\n</question>\n\nRespond with the corresponding output fields wrapped in XML tags `<answer>`, then `<score>`.',
      },
    ]);
  });

  it('an incomplete demo keeps the trailing space of the missing-field text inside the tags', () => {
    const sig = signature('question, context -> answer, score: float');
    const messages = adapter.format(sig, [{ question: 'Q1', answer: 'A1' }], {
      question: 'Q2',
      context: 'C2',
    });
    expect(messages.slice(1)).toEqual([
      {
        role: 'user',
        content:
          'This is an example of the task, though some input or output fields are not supplied.\n\n<question>\nQ1\n</question>',
      },
      {
        role: 'assistant',
        content:
          '<answer>\nA1\n</answer>\n\n<score>\nNot supplied for this particular example. \n</score>',
      },
      {
        role: 'user',
        content:
          '<question>\nQ2\n</question>\n\n<context>\nC2\n</context>\n\nRespond with the corresponding output fields wrapped in XML tags `<answer>`, then `<score>`.',
      },
    ]);
  });

  it('list outputs are shown as nested XML skeletons in the system message', () => {
    const sig = signature(
      'question -> answers: list[str], scores: list[float]',
      'Answer the question with multiple answers and scores',
    );
    expect(adapter.formatSystemMessage(sig)).toBe(`Your input fields are:
1. \`question\` (str):
Your output fields are:
1. \`answers\` (list[str]): 
2. \`scores\` (list[float]):
All interactions will be structured in the following way, with the appropriate values filled in.

<question>
{question}
</question>

<answers><item>...</item></answers>

<scores><item>...</item></scores>
In adhering to this structure, your objective is: 
        Answer the question with multiple answers and scores`);
  });

  it('escapes & and < in string outputs so they parse back', () => {
    const sig = signature('q -> code');
    const [, , assistant] = adapter.format(sig, [{ q: 'x', code: "print('</code> & done')" }], {
      q: 'y',
    });
    expect(assistant?.content).toContain('&lt;/code> &amp; done');
    expect(adapter.parse(sig, (assistant?.content as string | undefined) ?? '')).toEqual({
      code: "print('</code> & done')",
    });
  });

  it('structured outputs are shown and written as nested XML', () => {
    const Item = z.object({ name: z.string(), score: z.number() }).meta({ title: 'Item' });
    const sig = signature({ inputs: { q: z.string() }, outputs: { items: z.array(Item) } });
    const messages = adapter.format(sig, [{ q: 'x', items: [{ name: 'a', score: 1 }] }], {
      q: 'y',
    });
    expect(messages[0]?.content).toContain(
      '\n\n<items><item><name>...</name><score>...</score></item></items>\nIn adhering',
    );
    // score is a float field, so 1 prints as Python's 1.0
    expect(messages[2]?.content).toBe(
      '<items><item><name>a</name><score>1.0</score></item></items>',
    );
    expect(messages[3]?.content).toContain(
      'wrapped in XML tags `<items>`. Use this nested XML structure: <items><item><name>...</name><score>...</score></item></items>',
    );
  });
});

describe('XMLAdapter.parse', () => {
  it('reads fields and casts types', () => {
    const sig = signature('q -> number: int, flag: bool');
    expect(adapter.parse(sig, '\n<number>42</number>\n<flag>true</flag>\n')).toEqual({
      number: 42,
      flag: true,
    });
  });

  it('reports a missing field and a type error', () => {
    const sig = signature('question -> answer, explanation');
    const err = (() => {
      try {
        adapter.parse(sig, '<answer>Paris</answer>');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(AdapterParseError);
    expect((err as AdapterParseError).adapterName).toBe('XMLAdapter');
    expect((err as AdapterParseError).lmResponse).toBe('<answer>Paris</answer>');
    expect((err as Error).message).toContain('explanation');
    expect(() =>
      adapter.parse(signature('q -> number: int'), '<number>not_a_number</number>'),
    ).toThrowError(/Failed to parse field/);
  });

  it('rejects malformed XML', () => {
    expect(() =>
      adapter.parse(signature('q -> code'), "<code>print('</code>')</code>"),
    ).toThrowError(/Failed to parse XML/);
  });

  it('reads repeated dict elements, entry keys and empty lists', () => {
    const sig = signature('q -> counts: dict[str, list[int]]');
    expect(
      adapter.parse(sig, '<counts><first>3</first><first>4</first><second>5</second></counts>'),
    ).toEqual({
      counts: { first: [3, 4], second: [5] },
    });
    expect(
      adapter.parse(sig, '<counts><entry key="postal code"><item>3</item></entry></counts>'),
    ).toEqual({
      counts: { 'postal code': [3] },
    });
    expect(adapter.parse(sig, '<counts />')).toEqual({ counts: {} });
    expect(adapter.parse(signature('q -> items: list[str]'), '<items />')).toEqual({ items: [] });
    expect(adapter.parse(signature('q -> items: list[str]'), '<items>new</items>')).toEqual({
      items: ['new'],
    });
  });

  it('reads nested models, and JSON inside the outer element', () => {
    const Address = z.object({ city: z.string() }).meta({ title: 'Address' });
    const Inner = z
      .object({ value: z.number().int(), label: z.string(), address: Address })
      .meta({ title: 'InnerModel' });
    const sig = signature({ inputs: { question: z.string() }, outputs: { result: Inner } });
    const expected = { result: { value: 5, label: 'foo', address: { city: 'London' } } };
    expect(
      adapter.parse(
        sig,
        '<result><value>5</value><label>foo</label><address><city>London</city></address></result>',
      ),
    ).toEqual(expected);
    expect(
      adapter.parse(
        sig,
        '<result>{"value": 5, "label": "foo", "address": {"city": "London"}}</result>',
      ),
    ).toEqual(expected);
  });
});
