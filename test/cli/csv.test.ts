import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error.js';
import { csvObjects, parseCsv } from '../../src/cli/csv.js';

describe('parseCsv (RFC 4180)', () => {
  it('keeps commas, doubled quotes and newlines inside quoted fields, and CRLF endings', () => {
    const text = 'q,a\r\n"x, y","say ""hi"""\r\n"two\nlines",b\r\n';
    expect(parseCsv(text, 'f.csv')).toEqual([
      { fields: ['q', 'a'], line: 1 },
      { fields: ['x, y', 'say "hi"'], line: 2 },
      { fields: ['two\nlines', 'b'], line: 3 },
    ]);
  });

  it('drops a byte-order mark, skips blank lines and keeps empty fields', () => {
    expect(parseCsv('\uFEFFa,b\n\n1,\n', 'f.csv')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1', ''], line: 3 },
    ]);
  });

  it.each([
    ['a,b\n"open,1\n', 'f.csv line 3: a quoted field starting on line 2 is never closed'],
    ['a,b\nx"y,1\n', 'f.csv line 2: a quote inside an unquoted field'],
    ['a,b\n"x"y,1\n', 'f.csv line 2: unexpected "y" after a closing quote'],
  ])('names the line of malformed input %j', (text, message) => {
    expect(() => parseCsv(text, 'f.csv')).toThrow(message);
  });
});

describe('csvObjects', () => {
  it('keys records by the header and reports each record line', () => {
    expect(csvObjects('question,answer\n"a\nb",1\nc,2\n', 'f.csv')).toEqual({
      examples: [
        { question: 'a\nb', answer: '1' },
        { question: 'c', answer: '2' },
      ],
      lines: [2, 4],
    });
  });

  it('names the line and the missing column of a short record', () => {
    const run = () => csvObjects('question,answer\nonly\n', 'f.csv');
    expect(run).toThrow(CliError);
    expect(run).toThrow('f.csv line 2: 1 fields but the header has 2 (missing column "answer")');
  });

  it('refuses a header with a repeated column', () => {
    expect(() => csvObjects('a,a\n1,2\n', 'f.csv')).toThrow('column "a" appears twice');
  });
});
