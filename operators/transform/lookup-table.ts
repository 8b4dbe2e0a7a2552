import type { JsonObject, JsonValue } from '../../src/core/event';
import { ConfigError } from '../../src/core/errors';
import { readCsvRecord } from '../parse/csv-record';

/** Rows of a lookup table by key (the key column's value as text). */
export type LookupTable = ReadonlyMap<string, JsonObject>;

/** Most rows a table may hold: it lives in memory for the life of the pipeline. */
export const MAX_LOOKUP_ROWS = 1_000_000;

/**
 * Splits CSV text into rows of cells with the one CSV record reader (RFC 4180 quoting, CRLF
 * or LF line ends); blank lines are skipped. A malformed record is an error naming its line.
 */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let line = 1;
  for (let at = 0; at < text.length; ) {
    const read = readCsvRecord(text, at);
    if ('error' in read) throw new Error(`line ${line}: ${read.error === 'unterminated' ? 'unterminated quoted cell' : 'text after a closing quote'}`);
    if (read.fields.length > 1 || read.fields[0] !== '') rows.push(read.fields);
    line += read.newlines;
    at = read.next;
  }
  return rows;
}

const keyText = (value: JsonValue | undefined): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

/** Freezes a row: one row object is shared by every event that joins it. */
function freezeRow(row: JsonObject): JsonObject {
  for (const value of Object.values(row)) if (value !== null && typeof value === 'object') Object.freeze(value);
  return Object.freeze(row);
}

function addRow(table: Map<string, JsonObject>, key: string | undefined, row: JsonObject, keyColumn: string, where: string): void {
  if (key === undefined) throw new ConfigError(`${where}: a row has no \`${keyColumn}\` value (a string, number or boolean)`, { path: where });
  if (table.size >= MAX_LOOKUP_ROWS) throw new ConfigError(`${where}: more than ${MAX_LOOKUP_ROWS} rows`, { path: where });
  const columns: JsonObject = {};
  for (const [column, value] of Object.entries(row)) if (column !== keyColumn && column !== '__proto__') columns[column] = value;
  table.set(key, freezeRow(columns));
}

/**
 * Builds a lookup table from a file's text. CSV: a header row names the columns, every cell
 * is a string. JSON: an array of row objects, or an object whose keys are the row keys. The
 * key column is left out of each row (the event already has it). A later row with the same
 * key replaces an earlier one. Malformed text is a {@link ConfigError} naming `where`.
 */
export function parseLookupTable(text: string, format: 'csv' | 'json', keyColumn: string, where: string): LookupTable {
  const table = new Map<string, JsonObject>();
  if (format === 'csv') {
    let rows: string[][];
    try {
      rows = parseCsvRows(text);
    } catch (error) {
      throw new ConfigError(`${where}: ${(error as Error).message}`, { path: where });
    }
    const header = rows[0] ?? [];
    const keyIndex = header.indexOf(keyColumn);
    if (keyIndex < 0) throw new ConfigError(`${where}: the CSV header has no column "${keyColumn}" (columns: ${header.join(', ')})`, { path: where });
    for (const cells of rows.slice(1)) {
      const row: JsonObject = {};
      header.forEach((column, index) => (row[column] = cells[index] ?? ''));
      addRow(table, cells[keyIndex], row, keyColumn, where);
    }
    return table;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${where}: not JSON: ${(error as Error).message}`, { path: where });
  }
  const isRow = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (Array.isArray(parsed)) {
    for (const item of parsed) {
      if (!isRow(item)) throw new ConfigError(`${where}: every element of the JSON array must be an object`, { path: where });
      addRow(table, keyText(item[keyColumn]), item, keyColumn, where);
    }
  } else if (isRow(parsed)) {
    for (const [key, item] of Object.entries(parsed)) {
      if (!isRow(item)) throw new ConfigError(`${where}: the value of "${key}" must be an object`, { path: where });
      addRow(table, key, item, keyColumn, where);
    }
  } else {
    throw new ConfigError(`${where}: expected a JSON array of objects or an object of objects`, { path: where });
  }
  return table;
}

export { keyText as lookupKey };
