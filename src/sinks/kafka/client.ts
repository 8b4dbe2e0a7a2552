import { CompressionCodecs, CompressionTypes, type Kafka } from 'kafkajs';
import { createKafkaClient } from '../../kafka/client';
import type { Logger } from '../../observability/logger';
import type { KafkaCompression, KafkaConfig } from './options';

/** kafkajs's compression type of each `compression:` value. */
export const COMPRESSION_TYPES: Readonly<Record<KafkaCompression, CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** Whether kafkajs can compress with `compression` (snappy, lz4 and zstd need a registered codec). */
export function codecAvailable(compression: KafkaCompression): boolean {
  if (compression === 'none') return true;
  const lookup = (CompressionCodecs as Record<number, (() => unknown) | undefined>)[COMPRESSION_TYPES[compression]];
  try {
    return lookup !== undefined && lookup() !== undefined;
  } catch {
    // No codec library for it: kafkajs's own entry for an unregistered codec throws, as does
    // ours when the codec's native binary is missing. Validation then reports it unavailable.
    return false;
  }
}

/**
 * The kafkajs client of a sink's options (see {@link createKafkaClient}). The socket timeout
 * is the broker's `ack_timeout` plus a margin, so a slow acknowledgement is the broker's
 * answer, not a client timeout; the idempotent producer keeps kafkajs's unlimited retries,
 * which its sequence numbers depend on (set where the producer is made).
 */
export function createSinkClient(config: KafkaConfig, logger: Logger): Kafka {
  return createKafkaClient(config, logger, config.ack_timeout + 5000);
}
