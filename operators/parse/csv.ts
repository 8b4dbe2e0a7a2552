import { Observable, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { JsonObject, LogEvent } from '../../src/core/event';
import { addTag, compilePath, getField, setField } from '../../src/core/field-path';
import { operate } from '../operate';
import { readCsvRecord, RFC4180, type CsvDialect } from './csv-record';
import type { ParseHooks } from './json';
import { streamKey, type StreamKey } from './multiline/stream-key';

/** Options of {@link parseCsvLines}. */
export interface ParseCsvOptions extends Partial<CsvDialect> {
  /** Dotted path of the CSV line; default `message`. */
  readonly field?: string;
  /** Dotted path to put the columns under; default: merge them into the event root. */
  readonly target?: string;
  /** Column names, in order. Without them, the first row of each stream is its header (and is not emitted). */
  readonly columns?: readonly string[];
  /** Remove the raw field once parsed; default true (as `json`). */
  readonly dropField?: boolean;
  /** Added to `tags` of rows that cannot be read; default `csv_parse_error`. */
  readonly errorTag?: string;
  /** Which stream a header row belongs to; default the batch's origin (one file, one connection). */
  readonly headerBy?: StreamKey;
}

/** At most this many streams' headers are remembered; the oldest is forgotten first. */
const MAX_HEADERS = 10_000;

/** True when `text` holds only blanks from `from` on (the line break after a row). */
function isBlank(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return false;
  }
  return true;
}

/** Why `names` cannot be a header, or undefined when they can. */
function headerProblem(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') return 'the header row has an empty column name';
    if (seen.has(name)) return `the header row names column "${name.slice(0, 64)}" twice`;
    seen.add(name);
  }
  return undefined;
}

/**
 * Parses one CSV row per event (`field`, usually a line of a file) into named columns,
 * merged into the event or put under `target`. The dialect is configurable (`;` or tab
 * delimiter, another quote); quoting follows RFC 4180 through the reader the HTTP input
 * uses too. Columns come from `columns`, or from the first row of each stream (a file's
 * header line), which is then dropped on purpose (counted through `hooks.onDiscard`; its
 * share of the ack resolves). Values stay strings. A row that cannot be read (bad quoting,
 * another number of fields than columns, more than one record) is kept unchanged but for
 * `errorTag` in its `tags`, and `hooks.onParseError` counts it.
 *
 * ```
 * source:  --a--b--|     a: {message: "id,name"}   b: {message: '7,"Doe, J."'}   (no columns)
 * result:  -----B--|     B: {id: "7", name: "Doe, J."}    (a is the header: dropped)
 * ```
 *
 * @example
 * import { parseCsvLines } from 'sluice';
 * const rows = parseCsvLines({ columns: ['date', 'user', 'action'], delimiter: ';' });
 *
 * @see parseKeyValue
 */
export function parseCsvLines(options: ParseCsvOptions = {}, hooks: ParseHooks = {}): OperatorFunction<Batch, Batch> {
  const dialect: CsvDialect = { delimiter: options.delimiter ?? RFC4180.delimiter, quote: options.quote ?? RFC4180.quote };
  if (dialect.delimiter.length !== 1 || dialect.quote.length !== 1 || dialect.delimiter === dialect.quote || '\r\n'.includes(dialect.delimiter)) {
    throw new RangeError('parseCsvLines: delimiter and quote must be two different single characters, not a line break');
  }
  const columns = options.columns;
  if (columns !== undefined && headerProblem(columns) !== undefined) throw new RangeError(`parseCsvLines: ${headerProblem(columns)}`);
  const field = compilePath(options.field ?? 'message');
  const target = options.target === undefined ? undefined : compilePath(options.target);
  const dropField = options.dropField !== false;
  const errorTag = options.errorTag ?? 'csv_parse_error';
  const headerBy = options.headerBy ?? streamKey();
  const { onParseError, onError, onDiscard } = hooks;

  const fail = (event: LogEvent, reason: string): void => {
    addTag(event, errorTag);
    onParseError?.(event, reason);
  };

  /** The row's fields, or undefined (the event tagged) when it is not one CSV record. */
  const readRow = (event: LogEvent): string[] | undefined => {
    const raw = getField(event, field);
    if (typeof raw !== 'string') return void fail(event, raw === undefined ? 'field is missing' : 'field is not a string');
    const read = readCsvRecord(raw, 0, dialect);
    if ('error' in read) return void fail(event, read.error === 'unterminated' ? 'unterminated quoted field' : 'text after a closing quote');
    if (read.next < raw.length && !isBlank(raw, read.next)) return void fail(event, 'more than one record');
    return read.fields;
  };

  const fill = (event: LogEvent, names: readonly string[], fields: readonly string[]): void => {
    if (fields.length !== names.length) return fail(event, `${fields.length} fields where there are ${names.length} columns`);
    if (dropField) setField(event, field, undefined);
    const into: JsonObject = target === undefined ? (event as JsonObject) : {};
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      // A `__proto__` column is a field like any other, never a prototype.
      if (name === '__proto__') Object.defineProperty(into, name, { value: fields[i], enumerable: true, writable: true, configurable: true });
      else into[name] = fields[i];
    }
    if (target !== undefined) setField(event, target, into);
  };

  return (source) =>
    new Observable<Batch>((subscriber) => {
      const headers = new Map<string, readonly string[]>();
      const subscription = operate(source, subscriber, {
        next(batch) {
          const input = batch.events;
          const copy = batch.shared === true;
          const output: LogEvent[] = [];
          let keptAt: number[] | undefined;
          let keptShared = false;
          for (let i = 0; i < input.length; i++) {
            const original = input[i];
            const event = copy ? { ...original } : original;
            let keep = true;
            try {
              const fields = readRow(event);
              if (fields !== undefined) {
                if (columns !== undefined) fill(event, columns, fields);
                else {
                  const key = headerBy(event, batch.meta);
                  const header = headers.get(key);
                  if (header !== undefined) fill(event, header, fields);
                  else {
                    const names = fields.map((name) => name.trim());
                    const problem = headerProblem(names);
                    if (problem !== undefined) fail(event, problem);
                    else {
                      if (headers.size >= MAX_HEADERS) headers.delete(headers.keys().next().value as string);
                      headers.set(key, names);
                      keep = false;
                    }
                  }
                }
              }
            } catch (error) {
              onError?.(error, original);
              if (copy) keptShared = true;
              output.push(original);
              keptAt?.push(i);
              continue;
            }
            if (keep) {
              output.push(event);
              keptAt?.push(i);
            } else if (keptAt === undefined) {
              // First header row dropped: from here on remember where each survivor sat.
              keptAt = [];
              for (let k = 0; k < output.length; k++) keptAt.push(k);
            }
          }
          if (keptAt === undefined) return subscriber.next({ ...batch, events: output, shared: keptShared });
          onDiscard?.(input.length - output.length);
          if (output.length === 0) return batch.ack.resolve();
          // The rows go on under a pick of the ack; the header rows' share resolves here.
          const ack = batch.ack.pick(keptAt);
          batch.ack.resolve();
          subscriber.next({ ...batch, events: output, ack, shared: keptShared });
        },
      });
      return () => subscription.unsubscribe();
    });
}
