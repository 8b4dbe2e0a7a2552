import { boolean, bytes, duration, integer, list, object, oneOf, optional, string, type InferOut, type SchemaIssue } from '../../config/schema';
import { checkKafkaConnection, kafkaConnectionOptions } from '../../kafka/connection';
import { deadLetterOptionsShape } from '../../transforms/dead-letter';
import { TOPIC_NAME } from '../../sinks/kafka/options';
import { KAFKA_DECODINGS } from './decode';

/** The `type: kafka` source options (the common source options are added by the kit). */
export const kafkaSourceOptions = {
  ...kafkaConnectionOptions,
  topics: list(string({ description: 'A topic name, or a regular expression between slashes (`/^logs-.*/`) matched against the topics that exist when the consumer subscribes.' }), {
    description: 'Topics to consume.',
    example: ['logs', '/^app-.*-logs$/'],
    minItems: 1,
  }),
  group_id: string({ description: 'The consumer group: instances with the same group share the partitions, and the group\'s committed offsets are where a restarted or new member resumes.', example: 'sluice-aggregators', pattern: /^\S+$/ }),
  from_beginning: boolean({
    description: 'Where a group without a committed offset for a partition starts: at the oldest message kept (true), or at the newest, reading only what is produced from then on (false).',
    default: true,
    example: false,
  }),
  decoding: oneOf(KAFKA_DECODINGS, {
    description: '`json`: the value is a JSON object whose keys become the event\'s fields; `text`: the value (UTF-8) is `message`; `raw`: `message` is the value in base64. A value that cannot be decoded this way (and an empty value) goes to the dead-letter queue with its coordinates, and its offset is committed once it is written there.',
    default: 'json',
    example: 'text',
  }),
  metadata_field: optional(string({ description: 'Also write the Kafka coordinates (`topic`, `partition`, `offset`, `key`, `headers`, `timestamp`) into this top-level field of each event. They are always kept as metadata beside it.', example: 'kafka', pattern: /^[^.\s]+$/ })),
  session_timeout: duration({ description: 'A member that sent no heartbeat for this long is out of the group and its partitions move.', default: 30_000, example: '10s', min: 1000 }),
  heartbeat_interval: duration({ description: 'How often the member tells the group it is alive (well under `session_timeout`).', default: 3000, example: '1s', min: 100 }),
  rebalance_timeout: duration({ description: 'How long the group waits for every member to rejoin during a rebalance.', default: 60_000, example: '30s', min: 1000 }),
  revoke_grace: duration({
    description: 'After a rebalance, how long acknowledgements of what this member read before it still count toward its commits. What settles later is read again by the partition\'s owner (duplicates, never a loss).',
    default: 5000,
    example: '10s',
    min: 0,
  }),
  commit_interval: duration({ description: 'Acknowledged offsets are committed at most this often (and at every rebalance and at shutdown).', default: 1000, example: '5s', min: 10 }),
  max_bytes_per_partition: bytes({ description: 'Most bytes one fetch returns for one partition.', default: 1024 * 1024, example: '4MiB', min: 1024 }),
  max_bytes: bytes({ description: 'Most bytes one fetch returns in all.', default: 10 * 1024 * 1024, example: '50MiB', min: 1024 }),
  max_wait: duration({ description: 'Longest a fetch waits on the broker for data.', default: 500, example: '100ms', min: 1 }),
  request_timeout: duration({ description: 'Longest one request to a broker may take.', default: 30_000, example: '10s', min: 1 }),
  dead_letter: optional(object(deadLetterOptionsShape, { description: 'Where undecodable (poison) messages go, with their topic, partition, offset, key, headers and error. Absent: the defaults, in `<data_dir>/dead_letter/<source id>`.' })),
  partitions_concurrently: integer({ description: 'Partitions whose fetched batches are decoded and emitted at once.', default: 1, example: 4, min: 1, max: 256 }),
};

/** The validated kafka source options. */
export type KafkaSourceConfig = InferOut<typeof kafkaSourceOptions>;

/** A `topics` entry between slashes is a regular expression. */
export function topicMatcher(entry: string): string | RegExp {
  return entry.length > 2 && entry.startsWith('/') && entry.endsWith('/') ? new RegExp(entry.slice(1, -1)) : entry;
}

/** What the option types alone cannot see. */
export function checkKafkaSourceOptions(config: KafkaSourceConfig): SchemaIssue[] {
  const issues = checkKafkaConnection(config);
  config.topics.forEach((entry, index) => {
    try {
      const matcher = topicMatcher(entry);
      if (typeof matcher === 'string' && !TOPIC_NAME.test(matcher)) issues.push({ path: ['topics', index], message: `"${entry}" is not a legal topic name (letters, digits, ".", "_", "-"; at most 249); write a regular expression between slashes` });
    } catch (error) {
      issues.push({ path: ['topics', index], message: `not a regular expression: ${(error as Error).message}` });
    }
  });
  if (config.heartbeat_interval >= config.session_timeout) issues.push({ path: ['heartbeat_interval'], message: `must be shorter than session_timeout (${config.session_timeout} ms)` });
  return issues;
}
