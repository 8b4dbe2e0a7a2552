import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { FileReader } from './file-reader';

/**
 * Starts decompressing a `.gz` file from its beginning (streaming zlib, never the whole
 * file in memory). `wake` runs whenever the stream has data, ended, or failed, so the reader
 * gets its next turn; {@link nextInflated} then takes what is there.
 */
export function startInflating(reader: FileReader, fd: number, wake: () => void): void {
  const inflated = createReadStream('', { fd, start: 0, autoClose: false, highWaterMark: 256 * 1024 }).pipe(createGunzip({ chunkSize: 256 * 1024 }));
  reader.inflated = inflated;
  reader.decoded = 0;
  reader.inflateError = undefined;
  inflated.on('readable', wake);
  inflated.on('end', wake);
  inflated.on('error', (error: Error) => {
    reader.inflateError = error;
    wake();
  });
}

/** What the next turn of a `.gz` reader has: new decompressed bytes to frame, nothing yet, the end, or a failure. */
export type InflatedStep = { readonly kind: 'data'; readonly chunk: Buffer } | { readonly kind: 'wait' } | { readonly kind: 'end' } | { readonly kind: 'failed'; readonly error: Error };

/**
 * Takes the next decompressed chunk, skipping what lies before the reader's resume offset
 * (`read`: a restart decompresses from the start and frames only what was not acknowledged).
 */
export function nextInflated(reader: FileReader): InflatedStep {
  const inflated = reader.inflated;
  if (inflated === undefined) return { kind: 'wait' };
  if (reader.inflateError !== undefined) return { kind: 'failed', error: reader.inflateError };
  for (;;) {
    const chunk = inflated.read() as Buffer | null;
    if (chunk === null) return inflated.readableEnded ? { kind: 'end' } : { kind: 'wait' };
    const position = reader.decoded;
    reader.decoded += chunk.length;
    if (reader.decoded <= reader.read) continue;
    return { kind: 'data', chunk: position < reader.read ? chunk.subarray(reader.read - position) : chunk };
  }
}
