import { mkdirSync, rmSync, statSync } from 'node:fs';
import { Cursor } from './cursor';
import { SEGMENT_HEADER_SIZE } from './record';
import { SegmentReader, type CorruptRegion } from './segment-reader';
import { listSegments, type SegmentFile } from './segments';

/** The state of a log directory after a (possibly unclean) stop. */
export interface Recovered {
  /** Every record below this was acknowledged (the cursor, or the first segment's start). */
  readonly position: number;
  /** True when a cursor file was read: records missing just above it are a gap to report. */
  readonly hadCursor: boolean;
  /** The segments still holding unacknowledged records, oldest first. */
  readonly segments: SegmentFile[];
  /** The number the next appended record gets. */
  readonly nextSeq: number;
  /** Bytes after the segment headers; shrinks as the reader passes acked or damaged data. */
  readonly usedBytes: number;
}

/** How recovery reports damage it finds. */
export interface RecoveryReport {
  corrupt(file: SegmentFile | 'cursor', region: CorruptRegion): void;
}

/** The highest intact sequence number in `file`, read without reporting damage (the reader will). */
function lastSeqOf(file: SegmentFile): number | undefined {
  const reader = new SegmentReader(file.path, () => undefined);
  try {
    let last: number | undefined;
    for (let record = reader.next(); record; record = reader.next()) last = Math.max(last ?? record.seq, record.seq);
    return last;
  } finally {
    reader.close();
  }
}

const sizeOf = (file: SegmentFile): number => statSync(file.path).size;

/**
 * Opens a log directory after any stop, clean or `kill -9`: reads the cursor, deletes
 * segments entirely below it (a crash between saving the cursor and deleting them leaves
 * them behind), and finds where appending resumes: after the last intact record of the
 * last segment. New records always go to a fresh segment, so they never follow a torn
 * tail; a last segment with no intact record is removed (its damage reported) instead.
 */
export function recover(dir: string, report: RecoveryReport): Recovered {
  mkdirSync(dir, { recursive: true });
  const loaded = Cursor.load(dir);
  if (loaded.kind === 'corrupt') report.corrupt('cursor', { offset: 0, length: 16 });
  const segments = listSegments(dir);
  const position = loaded.kind === 'found' ? loaded.seq : (segments[0]?.firstSeq ?? 0);
  while (segments.length > 1 && segments[1].firstSeq <= position) rmSync((segments.shift() as SegmentFile).path, { force: true });
  let nextSeq = position;
  const last = segments.at(-1);
  if (last !== undefined) {
    const lastSeq = lastSeqOf(last);
    if (lastSeq === undefined) {
      const size = sizeOf(last);
      if (size > SEGMENT_HEADER_SIZE) report.corrupt(last, { offset: 0, length: size });
      rmSync(last.path, { force: true });
      segments.pop();
      nextSeq = last.firstSeq;
    } else {
      nextSeq = Math.max(lastSeq, last.firstSeq) + 1; // never reuse the name of a segment that holds records
    }
  }
  let usedBytes = 0;
  for (const file of segments) usedBytes += Math.max(0, sizeOf(file) - SEGMENT_HEADER_SIZE);
  return { position, hadCursor: loaded.kind === 'found', segments, nextSeq: Math.max(nextSeq, position), usedBytes };
}
