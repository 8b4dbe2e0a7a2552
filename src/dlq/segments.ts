import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { syncDirectory, writeFileAtomically } from '../core/durable-fs';
import { join } from 'node:path';
import type { DlqPosition } from './entry';

/** Segment files: `segment-0000000001.ndjson`, numbered in write order. */
const SEGMENT_NAME = /^segment-(\d{10})\.ndjson$/;
/** The consumed cursor: everything before this position has been replayed and acknowledged. */
const CURSOR_FILE = 'consumed.json';

/** A segment file on disk. */
export interface SegmentFile {
  readonly id: number;
  readonly path: string;
  readonly size: number;
}

/** The file name of segment `id`. */
export function segmentName(id: number): string {
  return `segment-${String(id).padStart(10, '0')}.ndjson`;
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** The segments in `dir`, oldest first; none when the directory does not exist yet. */
export async function listSegments(dir: string): Promise<SegmentFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const segments: SegmentFile[] = [];
  for (const name of names) {
    const match = SEGMENT_NAME.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    try {
      segments.push({ id: Number(match[1]), path, size: (await stat(path)).size });
    } catch (error) {
      if (!isMissing(error)) throw error; // deleted meanwhile: not a segment any more
    }
  }
  return segments.sort((a, b) => a.id - b.id);
}

/** Deletes a file; one already gone is fine (a cap or a consumer got there first). */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** Makes a directory's entries (files created, renamed, deleted) durable. */
export const syncDir = syncDirectory;

/** The consumed cursor of `dir`: the start of the queue when none was saved or it is unreadable. */
export async function readCursor(dir: string): Promise<DlqPosition> {
  try {
    const value: unknown = JSON.parse(await readFile(join(dir, CURSOR_FILE), 'utf8'));
    const { segment, offset } = (value ?? {}) as Partial<DlqPosition>;
    if (Number.isInteger(segment) && Number.isInteger(offset)) return { segment: segment as number, offset: offset as number };
  } catch (error) {
    if (!isMissing(error) && !(error instanceof SyntaxError)) throw error;
  }
  return { segment: 0, offset: 0 };
}

/** Saves the consumed cursor atomically (write, fsync, rename, fsync the directory): a crash keeps the old or the new one. */
export async function writeCursor(dir: string, position: DlqPosition): Promise<void> {
  await writeFileAtomically(join(dir, CURSOR_FILE), JSON.stringify({ segment: position.segment, offset: position.offset }));
}

/** Forgets the consumed cursor (purge). */
export function removeCursor(dir: string): Promise<void> {
  return removeFile(join(dir, CURSOR_FILE));
}
