import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type IHeaders, type KafkaConfig } from 'kafkajs';
import { createBatch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import type { SendResult, Sink } from '../../src/core/sink';
import { kafkaSink } from '../../src/sinks/kafka';
import { createKafkaSink } from '../../src/sinks/kafka/sink';
import { registerKafkaCodecs } from '../../src/kafka/codecs';
import { parseConfig, testContext, type TestContext } from '../helpers/context';
import { KAFKA_BROKERS } from '../services/coordinates';

/** One consumed message, decoded. */
export interface Consumed {
  readonly topic: string;
  readonly partition: number;
  readonly key: string | null;
  readonly value: string;
  readonly headers: Record<string, string>;
}

// The test's own consumers read what the sink compressed (snappy, lz4, zstd): the codecs are
// registered in kafkajs only once a kafka component is created, which the CLI tests never do here.
registerKafkaCodecs();

/** A plain client for the test's own admin and consumers (silent: refusals are expected outcomes). */
export function testClient(config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId: 'sluice-kafka-sink-test', brokers: [...KAFKA_BROKERS], logLevel: logLevel.NOTHING, ...config });
}

/** A fresh topic name with a readable prefix. */
export const topicName = (prefix: string): string => `kafka-sink-${prefix}-${randomUUID().slice(0, 8)}`;

/** Creates topics and waits for their leaders. */
export async function createTopics(admin: Admin, topics: ReadonlyArray<{ topic: string; partitions?: number; config?: Record<string, string> }>): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map(({ topic, partitions, config }) => ({
      topic,
      numPartitions: partitions ?? 1,
      configEntries: Object.entries(config ?? {}).map(([name, value]) => ({ name, value })),
    })),
  });
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name] = value.toString();
  return out;
}

/**
 * Reads every message of `topics` from the beginning until `expected` arrived, then waits
 * `lingerMs` more so a duplicate or a stray message would be seen too.
 */
export async function consume(kafka: Kafka, topics: readonly string[], expected: number, lingerMs = 500): Promise<Consumed[]> {
  const consumer = kafka.consumer({ groupId: `kafka-sink-test-${randomUUID()}` });
  const seen: Consumed[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`consumed ${seen.length}/${expected} messages of ${topics.join(', ')} in 60 s`)), 60_000);
      let lingering = false;
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            seen.push({ topic, partition, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers: headersOf(message.headers) });
            if (seen.length >= expected && !lingering) {
              lingering = true;
              clearTimeout(deadline);
              setTimeout(resolve, lingerMs);
            }
          },
        })
        .catch(reject);
      if (expected === 0) {
        clearTimeout(deadline);
        setTimeout(resolve, lingerMs + 3000);
      }
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** A started sink from YAML-shaped options (validated by the real parser), with its context. */
export async function startSink(options: Record<string, unknown>): Promise<{ sink: Sink; context: TestContext }> {
  const context = testContext({ id: 'kafka_out', type: 'kafka', kind: 'sink' });
  const config = parseConfig(kafkaSink, { brokers: [...KAFKA_BROKERS], ...options });
  const sink = createKafkaSink(config, context);
  try {
    await sink.start?.({ signal: new AbortController().signal });
  } catch (error) {
    await sink.close();
    throw error;
  }
  return { sink, context };
}

/** Sends events as one batch. */
export function sendEvents(sink: Sink, events: LogEvent[]): Promise<SendResult> {
  return sink.send(createBatch(events), { signal: new AbortController().signal });
}
