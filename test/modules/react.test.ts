import { describe, expect, it } from 'vitest';
import { DummyLM } from '../../src/lm/index.js';
import { ReAct, Tool, context } from '../../src/modules/index.js';

describe('ReAct (T22)', () => {
  it('records the trajectory of tool calls and extracts the outputs', async () => {
    const writeInvitationLetter = new Tool({
      name: 'write_invitation_letter',
      args: { participant_name: { type: 'string' }, event_info: { type: 'object' } },
      func: ({ participant_name, event_info }) => {
        const info = event_info as {
          name: string;
          date: string;
          participants: Record<string, string>;
        };
        if (!(String(participant_name) in info.participants)) return null;
        return `It's my honor to invite ${String(participant_name)} to event ${info.name} on ${info.date}`;
      },
    });
    const react = new ReAct('participant_name, event_info: dict -> invitation_letter', [
      writeInvitationLetter,
    ]);
    const eventInfo = {
      name: 'Science Fair',
      date: 'Friday',
      participants: { Alice: 'female', Bob: 'male' },
    };
    const lm = new DummyLM([
      {
        next_thought: 'I need to write an invitation letter for Alice to the Science Fair event.',
        next_tool_name: 'write_invitation_letter',
        next_tool_args: { participant_name: 'Alice', event_info: eventInfo },
      },
      {
        next_thought:
          'I have successfully written the invitation letter for Alice to the Science Fair. Now I can finish the task.',
        next_tool_name: 'finish',
        next_tool_args: {},
      },
      {
        reasoning: 'This is a very rigorous reasoning process, trust me bro!',
        invitation_letter: "It's my honor to invite Alice to the Science Fair event on Friday.",
      },
    ]);
    const out = await context({ lm }, () =>
      react.call({ participant_name: 'Alice', event_info: eventInfo }),
    );
    expect(out.invitation_letter).toBe(
      "It's my honor to invite Alice to the Science Fair event on Friday.",
    );
    expect(out.trajectory).toEqual({
      thought_0: 'I need to write an invitation letter for Alice to the Science Fair event.',
      tool_name_0: 'write_invitation_letter',
      tool_args_0: { participant_name: 'Alice', event_info: eventInfo },
      observation_0: "It's my honor to invite Alice to event Science Fair on Friday",
      thought_1:
        'I have successfully written the invitation letter for Alice to the Science Fair. Now I can finish the task.',
      tool_name_1: 'finish',
      tool_args_1: {},
      observation_1: 'Completed.',
    });
    expect(react.namedPredictors().map(([n]) => n)).toEqual(['react', 'extract.predict']);
  });

  it('works with an undeclared plain-function tool and formats the trajectory for the LM', async () => {
    function foo({ a, b }: Record<string, unknown>): number {
      return Number(a) + Number(b);
    }
    const react = new ReAct('a, b -> c: int', [foo]);
    const lm = new DummyLM([
      {
        next_thought: 'I need to add two numbers.',
        next_tool_name: 'foo',
        next_tool_args: { a: 1, b: 2 },
      },
      {
        next_thought: 'I have the sum, now I can finish.',
        next_tool_name: 'finish',
        next_tool_args: {},
      },
      { reasoning: 'I added the numbers successfully', c: 3 },
    ]);
    // @ts-expect-error -- `a` and `b` are untyped (`str`) inputs; the run time accepts numbers
    const out = await context({ lm }, () => react.call({ a: 1, b: 2 }));
    expect(out.c).toBe(3);
    expect(out.trajectory).toEqual({
      thought_0: 'I need to add two numbers.',
      tool_name_0: 'foo',
      tool_args_0: { a: 1, b: 2 },
      observation_0: 3,
      thought_1: 'I have the sum, now I can finish.',
      tool_name_1: 'finish',
      tool_args_1: {},
      observation_1: 'Completed.',
    });
    const secondCall = lm.history.list()[1]?.messages.at(-1)?.content ?? '';
    expect(secondCall).toContain(
      '[[ ## trajectory ## ]]\n[[ ## thought_0 ## ]]\nI need to add two numbers.\n\n[[ ## tool_name_0 ## ]]\nfoo\n\n[[ ## tool_args_0 ## ]]\n{"a": 1, "b": 2}\n\n[[ ## observation_0 ## ]]\n3',
    );
  });

  it('turns tool errors into the observation', async () => {
    const react = new ReAct(
      'question -> answer',
      [
        {
          name: 'failing_tool',
          func: () => {
            throw new Error('tool blew up');
          },
        },
      ],
      { maxIters: 1 },
    );
    const lm = new DummyLM([
      { next_thought: 'try', next_tool_name: 'failing_tool', next_tool_args: {} },
      { reasoning: 'r', answer: 'gave up' },
    ]);
    const out = await context({ lm }, () => react.call({ question: 'What happens?' }));
    expect(out.trajectory.observation_0).toBe(
      'Execution error in failing_tool: Error: tool blew up',
    );
  });

  it('rejects undeclared arguments of a declared tool as an observation', async () => {
    const react = new ReAct('question -> answer', [
      {
        name: 'lookup',
        args: { city: { type: 'string' } },
        func: ({ city }) => `sunny in ${String(city)}`,
      },
    ]);
    const lm = new DummyLM([
      { next_thought: 't', next_tool_name: 'lookup', next_tool_args: { town: 'Paris' } },
      { next_thought: 't', next_tool_name: 'lookup', next_tool_args: { city: 7 } },
      { next_thought: 't', next_tool_name: 'lookup', next_tool_args: { city: 'Paris' } },
      { next_thought: 'done', next_tool_name: 'finish', next_tool_args: {} },
      { reasoning: 'r', answer: 'sunny' },
    ]);
    const out = await context({ lm }, () => react.call({ question: 'Weather?' }));
    expect(out.trajectory.observation_0).toMatch(
      /^Execution error in lookup: .*Arg town is not in the tool's args\.$/,
    );
    expect(out.trajectory.observation_1).toMatch(/Arg city is invalid/);
    expect(out.trajectory.observation_2).toBe('sunny in Paris');
  });

  it('stops after maxIters steps and still extracts', async () => {
    const react = new ReAct('question -> answer', [{ name: 'noop', func: () => 'ok' }], {
      maxIters: 2,
    });
    const lm = new DummyLM([
      { next_thought: 'a', next_tool_name: 'noop', next_tool_args: {} },
      { next_thought: 'b', next_tool_name: 'noop', next_tool_args: {} },
      { reasoning: 'r', answer: 'done' },
    ]);
    const out = await context({ lm }, () => react.call({ question: 'q' }));
    expect(Object.keys(out.trajectory)).toHaveLength(8);
    expect(out.answer).toBe('done');
    expect(lm.history.list()).toHaveLength(3);
  });

  it('an unparseable step ends the episode and goes to extraction', async () => {
    const react = new ReAct('question -> answer', [{ name: 'noop', func: () => 'ok' }]);
    const lm = new DummyLM([
      { next_thought: 'a', next_tool_name: 'noop', next_tool_args: {} },
      'not a step',
      'still not a step',
      { reasoning: 'r', answer: 'extracted' },
    ]);
    const warnings: string[] = [];
    const logger = {
      warn: (_: Record<string, unknown>, message: string) => void warnings.push(message),
    };
    const out = await context({ lm, logger }, () => react.call({ question: 'q' }));
    expect(Object.keys(out.trajectory)).toEqual([
      'thought_0',
      'tool_name_0',
      'tool_args_0',
      'observation_0',
    ]);
    expect(out.answer).toBe('extracted');
    expect(warnings[0]).toMatch(/Ending the trajectory/);
  });

  it('loads a state saved by DSPy for an optimized ReAct program', () => {
    // Same shape as DSPy's tests/primitives/resources/saved_program.json (written by DSPy 3.0).
    const sig = (instructions: string, prefixes: string[]) => ({
      instructions,
      fields: prefixes.map((prefix) => ({
        prefix,
        description: `\${${prefix.split(':')[0]!.toLowerCase().replaceAll(' ', '_')}}`,
      })),
    });
    const state = {
      react: {
        traces: [],
        train: [],
        demos: [
          {
            augmented: true,
            question: 'Which studio?',
            trajectory: '[[ ## thought_0 ## ]]\nlook it up',
            next_thought: 'done',
            next_tool_name: 'finish',
            next_tool_args: {},
          },
          { question: 'Born in 1881?', answer: 'Protazanov', dspy_uuid: 'u1', dspy_split: 'train' },
        ],
        signature: sig('Imagine you are a detective racing against time.', [
          'Question:',
          'Trajectory:',
          'Next Thought:',
          'Next Tool Name:',
          'Next Tool Args:',
        ]),
        lm: null,
      },
      'extract.predict': {
        traces: [],
        train: [],
        demos: [
          {
            augmented: true,
            question: 'Which studio?',
            trajectory: 't',
            reasoning: 'r',
            answer: 'Disney',
          },
        ],
        signature: {
          instructions: 'Given the very verbose fields `question`, produce the answer.',
          fields: [
            { prefix: 'Question:', description: '${question}' },
            { prefix: 'Trajectory:', description: '${trajectory}' },
            {
              prefix: "Reasoning: Let's think step by step in order to",
              description: '${reasoning}',
            },
            { prefix: 'Answer:', description: '${answer}' },
          ],
        },
        lm: null,
      },
      metadata: { dependency_versions: { python: '3.13', dspy: '3.0.0', cloudpickle: '3.1' } },
    };
    const react = new ReAct('question -> answer', []).load(
      JSON.parse(JSON.stringify(state)) as Record<string, unknown>,
    );
    expect(react.react.signature.instructions).toContain('Imagine you are a detective');
    expect(react.extract.predict.signature.instructions).toContain(
      'Given the very verbose fields `question`',
    );
    expect(react.react.demos).toHaveLength(2);
    expect(react.extract.predict.demos).toHaveLength(1);
    expect(react.extract.predict.signature.field('reasoning')?.prefix).toBe(
      "Reasoning: Let's think step by step in order to",
    );
  });

  it("writes DSPy's agent instructions with the tool list", () => {
    const react = new ReAct('question -> answer', [
      {
        name: 'get_weather',
        description: 'Weather in a city.',
        args: { city: { type: 'string' } },
        func: () => 'sunny',
      },
    ]);
    expect(react.react.signature.instructions).toBe(
      [
        'Given the fields `question`, produce the fields `answer`.',
        '',
        'You are an Agent. In each episode, you will be given the fields `question` as input. And you can see your past trajectory so far.',
        'Your goal is to use one or more of the supplied tools to collect any necessary information for producing `answer`.',
        '',
        'To do this, you will interleave next_thought, next_tool_name, and next_tool_args in each turn, and also when finishing the task.',
        'After each tool call, you receive a resulting observation, which gets appended to your trajectory.',
        '',
        'When writing next_thought, you may reason about the current situation and plan for future steps.',
        'When selecting the next_tool_name and its next_tool_args, the tool must be one of:',
        '',
        "(1) get_weather, whose description is <desc>Weather in a city.</desc>. It takes arguments {'city': {'type': 'string'}}.",
        '(2) finish, whose description is <desc>Marks the task as complete. That is, signals that all information for producing the outputs, i.e. `answer`, are now available to be extracted.</desc>. It takes arguments {}.',
        'When providing `next_tool_args`, the value inside the field must be in JSON format',
      ].join('\n'),
    );
    expect(react.react.signature.toTypedString()).toBe(
      "question, trajectory: str -> next_thought: str, next_tool_name: Literal['get_weather', 'finish'], next_tool_args: dict[str, Any]",
    );
    expect(react.extract.predict.signature.toString()).toBe(
      'question, trajectory -> reasoning, answer',
    );
  });
});
