import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  fieldTypeJsonSchema,
  moveTypeToFront,
  parseTypeAnnotation,
  pyJsonDumps,
  zodToFieldType,
  type FieldType,
} from '../../src/signatures/index.js';

const Address = z.object({ city: z.string() }).meta({ title: 'Address' });
const Person = z
  .object({
    name: z.string(),
    age: z.number().int().nullable().default(null),
    tags: z.array(z.string()).default([]),
    address: Address,
    note: z.string().describe('a note').default('x'),
  })
  .meta({ title: 'Person' });

function typeFor(name: string): FieldType {
  if (name === 'Person') return zodToFieldType(Person);
  if (name === 'list[Person]') return zodToFieldType(z.array(Person));
  return parseTypeAnnotation(name);
}

/**
 * Expected strings were produced by Pydantic 2.13 (`TypeAdapter(t).json_schema()` passed through
 * DSPy's `move_type_to_front` and `json.dumps`), with `Person` declared as the equivalent
 * Pydantic model. They are exactly what the `# note: … JSON schema` lines contain.
 */
describe('JSON schemas match Pydantic byte for byte', () => {
  it.each([
    ['list[str]', '{"type": "array", "items": {"type": "string"}}'],
    ['list', '{"type": "array", "items": {}}'],
    ['dict', '{"type": "object", "additionalProperties": true}'],
    ['dict[str, Any]', '{"type": "object", "additionalProperties": true}'],
    ['dict[str, float]', '{"type": "object", "additionalProperties": {"type": "number"}}'],
    [
      'tuple[str, int]',
      '{"type": "array", "maxItems": 2, "minItems": 2, "prefixItems": [{"type": "string"}, {"type": "integer"}]}',
    ],
    ['tuple', '{"type": "array", "items": {}}'],
    ['set[int]', '{"type": "array", "items": {"type": "integer"}, "uniqueItems": true}'],
    ['Optional[int]', '{"anyOf": [{"type": "integer"}, {"type": "null"}]}'],
    ['Union[int, str]', '{"anyOf": [{"type": "integer"}, {"type": "string"}]}'],
    ["Literal['a']", '{"type": "string", "const": "a"}'],
    ["Literal['a', 'b']", '{"type": "string", "enum": ["a", "b"]}'],
    ["Literal[1, 'a']", '{"enum": [1, "a"]}'],
    ['Literal[True, False]', '{"type": "boolean", "enum": [true, false]}'],
    ['Any', '{}'],
    ['bool', '{"type": "boolean"}'],
    ['float', '{"type": "number"}'],
    [
      'Person',
      '{"type": "object", "$defs": {"Address": {"type": "object", "properties": {"city": {"type": "string", "title": "City"}}, "required": ["city"], "title": "Address"}}, "properties": {"address": {"$ref": "#/$defs/Address"}, "age": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "title": "Age"}, "name": {"type": "string", "title": "Name"}, "note": {"type": "string", "default": "x", "description": "a note", "title": "Note"}, "tags": {"type": "array", "default": [], "items": {"type": "string"}, "title": "Tags"}}, "required": ["name", "address"], "title": "Person"}',
    ],
    [
      'list[Person]',
      '{"type": "array", "$defs": {"Address": {"type": "object", "properties": {"city": {"type": "string", "title": "City"}}, "required": ["city"], "title": "Address"}, "Person": {"type": "object", "properties": {"address": {"$ref": "#/$defs/Address"}, "age": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "title": "Age"}, "name": {"type": "string", "title": "Name"}, "note": {"type": "string", "default": "x", "description": "a note", "title": "Note"}, "tags": {"type": "array", "default": [], "items": {"type": "string"}, "title": "Tags"}}, "required": ["name", "address"], "title": "Person"}}, "items": {"$ref": "#/$defs/Person"}}',
    ],
    [
      'Optional[list[float]]',
      '{"anyOf": [{"type": "array", "items": {"type": "number"}}, {"type": "null"}]}',
    ],
  ])('%s', (name, expected) => {
    expect(pyJsonDumps(moveTypeToFront(fieldTypeJsonSchema(typeFor(name))))).toBe(expected);
  });
});
