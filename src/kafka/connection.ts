import { boolean, duration, list, object, oneOf, optional, string, type InferOut, type SchemaIssue } from '../config/schema';

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
