import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { CompressionCodecs, CompressionTypes, Kafka, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../observability/logger';
import { kafkaLogCreator, kafkaLogLevel } from './log';
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
    return false; // kafkajs's placeholder throws "not implemented"
  }
}

/** Node TLS options of the `tls:` block (PEM files read once, at creation). */
function tlsOptions(tls: NonNullable<KafkaConfig['tls']>): ConnectionOptions {
  return {
    ca: tls.ca_file === undefined ? undefined : readFileSync(tls.ca_file),
    cert: tls.cert_file === undefined ? undefined : readFileSync(tls.cert_file),
    key: tls.key_file === undefined ? undefined : readFileSync(tls.key_file),
    rejectUnauthorized: tls.verify_certificate,
    servername: tls.server_name,
  };
}

/**
 * The kafkajs client of a sink's options. Its own retries are kept short (a leader move or a
 * dropped connection is absorbed within one send) so that an outage reaches sluice's retry
 * stage and circuit breaker quickly; the idempotent producer keeps kafkajs's unlimited
 * retries, which its sequence numbers depend on. The socket timeout is the broker's
 * `ack_timeout` plus a margin, so a slow acknowledgement is the broker's answer, not a
 * client timeout. Its logs go to sluice's logger.
 */
export function createKafkaClient(config: KafkaConfig, logger: Logger): Kafka {
  const options: KafkaJsConfig = {
    brokers: [...config.brokers],
    clientId: config.client_id,
    connectionTimeout: config.connection_timeout,
    requestTimeout: config.ack_timeout + 5000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logCreator: kafkaLogCreator(logger),
    logLevel: kafkaLogLevel(logger),
  };
  if (config.sasl) options.sasl = { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as SASLOptions;
  if (config.tls) options.ssl = tlsOptions(config.tls);
  return new Kafka(options);
}
