/** Header access shared by fetch `Headers` and plain records. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

/**
 * Reads a server's retry hint in ms: `retry-after-ms` (OpenAI/Anthropic extension) first, then
 * `retry-after` as delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns `undefined` when there is
 * no usable hint; past dates give 0.
 */
export function parseRetryAfter(
  headers: HeaderSource | undefined,
  now: number = Date.now(),
): number | undefined {
  if (headers === undefined) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms !== undefined && ms.trim() !== '') {
    const v = Number(ms);
    if (Number.isFinite(v) && v >= 0) return v;
  }
  const ra = headers.get('retry-after');
  if (ra === null || ra === undefined || ra.trim() === '') return undefined;
  const trimmed = ra.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
