import { compressionCodecs, type CompressionName } from '../../operators/compress';
import { ENCODERS, type EncodingName } from '../../operators/encode';
import type { RequestOptions } from '../../operators/encode-requests';

/** The validated options of `sinkEncodingOptions`, plus the sink's `batch.max_bytes`. */
export interface EncodingConfig {
  readonly encoding: EncodingName;
  readonly compression: CompressionName;
  readonly compression_level?: number;
  readonly batch: { readonly max_bytes: number };
}

/** A sink's request builder options from its YAML options: encoder, codec, level, byte bound. */
export function requestOptions(config: EncodingConfig): RequestOptions {
  return {
    encoder: ENCODERS[config.encoding],
    codec: compressionCodecs.get(config.compression),
    level: config.compression_level,
    maxBytes: config.batch.max_bytes,
  };
}
