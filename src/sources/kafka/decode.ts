import { isUtf8 } from 'node:buffer';
import type { KafkaMessage } from 'kafkajs';
import { setEventMeta, type EventMeta, type JsonObject, type LogEvent } from '../../core/event';
import { isoFromMillis } from '../../core/iso-time';

export const KAFKA_DECODINGS = ['json', 'text', 'raw'] as const;
export type KafkaDecoding = (typeof KAFKA_DECODINGS)[number];

/** A message's event, or why it cannot be one (a poison message, for the dead-letter queue). */
export type DecodedMessage = { readonly event: LogEvent } | { readonly error: string };

/** Where a message sits, and what the producer sent beside its value. */
export interface MessageCoordinates {
  readonly topic: string;
  readonly partition: number;
}

const describe = (value: unknown): string => (Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`);

/** The message value as an event, by `decoding`; see the source's `decoding` option. */
function decodeValue(value: Buffer, decoding: KafkaDecoding): DecodedMessage {
  switch (decoding) {
    case 'raw':
      return { event: { message: value.toString('base64') } };
    case 'text':
      return isUtf8(value) ? { event: { message: value.toString('utf8') } } : { error: 'value is not valid UTF-8' };
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value.toString('utf8'));
      } catch (error) {
        return { error: `value is not JSON: ${(error as Error).message}` };
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: `value is ${describe(parsed)}, not a JSON object` };
      return { event: parsed as LogEvent };
    }
  }
}

/** Header values as strings (UTF-8), a repeated header's values joined with a comma. */
export function headerStrings(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map((part) => part.toString()).join(',') : value.toString();
  }
  return out;
}

/**
 * One Kafka message as an event. The Kafka coordinates travel beside it as event metadata
 * (`topic`, `partition`, `offset`, `key`, `kafka_timestamp` in ms, and `header.<name>`), and
 * into the field `metadataField` when set. An event without a string `timestamp` takes the
 * message's Kafka timestamp. An empty value (a tombstone) is an error like any undecodable one.
 */
export function decodeMessage(message: KafkaMessage, at: MessageCoordinates, decoding: KafkaDecoding, metadataField: string | undefined): DecodedMessage {
  if (message.value === null || message.value.length === 0) return { error: 'the message has no value' };
  const decoded = decodeValue(message.value, decoding);
  if (!('event' in decoded)) return decoded;
  const event = decoded.event;
  const timestampMs = Number(message.timestamp);
  if (typeof event.timestamp !== 'string' && Number.isFinite(timestampMs)) event.timestamp = isoFromMillis(timestampMs);
  const offset = Number(message.offset);
  const key = message.key === null ? undefined : message.key.toString();
  const meta: EventMeta = { topic: at.topic, partition: at.partition, offset };
  if (Number.isFinite(timestampMs)) meta.kafka_timestamp = timestampMs;
  if (key !== undefined) meta.key = key;
  const headers = message.headers === undefined ? undefined : headerStrings(message.headers);
  if (headers !== undefined) for (const name of Object.keys(headers)) meta[`header.${name}`] = headers[name];
  setEventMeta(event, meta);
  if (metadataField !== undefined) {
    const fields: JsonObject = { topic: at.topic, partition: at.partition, offset };
    if (Number.isFinite(timestampMs)) fields.timestamp = isoFromMillis(timestampMs);
    if (key !== undefined) fields.key = key;
    if (headers !== undefined && Object.keys(headers).length > 0) fields.headers = headers;
    event[metadataField] = fields;
  }
  return { event };
}

/** A fetched batch's messages, decoded: the events (and their value bytes) and the poison. */
export interface DecodedBatch {
  readonly events: LogEvent[];
  readonly poison: Array<{ readonly message: KafkaMessage; readonly error: string }>;
  readonly bytes: number;
}

/** Decodes `messages` of one partition (see {@link decodeMessage}). */
export function decodeBatch(messages: readonly KafkaMessage[], at: MessageCoordinates, decoding: KafkaDecoding, metadataField: string | undefined): DecodedBatch {
  const events: LogEvent[] = [];
  const poison: Array<{ message: KafkaMessage; error: string }> = [];
  let bytes = 0;
  for (const message of messages) {
    const decoded = decodeMessage(message, at, decoding, metadataField);
    if ('event' in decoded) {
      events.push(decoded.event);
      bytes += message.value?.length ?? 0;
    } else poison.push({ message, error: decoded.error });
  }
  return { events, poison, bytes };
}
