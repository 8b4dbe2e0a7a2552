import { closeSync, fstat, open, read } from 'node:fs';
import type { Readable } from 'node:stream';
import type { BatchMeta } from '../../core/batch';
import type { Framer } from '../framing/framer';
import type { MultilineFramer } from '../framing/multiline';
import type { FileIdentity } from './identity';

/** Makes the framer of one file (lines, `max_line_bytes` policy, multi-line grouping). */
export type FileFramerFactory = () => { framer: Framer; multiline?: MultilineFramer };

/**
 * The state of one tailed file, held by its place on disk (`dev:ino`) so a rename is
 * followed. It knows three offsets, all in the file's own bytes (decompressed ones for
 * `.gz`): `read` (the next byte to read), the framer's `consumed` (just past the last byte
 * framed into an emitted event), and `tracked` (the end of the last range handed to the
 * checkpoint). A checkpoint never passes `consumed`, so a held partial line or multi-line
 * group is read again after a restart.
 */
export class FileReader {
  identity: FileIdentity | undefined;
  key: string | undefined;
  fd: number | undefined;
  /** A `.gz` file's decompressed stream while it is read. */
  inflated: Readable | undefined;
  /** Decompressed bytes taken from `inflated` so far (those before `read` are skipped). */
  decoded = 0;
  /** The `.gz` stream failed (a file still being written by gzip, or corrupt); retried when its size changes. */
  inflateError: Error | undefined;
  /** The `.gz` file's size when decompressing it last failed. */
  failedSize = -1;
  framer!: Framer;
  multiline: MultilineFramer | undefined;
  /** File offset where the current framer began (its offsets are relative to it). */
  base = 0;
  /** The next file offset to read. */
  read = 0;
  /** End of the last range tracked by the checkpoint. */
  tracked = 0;
  meta!: BatchMeta;
  /** In the read queue. */
  queued = false;
  /** Read to the end at the last attempt. */
  atEof = false;
  /** No longer found by the scan (deleted, or renamed out of `include`): read to its end, then released. */
  orphaned = false;
  /** A `.gz` file read to its end: never read again. */
  done = false;
  /** Re-check the fingerprint before reading: the file grew after being idle (it may have been rewritten). */
  verify = false;
  /** Scheduler time of the last read that returned data (or of discovery). */
  lastGrowth: number;
  /** Scheduler time of the last read (LRU for closing idle descriptors). */
  lastRead: number;
  /** An idle check is scheduled. */
  idleTimer = false;
  /** The idle check fired: the next turn that finds no new data flushes what is held, or releases an orphan. */
  idleDue = false;

  constructor(
    public path: string,
    readonly place: string,
    readonly inode: number,
    readonly gzip: boolean,
    /** Where a file without a checkpoint starts: 0, or its size when first seen (`read_from: end`). */
    public startAt: number,
    now: number,
    private readonly sourceId: string,
  ) {
    this.lastGrowth = now;
    this.lastRead = now;
    this.setPath(path);
  }

  setPath(path: string): void {
    this.path = path;
    this.meta = Object.freeze({ source: this.sourceId, input: 'file', path, inode: this.inode });
  }

  /** Starts framing afresh at `offset` (first read, resume, or a truncated file read from 0). */
  restart(offset: number, frame: FileFramerFactory): void {
    const { framer, multiline } = frame();
    this.framer = framer;
    this.multiline = multiline;
    this.base = offset;
    this.read = offset;
    this.tracked = offset;
  }

  /** File offset just past the last byte in an emitted event. */
  get consumed(): number {
    return this.base + this.framer.consumed;
  }

  /** Bytes read but not yet in an emitted event (a partial line, a held multi-line group). */
  get holding(): boolean {
    return this.consumed < this.read || this.multiline?.holding === true;
  }
}

/** Opens a file for reading; resolves with its descriptor. */
export function openFile(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r', (error, fd) => (error ? reject(error) : resolve(fd))));
}

/**
 * Closes a descriptor at once, ignoring errors (it is being released either way). Closing a
 * regular file does not block, and closing synchronously keeps the `max_open_files` bound
 * exact: the descriptor given up is gone before the next one is opened.
 */
export function closeFile(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/** Reads into `buffer` at file `position`; resolves with the bytes read (0 at the end). */
export function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, buffer.length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead))));
}

/** The size and place of an open file. */
export function statOpen(fd: number): Promise<{ size: number; place: string; ino: number }> {
  return new Promise((resolve, reject) =>
    fstat(fd, { bigint: true }, (error, stats) => (error ? reject(error) : resolve({ size: Number(stats.size), place: `${stats.dev}:${stats.ino}`, ino: Number(stats.ino) }))),
  );
}
