import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from '../observability/logger';
import type { KafkaConnectionConfig } from './connection';
import { kafkaLogCreator, kafkaLogLevel } from './log';

/** Node TLS options of the `tls:` block (PEM files read once, at creation). */
function tlsOptions(tls: NonNullable<KafkaConnectionConfig['tls']>): ConnectionOptions {
  return {
    ca: tls.ca_file === undefined ? undefined : readFileSync(tls.ca_file),
    cert: tls.cert_file === undefined ? undefined : readFileSync(tls.cert_file),
    key: tls.key_file === undefined ? undefined : readFileSync(tls.key_file),
    rejectUnauthorized: tls.verify_certificate,
    servername: tls.server_name,
  };
}

/**
 * A kafkajs client of the connection options, logging into sluice's logger. kafkajs's own
 * retries are kept short (a leader move or a dropped connection is absorbed, an outage
 * reaches sluice's retry stage, circuit breaker and readiness quickly); `requestTimeoutMs`
 * is the component's.
 */
export function createKafkaClient(config: KafkaConnectionConfig, logger: Logger, requestTimeoutMs: number): Kafka {
  const options: KafkaJsConfig = {
    brokers: [...config.brokers],
    clientId: config.client_id,
    connectionTimeout: config.connection_timeout,
    requestTimeout: requestTimeoutMs,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logCreator: kafkaLogCreator(logger),
    logLevel: kafkaLogLevel(logger),
  };
  if (config.sasl) options.sasl = { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as SASLOptions;
  if (config.tls) options.ssl = tlsOptions(config.tls);
  return new Kafka(options);
}
