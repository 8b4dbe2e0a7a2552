import { DeliveryError } from '../../core/errors';

/**
 * Broker errors no retry of the same messages can cure: the message or its batch is wrong
 * for this topic (too large, invalid, a bad timestamp), or this client may not write there.
 * They go to the dead-letter queue with the broker's error text. kafkajs marks some of them
 * retriable (it would resend forever), so they are listed rather than read from its flag.
 */
const PERMANENT_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_REQUIRED_ACKS',
  'INVALID_PARTITIONS',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'POLICY_VIOLATION',
]);

/**
 * Errors about one record batch's content, where splitting the batch tells the good messages
 * from the bad: the broker rejects a partition's batch as a whole, so one oversized or
 * invalid message would otherwise take its neighbours to the dead-letter queue.
 */
const PER_MESSAGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP']);

/** kafkajs errors that mean the cluster is out of reach or busy: an outage, retried. */
const OUTAGE_NAMES: Readonly<Record<string, string>> = {
  KafkaJSConnectionError: 'connection',
  KafkaJSConnectionClosedError: 'connection',
  KafkaJSRequestTimeoutError: 'request_timeout',
  KafkaJSMetadataNotLoaded: 'metadata',
  KafkaJSTopicMetadataNotLoaded: 'metadata',
  KafkaJSBrokerNotFound: 'metadata',
  KafkaJSStaleTopicMetadataAssignment: 'metadata',
  KafkaJSLockTimeout: 'lock_timeout',
  KafkaJSSASLAuthenticationError: 'authentication',
};

/** A kafkajs error as read here, without `instanceof` (errors may come from another realm). */
interface KafkaErrorShape {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly message?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
  readonly code?: unknown;
}

/** A classified failure: what the retry stage and the metrics need to know. */
export interface KafkaFailure {
  readonly error: DeliveryError;
  /** The `error_type` label: the broker's error in lower case (`message_too_large`), or the kind of outage. */
  readonly errorType: string;
  /** The broker rejected a batch for its content: split it to find the messages at fault. */
  readonly perMessage: boolean;
  /** The topic's metadata is stale (it was deleted, a partition moved): refresh before the retry. */
  readonly staleMetadata: boolean;
}

/**
 * The innermost kafkajs error: its retrier wraps the last attempt's error in
 * KafkaJSNumberOfRetriesExceeded or KafkaJSNonRetriableError, which say nothing of the cause.
 */
function innermost(error: unknown): KafkaErrorShape {
  let current = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as KafkaErrorShape;
  for (let depth = 0; depth < 8; depth++) {
    const cause = current.cause;
    if (typeof cause !== 'object' || cause === null || cause === current) break;
    if (current.type !== undefined) break; // a protocol error: the broker's answer itself
    current = cause as KafkaErrorShape;
  }
  return current;
}

/**
 * Reads a failed produce request: permanent when the broker refused the messages themselves
 * or this client's rights (listed above), retryable when the cluster was out of reach, a
 * leader moved or a replica lagged (kafkajs's `retriable`, and any OS error). The broker's
 * error text is kept in the message, so the dead-letter queue says why.
 */
export function classifyKafkaError(thrown: unknown, where: string): KafkaFailure {
  const inner = innermost(thrown);
  const text = typeof inner.message === 'string' ? inner.message : String(thrown);
  const name = typeof inner.name === 'string' ? inner.name : 'Error';
  if (typeof inner.type === 'string') {
    const type = inner.type;
    const retryable = !PERMANENT_TYPES.has(type) && inner.retriable !== false;
    return {
      error: new DeliveryError(`kafka ${where}: ${type}: ${text}`, retryable, { cause: thrown }),
      errorType: type.toLowerCase(),
      perMessage: PER_MESSAGE_TYPES.has(type),
      staleMetadata: type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'NOT_LEADER_FOR_PARTITION' || type === 'LEADER_NOT_AVAILABLE',
    };
  }
  const outage = OUTAGE_NAMES[name];
  const systemCode = typeof inner.code === 'string' ? inner.code : undefined;
  // Not a broker answer: an outage (a refused connection, a timeout) is retried; what kafkajs
  // itself refuses for good (a codec not registered, an invalid topic name) is not.
  const retryable = outage !== undefined || systemCode !== undefined || inner.retriable !== false;
  const errorType = outage ?? (systemCode !== undefined ? 'connection' : retryable ? 'client' : 'client_rejected');
  return {
    error: new DeliveryError(`kafka ${where}: ${text}`, retryable, { cause: thrown }),
    errorType,
    perMessage: false,
    staleMetadata: outage === 'metadata',
  };
}
