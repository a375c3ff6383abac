import { Image } from '../adapters/index.js';
import type { FieldType } from '../signatures/index.js';
import { isPlainObject } from './example.js';

/**
 * Whether an input value fits its declared type, by kind only (DSPy's `_check_type`, which uses
 * `isinstance` and never coerces): used to warn, never to reject. A `str` field also accepts a list
 * of strings (DSPy formats it as a numbered list). JS numbers cannot tell `1` from `1.0`, so any
 * number fits `float`.
 * @internal
 */
export function fitsType(value: unknown, type: FieldType): boolean {
  // An `Image` input also takes a URL or data URI string (the adapter converts it).
  if (type.native === 'image')
    return typeof value === 'string' || isPlainObject(value) || value instanceof Image;
  switch (type.kind) {
    case 'str':
      return (
        typeof value === 'string' ||
        (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      );
    case 'int':
      return Number.isInteger(value);
    case 'float':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'none':
      return value === null || value === undefined;
    case 'list':
    case 'set':
      return (
        (Array.isArray(value) || value instanceof Set) &&
        (type.item === undefined || [...value].every((v) => fitsType(v, type.item as FieldType)))
      );
    case 'tuple':
      return (
        Array.isArray(value) &&
        (type.items === undefined ||
          (value.length === type.items.length && type.items.every((t, i) => fitsType(value[i], t))))
      );
    case 'dict':
      return (
        isPlainObject(value) &&
        (type.value === undefined ||
          Object.values(value).every((v) => fitsType(v, type.value as FieldType)))
      );
    case 'literal':
      return type.values.some((v) => v === value);
    case 'union':
      return type.members.some((m) => fitsType(value, m));
    case 'model':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}
