import { describe, expect, it } from 'vitest';
import { echoAnswer, echoJsonFor, fnv1a, outputFieldsOf } from '../fixtures/index.js';

const system = [
  'Your input fields are:',
  '1. `question` (str):',
  'Your output fields are:',
  "1. `reasoning` (str): \n2. `answer` (Literal['yes', 'no']): \n3. `confidence` (float): \n4. `tags` (list[str]):",
  '',
  'All interactions will be structured in the following way, with the appropriate values filled in.',
  '',
  '[[ ## question ## ]]\n{question}\n\n[[ ## reasoning ## ]]\n{reasoning}\n\n[[ ## answer ## ]]\n{answer}',
].join('\n');

describe('fixture echo mode', () => {
  it('reads_output_fields_and_types_from_the_system_message', () => {
    expect(outputFieldsOf(system, '')).toEqual([
      { name: 'reasoning', type: 'str' },
      { name: 'answer', type: "Literal['yes', 'no']" },
      { name: 'confidence', type: 'float' },
      { name: 'tags', type: 'list[str]' },
    ]);
  });

  it('falls_back_to_headers_the_user_message_does_not_use', () => {
    const sys = '[[ ## q ## ]]\n{q}\n\n[[ ## a ## ]]\n{a}\n\n[[ ## completed ## ]]';
    expect(outputFieldsOf(sys, '[[ ## q ## ]]\nhi')).toEqual([{ name: 'a', type: 'str' }]);
  });

  it('answers_every_field_deterministically_per_input', () => {
    const user = '[[ ## question ## ]]\nIs it?';
    const h = fnv1a(user);
    expect(echoAnswer(system, user)).toBe(
      `[[ ## reasoning ## ]]\nreasoning-${h}\n\n[[ ## answer ## ]]\nyes\n\n[[ ## confidence ## ]]\n0.5\n\n[[ ## tags ## ]]\n[]\n\n[[ ## completed ## ]]`,
    );
    expect(echoAnswer(system, 'other')).not.toBe(echoAnswer(system, user));
  });

  it('fills_json_schemas_by_property_type', () => {
    const schema = {
      properties: { a: { type: 'string' }, b: { type: 'boolean' }, c: { enum: ['x', 'y'] } },
    };
    expect(echoJsonFor(schema, 's')).toEqual({ a: `a-${fnv1a('s')}`, b: true, c: 'x' });
  });
});
