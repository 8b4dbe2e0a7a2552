import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import { boolean, duration, list, object, oneOf, optional, string, type InferOut, type SchemaIssue } from '../config/schema';
import type { Logger } from '../observability/logger';
import { kafkaLogCreator, kafkaLogLevel } from './log';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/**
 * How a Kafka component reaches the cluster: the options the `kafka` sink and source share,
 * spelled and documented once.
 */
export const kafkaConnectionOptions = {
  brokers: list(string({ description: 'A bootstrap broker, `host:port`.', pattern: /^[^\s:]+:\d{1,5}$/ }), {
    description: 'Bootstrap brokers (`host:port`); the client discovers the rest of the cluster from them.',
    example: ['kafka-1:9092', 'kafka-2:9092'],
    minItems: 1,
  }),
  client_id: string({ description: 'The client id the broker logs and quotas see.', default: 'sluice', example: 'sluice-edge' }),
  connection_timeout: duration({ description: 'Longest wait to open a connection to a broker.', default: 3000, example: '10s', min: 1 }),
  sasl: optional(
    object(
      {
        mechanism: oneOf(SASL_MECHANISMS, { description: 'SASL mechanism.', example: 'scram-sha-512' }),
        username: string({ description: 'SASL user.', example: 'sluice' }),
        password: string({ description: 'SASL password (write `${KAFKA_PASSWORD}` to take it from the environment).', example: '${KAFKA_PASSWORD}' }),
      },
      { description: 'Authenticate with SASL. Absent: no authentication.' },
    ),
  ),
  tls: optional(
    object(
      {
        ca_file: optional(string({ description: 'PEM file of the CA(s) to trust; absent: the system CAs.', example: '/etc/sluice/kafka-ca.pem' })),
        cert_file: optional(string({ description: 'PEM client certificate (mutual TLS).', example: '/etc/sluice/client.crt' })),
        key_file: optional(string({ description: 'PEM private key of `cert_file`.', example: '/etc/sluice/client.key' })),
        verify_certificate: boolean({ description: "Verify the brokers' certificates and host names. Turn off only for testing.", default: true, example: false }),
        server_name: optional(string({ description: 'The name to verify the certificate against (SNI), when it differs from the broker host.', example: 'kafka.internal' })),
      },
      { description: 'Connect with TLS. Absent: plain text.' },
    ),
  ),
};

/** The validated connection options. */
export type KafkaConnectionConfig = InferOut<typeof kafkaConnectionOptions>;

/** What the connection option types alone cannot see. */
export function checkKafkaConnection(config: KafkaConnectionConfig): SchemaIssue[] {
  if (config.tls && (config.tls.cert_file === undefined) !== (config.tls.key_file === undefined)) {
    return [{ path: ['tls'], message: 'tls.cert_file and tls.key_file go together (a client certificate needs its key)' }];
  }
  return [];
}

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
