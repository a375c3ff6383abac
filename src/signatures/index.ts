export { SignatureError } from './errors.js';
export type { SignatureErrorCode } from './errors.js';
export { Signature, fieldNameList } from './signature.js';
export type {
  FieldPatch,
  Inserted,
  SignatureSpec,
  SignatureState,
  SpecInputs,
  SpecOutputs,
  ZodSignatureSpec,
} from './signature.js';
export type {
  AnyFields,
  FieldValueOf,
  InputsOf,
  OutputsOf,
  TypeOf,
  ZodInputsOf,
  ZodOutputsOf,
} from './typed.js';
export { signature } from './make-signature.js';
export type { SignatureOptions } from './make-signature.js';
export { field, fieldDefault, isZodFieldSpec } from './field.js';
export type { Field, FieldKind, FieldOptions, ZodFieldSpec } from './field.js';
export { FieldTypes, allowsNone, sameType } from './field-type.js';
export type {
  FieldType,
  FieldTypeShape,
  LiteralValue,
  ModelProperty,
  NativeTypeName,
} from './field-type.js';
export { pythonTypeName, quoteLiteralString } from './type-name.js';
export { fieldTypeJsonSchema, moveTypeToFront } from './json-schema.js';
export type { JsonSchema } from './json-schema.js';
export { parseValue } from './parse-value.js';
export { isValidationError, validateValue } from './validate-value.js';
export { jsonRepairLoads } from './json-repair/index.js';
export type { JsonValue } from './json-repair/index.js';
export { pythonLiteralEval, PythonLiteralError } from './python-literal.js';
export { parseTypeAnnotation } from './type-parser.js';
export type { CustomTypes } from './type-parser.js';
export { parseSignatureString } from './signature-parser.js';
export type { ParsedField } from './signature-parser.js';
export { inferPrefix, cleandoc, dedent, splitLinesPy } from './text.js';
export {
  elementType,
  pyFloatRepr,
  pyJsonDumps,
  pyNumber,
  pyRepr,
  pyStr,
  toJsonable,
} from './python-format.js';
export { zodToFieldType, zodFieldInfo, zodTypes } from './zod-type.js';
export type { ZodFieldInfo } from './zod-type.js';
export { ml } from './ml-types.js';
export { isRecord } from './is-record.js';
