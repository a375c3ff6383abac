import type { ServerResponse } from 'node:http';

/**
 * JSON text of a value that may hold things JSON cannot carry (bigints, cycles, errors): bigints
 * become strings, errors their name and message, repeated objects `"[circular]"`. Snapshots and
 * runtime events cross the admin endpoint and Redis as JSON, and one odd field must not drop them.
 */
export function toJsonText(value: unknown, space?: number): string {
  const seen = new WeakSet<object>();
  const text = JSON.stringify(
    value,
    function replacer(_key: string, v: unknown): unknown {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Error) return { name: v.name, message: v.message };
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[circular]';
        seen.add(v);
      }
      return v;
    },
    space,
  ) as string | undefined;
  return text ?? 'null';
}

/** Answers `status` with `body` as JSON ({@link toJsonText}). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = toJsonText(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}
