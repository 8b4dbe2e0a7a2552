import { Partitioners, type Admin, type Kafka, type PartitionMetadata } from 'kafkajs';
import type { LogEvent } from '../../src/core/event';
import type { Sink } from '../../src/core/sink';
import { metricValue } from '../helpers/context';
import { KAFKA_BROKERS } from '../services/coordinates';
import { assertReachable } from '../services/reachable';
import { consume, createTopics, sendEvents, startSink, testClient, topicName } from './kafka-sink-helpers';

const kafka: Kafka = testClient();
let admin: Admin;
const created: string[] = [];
const sinks: Sink[] = [];

async function topics(...specs: Array<{ prefix: string; partitions?: number; config?: Record<string, string> }>): Promise<string[]> {
  const named = specs.map((spec) => ({ ...spec, topic: topicName(spec.prefix) }));
  await createTopics(admin, named);
  created.push(...named.map(({ topic }) => topic));
  return named.map(({ topic }) => topic);
}

async function sink(options: Record<string, unknown>): ReturnType<typeof startSink> {
  const started = await startSink(options);
  sinks.push(started.sink);
  return started;
}

beforeAll(async () => {
  await assertReachable('Kafka', KAFKA_BROKERS[0]);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.allSettled(sinks.map((started) => started.close()));
  await admin?.deleteTopics({ topics: created }).catch(() => undefined);
  await admin?.disconnect();
});

describe('kafka sink: routing', () => {
  it('puts each event on the topic its field names, and the rest on the fallback, counting why', async () => {
    const [fallback, orders, audit, spare] = await topics({ prefix: 'fallback' }, { prefix: 'orders' }, { prefix: 'audit' }, { prefix: 'spare' });
    // max_topics 4: the fallback, orders, audit and the missing one; `spare` exists but is over the bound.
    const { sink: out, context } = await sink({ topic: fallback, topic_field: 'route.to', max_topics: 4 });
    const events: LogEvent[] = [
      { message: 'o1', route: { to: orders } },
      { message: 'a1', route: { to: audit } },
      { message: 'o2', route: { to: orders } },
      { message: 'none' },
      { message: 'bad name', route: { to: 'no spaces allowed' } },
      { message: 'missing', route: { to: topicName('never-created') } },
      { message: 'over bound', route: { to: spare } },
    ];
    expect(await sendEvents(out, events)).toEqual({});

    const got = await consume(kafka, [fallback, orders, audit, spare], events.length);
    const byTopic = (topic: string): string[] => got.filter((m) => m.topic === topic).map((m) => (JSON.parse(m.value) as LogEvent).message as string);
    expect(byTopic(orders)).toEqual(['o1', 'o2']);
    expect(byTopic(audit)).toEqual(['a1']);
    expect(byTopic(fallback).sort()).toEqual(['bad name', 'missing', 'none', 'over bound']);
    expect(byTopic(spare)).toEqual([]);

    const rerouted = (reason: string): Promise<number> => metricValue(context.pipelineMetrics, 'sluice_kafka_rerouted_events_total', { reason });
    expect(await rerouted('missing_field')).toBe(1);
    expect(await rerouted('invalid_topic')).toBe(1);
    expect(await rerouted('unknown_topic')).toBe(1);
    expect(await rerouted('topic_limit')).toBe(1);
    expect(await metricValue(context.pipelineMetrics, 'sluice_kafka_messages_total', { topic: orders })).toBe(2);
    expect(await metricValue(context.pipelineMetrics, 'sluice_kafka_messages_total', { topic: fallback })).toBe(4);
  });

  it('ships keys, headers from fields, and `text` as the message alone', async () => {
    const [topic] = await topics({ prefix: 'headers' });
    const { sink: out } = await sink({ topic, key_field: 'host', headers: { service: 'service', status: 'http.status' }, encoding: 'text' });
    expect(await sendEvents(out, [{ message: 'GET /', host: 'web-1', service: 'api', http: { status: 200 } }, { message: 'no fields' }, { level: 'info' }])).toEqual({});
    const got = await consume(kafka, [topic], 3);
    expect(got.map(({ key, value, headers }) => ({ key, value, headers }))).toEqual([
      { key: 'web-1', value: 'GET /', headers: { service: 'api', status: '200' } },
      { key: null, value: 'no fields', headers: {} },
      { key: null, value: '{"level":"info"}', headers: {} },
    ]);
  });
});

