import { open } from 'node:fs/promises';
import { lineTimeMs, type DlqPosition } from './entry';
import { readLines } from './lines';
import { removeFile, type SegmentFile } from './segments';

/** Why entries were dropped to keep the queue within its caps (the `discarded` metric's reason). */
export type DlqDiscardReason = 'dlq_max_bytes' | 'dlq_max_age';

/** The caps of one queue. */
export interface DlqCaps {
  readonly maxBytes: number;
  readonly maxAgeMs: number;
}

/** How far back from the end of a segment its last line is looked for before scanning it all. */
const TAIL_BYTES = 64 * 1024;

/** The time of a segment's last complete line, from its tail; undefined when it has none. */
async function newestTime(segment: SegmentFile): Promise<number | undefined> {
  const length = Math.min(segment.size, TAIL_BYTES);
  const tail = Buffer.alloc(length);
  const handle = await open(segment.path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    await handle.read(tail, 0, length, segment.size - length);
  } finally {
    await handle.close();
  }
  const end = tail.lastIndexOf(0x0a);
  const start = end > 0 ? tail.lastIndexOf(0x0a, end - 1) : -1;
  if (end >= 0 && (start >= 0 || length === segment.size)) return lineTimeMs(tail.subarray(start + 1, end));
  let last: number | undefined; // the last line is longer than the tail: scan the whole segment
  await readLines(segment.path, 0, (line) => ((last = lineTimeMs(line) ?? last), true));
  return last;
}

/** Entries of `segment` not yet consumed: what deleting it loses. */
async function unconsumed(segment: SegmentFile, cursor: DlqPosition): Promise<number> {
  if (cursor.segment > segment.id) return 0;
  let count = 0;
  await readLines(segment.path, cursor.segment === segment.id ? cursor.offset : 0, () => ((count += 1), true));
  return count;
}

/**
 * Keeps a queue within its caps by deleting whole segments, oldest first: those whose
 * newest entry is older than `maxAgeMs`, then more while the queue holds over `maxBytes`
 * (the newest segment is kept: `maxSegmentBytes` bounds it). Entries lost that way are
 * reported to `onDiscard`; already-consumed ones are not counted. Returns the segments
 * still there.
 */
export async function enforceCaps(
  segments: readonly SegmentFile[],
  caps: DlqCaps,
  now: number,
  cursor: DlqPosition,
  onDiscard: (reason: DlqDiscardReason, count: number) => void,
): Promise<SegmentFile[]> {
  const kept = [...segments];
  const drop = async (reason: DlqDiscardReason): Promise<void> => {
    const oldest = kept.shift() as SegmentFile;
    const lost = await unconsumed(oldest, cursor);
    await removeFile(oldest.path);
    if (lost > 0) onDiscard(reason, lost);
  };
  const cutoff = now - caps.maxAgeMs;
  while (kept.length > 0) {
    const newest = await newestTime(kept[0]);
    if (newest === undefined ? kept.length === 1 : newest >= cutoff) break;
    await drop('dlq_max_age');
  }
  let total = kept.reduce((sum, segment) => sum + segment.size, 0);
  while (total > caps.maxBytes && kept.length > 1) {
    total -= kept[0].size;
    await drop('dlq_max_bytes');
  }
  return kept;
}
