import { describe, expect, it } from 'vitest';
import { ChatAdapter } from '../../src/adapters/index.js';
import { signature } from '../../src/signatures/index.js';

describe('an embedding in the chat prompt', () => {
  it('shows_its_dimension_in_the_json_schema_as_pydantic_does_for_a_bounded_list', () => {
    const [system] = new ChatAdapter().format(signature('text -> vec: embedding[3]'), [], {
      text: 'x',
    });
    expect(system?.content).toContain(
      '{vec}        # note: the value you produce must adhere to the JSON schema: {"type": "array", "items": {"type": "number"}, "maxItems": 3, "minItems": 3}',
    );
  });
});
