/** The CSV dialect a record is read in. */
export interface CsvDialect {
  /** Separates fields; `,` in RFC 4180. One UTF-16 unit. */
  readonly delimiter: string;
  /** Quotes a field that holds delimiters, quotes (doubled) or line breaks; `"` in RFC 4180. */
  readonly quote: string;
}

/** RFC 4180: `,` and `"`. */
export const RFC4180: CsvDialect = Object.freeze({ delimiter: ',', quote: '"' });

/**
 * One record read from `start`: its fields, where the next record begins, and how many line
 * breaks it spanned (its end and those inside quoted fields); or why it is malformed, with
 * the line breaks read before the fault. `unterminated`: a quote never closes (the rest of
 * the text is consumed); `text_after_quote`: text follows a closing quote (the reader skips
 * past the next `\n`).
 */
export type CsvRecordRead =
  | { readonly fields: string[]; readonly next: number; readonly newlines: number }
  | { readonly error: 'unterminated' | 'text_after_quote'; readonly next: number; readonly newlines: number };

const CR = 13;
const LF = 10;

function countLineFeeds(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/**
 * Reads one CSV record at `start` in `dialect` (RFC 4180 by default): the delimiter
 * separates fields, a quoted field may hold delimiters, doubled quotes and line breaks, and
 * CRLF or LF (or the end of the text) ends the record; a delimiter at the very end adds one
 * empty field. The one record reader behind the HTTP input's CSV bodies and the `csv`
 * stage. Total: never throws; fields are slices, so a record costs one pass.
 */
export function readCsvRecord(text: string, start: number, dialect: CsvDialect = RFC4180): CsvRecordRead {
  const delimiter = dialect.delimiter.charCodeAt(0);
  const quote = dialect.quote.charCodeAt(0);
  const length = text.length;
  const fields: string[] = [];
  let newlines = 0;
  let at = start;
  for (;;) {
    if (text.charCodeAt(at) === quote) {
      let value = '';
      let from = at + 1;
      for (;;) {
        const close = text.indexOf(dialect.quote, from);
        if (close === -1) return { error: 'unterminated', next: length, newlines };
        value += text.slice(from, close);
        if (text.charCodeAt(close + 1) === quote) {
          value += dialect.quote;
          from = close + 2;
          continue;
        }
        at = close + 1;
        break;
      }
      newlines += countLineFeeds(value);
      fields.push(value);
      const next = text.charCodeAt(at);
      if (at < length && next !== delimiter && next !== CR && next !== LF) {
        const end = text.indexOf('\n', at);
        return { error: 'text_after_quote', next: end === -1 ? length : end + 1, newlines };
      }
    } else {
      let end = at;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === delimiter || code === LF || code === CR) break;
        end++;
      }
      fields.push(text.slice(at, end));
      at = end;
    }
    if (at >= length) return { fields, next: length, newlines };
    if (text.charCodeAt(at) === delimiter) {
      at++;
      // A delimiter at the very end: one more, empty field.
      if (at >= length) {
        fields.push('');
        return { fields, next: length, newlines };
      }
      continue;
    }
    if (text.charCodeAt(at) === CR) at++;
    if (text.charCodeAt(at) === LF) at++;
    return { fields, next: at, newlines: newlines + 1 };
  }
}
