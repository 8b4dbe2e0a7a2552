import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One segment file: records from `firstSeq` on, named after it. */
export interface SegmentFile {
  readonly firstSeq: number;
  readonly path: string;
}

const NAME = /^(\d{20})\.wal$/;

/** `00000000000000000042.wal`: the first sequence number, zero-padded so names sort. */
export function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(20, '0')}.wal`;
}

/** The segment file of `dir` that starts at `firstSeq`. */
export function segmentFile(dir: string, firstSeq: number): SegmentFile {
  return { firstSeq, path: join(dir, segmentName(firstSeq)) };
}

/** The segment files in `dir`, oldest first; other files are ignored. */
export function listSegments(dir: string): SegmentFile[] {
  const segments: SegmentFile[] = [];
  for (const name of readdirSync(dir)) {
    const match = NAME.exec(name);
    if (match) segments.push({ firstSeq: Number(match[1]), path: join(dir, name) });
  }
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}
