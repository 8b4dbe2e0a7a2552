import { isUtf8 } from 'node:buffer';
import type { KafkaMessage } from 'kafkajs';
import type { SourceContext } from '../../components/context';
import type { JsonObject } from '../../core/event';
import { isoFromMillis } from '../../core/iso-time';
import type { DeadLetterEntry } from '../../dlq/entry';
import { DLQ_DEFAULTS, type DeadLetterStore } from '../../dlq/store';
import { DEAD_LETTERED_EVENTS_METRIC, openDeadLetterStore, type DeadLetterConfig } from '../../transforms/dead-letter';
import { headerStrings, type MessageCoordinates } from './decode';

/** A message that could not be decoded, and why. */
export interface PoisonMessage {
  readonly message: KafkaMessage;
  readonly error: string;
}

const DEFAULT_CONFIG: DeadLetterConfig = { path: undefined, max_bytes: DLQ_DEFAULTS.maxBytes, max_age: DLQ_DEFAULTS.maxAgeMs, max_segment_bytes: DLQ_DEFAULTS.maxSegmentBytes };

/**
 * The Kafka source's dead-letter queue: a poison message is written with its coordinates
 * and its value (as text when it is UTF-8, else base64 with `encoding: base64`), so it
 * never blocks its partition and can be inspected and replayed with `sluice dlq`. Its
 * offset counts as acknowledged once the write is on disk.
 */
export class PoisonQueue {
  private store: DeadLetterStore | undefined;
  private readonly written;

  constructor(
    private readonly config: DeadLetterConfig | undefined,
    private readonly ctx: SourceContext,
  ) {
    this.written = ctx.metrics.counter(DEAD_LETTERED_EVENTS_METRIC, 'Events written to a dead-letter queue after their delivery failed permanently.');
  }

  /** Writes `poison` of one partition; resolves once it is durable. */
  async write(poison: readonly PoisonMessage[], at: MessageCoordinates): Promise<void> {
    this.store ??= openDeadLetterStore(this.config ?? DEFAULT_CONFIG, this.ctx);
    const time = isoFromMillis(this.ctx.scheduler.now());
    const entries = poison.map(({ message, error }): DeadLetterEntry => ({
      time,
      component: this.ctx.id,
      error: `${error} (topic ${at.topic}, partition ${at.partition}, offset ${message.offset})`,
      attempts: 1,
      event: poisonEvent(message, at),
    }));
    try {
      await this.store.append(entries);
    } catch (error) {
      this.ctx.metrics.error('dead_letter_write');
      this.ctx.logger.error({ err: error, dir: this.store.dir, topic: at.topic, partition: at.partition }, 'kafka: writing undecodable messages to the dead-letter queue failed; their offsets are not committed');
      throw error;
    }
    this.written.inc(entries.length);
    this.ctx.logger.warn({ topic: at.topic, partition: at.partition, count: entries.length, first: entries[0]?.error, dir: this.store.dir }, 'kafka: undecodable messages written to the dead-letter queue');
  }
}

/** What is kept of a poison message: its value and every coordinate. */
function poisonEvent(message: KafkaMessage, at: MessageCoordinates): JsonObject {
  const value = message.value ?? Buffer.alloc(0);
  const text = isUtf8(value);
  const timestampMs = Number(message.timestamp);
  const kafka: JsonObject = { topic: at.topic, partition: at.partition, offset: Number(message.offset) };
  if (Number.isFinite(timestampMs)) kafka.timestamp = isoFromMillis(timestampMs);
  if (message.key !== null) kafka.key = message.key.toString();
  const headers = headerStrings(message.headers);
  if (Object.keys(headers).length > 0) kafka.headers = headers;
  const event: JsonObject = { message: value.toString(text ? 'utf8' : 'base64'), kafka };
  if (!text) event.encoding = 'base64';
  return event;
}
