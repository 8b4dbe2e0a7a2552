import { open } from 'node:fs/promises';

/** Bytes read from a segment per call: lines are found with `Buffer.indexOf` in each chunk. */
const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** Told about each complete line (without its newline); returns false to stop before it (it is left unread). */
export type LineVisitor = (line: Buffer, start: number, end: number) => boolean;

/** How far {@link readLines} got. */
export interface LinesRead {
  /** Offset just past the last line visited (where the next read starts). */
  readonly next: number;
  /** True when the end of the file was reached (not stopped by the visitor). */
  readonly eof: boolean;
  /** Bytes after the last newline at end of file: a line still being written, or torn by a crash. */
  readonly tailBytes: number;
  /** The file does not exist (deleted by a cap or a consumer meanwhile). */
  readonly missing: boolean;
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Visits the complete lines of `file` from byte `from`, reading in 1 MiB chunks (a longer
 * line grows the buffer). A final line without its newline is never visited: its size is
 * reported as `tailBytes` so the caller decides whether it is torn or still being written.
 */
export async function readLines(file: string, from: number, visit: LineVisitor): Promise<LinesRead> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isMissing(error)) return { next: from, eof: true, tailBytes: 0, missing: true };
    throw error;
  }
  try {
    let carry = Buffer.alloc(0);
    let position = from;
    let start = from;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, carry.length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return { next: start, eof: true, tailBytes: carry.length, missing: false };
      position += bytesRead;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let lineStart = 0;
      for (let newline = data.indexOf(NEWLINE); newline >= 0; newline = data.indexOf(NEWLINE, lineStart)) {
        const end = start + (newline + 1 - lineStart);
        if (!visit(data.subarray(lineStart, newline), start, end)) return { next: start, eof: false, tailBytes: 0, missing: false };
        start = end;
        lineStart = newline + 1;
      }
      carry = Buffer.from(data.subarray(lineStart));
    }
  } finally {
    await handle.close();
  }
}
