import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatAdapter, history } from '../../src/adapters/index.js';
import { FieldTypes, signature } from '../../src/signatures/index.js';

const adapter = new ChatAdapter();

describe('ChatAdapter.format (DSPy byte-exact messages)', () => {
  it('T5: simple QA signature with instructions', () => {
    const sig = signature('question -> answer', 'Answer the question.');
    const messages = adapter.format(sig, [], { question: 'What is the capital of France?' });
    expect(messages).toEqual([
      {
        role: 'system',
        content: [
          'Your input fields are:',
          '1. `question` (str):',
          'Your output fields are:',
          '1. `answer` (str):',
          'All interactions will be structured in the following way, with the appropriate values filled in.',
          '',
          '[[ ## question ## ]]',
          '{question}',
          '',
          '[[ ## answer ## ]]',
          '{answer}',
          '',
          '[[ ## completed ## ]]',
          'In adhering to this structure, your objective is: ',
          '        Answer the question.',
        ].join('\n'),
      },
      {
        role: 'user',
        content:
          '[[ ## question ## ]]\nWhat is the capital of France?\n\nRespond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`.',
      },
    ]);
  });

  it('T6: typed list outputs and a complete demo', () => {
    const sig = signature(
      'question: str -> answers: list[str], scores: list[float]',
      'Answer the question with multiple answers and scores',
    );
    const messages = adapter.format(
      sig,
      [{ question: 'Q1', answers: ['A1', 'A2'], scores: [0.1, 0.9] }],
      {
        question: 'Q2',
      },
    );
    expect(messages).toEqual([
      {
        role: 'system',
        content: `Your input fields are:
1. \`question\` (str):
Your output fields are:
1. \`answers\` (list[str]): 
2. \`scores\` (list[float]):
All interactions will be structured in the following way, with the appropriate values filled in.

[[ ## question ## ]]
{question}

[[ ## answers ## ]]
{answers}        # note: the value you produce must adhere to the JSON schema: {"type": "array", "items": {"type": "string"}}

[[ ## scores ## ]]
{scores}        # note: the value you produce must adhere to the JSON schema: {"type": "array", "items": {"type": "number"}}

[[ ## completed ## ]]
In adhering to this structure, your objective is: 
        Answer the question with multiple answers and scores`,
      },
      { role: 'user', content: '[[ ## question ## ]]\nQ1' },
      {
        role: 'assistant',
        content:
          '[[ ## answers ## ]]\n["A1", "A2"]\n\n[[ ## scores ## ]]\n[0.1, 0.9]\n\n[[ ## completed ## ]]\n',
      },
      {
        role: 'user',
        content:
          '[[ ## question ## ]]\nQ2\n\nRespond with the corresponding output fields, starting with the field `[[ ## answers ## ]]` (must be formatted as a valid Python list[str]), then `[[ ## scores ## ]]` (must be formatted as a valid Python list[float]), and then ending with the marker for `[[ ## completed ## ]]`.',
      },
    ]);
  });

  it('T7: incomplete demo comes first, with the prefix sentence and missing-field text', () => {
    const sig = signature('question, context -> answer: str, confidence: float');
    const messages = adapter.format(sig, [{ question: 'Q1', answer: 'A1' }], {
      question: 'Q2',
      context: 'C2',
    });
    expect(messages).toEqual([
      {
        role: 'system',
        content:
          'Your input fields are:\n' +
          '1. `question` (str): \n' +
          '2. `context` (str):\n' +
          'Your output fields are:\n' +
          '1. `answer` (str): \n' +
          '2. `confidence` (float):\n' +
          'All interactions will be structured in the following way, with the appropriate values filled in.\n' +
          '\n' +
          '[[ ## question ## ]]\n' +
          '{question}\n' +
          '\n' +
          '[[ ## context ## ]]\n' +
          '{context}\n' +
          '\n' +
          '[[ ## answer ## ]]\n' +
          '{answer}\n' +
          '\n' +
          '[[ ## confidence ## ]]\n' +
          '{confidence}        # note: the value you produce must be a single float value\n' +
          '\n' +
          '[[ ## completed ## ]]\n' +
          'In adhering to this structure, your objective is: \n' +
          '        Given the fields `question`, `context`, produce the fields `answer`, `confidence`.',
      },
      {
        role: 'user',
        content:
          'This is an example of the task, though some input or output fields are not supplied.\n\n[[ ## question ## ]]\nQ1',
      },
      {
        role: 'assistant',
        content:
          '[[ ## answer ## ]]\nA1\n\n[[ ## confidence ## ]]\nNot supplied for this particular example.\n\n[[ ## completed ## ]]\n',
      },
      {
        role: 'user',
        content:
          '[[ ## question ## ]]\nQ2\n\n[[ ## context ## ]]\nC2\n\nRespond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, then `[[ ## confidence ## ]]` (must be formatted as a valid Python float), and then ending with the marker for `[[ ## completed ## ]]`.',
      },
    ]);
  });

  it('T7: demos without any input or any output are dropped; complete demos follow incomplete ones', () => {
    const sig = signature('question -> answer');
    const messages = adapter.format(
      sig,
      [
        { question: 'Q-complete', answer: 'A' },
        { question: 'only input' },
        { answer: 'only output' },
        { question: 'Q-null', answer: null },
      ],
      { question: 'Q' },
    );
    expect(messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);
    expect(messages[1]?.content).toContain('Q-null');
    expect(messages[2]?.content).toBe('[[ ## answer ## ]]\nNone\n\n[[ ## completed ## ]]\n');
    expect(messages[3]?.content).toBe('[[ ## question ## ]]\nQ-complete');
  });

  it('T8: Literal output renders its type name, note and reminder', () => {
    const sig = signature('question -> verdict: Literal["yes", "no"]');
    const [system, user] = adapter.format(sig, [], { question: 'Is water wet?' });
    expect(system?.content).toContain("1. `verdict` (Literal['yes', 'no']):");
    expect(system?.content).toContain(
      '{verdict}        # note: the value you produce must exactly match (no extra characters) one of: yes; no',
    );
    expect(user?.content).toContain(
      "`[[ ## verdict ## ]]` (must be formatted as a valid Python Literal['yes', 'no'])",
    );
  });

  it.each([
    [FieldTypes.literal('one', 'two', 'three"'), `Literal['one', 'two', 'three"']`],
    [FieldTypes.literal("she's here", 'okay', 'test'), `Literal["she's here", 'okay', 'test']`],
    [FieldTypes.literal('both"and\'', 'another'), `Literal['both"and\\'', 'another']`],
    [FieldTypes.literal('foo', 'bar'), `Literal['foo', 'bar']`],
    [FieldTypes.literal(1, 'bar'), `Literal[1, 'bar']`],
    [FieldTypes.literal(true, 3, 'foo'), `Literal[True, 3, 'foo']`],
  ])('T8: Literal quoting %#', (type, expected) => {
    const sig = signature('input_text -> x').append('output_text', 'output', { type });
    const [system] = adapter.format(sig, [], { input_text: 'v' });
    expect(system?.content).toContain(expected);
  });

  it('T8: a list given to a str input becomes a numbered guillemet list', () => {
    const sig = signature('context: str -> answer: str');
    const messages = adapter.format(sig, [], { context: ['alpha', 'beta'] });
    expect(messages[1]?.content).toBe(
      '[[ ## context ## ]]\n[1] «alpha»\n[2] «beta»\n\nRespond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`.',
    );
    const single = adapter.format(sig, [], { context: ['only'] });
    expect((single[1]?.content as string).startsWith('[[ ## context ## ]]\n«only»\n\n')).toBe(true);
    const empty = adapter.format(sig, [], { context: [] });
    expect((empty[1]?.content as string).startsWith('[[ ## context ## ]]\nN/A\n\n')).toBe(true);
    const multiline = adapter.format(sig, [], { context: ['a\nb', 'c'] });
    expect(
      (multiline[1]?.content as string).startsWith(
        '[[ ## context ## ]]\n[1] «««\n    a\n    b\n»»»\n[2] «c»\n\n',
      ),
    ).toBe(true);
  });

  it('T9: conversation history becomes user/assistant turns before the request', () => {
    const sig = signature('history: History, question -> answer');
    const messages = adapter.format(sig, [], {
      history: history([
        { question: 'What is 1+1?', answer: '2' },
        { question: 'What is 2+2?', answer: '4' },
      ]),
      question: 'What is 3+3?',
    });
    expect(messages).toEqual([
      {
        role: 'system',
        content:
          'Your input fields are:\n' +
          '1. `history` (History): \n' +
          '2. `question` (str):\n' +
          'Your output fields are:\n' +
          '1. `answer` (str):\n' +
          'All interactions will be structured in the following way, with the appropriate values filled in.\n' +
          '\n' +
          '[[ ## history ## ]]\n' +
          '{history}\n' +
          '\n' +
          '[[ ## question ## ]]\n' +
          '{question}\n' +
          '\n' +
          '[[ ## answer ## ]]\n' +
          '{answer}\n' +
          '\n' +
          '[[ ## completed ## ]]\n' +
          'In adhering to this structure, your objective is: \n' +
          '        Given the fields `history`, `question`, produce the fields `answer`.',
      },
      { role: 'user', content: '[[ ## question ## ]]\nWhat is 1+1?' },
      { role: 'assistant', content: '[[ ## answer ## ]]\n2\n\n[[ ## completed ## ]]\n' },
      { role: 'user', content: '[[ ## question ## ]]\nWhat is 2+2?' },
      { role: 'assistant', content: '[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]\n' },
      {
        role: 'user',
        content:
          '[[ ## question ## ]]\nWhat is 3+3?\n\nRespond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`.',
      },
    ]);
  });

  it('T2: int and float outputs get notes and reminders', () => {
    const sig = signature('question: str -> answer: int, score: float');
    const [system, user] = adapter.format(sig, [], { question: 'Q' });
    expect(system?.content).toContain('1. `answer` (int): \n2. `score` (float):\n');
    expect(system?.content).toContain(
      '{answer}        # note: the value you produce must be a single int value',
    );
    expect(system?.content).toContain(
      '{score}        # note: the value you produce must be a single float value',
    );
    expect(user?.content).toContain(
      '`[[ ## answer ## ]]` (must be formatted as a valid Python int), then `[[ ## score ## ]]` (must be formatted as a valid Python float)',
    );
  });

  it('T17 shape: a prepended reasoning output keeps the original default instructions', () => {
    const sig = signature('question -> answer').prepend('reasoning', 'output', {
      desc: '${reasoning}',
    });
    const [system, user] = adapter.format(sig, [], { question: 'Q' });
    expect(system?.content).toContain('1. `reasoning` (str): \n2. `answer` (str):\n');
    expect(system?.content).toContain(
      '        Given the fields `question`, produce the fields `answer`.',
    );
    expect(user?.content).toContain(
      'starting with the field `[[ ## reasoning ## ]]`, then `[[ ## answer ## ]]`, and then',
    );
  });

  it('nested zod models render like Pydantic models (class name, JSON schema note, compact JSON input)', () => {
    const Address = z.object({ city: z.string(), country: z.string() }).meta({ title: 'Address' });
    const Person = z
      .object({ name: z.string(), address: Address, tags: z.array(z.string()) })
      .meta({ title: 'Person' });
    const Summary = z
      .object({ headline: z.string(), score: z.number() })
      .meta({ title: 'Summary' });
    const sig = signature({ inputs: { person: Person }, outputs: { summary: Summary } });
    const messages = adapter.format(sig, [], {
      person: { name: 'Ada', address: { city: 'London', country: 'UK' }, tags: ['math', 'code'] },
    });
    expect(messages).toEqual([
      {
        role: 'system',
        content:
          'Your input fields are:\n' +
          '1. `person` (Person):\n' +
          'Your output fields are:\n' +
          '1. `summary` (Summary):\n' +
          'All interactions will be structured in the following way, with the appropriate values filled in.\n' +
          '\n' +
          '[[ ## person ## ]]\n' +
          '{person}\n' +
          '\n' +
          '[[ ## summary ## ]]\n' +
          '{summary}        # note: the value you produce must adhere to the JSON schema: ' +
          '{"type": "object", "properties": {"headline": {"type": "string", "title": "Headline"}, "score": {"type": "number", "title": "Score"}}, "required": ["headline", "score"], "title": "Summary"}\n' +
          '\n' +
          '[[ ## completed ## ]]\n' +
          'In adhering to this structure, your objective is: \n' +
          '        Given the fields `person`, produce the fields `summary`.',
      },
      {
        role: 'user',
        content:
          '[[ ## person ## ]]\n' +
          '{"name": "Ada", "address": {"city": "London", "country": "UK"}, "tags": ["math", "code"]}\n' +
          '\n' +
          'Respond with the corresponding output fields, starting with the field `[[ ## summary ## ]]` (must be formatted as a valid Python Summary), and then ending with the marker for `[[ ## completed ## ]]`.',
      },
    ]);
  });

  it('values are written the Python way: True, None, 1.0 for floats, JSON for dicts', () => {
    const sig = signature(
      'flag: bool, nothing: str, ratio: float, meta: dict[str, float] -> answer',
    );
    const [, user] = adapter.format(sig, [], {
      flag: true,
      nothing: null,
      ratio: 1,
      meta: { a: 2, é: 0.5 },
    });
    expect((user?.content as string).split('\n\nRespond')[0]).toBe(
      '[[ ## flag ## ]]\nTrue\n\n[[ ## nothing ## ]]\nNone\n\n[[ ## ratio ## ]]\n1.0\n\n[[ ## meta ## ]]\n{"a": 2.0, "é": 0.5}',
    );
  });

  it('descriptions and constraints appear in the field list; multi-line instructions are indented', () => {
    const sig = signature({
      instructions: 'Line one.\n  Line two.',
      inputs: { q: z.string().describe('the question') },
      outputs: { a: z.number().int() },
    }).withUpdatedFields('a', { desc: 'an integer' });
    const withConstraints = sig.append('b', 'output', { constraints: 'greater than: 0' });
    const [system] = adapter.format(withConstraints, [], { q: 'x' });
    expect(system?.content).toContain(
      '1. `q` (str): the question\nYour output fields are:\n1. `a` (int): an integer\n2. `b` (str): \nConstraints: greater than: 0\n',
    );
    // inspect.cleandoc removes the common indentation of the lines after the first.
    expect(
      (system?.content as string).endsWith(
        'your objective is: \n        Line one.\n        Line two.',
      ),
    ).toBe(true);
  });
});

describe('ChatAdapter.format reuses per-signature text', () => {
  it('formatting the same signature twice gives identical messages, and a changed copy is not served stale text', () => {
    const a = new ChatAdapter();
    const sig = signature('question -> answer', 'Answer the question.');
    const first = a.format(sig, [], { question: 'one' });
    const again = a.format(sig, [], { question: 'one' });
    expect(again).toEqual(first);

    const reworded = sig.withInstructions('Answer briefly.');
    const other = a.format(reworded, [], { question: 'one' });
    expect(other[0]?.content).toContain('        Answer briefly.');
    expect(other[0]?.content).not.toContain('Answer the question.');

    const typed = signature('question -> answer: int');
    const reminder = a.format(typed, [], { question: 'one' })[1]?.content;
    expect(reminder).toContain('`[[ ## answer ## ]]` (must be formatted as a valid Python int)');
    expect(a.format(sig, [], { question: 'one' })[1]?.content).not.toContain('must be formatted');
  });
});
