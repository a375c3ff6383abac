import { pyJsonDumps, pyStr } from '../signatures/index.js';

/**
 * Formats a ReAct trajectory as the user-message body ChatAdapter would give the inputs of a
 * signature `thought_0, tool_name_0, … -> x` (DSPy's `ReAct._format_trajectory`): one
 * `[[ ## key ## ]]` section per entry, values formatted as `str` fields (lists as numbered
 * «blobs», objects as JSON, scalars with Python's `str()`).
 * @internal
 */
export function formatTrajectory(trajectory: Record<string, unknown>): string {
  return Object.entries(trajectory)
    .map(([k, v]) => `[[ ## ${k} ## ]]\n${formatStrFieldValue(v)}`)
    .join('\n\n')
    .trim();
}

function formatStrFieldValue(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return 'N/A';
    if (value.length === 1) return blob(value[0]);
    return value.map((v, i) => `[${i + 1}] ${blob(v)}`).join('\n');
  }
  if (value !== null && typeof value === 'object') return pyJsonDumps(value);
  return pyStr(value ?? null);
}

function blob(item: unknown): string {
  const text = typeof item === 'string' ? item : pyStr(item);
  if (!text.includes('\n') && !text.includes('«') && !text.includes('»')) return `«${text}»`;
  return `«««\n    ${text.replaceAll('\n', '\n    ')}\n»»»`;
}
