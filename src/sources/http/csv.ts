/** One data row of a CSV body: its fields by header name, or why it could not be read. */
export type CsvRow = { readonly line: number; readonly record: Record<string, string> } | { readonly line: number; readonly error: string };

/** A parsed CSV body: its header and rows, or why the body as a whole cannot be read. */
export type CsvResult = { readonly header: readonly string[]; readonly rows: CsvRow[] } | { readonly error: string };

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * Splits RFC 4180 CSV into records of fields: `,` separates, `"…"` quotes (a doubled `""`
 * is a quote inside), CRLF or LF ends a record, a quoted field may span lines. Each record
 * carries the line it starts on. An unterminated quote is an error of the last record only.
 */
function* records(text: string): Generator<{ line: number; fields: string[] } | { line: number; error: string }> {
  let line = 1;
  let at = 0;
  const length = text.length;
  while (at < length) {
    const startLine = line;
    const fields: string[] = [];
    let ended = false;
    while (!ended) {
      if (text.charCodeAt(at) === QUOTE) {
        let value = '';
        let from = at + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1) {
            yield { line: startLine, error: `unterminated quoted field starting on line ${startLine}` };
            return;
          }
          value += text.slice(from, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            from = close + 2;
            continue;
          }
          at = close + 1;
          break;
        }
        for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) === LF) line++;
        fields.push(value);
        const next = text.charCodeAt(at);
        if (at < length && next !== COMMA && next !== CR && next !== LF) {
          // Text after a closing quote: skip to the end of the record and report it.
          const end = text.indexOf('\n', at);
          at = end === -1 ? length : end + 1;
          yield { line: startLine, error: `unexpected text after a closing quote on line ${line}` };
          line++;
          ended = true;
          fields.length = 0;
          continue;
        }
      } else {
        let end = at;
        while (end < length) {
          const code = text.charCodeAt(end);
          if (code === COMMA || code === LF || code === CR) break;
          end++;
        }
        fields.push(text.slice(at, end));
        at = end;
      }
      const code = text.charCodeAt(at);
      if (code === COMMA) at++;
      else {
        if (code === CR) at++;
        if (text.charCodeAt(at) === LF) at++;
        line++;
        ended = true;
        if (fields.length > 0) yield { line: startLine, fields };
      }
      if (at >= length && !ended) {
        // A trailing comma at the very end: one more, empty field.
        fields.push('');
        ended = true;
        yield { line: startLine, fields };
      }
    }
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
