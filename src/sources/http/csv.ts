import { readCsvRecord } from '../../../operators/parse/csv-record';

/** One data row of a CSV body: its fields by header name, or why it could not be read. */
export type CsvRow = { readonly line: number; readonly record: Record<string, string> } | { readonly line: number; readonly error: string };

/** A parsed CSV body: its header and rows, or why the body as a whole cannot be read. */
export type CsvResult = { readonly header: readonly string[]; readonly rows: CsvRow[] } | { readonly error: string };

/**
 * Splits RFC 4180 CSV into records of fields with the shared record reader (the `csv` stage
 * reads its records with it too): `,` separates, `"…"` quotes (a doubled `""` is a quote
 * inside), CRLF or LF ends a record, a quoted field may span lines. Each record carries the
 * line it starts on. An unterminated quote is an error of the last record only.
 */
function* records(text: string): Generator<{ line: number; fields: string[] } | { line: number; error: string }> {
  let line = 1;
  let at = 0;
  while (at < text.length) {
    const startLine = line;
    const read = readCsvRecord(text, at);
    at = read.next;
    if ('error' in read) {
      if (read.error === 'unterminated') {
        yield { line: startLine, error: `unterminated quoted field starting on line ${startLine}` };
        return;
      }
      // Text after a closing quote: the reader skipped to the end of the line.
      yield { line: startLine, error: `unexpected text after a closing quote on line ${startLine + read.newlines}` };
      line = startLine + read.newlines + 1;
      continue;
    }
    line += read.newlines;
    yield { line: startLine, fields: read.fields };
  }
}

const isBlank = (fields: readonly string[]): boolean => fields.length === 1 && fields[0].trim() === '';

/**
 * A CSV body with a header row: every later row becomes a record keyed by the header's
 * names (values stay strings; the ingest normaliser reads timestamps and levels from
 * strings too). Blank lines are skipped; a row with another number of fields than the
 * header is a per-row error naming its line, as is a malformed quote.
 */
export function parseCsv(text: string): CsvResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a UTF-8 byte order mark
  let header: string[] | undefined;
  const rows: CsvRow[] = [];
  for (const record of records(body)) {
    if ('error' in record) {
      if (header === undefined) return { error: `header row: ${record.error}` };
      rows.push(record);
      continue;
    }
    if (isBlank(record.fields)) continue;
    if (header === undefined) {
      header = record.fields.map((name) => name.trim());
      const problem = headerProblem(header);
      if (problem !== undefined) return { error: problem };
      continue;
    }
    if (record.fields.length !== header.length) {
      rows.push({ line: record.line, error: `line ${record.line}: ${record.fields.length} fields where the header has ${header.length}` });
      continue;
    }
    const values: Record<string, string> = {};
    // defineProperty: a `__proto__` column is a field like any other, never a prototype.
    for (let i = 0; i < header.length; i++) Object.defineProperty(values, header[i], { value: record.fields[i], enumerable: true, writable: true, configurable: true });
    rows.push({ line: record.line, record: values });
  }
  if (header === undefined) return { error: 'a CSV body needs a header row' };
  return { header, rows };
}

function headerProblem(header: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of header) {
    if (name === '') return 'the CSV header row has an empty column name';
    if (seen.has(name)) return `the CSV header row names column "${name}" twice`;
    seen.add(name);
  }
  return undefined;
}
