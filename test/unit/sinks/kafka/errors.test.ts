import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError, KafkaJSSASLAuthenticationError } from 'kafkajs';
import { DeliveryError, isRetryable } from '../../../../src/core/errors';
import { classifyKafkaError } from '../../../../src/sinks/kafka/errors';

// kafkajs's own table of broker error codes: the errors the broker's answers turn into.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): KafkaJSProtocolError };

const CODES = { MESSAGE_TOO_LARGE: 10, LEADER_NOT_AVAILABLE: 5, NOT_LEADER_FOR_PARTITION: 6, REQUEST_TIMED_OUT: 7, TOPIC_AUTHORIZATION_FAILED: 29, INVALID_RECORD: 87, UNKNOWN_TOPIC_OR_PARTITION: 3, NOT_ENOUGH_REPLICAS: 19, CORRUPT_MESSAGE: 2, INVALID_TIMESTAMP: 32, CLUSTER_AUTHORIZATION_FAILED: 31 };

/** As kafkajs's retrier hands it over after its retries: wrapped. */
const exhausted = (error: Error): Error => new KafkaJSNumberOfRetriesExceeded(error, { retryCount: 2, retryTime: 100 });
// kafkajs's typings omit the options its constructors take at run time.
type WithOptions = new (e: Error | string, options?: { cause?: Error }) => Error;
const bailed = (error: Error): Error => new (KafkaJSNonRetriableError as unknown as WithOptions)(error, { cause: error });

describe('classifyKafkaError', () => {
  it.each([
    ['LEADER_NOT_AVAILABLE', true, false],
    ['NOT_LEADER_FOR_PARTITION', true, false],
    ['REQUEST_TIMED_OUT', true, false],
    ['NOT_ENOUGH_REPLICAS', true, false],
    ['UNKNOWN_TOPIC_OR_PARTITION', true, false],
    ['MESSAGE_TOO_LARGE', false, true],
    ['INVALID_RECORD', false, true],
    ['CORRUPT_MESSAGE', false, true],
    ['INVALID_TIMESTAMP', false, true],
    ['TOPIC_AUTHORIZATION_FAILED', false, false],
    ['CLUSTER_AUTHORIZATION_FAILED', false, false],
  ] as const)('%s: retryable %s, split to find the message at fault %s', (type, retryable, perMessage) => {
    const broker = createErrorFromCode(CODES[type]);
    for (const thrown of [broker, exhausted(broker), bailed(broker)]) {
      const failure = classifyKafkaError(thrown, 'produce to logs/0');
      expect(failure.error).toBeInstanceOf(DeliveryError);
      expect(failure.error.retryable).toBe(retryable);
      expect(isRetryable(failure.error)).toBe(retryable);
      expect(failure.perMessage).toBe(perMessage);
      expect(failure.errorType).toBe(type.toLowerCase());
      // The broker's own text survives the wrapping, for the dead-letter queue.
      expect(failure.error.message).toBe(`kafka produce to logs/0: ${type}: ${broker.message}`);
    }
  });

  it('marks metadata stale on errors that say a partition moved or a topic went away', () => {
    expect(classifyKafkaError(createErrorFromCode(CODES.NOT_LEADER_FOR_PARTITION), 'x').staleMetadata).toBe(true);
    expect(classifyKafkaError(createErrorFromCode(CODES.UNKNOWN_TOPIC_OR_PARTITION), 'x').staleMetadata).toBe(true);
    expect(classifyKafkaError(createErrorFromCode(CODES.MESSAGE_TOO_LARGE), 'x').staleMetadata).toBe(false);
  });

  it.each([
    ['a refused connection', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), 'connection'],
    ['a request timeout', new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'), 'request_timeout'],
    ['a failed login', new (KafkaJSSASLAuthenticationError as unknown as WithOptions)('SASL PLAIN authentication failed'), 'authentication'],
    ['an OS error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'connection'],
  ])('%s is an outage: retryable', (_what, error, errorType) => {
    for (const thrown of [error, exhausted(error)]) {
      const failure = classifyKafkaError(thrown, 'produce');
      expect(failure).toMatchObject({ errorType, perMessage: false });
      expect(failure.error.retryable).toBe(true);
    }
  });

  it('what kafkajs itself refuses for good (a codec not implemented) is permanent', () => {
    const failure = classifyKafkaError(new KafkaJSNonRetriableError('ZSTD compression not implemented'), 'produce');
    expect(failure).toMatchObject({ errorType: 'client_rejected', perMessage: false });
    expect(failure.error.retryable).toBe(false);
  });

  it('keeps the thrown error as the cause', () => {
    const thrown = createErrorFromCode(CODES.MESSAGE_TOO_LARGE);
    expect(classifyKafkaError(thrown, 'x').error.cause).toBe(thrown);
  });
});
