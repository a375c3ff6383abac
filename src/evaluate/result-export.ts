import type { Example } from '../modules/example.js';
import type { Prediction } from '../modules/prediction.js';

/** One row of an exported result: example and prediction fields merged, plus the metric. */
export type ResultRow = Record<string, unknown>;

/**
 * Builds DSPy's export rows (`Evaluate._prepare_results_output`): the example's fields then the
 * prediction's; a key present in both becomes `example_<k>` and `pred_<k>`; the metric value goes
 * last under the metric's name.
 */
export function resultRows(
  results: readonly { example: Example; prediction: Prediction; score: number | boolean }[],
  metricName: string,
): ResultRow[] {
  return results.map(({ example, prediction, score }) => {
    const ex = example.toDict();
    const pred = prediction.toDict();
    const row: ResultRow = {};
    for (const [k, v] of Object.entries(ex)) row[k in pred ? `example_${k}` : k] = v;
    for (const [k, v] of Object.entries(pred)) row[k in ex ? `pred_${k}` : k] = v;
    row[metricName] = score;
    return row;
  });
}

/** Column names in first-seen order over all rows (DSPy uses only the first row's keys). */
export function columnsOf(rows: readonly ResultRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) seen.add(k);
  return [...seen];
}

/** A cell as text: strings as is, booleans Python-style (`True`), the rest as JSON. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function csvField(text: string): string {
  // Python's csv module (QUOTE_MINIMAL) quotes only when needed and doubles embedded quotes.
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV with a header row, `\r\n` line endings and minimal quoting, as Python's `csv.DictWriter`. */
export function toCsv(rows: readonly ResultRow[]): string {
  const columns = columnsOf(rows);
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(cellText(row[c]))).join(','));
  return lines.map((l) => `${l}\r\n`).join('');
}

/** DSPy truncates each table cell to 25 words. */
function truncateCell(text: string): string {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  return words.length > 25 ? `${words.slice(0, 25).join(' ')}...` : text;
}

function metricCell(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value)) return `✔️ [${value.toFixed(3)}]`;
  if (value === undefined || value === null) return '';
  return `✔️ [${cellText(value)}]`;
}

/**
 * A plain-text result table (DSPy prints a pandas DataFrame): one row per example, cells
 * truncated to 25 words and single-lined, the metric column as `✔️ [0.667]`. `maxRows` shows the
 * first rows and a "... N more rows not displayed ..." line.
 */
export function formatResultTable(
  rows: readonly ResultRow[],
  metricName: string,
  maxRows?: number,
): string {
  const columns = columnsOf(rows);
  const shown = maxRows === undefined ? rows : rows.slice(0, maxRows);
  const header = ['', ...columns];
  const body = shown.map((row, i) => [
    String(i),
    ...columns.map((c) =>
      c === metricName
        ? metricCell(row[c])
        : truncateCell(cellText(row[c])).replace(/\s*\n\s*/g, ' '),
    ),
  ]);
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...body.map(line)];
  const hidden = rows.length - shown.length;
  if (hidden > 0) out.push(`... ${hidden} more rows not displayed ...`);
  return out.join('\n');
}

function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}
