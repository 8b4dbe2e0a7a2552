import { Writable } from 'node:stream';
import pino from 'pino';
import { logLevel, type Kafka, type KafkaJSProtocolError, type PartitionMetadata, type ProducerRecord } from 'kafkajs';
import { createBatch } from '../../../../src/core/batch';
import type { LogEvent } from '../../../../src/core/event';
import type { Sink } from '../../../../src/core/sink';
import { kafkaSink } from '../../../../src/sinks/kafka';
import { kafkaLogCreator } from '../../../../src/kafka/log';
import { createKafkaSink } from '../../../../src/sinks/kafka/sink';
import { metricValue, parseConfig, testContext, type TestContext } from '../../../helpers/context';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): KafkaJSProtocolError };
const MESSAGE_TOO_LARGE = 10;
const LEADER_NOT_AVAILABLE = 5;
const UNKNOWN_TOPIC = 3;
const INVALID_RECORD = 87;

const partitions = (count: number): PartitionMetadata[] => Array.from({ length: count }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 1, replicas: [1], isr: [1] }));

/** A kafkajs stand-in: the broker's answer to each produce request comes from `answer`. */
function fakeKafka(topics: Record<string, number>, answer: (record: ProducerRecord) => void | Promise<void> = () => undefined) {
  const sends: ProducerRecord[] = [];
  const metadataCalls: string[] = [];
  const producer = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    send: jest.fn(async (record: ProducerRecord) => {
      sends.push(record);
      await answer(record);
      return [];
    }),
  };
  const admin = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    fetchTopicMetadata: jest.fn(async ({ topics: [topic] }: { topics: string[] }) => {
      metadataCalls.push(topic);
      if (!(topic in topics)) throw createErrorFromCode(UNKNOWN_TOPIC);
      return { topics: [{ name: topic, partitions: partitions(topics[topic]) }] };
    }),
  };
  const kafka = { producer: () => producer, admin: () => admin } as unknown as Pick<Kafka, 'producer' | 'admin'>;
  return { kafka, sends, producer, admin, metadataCalls };
}

async function started(options: Record<string, unknown>, fake: ReturnType<typeof fakeKafka>): Promise<{ sink: Sink; context: TestContext }> {
  const context = testContext({ id: 'k', type: 'kafka', kind: 'sink' });
  const sink = createKafkaSink(parseConfig(kafkaSink, { brokers: ['b:9092'], topic: 'logs', ...options }), context, fake.kafka);
  await sink.start?.({ signal: new AbortController().signal });
  return { sink, context };
}

const send = (sink: Sink, events: LogEvent[], signal = new AbortController().signal) => sink.send(createBatch(events), { signal });
const partitionOf = (record: ProducerRecord): number => record.messages[0].partition as number;

