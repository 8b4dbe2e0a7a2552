import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type SASLOptions } from 'kafkajs';
import {
  KAFKA_BROKERS,
  KAFKA_SASL_BROKERS,
  KAFKA_SASL_PASSWORD,
  KAFKA_SASL_USERNAME,
} from '../services/coordinates';
import { assertReachable } from '../services/reachable';

// jest.config.ts sets testTimeout on the integration project, but Jest 30 only honours the
// top-level option, so the 5 s default would apply to these multi-second round trips.
jest.setTimeout(120_000);

const MESSAGES = 10_000;
const PARTITIONS = 3;

// WARN, not the default INFO: kafkajs logs every group join and connection at INFO. On a fresh
// broker the first group join may still log one "group coordinator is not available" ERROR while
// the broker creates __consumer_offsets; kafkajs retries it and the test is unaffected.
// kafkajs logs through console.error; a broker still loading its coordinator at start-up is
// retried by kafkajs itself and would print pages into a passing run. Failures come through
// the assertions.
const kafka = new Kafka({ clientId: 'sluice-services-test', brokers: [...KAFKA_BROKERS], logLevel: logLevel.NOTHING });

/** Consumes from `topic` as `groupId`, committing after every batch, until `expected` arrive. */
async function consumeAll(topic: string, groupId: string, expected: number): Promise<Map<string, number>> {
  const consumer = kafka.consumer({ groupId });
  const seen = new Map<string, number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${seen.size}/${expected} in 90 s`)), 90_000);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const key = m.key?.toString() ?? '';
              seen.set(key, (seen.get(key) ?? 0) + 1);
            }
            const next = (BigInt(batch.lastOffset()) + 1n).toString();
            await consumer.commitOffsets([{ topic, partition: batch.partition, offset: next }]);
            if (seen.size >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('Kafka test server', () => {
  let admin: Admin;
  const topic = `services-kafka-${randomUUID()}`;

  beforeAll(async () => {
    await assertReachable('Kafka', KAFKA_BROKERS[0]);
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('delivers 10,000 messages over 3 partitions to a consumer group that commits them all', async () => {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true })).toBe(true);

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (let start = 0; start < MESSAGES; start += 1000) {
      const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${start + i}`, value: `message ${start + i}` }));
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();

    const highWatermarks = await admin.fetchTopicOffsets(topic);
    expect(highWatermarks).toHaveLength(PARTITIONS);
    // Keyed messages spread over every partition, so the group really consumes from all three.
    for (const p of highWatermarks) expect(Number(p.high)).toBeGreaterThan(0);

    const groupId = `services-kafka-group-${randomUUID()}`;
    const seen = await consumeAll(topic, groupId, MESSAGES);
    expect(seen.size).toBe(MESSAGES);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);

    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = new Map(committed.partitions.map((p) => [p.partition, p.offset]));
    for (const p of highWatermarks) expect(byPartition.get(p.partition)).toBe(p.high);
  });

  it('refuses to auto-create a topic that a producer names without creating it', async () => {
    // Silent client: the broker's refusal is the expected outcome, not an error worth logging.
    const quiet = new Kafka({ clientId: 'sluice-services-test', brokers: [...KAFKA_BROKERS], logLevel: logLevel.NOTHING });
    const producer = quiet.producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 1 } });
    await producer.connect();
    try {
      await expect(
        producer.send({ topic: `services-kafka-missing-${randomUUID()}`, messages: [{ value: 'x' }] }),
      ).rejects.toThrow(/does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION|not exist/i);
    } finally {
      await producer.disconnect();
    }
  });

  describe.each<SASLOptions['mechanism']>(['plain', 'scram-sha-256', 'scram-sha-512'])('SASL %s listener', (mechanism) => {
    const saslClient = (password: string): Kafka =>
      new Kafka({
        clientId: 'sluice-services-test-sasl',
        brokers: [...KAFKA_SASL_BROKERS],
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        sasl: { mechanism, username: KAFKA_SASL_USERNAME, password } as SASLOptions,
      });

    it('accepts the sluice user', async () => {
      const saslAdmin = saslClient(KAFKA_SASL_PASSWORD).admin();
      await saslAdmin.connect();
      try {
        expect((await saslAdmin.describeCluster()).brokers).toHaveLength(1);
      } finally {
        await saslAdmin.disconnect();
      }
    });

    it('rejects a wrong password', async () => {
      const saslAdmin = saslClient('wrong-password').admin();
      await expect(saslAdmin.connect()).rejects.toThrow(/SASL|authentic/i);
      await saslAdmin.disconnect();
    });
  });
});
