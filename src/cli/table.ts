/**
 * Rows of text as aligned columns (two spaces apart, no trailing blanks), one line each, ending
 * with a newline: what the `list` commands print. The first row is the header.
 *
 * @example
 * ```ts
 * renderTable([['ID', 'SCORE'], ['eval-1', '75.00%']]); // 'ID      SCORE\neval-1  75.00%\n'
 * ```
 */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((v, c) => v.padEnd(widths[c] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
