import { CompressionCodecs, type Admin, type Kafka } from 'kafkajs';
import { COMPRESSION_TYPES } from '../../src/sinks/kafka/client';
import type { LogEvent } from '../../src/core/event';
import { KAFKA_BROKERS, KAFKA_SASL_BROKERS, KAFKA_SASL_PASSWORD, KAFKA_SASL_USERNAME } from '../services/coordinates';
import { assertReachable } from '../services/reachable';
import { consume, createTopics, sendEvents, startSink, testClient, topicName } from './kafka-sink-helpers';

// Compression codecs and SASL: each option group against the real broker, read back with a
// plain kafkajs consumer (which decodes snappy/lz4/zstd through the codecs the sink registered).

const kafka: Kafka = testClient();
let admin: Admin;
const created: string[] = [];

beforeAll(async () => {
  await assertReachable('Kafka', KAFKA_BROKERS[0]);
  await assertReachable('Kafka SASL listener', KAFKA_SASL_BROKERS[0]);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.deleteTopics({ topics: created }).catch(() => undefined);
  await admin?.disconnect();
});

async function freshTopic(prefix: string): Promise<string> {
  const topic = topicName(prefix);
  await createTopics(admin, [{ topic, partitions: 2 }]);
  created.push(topic);
  return topic;
}

const events = (count: number): LogEvent[] =>
  Array.from({ length: count }, (_, i) => ({ message: `GET /api/items/${i} 200 ${i * 7} bytes`, host: `web-${i % 3}`, seq: i }));

describe.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('kafka sink: compression %s', (compression) => {
  it('delivers batches a kafkajs consumer decodes back to the events sent', async () => {
    const topic = await freshTopic(`codec-${compression}`);
    const { sink } = await startSink({ topic, compression, key_field: 'host' });
    // Count the codec's compress calls: proof the batches went compressed, not just that they arrived.
    const registry = CompressionCodecs as unknown as Record<number, () => { compress(encoder: unknown): Promise<Buffer> }>;
    const type = COMPRESSION_TYPES[compression as keyof typeof COMPRESSION_TYPES];
    const original = registry[type];
    let compressed = 0;
    if (original) {
      registry[type] = () => {
        const codec = original();
        return { ...codec, compress: (encoder: unknown) => ((compressed += 1), codec.compress(encoder)) };
      };
    }
    try {
      const sent = events(2000);
      for (let i = 0; i < sent.length; i += 500) expect(await sendEvents(sink, sent.slice(i, i + 500))).toEqual({});
      if (original) registry[type] = original;
      expect(compressed).toBe(compression === 'none' ? 0 : 8); // 4 batches over 2 partitions
      const got = await consume(kafka, [topic], sent.length);
      const decoded = got.map((m) => JSON.parse(m.value) as LogEvent).sort((a, b) => (a.seq as number) - (b.seq as number));
      expect(decoded).toEqual(sent);
    } finally {
      if (original) registry[type] = original;
      await sink.close();
    }
  });
});

describe.each(['plain', 'scram-sha-256', 'scram-sha-512'])('kafka sink: SASL %s', (mechanism) => {
  it('authenticates as the sluice user and delivers', async () => {
    const topic = await freshTopic(`sasl-${mechanism}`);
    const { sink } = await startSink({ brokers: [...KAFKA_SASL_BROKERS], topic, sasl: { mechanism, username: KAFKA_SASL_USERNAME, password: KAFKA_SASL_PASSWORD } });
    try {
      expect(await sendEvents(sink, events(100))).toEqual({});
      expect(await consume(kafka, [topic], 100)).toHaveLength(100);
    } finally {
      await sink.close();
    }
  });

  it('does not start with a wrong password, saying why (an outage the lifecycle retries)', async () => {
    const topic = await freshTopic(`sasl-bad-${mechanism}`);
    await expect(startSink({ brokers: [...KAFKA_SASL_BROKERS], topic, connection_timeout: '2s', sasl: { mechanism, username: KAFKA_SASL_USERNAME, password: 'wrong-password' } })).rejects.toThrow(/SASL|authentic/i);
  });
});
