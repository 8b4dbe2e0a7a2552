import { decodeEntry, type DlqPosition, type StoredEntry } from './entry';
import { readLines } from './lines';
import { listSegments } from './segments';

/** One read from a queue. */
export interface DlqReadResult {
  readonly entries: StoredEntry[];
  /** Where the next read starts: past every line examined, skipped ones included. */
  readonly next: DlqPosition;
  /** Complete lines that were not well-formed entries: skipped. */
  readonly malformed: number;
  /** Unterminated last lines of sealed segments (a crash mid-write): skipped. */
  readonly torn: number;
  /** True when no complete entry follows `next` (for now: a writer may append more). */
  readonly drained: boolean;
}

/**
 * Reads up to `limit` entries of the queue in `dir` from `from`, crossing segments.
 * Malformed lines are skipped and counted, never thrown. The unterminated last line of a
 * sealed segment is torn (the writer crashed; it never appends to a segment again after a
 * restart) and skipped; that of the newest segment may still be being written, so reading
 * stops before it. A segment deleted meanwhile (a cap, a purge) is passed over. With
 * `untilSegment`, later segments are ignored (a one-shot replay reads a snapshot).
 */
export async function readFrom(dir: string, from: DlqPosition, limit: number, untilSegment = Number.POSITIVE_INFINITY): Promise<DlqReadResult> {
  const segments = (await listSegments(dir)).filter((segment) => segment.id <= untilSegment);
  const entries: StoredEntry[] = [];
  let malformed = 0;
  let torn = 0;
  let next = from;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i].id;
    if (segment < next.segment) continue;
    const read = await readLines(segments[i].path, segment === next.segment ? next.offset : 0, (line, start, end) => {
      if (entries.length >= limit) return false;
      const entry = decodeEntry(line.toString('utf8'));
      if (entry) entries.push({ entry, position: { segment, offset: start }, bytes: end - start });
      else malformed += 1;
      return true;
    });
    if (read.missing) continue;
    next = { segment, offset: read.next };
    if (!read.eof) return { entries, next, malformed, torn, drained: false };
    if (i < segments.length - 1) {
      if (read.tailBytes > 0) torn += 1;
      next = { segment: segments[i + 1].id, offset: 0 };
    }
  }
  return { entries, next, malformed, torn, drained: true };
}

/** Every entry from `from` on, in order, read `chunk` at a time. */
export async function* iterateEntries(dir: string, from: DlqPosition, chunk = 1000): AsyncGenerator<StoredEntry> {
  let position = from;
  for (;;) {
    const result = await readFrom(dir, position, chunk);
    yield* result.entries;
    if (result.drained) return;
    position = result.next;
  }
}

/** What a queue holds (its unconsumed entries). */
export interface DlqStats {
  readonly entries: number;
  /** Bytes of the unconsumed entries' lines. */
  readonly bytes: number;
  /** Bytes of every segment file, consumed parts included. */
  readonly diskBytes: number;
  readonly segments: number;
  readonly oldest?: string;
  readonly newest?: string;
  /** Entries by error message, most frequent first. */
  readonly byError: ReadonlyArray<{ readonly error: string; readonly count: number }>;
  readonly byComponent: Readonly<Record<string, number>>;
  readonly malformed: number;
  readonly torn: number;
}

/** Counts the entries of the queue in `dir` from `from` on, in one pass. */
export async function queueStats(dir: string, from: DlqPosition): Promise<DlqStats> {
  const files = await listSegments(dir);
  const errors = new Map<string, number>();
  const byComponent: Record<string, number> = {};
  let [entries, bytes, malformed, torn] = [0, 0, 0, 0];
  let oldest: string | undefined;
  let newest: string | undefined;
  let position = from;
  for (;;) {
    const result = await readFrom(dir, position, 10_000);
    malformed += result.malformed;
    torn += result.torn;
    for (const { entry, bytes: size } of result.entries) {
      entries += 1;
      bytes += size;
      const ms = Date.parse(entry.time);
      if (oldest === undefined || ms < Date.parse(oldest)) oldest = entry.time;
      if (newest === undefined || ms > Date.parse(newest)) newest = entry.time;
      errors.set(entry.error, (errors.get(entry.error) ?? 0) + 1);
      byComponent[entry.component] = (byComponent[entry.component] ?? 0) + 1;
    }
    if (result.drained) break;
    position = result.next;
  }
  const byError = [...errors].map(([error, count]) => ({ error, count })).sort((a, b) => b.count - a.count || a.error.localeCompare(b.error));
  const diskBytes = files.reduce((sum, file) => sum + file.size, 0);
  return { entries, bytes, diskBytes, segments: files.length, oldest, newest, byError, byComponent, malformed, torn };
}
