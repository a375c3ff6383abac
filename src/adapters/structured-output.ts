import type { JsonSchema, ResponseFormat } from '../lm/types.js';
import {
  FieldTypes,
  SignatureError,
  fieldTypeJsonSchema,
  type FieldType,
  type ModelProperty,
  type Signature,
} from '../signatures/index.js';

/** The output record as one model type (DSPy's `DSPyProgramOutputs`). */
export function outputsModel(sig: Signature): FieldType {
  const properties: ModelProperty[] = sig.outputFields.map((f) => ({
    name: f.name,
    type: f.type,
    required: !f.hasDefault && f.defaultFactory === undefined,
    ...(f.hasDefault ? { default: f.default } : {}),
  }));
  return FieldTypes.model('DSPyProgramOutputs', properties);
}

/** True when an output is an open-ended `dict[...]`, which strict schemas cannot express. */
export function hasOpenEndedMapping(sig: Signature): boolean {
  return sig.outputFields.some((f) => f.type.kind === 'dict');
}

/**
 * OpenAI's strict form: every object lists all its properties as `required` and forbids extra
 * properties, recursively through properties, array items and `$defs` (DSPy's
 * `enforce_required`).
 */
function enforceRequired(part: JsonSchema): void {
  if (part['type'] === 'object') {
    const props = part['properties'] as Record<string, JsonSchema> | undefined;
    if (props !== undefined) {
      part['required'] = Object.keys(props);
      part['additionalProperties'] = false;
      for (const sub of Object.values(props)) {
        if (sub !== null && typeof sub === 'object') enforceRequired(sub);
      }
    } else {
      part['properties'] = {};
      part['required'] = [];
      part['additionalProperties'] = false;
    }
  }
  const items = part['items'];
  if (
    part['type'] === 'array' &&
    items !== null &&
    typeof items === 'object' &&
    !Array.isArray(items)
  ) {
    enforceRequired(items as JsonSchema);
  }
  for (const key of ['$defs', 'definitions']) {
    const defs = part[key] as Record<string, JsonSchema> | undefined;
    if (defs) for (const d of Object.values(defs)) enforceRequired(d);
  }
}

/**
 * The strict `json_schema` response format for a signature's outputs. Throws
 * {@link SignatureError} for open-ended mappings (the caller then uses JSON mode).
 *
 * @example
 * ```ts
 * structuredOutputFormat(signature('q -> answer, score: float')).schema.required // ['answer', 'score']
 * ```
 */
export function structuredOutputFormat(
  sig: Signature,
): Extract<ResponseFormat, { type: 'json_schema' }> {
  for (const f of sig.outputFields) {
    if (f.type.kind === 'dict') {
      throw new SignatureError(
        `Field '${f.name}' has an open-ended mapping type which is not supported by Structured Outputs.`,
        { details: { field: f.name } },
      );
    }
  }
  // Pydantic's model has extra="forbid", so its schema already carries additionalProperties in
  // sorted position; nested models get it appended by enforceRequired, as in DSPy.
  const withForbid: JsonSchema = {
    ...fieldTypeJsonSchema(outputsModel(sig)),
    additionalProperties: false,
  };
  const schema: JsonSchema = Object.fromEntries(
    Object.entries(withForbid).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  enforceRequired(schema);
  return { type: 'json_schema', name: 'DSPyProgramOutputs', schema, strict: true };
}
