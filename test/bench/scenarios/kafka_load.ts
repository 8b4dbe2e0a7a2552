import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_BROKERS } from '../../services/coordinates';
import { assertReachable } from '../../services/reachable';
import { ndjsonHeadFixture, warmPageCache } from '../fixtures';
import { scaled } from '../scenario';

/**
 * What the Kafka scenarios share, so sluice and the bare kafkajs producer send the same load:
 * the first lines of the NDJSON fixture (~200 bytes each) as one JSON message per line, sends
 * of the same number of messages, the same number in flight, `acks: -1`, no compression,
 * keyless messages spread round-robin over a fresh 3-partition topic on the shared broker.
 */
export const KAFKA_BENCH = {
  lines: scaled(200_000),
  batchEvents: 5000,
  concurrency: 2,
  partitions: 3,
} as const;

/** The scenario's input file, its size and line count (page-cached by `setup`). */
export interface KafkaBenchInput {
  path: string;
  bytes: number;
  lines: number;
}

const client = (): Kafka => new Kafka({ clientId: 'sluice-bench', brokers: [...KAFKA_BROKERS], logLevel: logLevel.NOTHING });

/** Creates the fixture head file (runner process, before any child). */
export function prepareInput(): void {
  ndjsonHeadFixture(KAFKA_BENCH.lines);
}

/** Reads the input into the page cache and creates a fresh topic named `topic`. */
export async function setupRun(topic: string): Promise<KafkaBenchInput> {
  await assertReachable('Kafka (bench)', KAFKA_BROKERS[0]);
  const path = ndjsonHeadFixture(KAFKA_BENCH.lines);
  const { bytes, lines } = warmPageCache(path);
  const admin = client().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.createTopics({ topics: [{ topic, numPartitions: KAFKA_BENCH.partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return { path, bytes, lines };
}

/** Messages in `topic` (the sum of its partitions' high watermarks), then the topic is removed. */
export async function countAndDrop(topic: string): Promise<number> {
  const admin = client().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.deleteTopics({ topics: [topic] });
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}
