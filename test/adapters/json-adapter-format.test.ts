import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JSONAdapter } from '../../src/adapters/index.js';
import { signature } from '../../src/signatures/index.js';

const adapter = new JSONAdapter();

describe('JSONAdapter.format (T15, DSPy byte-exact messages)', () => {
  it('simple question -> answer', () => {
    const messages = adapter.format(signature('question -> answer'), [], {
      question: 'What is the capital of France?',
    });
    expect(messages).toEqual([
      {
        role: 'system',
        content: `Your input fields are:
1. \`question\` (str):
Your output fields are:
1. \`answer\` (str):
All interactions will be structured in the following way, with the appropriate values filled in.

Inputs will have the following structure:

[[ ## question ## ]]
{question}

Outputs will be a JSON object with the following fields.

{
  "answer": "{answer}"
}
In adhering to this structure, your objective is: 
        Given the fields \`question\`, produce the fields \`answer\`.`,
      },
      {
        role: 'user',
        content:
          '[[ ## question ## ]]\nWhat is the capital of France?\n\nRespond with a JSON object in the following order of fields: `answer`.',
      },
    ]);
  });

  it('a demo with a typed output is written as indented JSON', () => {
    const sig = signature('question: str -> answer: str, confidence: float');
    const messages = adapter.format(sig, [{ question: 'Q1', answer: 'A1', confidence: 0.9 }], {
      question: 'Q2',
    });
    expect(messages).toEqual([
      {
        role: 'system',
        content: `Your input fields are:
1. \`question\` (str):
Your output fields are:
1. \`answer\` (str): 
2. \`confidence\` (float):
All interactions will be structured in the following way, with the appropriate values filled in.

Inputs will have the following structure:

[[ ## question ## ]]
{question}

Outputs will be a JSON object with the following fields.

{
  "answer": "{answer}",
  "confidence": "{confidence}        # note: the value you produce must be a single float value"
}
In adhering to this structure, your objective is: 
        Given the fields \`question\`, produce the fields \`answer\`, \`confidence\`.`,
      },
      { role: 'user', content: '[[ ## question ## ]]\nQ1' },
      { role: 'assistant', content: '{\n  "answer": "A1",\n  "confidence": 0.9\n}' },
      {
        role: 'user',
        content:
          '[[ ## question ## ]]\nQ2\n\nRespond with a JSON object in the following order of fields: `answer`, then `confidence` (must be formatted as a valid Python float).',
      },
    ]);
  });

  it('int and mapping outputs: the JSON-schema note is escaped inside the JSON placeholder', () => {
    const [system, user] = adapter.format(
      signature('question -> count: int, metadata: dict[str, int]'),
      [],
      {
        question: 'Count things',
      },
    );
    expect(system?.content).toContain(
      '{\n' +
        '  "count": "{count}        # note: the value you produce must be a single int value",\n' +
        '  "metadata": "{metadata}        # note: the value you produce must adhere to the JSON schema: {\\"type\\": \\"object\\", \\"additionalProperties\\": {\\"type\\": \\"integer\\"}}"\n' +
        '}\n',
    );
    expect(user?.content).toBe(
      '[[ ## question ## ]]\nCount things\n\nRespond with a JSON object in the following order of fields: `count` (must be formatted as a valid Python int), then `metadata` (must be formatted as a valid Python dict[str, int]).',
    );
  });

  it('described and bool outputs', () => {
    const sig = signature('input1 -> output1, output2: bool').withUpdatedFields('output1', {
      desc: 'String output field',
    });
    const [system] = adapter.format(sig, [], { input1: 'Test input' });
    expect(system?.content).toContain(
      '1. `output1` (str): String output field\n2. `output2` (bool):\n',
    );
    expect(system?.content).toContain(
      '  "output2": "{output2}        # note: the value you produce must be True or False"\n',
    );
  });

  it('Literal and Enum outputs (an Enum shows its class name and "must be one of")', () => {
    enum Label {
      POSITIVE = 'positive',
      NEGATIVE = 'negative',
    }
    const sig = signature({
      inputs: { text: z.string() },
      outputs: {
        decision: z.enum(['accept', 'reject']),
        label: z.enum(Label).meta({ title: 'Label' }),
      },
    });
    const messages = adapter.format(sig, [], { text: 'Looks good' });
    expect(messages).toEqual([
      {
        role: 'system',
        content:
          'Your input fields are:\n' +
          '1. `text` (str):\n' +
          'Your output fields are:\n' +
          "1. `decision` (Literal['accept', 'reject']): \n" +
          '2. `label` (Label):\n' +
          'All interactions will be structured in the following way, with the appropriate values filled in.\n' +
          '\n' +
          'Inputs will have the following structure:\n' +
          '\n' +
          '[[ ## text ## ]]\n' +
          '{text}\n' +
          '\n' +
          'Outputs will be a JSON object with the following fields.\n' +
          '\n' +
          '{\n' +
          '  "decision": "{decision}        # note: the value you produce must exactly match (no extra characters) one of: accept; reject",\n' +
          '  "label": "{label}        # note: the value you produce must be one of: positive; negative"\n' +
          '}\n' +
          'In adhering to this structure, your objective is: \n' +
          '        Given the fields `text`, produce the fields `decision`, `label`.',
      },
      {
        role: 'user',
        content:
          "[[ ## text ## ]]\nLooks good\n\nRespond with a JSON object in the following order of fields: `decision` (must be formatted as a valid Python Literal['accept', 'reject']), then `label` (must be formatted as a valid Python Label).",
      },
    ]);
    expect(adapter.parse(sig, '{"decision": "accept", "label": "NEGATIVE"}')).toEqual({
      decision: 'accept',
      label: 'negative',
    });
  });

  it('nested models put named sub-models in $defs, with type moved first', () => {
    const Address = z
      .object({ city: z.string(), country: z.string() })
      .meta({ title: 'JsonNestedAddress' });
    const Summary = z
      .object({ title: z.string(), address: Address, scores: z.array(z.number()) })
      .meta({ title: 'JsonNestedSummary' });
    const sig = signature({ inputs: { question: z.string() }, outputs: { summary: Summary } });
    const [system, user] = adapter.format(sig, [], { question: 'Summarize' });
    expect(system?.content).toContain(
      '  "summary": "{summary}        # note: the value you produce must adhere to the JSON schema: {\\"type\\": \\"object\\", \\"$defs\\": {\\"JsonNestedAddress\\": ' +
        '{\\"type\\": \\"object\\", \\"properties\\": {\\"city\\": {\\"type\\": \\"string\\", \\"title\\": \\"City\\"}, \\"country\\": {\\"type\\": \\"string\\", \\"title\\": ' +
        '\\"Country\\"}}, \\"required\\": [\\"city\\", \\"country\\"], \\"title\\": \\"JsonNestedAddress\\"}}, \\"properties\\": {\\"address\\": {\\"$ref\\": ' +
        '\\"#/$defs/JsonNestedAddress\\"}, \\"scores\\": {\\"type\\": \\"array\\", \\"items\\": {\\"type\\": \\"number\\"}, \\"title\\": \\"Scores\\"}, \\"title\\": ' +
        '{\\"type\\": \\"string\\", \\"title\\": \\"Title\\"}}, \\"required\\": [\\"title\\", \\"address\\", \\"scores\\"], \\"title\\": \\"JsonNestedSummary\\"}"\n',
    );
    expect(user?.content).toContain(
      '`summary` (must be formatted as a valid Python JsonNestedSummary).',
    );
  });

  it('an incomplete demo writes the missing-field text (with its trailing space) as a JSON string', () => {
    const sig = signature('question, context -> answer, score: float');
    const messages = adapter.format(sig, [{ question: 'Q1', answer: 'A1' }], {
      question: 'Q2',
      context: 'C2',
    });
    expect(messages[1]?.content).toBe(
      'This is an example of the task, though some input or output fields are not supplied.\n\n[[ ## question ## ]]\nQ1',
    );
    expect(messages[2]?.content).toBe(
      '{\n  "answer": "A1",\n  "score": "Not supplied for this particular example. "\n}',
    );
  });
});

