import { promisify } from 'node:util';
import { constants, deflate, gzip, gunzip, inflate } from 'node:zlib';
import type { CompressionCodec, CompressionLevels } from './codecs/codec';
import { lz4Codec } from './codecs/lz4';
import { snappyCodec } from './codecs/snappy';
import { zstdCodec } from './codecs/zstd';

export type { CompressionCodec, CompressionLevels } from './codecs/codec';
export { lz4Codec } from './codecs/lz4';
export { snappyCodec } from './codecs/snappy';
export { zstdCodec } from './codecs/zstd';

/** The compression names a sink's `compression:` option accepts. */
export type CompressionName = 'none' | 'gzip' | 'deflate' | 'snappy' | 'lz4' | 'zstd';

/** Every {@link CompressionName}, in the order the reference lists them. */
export const COMPRESSION_NAMES: readonly CompressionName[] = ['none', 'gzip', 'deflate', 'snappy', 'lz4', 'zstd'];

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

/** zlib's levels: 0 stores, 9 is smallest; 6 is zlib's own default (Vector's too). */
const ZLIB_LEVELS: CompressionLevels = { min: constants.Z_NO_COMPRESSION, max: constants.Z_BEST_COMPRESSION, default: 6 };

/** Passes bytes through: the payload is the encoded body itself, no copy. */
export const noCompression: CompressionCodec = {
  name: 'none',
  extension: '',
  compress: (data) => Promise.resolve(data),
  decompress: (data) => Promise.resolve(data),
};

/**
 * gzip (RFC 1952). Concatenated gzip members are one valid gzip stream, which is why a
 * file sink may append one member per write and `gunzip`/`zcat` still read the whole file.
 */
export const gzipCodec: CompressionCodec = {
  name: 'gzip',
  contentEncoding: 'gzip',
  extension: '.gz',
  levels: ZLIB_LEVELS,
  compress: (data, level) => gzipAsync(data, { level: level ?? ZLIB_LEVELS.default }),
  decompress: (data) => gunzipAsync(data),
};

/**
 * HTTP's `deflate`: the zlib format (RFC 1950), not raw deflate. Unlike the others, two
 * zlib streams appended are not one stream: a file sink with `deflate` writes files that
 * `decompress` reads only up to the end of their first write.
 */
export const deflateCodec: CompressionCodec = {
  name: 'deflate',
  contentEncoding: 'deflate',
  extension: '.zz',
  levels: ZLIB_LEVELS,
  compress: (data, level) => deflateAsync(data, { level: level ?? ZLIB_LEVELS.default }),
  decompress: (data) => inflateAsync(data),
};

/**
 * Codecs by name. The built-in registry holds every {@link CompressionName}; a program
 * registers more, one line each, before building a graph.
 */
export class CodecRegistry {
  private readonly codecs = new Map<string, CompressionCodec>();

  /** Adds codecs; a name registered twice is a programming error. */
  register(...codecs: CompressionCodec[]): this {
    for (const codec of codecs) {
      if (this.codecs.has(codec.name)) throw new Error(`compression codec "${codec.name}" is already registered`);
      this.codecs.set(codec.name, codec);
    }
    return this;
  }

  /** The codec called `name`; throws for an unknown name (validation should have caught it). */
  get(name: string): CompressionCodec {
    const codec = this.codecs.get(name);
    if (!codec) throw new RangeError(`unknown compression "${name}"; known: ${this.names().join(', ')}`);
    return codec;
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return [...this.codecs.keys()];
  }
}

/** The codecs sluice ships, one per {@link CompressionName}. */
export const compressionCodecs = new CodecRegistry().register(noCompression, gzipCodec, deflateCodec, snappyCodec, lz4Codec, zstdCodec);

/**
 * Checks a configured codec and level: a message when the codec cannot run here (its
 * native binary did not load), when the level is out of range or the codec has no level;
 * undefined when both are acceptable (a level may be absent).
 */
export function checkCompressionLevel(codec: CompressionCodec, level: number | undefined): string | undefined {
  const unavailable = codec.unavailable?.();
  if (unavailable !== undefined) return `compression "${codec.name}" cannot run on this machine: ${unavailable}`;
  if (level === undefined) return undefined;
  if (!codec.levels) return `compression "${codec.name}" has no level`;
  const { min, max } = codec.levels;
  return level >= min && level <= max ? undefined : `compression "${codec.name}" takes a level from ${min} to ${max}`;
}
