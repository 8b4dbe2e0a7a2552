import type { KafkaMessage } from 'kafkajs';
import { eventMeta, type LogEvent } from '../../../../src/core/event';
import { decodeMessage, type DecodedMessage } from '../../../../src/sources/kafka/decode';
import { checkKafkaSourceOptions } from '../../../../src/sources/kafka/options';
import { kafkaSource } from '../../../../src/sources/kafka';
import { configIssues, parseConfig } from '../../../helpers/context';

const at = { topic: 'logs', partition: 2 };
function message(value: Buffer | string | null, extra: Partial<KafkaMessage> = {}): KafkaMessage {
  return { key: Buffer.from('host-1'), value: typeof value === 'string' ? Buffer.from(value) : value, timestamp: '1700000000123', attributes: 0, offset: '41', headers: { trace: Buffer.from('abc') }, ...extra } as KafkaMessage;
}

/** The event as a sink ships it (its metadata stays beside it, unserialised). */
const shipped = (decoded: DecodedMessage): unknown => ('event' in decoded ? JSON.parse(JSON.stringify(decoded.event)) : decoded);

describe('decodeMessage', () => {
  it('json: the object becomes the event, the Kafka timestamp fills a missing timestamp, the coordinates go beside it', () => {
    const decoded = decodeMessage(message('{"message":"hi","level":"info"}'), at, 'json', undefined);
    expect(shipped(decoded)).toEqual({ message: 'hi', level: 'info', timestamp: '2023-11-14T22:13:20.123Z' });
    expect(eventMeta((decoded as { event: LogEvent }).event)).toEqual({ topic: 'logs', partition: 2, offset: 41, key: 'host-1', kafka_timestamp: 1700000000123, 'header.trace': 'abc' });
  });

  it('keeps an event\'s own timestamp and adds the coordinates as a field when asked', () => {
    const decoded = decodeMessage(message('{"timestamp":"2020-01-01T00:00:00.000Z"}'), at, 'json', 'kafka');
    expect(shipped(decoded)).toEqual({ timestamp: '2020-01-01T00:00:00.000Z', kafka: { topic: 'logs', partition: 2, offset: 41, key: 'host-1', headers: { trace: 'abc' }, timestamp: '2023-11-14T22:13:20.123Z' } });
  });

  it.each([
    ['{"broken"', 'json', /^value is not JSON: /],
    ['"a string"', 'json', /^value is a string, not a JSON object$/],
    ['null', 'json', /^value is null, not a JSON object$/],
    [Buffer.from([0xff, 0xfe, 0x41]), 'text', /^value is not valid UTF-8$/],
    [null, 'text', /^the message has no value$/],
    ['', 'raw', /^the message has no value$/],
  ] as const)('refuses %p as %s with a reason (a poison message)', (value, decoding, reason) => {
    const decoded = decodeMessage(message(value), at, decoding, undefined);
    expect('error' in decoded && decoded.error).toMatch(reason);
  });

  it('text keeps the value as the message; raw keeps any bytes as base64', () => {
    expect(decodeMessage(message('plain line'), at, 'text', undefined)).toMatchObject({ event: { message: 'plain line' } });
    expect(decodeMessage(message(Buffer.from([0xff, 0x00])), at, 'raw', undefined)).toMatchObject({ event: { message: '/wA=' } });
  });
});

describe('kafka source options', () => {
  it('takes topic names and regular expressions between slashes, and says what is wrong with the others', () => {
    const config = parseConfig(kafkaSource, { brokers: ['k:9092'], group_id: 'g', topics: ['logs', '/^app-.*$/', 'bad topic', '/(/'] });
    expect(checkKafkaSourceOptions(config)).toEqual([
      { path: ['topics', 2], message: '"bad topic" is not a legal topic name (letters, digits, ".", "_", "-"; at most 249); write a regular expression between slashes' },
      { path: ['topics', 3], message: expect.stringMatching(/^not a regular expression: /) },
    ]);
    expect(configIssues(kafkaSource, { brokers: ['k:9092'], topics: ['logs'] })).toEqual([expect.stringMatching(/^group_id: missing required option/)]);
  });

  it('needs the heartbeat well inside the session timeout', () => {
    const config = parseConfig(kafkaSource, { brokers: ['k:9092'], group_id: 'g', topics: ['logs'], heartbeat_interval: '20s', session_timeout: '10s' });
    expect(checkKafkaSourceOptions(config)).toEqual([{ path: ['heartbeat_interval'], message: 'must be shorter than session_timeout (10000 ms)' }]);
  });
});