describe('JSONAdapter.parse', () => {
  const sig = signature('question -> answer, confidence: float');

  it('reads JSON, Python dicts and JSON wrapped in prose or code fences', () => {
    expect(adapter.parse(sig, '{"answer": "Paris", "confidence": 0.9}')).toEqual({
      answer: 'Paris',
      confidence: 0.9,
    });
    expect(adapter.parse(sig, "{'answer': 'Paris', 'confidence': '0.5',}")).toEqual({
      answer: 'Paris',
      confidence: 0.5,
    });
    expect(adapter.parse(sig, 'Sure!\n```json\n{"answer": "Paris", "confidence": 1}\n```')).toEqual(
      {
        answer: 'Paris',
        confidence: 1,
      },
    );
  });

  it('ignores keys that are not outputs and stringifies non-string values for str outputs', () => {
    expect(adapter.parse(sig, '{"answer": 42, "confidence": 1, "extra": true}')).toEqual({
      answer: '42',
      confidence: 1,
    });
    expect(adapter.parse(sig, '{"answer": [1, 2, 3], "confidence": 1}')).toEqual({
      answer: '[1, 2, 3]',
      confidence: 1,
    });
  });

  it("a completion with no JSON object fails with DSPy's message", () => {
    expect(() => adapter.parse(sig, 'no json at all')).toThrowError(
      /^LM response cannot be serialized to a JSON object\.\n\nAdapter JSONAdapter failed to parse the LM response\. \n\nLM Response: no json at all \n\n/,
    );
  });
});
