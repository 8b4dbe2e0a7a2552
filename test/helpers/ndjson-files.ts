import { closeSync, openSync, readSync } from 'node:fs';

/** A line of an NDJSON file that does not parse: a fragment torn by a crash mid-write. */
export interface TornLine {
  /** 1-based. */
  readonly lineNumber: number;
  readonly length: number;
  /** The first 100 characters. */
  readonly preview: string;
  /**
   * Complete JSON objects inside the line, glued to a fragment because a writer appended
   * after the torn write without starting a new line: events no NDJSON reader sees.
   */
  readonly hidden: ReadonlyArray<Record<string, unknown>>;
}

/** What {@link scanNdjson} found. */
export interface NdjsonScan {
  readonly lines: number;
  readonly events: number;
  readonly torn: readonly TornLine[];
}

const CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The complete objects glued inside a torn line: the longest parseable suffix, and the prefix before it when that parses too. */
function gluedObjects(line: string): Array<Record<string, unknown>> {
  for (let at = line.indexOf('{', 1); at > 0; at = line.indexOf('{', at + 1)) {
    const suffix = parseObject(line.slice(at));
    if (suffix === undefined) continue;
    const prefix = parseObject(line.slice(0, at));
    return prefix === undefined ? [suffix] : [prefix, suffix];
  }
  return [];
}

/**
 * Reads an NDJSON file of any size line by line (4 MiB reads, split with `Buffer.indexOf`),
 * calling `onEvent` for every line that parses to an object. Lines that do not parse are
 * returned as {@link TornLine}s, with whatever complete objects they hide; an unterminated
 * last line is a line like any other.
 */
export function scanNdjson(file: string, onEvent: (event: Record<string, unknown>) => void): NdjsonScan {
  const fd = openSync(file, 'r');
  const torn: TornLine[] = [];
  let lines = 0;
  let events = 0;
  const line = (text: string): void => {
    lines++;
    if (text.length === 0) return;
    const event = parseObject(text);
    if (event !== undefined) {
      events++;
      onEvent(event);
    } else {
      torn.push({ lineNumber: lines, length: text.length, preview: text.slice(0, 100), hidden: gluedObjects(text) });
    }
  };
  try {
    let rest = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      const data = rest.length > 0 ? Buffer.concat([rest, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let end = data.indexOf(NEWLINE, start); end >= 0; end = data.indexOf(NEWLINE, start)) {
        line(data.toString('utf8', start, end));
        start = end + 1;
      }
      rest = Buffer.from(data.subarray(start));
    }
    if (rest.length > 0) line(rest.toString('utf8'));
  } finally {
    closeSync(fd);
  }
  return { lines, events, torn };
}

/** Counts how often each sequence 0..size-1 was seen: what is missing, what repeated. */
export class SequenceTally {
  private readonly seen: Uint8Array;
  unique = 0;
  duplicates = 0;
  /** Values that are not integers in 0..size-1. */
  invalid = 0;

  constructor(readonly size: number) {
    this.seen = new Uint8Array(size);
  }

  add(value: unknown): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.size) {
      this.invalid++;
    } else if (this.seen[value] === 0) {
      this.seen[value] = 1;
      this.unique++;
    } else {
      this.duplicates++;
    }
  }

  /** Whether `value` was seen. */
  has(value: number): boolean {
    return this.seen[value] === 1;
  }

  /** The first `limit` sequences never seen. */
  missing(limit = 20): number[] {
    const out: number[] = [];
    for (let value = 0; value < this.size && out.length < limit; value++) if (this.seen[value] === 0) out.push(value);
    return out;
  }
}
