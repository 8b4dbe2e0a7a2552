import { promisify } from 'node:util';
import { constants, deflate, gzip, gunzip, inflate } from 'node:zlib';

/** The compression names a sink's `compression:` option accepts (issue 11 adds snappy, lz4, zstd). */
export type CompressionName = 'none' | 'gzip' | 'deflate';

/** Every {@link CompressionName}, in the order the reference lists them. */
export const COMPRESSION_NAMES: readonly CompressionName[] = ['none', 'gzip', 'deflate'];

/**
 * One compression codec. Codecs work on whole request bodies (never per event) and are
 * async so that zlib's work runs on libuv's thread pool, off the event loop.
 */
export interface CompressionCodec {
  readonly name: string;
  /** The HTTP `Content-Encoding` of its output; absent for `none`. */
  readonly contentEncoding?: string;
  /** Appended to file and object names (`.gz`); empty for `none`. */
  readonly extension: string;
  /** Accepted levels and the default; absent when the codec has no level. */
  readonly levels?: { readonly min: number; readonly max: number; readonly default: number };
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

/** zlib's levels: 0 stores, 9 is smallest; 6 is zlib's own default (Vector's too). */
const ZLIB_LEVELS = { min: constants.Z_NO_COMPRESSION, max: constants.Z_BEST_COMPRESSION, default: 6 };

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

/** HTTP's `deflate`: the zlib format (RFC 1950), not raw deflate. */
export const deflateCodec: CompressionCodec = {
  name: 'deflate',
  contentEncoding: 'deflate',
  extension: '.zz',
  levels: ZLIB_LEVELS,
  compress: (data, level) => deflateAsync(data, { level: level ?? ZLIB_LEVELS.default }),
  decompress: (data) => inflateAsync(data),
};

/**
 * Codecs by name. The built-in registry holds `none`, `gzip` and `deflate`; a program (or a
 * later sluice version) registers more, one line each, before building a graph.
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

/** The codecs sluice ships. */
export const compressionCodecs = new CodecRegistry().register(noCompression, gzipCodec, deflateCodec);

/**
 * Checks `level` against the codec: a message when it is out of range or the codec has
 * no level, undefined when it is acceptable (or absent).
 */
export function checkCompressionLevel(codec: CompressionCodec, level: number | undefined): string | undefined {
  if (level === undefined) return undefined;
  if (!codec.levels) return `compression "${codec.name}" has no level`;
  const { min, max } = codec.levels;
  return level >= min && level <= max ? undefined : `compression "${codec.name}" takes a level from ${min} to ${max}`;
}
