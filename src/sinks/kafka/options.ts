import { compilePath } from '../../core/field-path';
import { checkKafkaConnection, kafkaConnectionOptions } from '../../kafka/connection';
import { boolean, bytes, duration, integer, oneOf, optional, record, string, type InferOut, type SchemaIssue } from '../../config/schema';

/** Kafka's own rule for topic names (legal characters, at most 249 of them). */
export const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export const PARTITION_STRATEGIES = ['hash', 'random', 'round_robin', 'manual'] as const;
export type PartitionStrategy = (typeof PARTITION_STRATEGIES)[number];

export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];

export { SASL_MECHANISMS } from '../../kafka/connection';

/** The `type: kafka` options (the common sink options and blocks are added by the kit). */
export const kafkaOptions = {
  ...kafkaConnectionOptions,
  topic: string({
    description: 'The topic every event goes to; with `topic_field`, the fallback for events whose field is missing, not a legal topic name, names a topic that does not exist, or is over `max_topics`. It must exist: the sink checks it at start.',
    example: 'logs',
    pattern: TOPIC_NAME,
  }),
  topic_field: optional(string({ description: 'Route each event to the topic named by this field (dotted path).', example: 'kafka_topic' })),
  max_topics: integer({
    description: 'Most distinct topics `topic_field` may route to; events naming further topics go to `topic` (counted). Bounds the metadata kept and the per-topic metric series.',
    default: 100,
    example: 20,
    min: 1,
    max: 10_000,
  }),
  key_field: optional(string({ description: 'The message key comes from this field (strings as they are, other values as JSON); absent or missing: no key.', example: 'host' })),
  partition_strategy: oneOf(PARTITION_STRATEGIES, {
    description: '`hash`: murmur2 of the key, as the Java client does (events without a key go round-robin); `random`; `round_robin`: event by event over the partitions that have a leader; `manual`: the partition number in `partition_field`.',
    default: 'hash',
    example: 'round_robin',
  }),
  partition_field: optional(string({ description: 'With `partition_strategy: manual`, the field holding the partition number; an event without a valid one fails permanently.', example: 'partition' })),
  required_acks: integer({
    description: '`-1`: every in-sync replica has the message; `1`: the leader has it; `0`: fire-and-forget, acknowledged once written to the socket (lost if the broker drops it).',
    default: -1,
    example: 1,
    min: -1,
    max: 1,
  }),
  idempotent: boolean({ description: 'Idempotent producer: the broker drops duplicates of a resent request. Needs `required_acks: -1`; the client then retries a request itself until it succeeds.', default: false, example: true }),
  compression: oneOf(KAFKA_COMPRESSIONS, { description: 'Compression of each record batch, done by the Kafka client.', default: 'none', example: 'zstd' }),
  encoding: oneOf(['json', 'text'] as const, {
    description: '`json`: each event as one JSON object; `text`: the `message` only (events without a string message as JSON).',
    default: 'json',
    example: 'text',
  }),
  headers: optional(record(string({ description: 'The field (dotted path) the header value comes from.' }), { description: 'Message headers from event fields: header name → field path. Strings are sent as they are, other values as JSON; a missing field sends no header.', example: { service: 'service', trace_id: 'trace.id' } })),
  max_request_bytes: bytes({
    description: 'Most bytes of messages (before compression) in one produce request to one partition; keep it at or under the broker\'s `message.max.bytes`. A message larger than this fails alone, permanently.',
    default: 1024 * 1024,
    example: '4MiB',
    min: 1024,
  }),
  ack_timeout: duration({ description: 'How long the broker waits for the replicas `required_acks` asks for before answering REQUEST_TIMED_OUT.', default: 30_000, example: '10s', min: 1 }),
  metadata_max_age: duration({ description: 'Refresh the partitions of each topic this often (new partitions are used after it).', default: 300_000, example: '1m', min: 1000 }),
};

/** The validated kafka options. */
export type KafkaConfig = InferOut<typeof kafkaOptions>;

/** What the option types alone cannot see: options that constrain each other. */
export function checkKafkaOptions(config: KafkaConfig): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (config.partition_strategy === 'manual' && config.partition_field === undefined) {
    issues.push({ path: ['partition_field'], message: 'partition_strategy: manual needs partition_field (the field holding the partition number)' });
  }
  if (config.partition_strategy !== 'manual' && config.partition_field !== undefined) {
    issues.push({ path: ['partition_field'], message: 'partition_field is only read with partition_strategy: manual' });
  }
  if (config.idempotent && config.required_acks !== -1) {
    issues.push({ path: ['idempotent'], message: `idempotent needs required_acks: -1 (got ${config.required_acks})` });
  }
  issues.push(...checkKafkaConnection(config));
  const paths: Array<[string, string | undefined]> = [
    ['topic_field', config.topic_field],
    ['key_field', config.key_field],
    ['partition_field', config.partition_field],
    ...Object.entries(config.headers ?? {}).map(([name, path]): [string, string] => [`headers.${name}`, path]),
  ];
  for (const [option, path] of paths) {
    if (path === undefined) continue;
    try {
      compilePath(path);
    } catch (error) {
      issues.push({ path: option.split('.'), message: (error as Error).message });
    }
  }
  return issues;
}
