import { CliError } from './cli-error.js';

/** One CSV record: its fields and the line it starts on (1-based; a quoted newline spans lines). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Parses CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF; a field in
 * double quotes may hold commas, quotes (doubled: `""`) and newlines. A UTF-8 byte-order mark is
 * dropped and blank lines between records are skipped. A quote inside an unquoted field, text after
 * a closing quote, or a quote never closed is `usage`, naming `what` and the line.
 *
 * @example
 * ```ts
 * parseCsv('q,a\n"x, y","say ""hi"""\n', 'data.csv');
 * // [{ fields: ['q', 'a'], line: 1 }, { fields: ['x, y', 'say "hi"'], line: 2 }]
 * ```
 */
export function parseCsv(text: string, what: string): CsvRecord[] {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field was quoted (only a separator may follow its end)
  let empty = true; // nothing read yet in this record
  const fail = (message: string): never => {
    throw new CliError('usage', `${what} line ${line}: ${message}`, { details: { what, line } });
  };
  const endField = (): void => {
    fields.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = (): void => {
    if (!empty) {
      endField();
      records.push({ fields, line: recordLine });
    }
    fields = [];
    field = '';
    wasQuoted = false;
    empty = true;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '\r' && src[i + 1] === '\n') continue;
    if (c === '\n') {
      endRecord();
      line++;
      recordLine = line;
      continue;
    }
    if (empty) recordLine = line;
    empty = false;
    if (c === ',') endField();
    else if (wasQuoted) fail(`unexpected ${JSON.stringify(c)} after a closing quote`);
    else if (c === '"') {
      if (field !== '') fail('a quote inside an unquoted field (quote the whole field)');
      quoted = true;
      wasQuoted = true;
    } else field += c;
  }
  if (quoted) fail(`a quoted field starting on line ${recordLine} is never closed`);
  endRecord();
  return records;
}

/**
 * CSV with a header row → one object per record, keyed by the header. A record with more or fewer
 * fields than the header is `usage` naming its line, the counts and the missing column.
 */
export function csvObjects(
  text: string,
  what: string,
): { examples: Record<string, string>[]; lines: number[] } {
  const [header, ...rows] = parseCsv(text, what);
  if (header === undefined) return { examples: [], lines: [] };
  const names = header.fields.map((n) => n.trim());
  const dup = names.find((n, i) => n === '' || names.indexOf(n) !== i);
  if (dup !== undefined)
    throw new CliError(
      'usage',
      `${what} line ${header.line}: ${dup === '' ? 'an empty column name' : `column ${JSON.stringify(dup)} appears twice`} in the header`,
      { details: { what, line: header.line } },
    );
  const examples = rows.map((row) => {
    if (row.fields.length !== names.length) {
      const missing = names.slice(row.fields.length);
      throw new CliError(
        'usage',
        `${what} line ${row.line}: ${row.fields.length} fields but the header has ${names.length}` +
          (missing.length > 0
            ? ` (missing column ${missing.map((m) => JSON.stringify(m)).join(', ')})`
            : ''),
        { details: { what, line: row.line } },
      );
    }
    return Object.fromEntries(names.map((n, i) => [n, row.fields[i] as string]));
  });
  return { examples, lines: rows.map((r) => r.line) };
}
