import { Transform, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import { DecodedTooLarge, ZSTD_MAX_WINDOW, ZstdFrameGuard } from './zstd-guard';

export { DecodedTooLarge, ZSTD_MAX_WINDOW, ZstdFrameGuard } from './zstd-guard';

/**
 * A zstd decompressing stream bounded to `maxBytes` of output. fzstd (pure JS, streaming)
 * decompresses each pushed chunk synchronously, block by block (≤ 128 KiB each); counting in
 * its data callback stops a zip bomb within one block of the limit, and the frame guard
 * bounds the window it allocates. Node 20's zlib has no zstd, and the codec registry's zstd
 * (`compressionCodecs.get('zstd')`, libzstd) decodes a whole buffer with no bound on its
 * output, which a 1 KiB bomb turns into gigabytes: request bodies are decoded here instead.
 */
export function createZstdDecompress(maxBytes: number): Transform {
  const guard = new ZstdFrameGuard(maxBytes, Math.max(maxBytes, ZSTD_MAX_WINDOW));
  let produced = 0;
  let output: Buffer[] = [];
  const decompressor = new Decompress((data) => {
    produced += data.length;
    if (produced > maxBytes) throw new DecodedTooLarge(maxBytes);
    // A copy: fzstd may hand out views of its window, which later blocks overwrite.
    if (data.length > 0) output.push(Buffer.from(data));
  });
  const flush = (stream: Transform): void => {
    for (const piece of output) stream.push(piece);
    output = [];
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        guard.check(chunk);
        decompressor.push(chunk);
        flush(this);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        if (!guard.complete) throw new Error('zstd stream ends inside a frame (truncated)');
        decompressor.push(new Uint8Array(0), true);
        flush(this);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
