import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { structuredOutputFormat } from '../../src/adapters/index.js';
import { pyJsonDumps, signature } from '../../src/signatures/index.js';

/** The expected text is DSPy's `_get_structured_outputs_response_format` schema from Pydantic 2.13. */
describe('structuredOutputFormat', () => {
  it("the strict structured-output schema has DSPyProgramOutputs' keys in Pydantic's order", () => {
    const O3 = z
      .object({
        subfield1: z.number().int().describe('Int subfield 1'),
        subfield2: z.number().describe('Float subfield 2'),
      })
      .meta({ title: 'OutputField3' });
    const sig = signature({
      inputs: { input1: z.string() },
      outputs: {
        output1: z.string(),
        output2: z.boolean(),
        output3: O3,
        maybe: z.array(z.string()).nullable().default(null),
      },
    });
    expect(pyJsonDumps(structuredOutputFormat(sig).schema)).toBe(
      '{"$defs": {"OutputField3": {"properties": {"subfield1": {"description": "Int subfield 1", "title": "Subfield1", "type": "integer"}, "subfield2": {"description": "Float subfield 2", "title": "Subfield2", "type": "number"}}, "required": ["subfield1", "subfield2"], "title": "OutputField3", "type": "object", "additionalProperties": false}}, "additionalProperties": false, "properties": {"output1": {"title": "Output1", "type": "string"}, "output2": {"title": "Output2", "type": "boolean"}, "output3": {"$ref": "#/$defs/OutputField3"}, "maybe": {"anyOf": [{"items": {"type": "string"}, "type": "array"}, {"type": "null"}], "default": null, "title": "Maybe"}}, "required": ["output1", "output2", "output3", "maybe"], "title": "DSPyProgramOutputs", "type": "object"}',
    );
  });

  it('refuses open-ended dict outputs (the adapter uses JSON mode instead)', () => {
    expect(() => structuredOutputFormat(signature('q -> meta: dict[str, int]'))).toThrowError(
      "Field 'meta' has an open-ended mapping type which is not supported by Structured Outputs.",
    );
  });
});
