import type { CompressionCodec, CompressionLevels } from './codec';
import { nativeLibrary } from './native';

interface ZstdEncoder {
  encode(data: Buffer): Promise<Buffer>;
}
interface ZstdLibrary {
  Encoder: new (level: number) => ZstdEncoder;
  Decoder: new () => { decode(data: Buffer): Promise<Buffer> };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see nativeLibrary
const library = nativeLibrary('@toondepauw/node-zstd', () => require('@toondepauw/node-zstd') as ZstdLibrary);

/** zstd's regular levels; 3 is zstd's own default (the `zstd` command's too). Negative "fast" levels are not offered. */
const ZSTD_LEVELS: CompressionLevels = { min: 1, max: 22, default: 3 };

/** One encoder per level used: an encoder only holds its level, each encode gets its own context. */
const encoders = new Map<number, ZstdEncoder>();

function encoder(level: number): ZstdEncoder {
  if (!Number.isInteger(level) || level < ZSTD_LEVELS.min || level > ZSTD_LEVELS.max) throw new RangeError(`zstd takes a level from ${ZSTD_LEVELS.min} to ${ZSTD_LEVELS.max}, got ${level}`);
  let found = encoders.get(level);
  if (!found) {
    found = new (library.get().Encoder)(level);
    encoders.set(level, found);
  }
  return found;
}

let decoder: { decode(data: Buffer): Promise<Buffer> } | undefined;

/**
 * Zstandard (RFC 8878) standard frames, `.zst`, `Content-Encoding: zstd`; concatenated
 * frames are one valid stream, which `zstd -d` and `decompress` read whole.
 * `@toondepauw/node-zstd` (napi-rs over libzstd) compresses on the thread pool.
 */
export const zstdCodec: CompressionCodec = {
  name: 'zstd',
  contentEncoding: 'zstd',
  extension: '.zst',
  levels: ZSTD_LEVELS,
  compress: (data, level) => encoder(level ?? ZSTD_LEVELS.default).encode(data),
  // The library's decoder rejects an empty input ("incomplete frame"); no frames is no bytes.
  decompress: (data) => (data.length === 0 ? Promise.resolve(Buffer.alloc(0)) : (decoder ??= new (library.get().Decoder)()).decode(data)),
  unavailable: () => library.failure(),
};
