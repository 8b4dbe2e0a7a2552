/** The levels a codec accepts, and the one it uses when none is configured. */
export interface CompressionLevels {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/**
 * One compression codec. Codecs work on whole request bodies (never per event) and are
 * async so that the work runs on libuv's thread pool (zlib, napi async tasks), off the
 * event loop.
 *
 * The output of gzip, snappy, lz4 and zstd is a self-delimiting stream whose concatenation
 * with another is a valid stream of the same format, so a file sink may append one
 * compressed request per write and `zcat`, `lz4 -d`, `zstd -d` read the whole file;
 * their `decompress` reads such concatenations too. `deflate` (the zlib format) is not.
 */
export interface CompressionCodec {
  readonly name: string;
  /** The HTTP `Content-Encoding` of its output; absent for `none`. */
  readonly contentEncoding?: string;
  /** Appended to file and object names (`.gz`); empty for `none`. */
  readonly extension: string;
  /** Accepted levels and the default; absent when the codec has no level. */
  readonly levels?: CompressionLevels;
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
  /**
   * Why the codec cannot run on this machine (its native binary did not load), checked
   * when a config is validated; absent when it can.
   */
  unavailable?(): string | undefined;
}