describe('kafka sink: partitioners', () => {
  const PARTITIONS = 4;
  let metadata: PartitionMetadata[];

  async function partitioned(strategy: string, events: LogEvent[], extra: Record<string, unknown> = {}) {
    const [topic] = await topics({ prefix: strategy.replace('_', '-'), partitions: PARTITIONS });
    metadata = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions;
    const { sink: out } = await sink({ topic, partition_strategy: strategy, ...extra });
    const result = await sendEvents(out, events);
    return { topic, result };
  }

  it('hash: each key lands where the Java client puts it (murmur2), the same key always together', async () => {
    const events = Array.from({ length: 200 }, (_, i) => ({ message: `m${i}`, user: `user-${i % 25}` }));
    const { topic, result } = await partitioned('hash', events, { key_field: 'user' });
    expect(result).toEqual({});
    const got = await consume(kafka, [topic], events.length);
    const java = Partitioners.DefaultPartitioner();
    for (const message of got) expect(message.partition).toBe(java({ topic, partitionMetadata: metadata, message: { key: message.key, value: null } }));
    expect(new Set(got.map((m) => m.partition)).size).toBe(PARTITIONS);
  });

  it('round_robin: event by event over every partition', async () => {
    const events = Array.from({ length: 40 }, (_, i) => ({ message: `m${i}` }));
    const { topic, result } = await partitioned('round_robin', events);
    expect(result).toEqual({});
    const got = await consume(kafka, [topic], events.length);
    const counts = new Map<number, number>();
    for (const m of got) counts.set(m.partition, (counts.get(m.partition) ?? 0) + 1);
    expect([...counts.values()]).toEqual(Array(PARTITIONS).fill(events.length / PARTITIONS));
  });

  it('random: spreads events over every partition', async () => {
    const events = Array.from({ length: 400 }, (_, i) => ({ message: `m${i}` }));
    const { topic, result } = await partitioned('random', events);
    expect(result).toEqual({});
    const got = await consume(kafka, [topic], events.length);
    expect(got).toHaveLength(events.length);
    expect(new Set(got.map((m) => m.partition)).size).toBe(PARTITIONS);
  });

  it('manual: the partition from the field; an invalid one fails that event alone, permanently', async () => {
    const events: LogEvent[] = [
      { message: 'p3', shard: 3 },
      { message: 'p0', shard: 0 },
      { message: 'p2', shard: '2' },
      { message: 'too high', shard: 9 },
      { message: 'no shard' },
    ];
    const { topic, result } = await partitioned('manual', events, { partition_field: 'shard' });
    expect(result.failures?.map(({ index, retryable, error }) => ({ index, retryable, message: error.message }))).toEqual([
      { index: 3, retryable: false, message: expect.stringMatching(/partition 9 .* does not exist: topic .* has 4 partition/) },
      { index: 4, retryable: false, message: 'partition_field shard is missing' },
    ]);
    const got = await consume(kafka, [topic], 3);
    expect(Object.fromEntries(got.map((m) => [(JSON.parse(m.value) as LogEvent).message, m.partition]))).toEqual({ p3: 3, p0: 0, p2: 2 });
  });
});

describe('kafka sink: broker refusals', () => {
  it('a message over the topic max.message.bytes fails alone and permanently with the broker error; its neighbours, and other partitions, are delivered', async () => {
    const [topic] = await topics({ prefix: 'too-large', partitions: 2, config: { 'max.message.bytes': '4096' } });
    const { sink: out, context } = await sink({ topic, partition_strategy: 'manual', partition_field: 'p', max_request_bytes: '1MiB' });
    const events: LogEvent[] = [
      ...Array.from({ length: 6 }, (_, i) => ({ message: `small ${i}`, p: 0 })),
      { message: 'x'.repeat(10_000), p: 0 },
      ...Array.from({ length: 4 }, (_, i) => ({ message: `other ${i}`, p: 1 })),
    ];
    const result = await sendEvents(out, events);
    expect(result.failures).toHaveLength(1);
    const [failure] = result.failures ?? [];
    expect(failure).toMatchObject({ index: 6, retryable: false });
    expect(failure.error.message).toMatch(/MESSAGE_TOO_LARGE/);
    expect(failure.error.message).toMatch(/larger than the max message size/i); // the broker's own text
    expect(await metricValue(context.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'message_too_large' })).toBeGreaterThan(0);
    const got = await consume(kafka, [topic], 10);
    expect(got.filter((m) => m.partition === 0)).toHaveLength(6);
    expect(got.filter((m) => m.partition === 1)).toHaveLength(4);
  });

  it('does not start while its topic does not exist (an outage, retried), naming the topic', async () => {
    const missing = topicName('absent');
    await expect(startSink({ topic: missing })).rejects.toThrow(new RegExp(`kafka topic ${missing} cannot be written`));
  });
});

describe('kafka sink: delivery settings', () => {
  it.each([
    { required_acks: -1, idempotent: true },
    { required_acks: -1, idempotent: false },
    { required_acks: 1, idempotent: false },
    { required_acks: 0, idempotent: false },
  ])('delivers every event with %o', async (settings) => {
    const [topic] = await topics({ prefix: `acks${settings.required_acks}`, partitions: 2 });
    const { sink: out } = await sink({ topic, partition_strategy: 'round_robin', ...settings });
    const events = Array.from({ length: 500 }, (_, i) => ({ message: `m${i}` }));
    for (let i = 0; i < events.length; i += 100) expect(await sendEvents(out, events.slice(i, i + 100))).toEqual({});
    const got = await consume(kafka, [topic], events.length);
    expect(new Set(got.map((m) => m.value)).size).toBe(events.length);
    expect(got).toHaveLength(events.length);
  });

  it('cuts a partition batch by max_request_bytes into several requests, in order', async () => {
    const [topic] = await topics({ prefix: 'request-bytes', config: { 'max.message.bytes': '4096' } });
    // 2 KiB requests stay under the topic's 4 KiB limit, so 60 events of ~150 bytes go in several.
    const { sink: out } = await sink({ topic, max_request_bytes: '2KiB' });
    const events = Array.from({ length: 60 }, (_, i) => ({ message: `${i}`.padStart(120, '.') }));
    expect(await sendEvents(out, events)).toEqual({});
    const got = await consume(kafka, [topic], events.length);
    expect(got.map((m) => (JSON.parse(m.value) as LogEvent).message)).toEqual(events.map((e) => e.message));
  });
});
