import { createReadStream } from 'node:fs';

const NEWLINE = 10;

/** Read-chunk size every file scenario uses (sluice's and plain Node's alike). */
export const READ_CHUNK_BYTES = 1024 * 1024;

/** What one pass over a file saw. */
export interface SplitTotals {
  readonly bytes: number;
  readonly lines: number;
}

/**
 * Plain Node, no sluice: streams a file in 1 MiB chunks and hands every complete line
 * `buf[start, end)` of a chunk to `onChunk` as one batch, the way a hand-written reader
 * would (`Buffer.indexOf`, one carry buffer for the line split across chunks). This is
 * the floor the framework's overhead is measured against.
 */
export function splitFileLines(path: string, onLines: (buf: Buffer, starts: number[], ends: number[]) => void): Promise<SplitTotals> {
  return new Promise((resolve, reject) => {
    let carry: Buffer | undefined;
    let bytes = 0;
    let lines = 0;
    const starts: number[] = [];
    const ends: number[] = [];
    const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
    stream.on('data', (data: Buffer | string) => {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      bytes += chunk.length;
      const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      starts.length = 0;
      ends.length = 0;
      let start = 0;
      let newline: number;
      while ((newline = buf.indexOf(NEWLINE, start)) >= 0) {
        starts.push(start);
        ends.push(newline);
        start = newline + 1;
      }
      if (start < buf.length) carry = buf.subarray(start);
      lines += starts.length;
      onLines(buf, starts, ends);
    });
    stream.once('error', reject);
    stream.once('end', () => {
      if (carry && carry.length > 0) {
        lines += 1;
        onLines(carry, [0], [carry.length]);
      }
      resolve({ bytes, lines });
    });
  });
}
