/** True for a non-null object that is not an array (a JSON object's shape; class instances count). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