describe('kafka sink send', () => {
  it('sends one request per partition with the configured acks, timeout and compression, and counts messages per topic', async () => {
    const fake = fakeKafka({ logs: 2 });
    const { sink, context } = await started({ partition_strategy: 'manual', partition_field: 'p', required_acks: 1, ack_timeout: '5s', compression: 'gzip' }, fake);
    expect(await send(sink, [{ p: 0 }, { p: 1 }, { p: 0 }])).toEqual({});
    expect(fake.sends.map((r) => ({ topic: r.topic, acks: r.acks, timeout: r.timeout, compression: r.compression, partition: partitionOf(r), count: r.messages.length }))).toEqual([
      { topic: 'logs', acks: 1, timeout: 5000, compression: 1, partition: 0, count: 2 },
      { topic: 'logs', acks: 1, timeout: 5000, compression: 1, partition: 1, count: 1 },
    ]);
    expect(await metricValue(context.pipelineMetrics, 'sluice_kafka_messages_total', { topic: 'logs' })).toBe(3);
  });

  it('fails only the events of the partition that failed, retryably, with the error counted by type', async () => {
    const fake = fakeKafka({ logs: 3 }, (record) => {
      if (partitionOf(record) === 1) throw createErrorFromCode(LEADER_NOT_AVAILABLE);
    });
    const { sink, context } = await started({ partition_strategy: 'manual', partition_field: 'p' }, fake);
    const result = await send(sink, [{ p: 0 }, { p: 1 }, { p: 2 }, { p: 1 }]);
    expect(result.failures?.map(({ index, retryable }) => ({ index, retryable }))).toEqual([
      { index: 1, retryable: true },
      { index: 3, retryable: true },
    ]);
    expect(result.failures?.[0].error.message).toMatch(/^kafka produce to logs\/1: LEADER_NOT_AVAILABLE: /);
    expect(await metricValue(context.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'leader_not_available' })).toBe(1);
    expect(await metricValue(context.pipelineMetrics, 'sluice_kafka_messages_total', { topic: 'logs' })).toBe(2);
  });

  it('splits a batch the broker refuses as too large until only the oversized message fails, permanently, with the broker text', async () => {
    const fake = fakeKafka({ logs: 1 }, (record) => {
      if (record.messages.some((m) => String(m.value).length > 1000)) throw createErrorFromCode(MESSAGE_TOO_LARGE);
    });
    const { sink } = await started({}, fake);
    const events: LogEvent[] = Array.from({ length: 8 }, (_, i) => ({ message: i === 5 ? 'x'.repeat(2000) : `m${i}` }));
    const result = await send(sink, events);
    expect(result.failures).toHaveLength(1);
    expect(result.failures?.[0]).toMatchObject({ index: 5, retryable: false });
    expect(result.failures?.[0].error.message).toContain('MESSAGE_TOO_LARGE: The request included a message larger than the max message size the server will accept');
    const delivered = fake.sends.filter((r) => !r.messages.some((m) => String(m.value).length > 1000)).flatMap((r) => r.messages.map((m) => (JSON.parse(String(m.value)) as LogEvent).message));
    expect(delivered.sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm6', 'm7']);
  });

  it('bounds the splitting: a batch of only invalid records costs a bounded number of requests', async () => {
    const fake = fakeKafka({ logs: 1 }, () => {
      throw createErrorFromCode(INVALID_RECORD);
    });
    const { sink } = await started({}, fake);
    const result = await send(sink, Array.from({ length: 1000 }, (_, i) => ({ message: `m${i}` })));
    expect(result.failures).toHaveLength(1000);
    expect(result.failures?.every((f) => !f.retryable && /INVALID_RECORD/.test(f.error.message))).toBe(true);
    expect(fake.sends.length).toBeLessThanOrEqual(1 + 64);
  });

  it('sends the requests of one partition one after another, in event order', async () => {
    let inFlight = 0;
    let most = 0;
    const fake = fakeKafka({ logs: 1 }, async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((wake) => setTimeout(wake, 5));
      inFlight -= 1;
    });
    const { sink } = await started({ max_request_bytes: '1KiB' }, fake);
    const events = Array.from({ length: 40 }, (_, i) => ({ message: `${i}`.padStart(100, '.') }));
    expect(await send(sink, events)).toEqual({});
    expect(fake.sends.length).toBeGreaterThan(3);
    expect(most).toBe(1);
    expect(fake.sends.flatMap((r) => r.messages.map((m) => (JSON.parse(String(m.value)) as LogEvent).message))).toEqual(events.map((e) => e.message));
  });

  it('sends nothing once the deadline aborted the send (deliver already failed the batch)', async () => {
    const fake = fakeKafka({ logs: 1 });
    const { sink } = await started({}, fake);
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    await expect(send(sink, [{ message: 'late' }], controller.signal)).rejects.toThrow('deadline');
    expect(fake.sends).toEqual([]);
  });

  it('re-reads the metadata of a topic a send found stale', async () => {
    let fail = true;
    const fake = fakeKafka({ logs: 1 }, () => {
      if (fail) throw createErrorFromCode(UNKNOWN_TOPIC);
    });
    const { sink } = await started({}, fake);
    const before = fake.metadataCalls.length;
    expect((await send(sink, [{ message: 'a' }])).failures?.[0].retryable).toBe(true);
    fail = false;
    expect(await send(sink, [{ message: 'a' }])).toEqual({});
    expect(fake.metadataCalls.length).toBe(before + 1);
  });
});

describe('kafka sink lifecycle', () => {
  it('start() fails while the topic does not exist, naming it; healthy() checks it again', async () => {
    const topics: Record<string, number> = {};
    const fake = fakeKafka(topics);
    const context = testContext({ kind: 'sink' });
    const sink = createKafkaSink(parseConfig(kafkaSink, { brokers: ['b:9092'], topic: 'logs' }), context, fake.kafka);
    const signal = new AbortController().signal;
    await expect(sink.start?.({ signal })).rejects.toThrow(/^kafka topic logs cannot be written: kafka metadata of topic logs: UNKNOWN_TOPIC_OR_PARTITION/);
    topics.logs = 1;
    await expect(sink.start?.({ signal })).resolves.toBeUndefined();
    delete topics.logs;
    await expect(sink.healthy?.({ signal })).rejects.toThrow(/cannot be written/);
    await sink.close();
    expect(fake.producer.disconnect).toHaveBeenCalled();
    expect(fake.admin.disconnect).toHaveBeenCalled();
  });
});

describe('kafkajs logging', () => {
  it('goes to the sluice logger one level lower, never the console', () => {
    const lines: Array<{ level: number; msg: string; namespace: string; client: string; broker?: string }> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    });
    const console = jest.spyOn(globalThis.console, 'error').mockImplementation(() => undefined);
    const log = kafkaLogCreator(pino({ level: 'trace' }, stream))(logLevel.DEBUG);
    const entry = (level: logLevel, message: string) => ({ namespace: 'Connection', level, label: '', log: { timestamp: 'now', logger: 'kafkajs', message, broker: 'b:9092' } });
    log(entry(logLevel.ERROR, 'Connection error'));
    log(entry(logLevel.WARN, 'slow'));
    log(entry(logLevel.INFO, 'connected'));
    log(entry(logLevel.DEBUG, 'request'));
    expect(lines.map(({ level, msg, namespace, client, broker }) => ({ level, msg, namespace, client, broker }))).toEqual([
      { level: 40, msg: 'Connection error', namespace: 'Connection', client: 'kafkajs', broker: 'b:9092' },
      { level: 40, msg: 'slow', namespace: 'Connection', client: 'kafkajs', broker: 'b:9092' },
      { level: 20, msg: 'connected', namespace: 'Connection', client: 'kafkajs', broker: 'b:9092' },
      { level: 10, msg: 'request', namespace: 'Connection', client: 'kafkajs', broker: 'b:9092' },
    ]);
    expect(console).not.toHaveBeenCalled();
    console.mockRestore();
  });
});
