import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_BROKERS } from '../../services/coordinates';
import { registerKafkaCodecs } from '../../../src/kafka/codecs';
import { expectEvents, type Scenario } from '../scenario';
import { consumeInput, KAFKA_CONSUME, KAFKA_CONSUME_TOPIC } from './kafka_consume';

let input = { bytes: 0, lines: 0 };

/**
 * The bare-library floor under kafka_to_blackhole: one kafkajs consumer in a fresh group
 * reading the same topic with `eachBatch`, `JSON.parse` of every value and nothing else (no
 * acks, no commits, no pipeline), in this process, timed from connect until every message
 * was parsed. What sluice adds on top is the framework's cost.
 */
export const scenario: Scenario = {
  name: 'baseline_kafka_consume',
  description: `bare kafkajs consumer (eachBatch + JSON.parse), ${KAFKA_CONSUME.lines} messages on ${KAFKA_CONSUME.partitions} partitions, from connect until all parsed`,
  bytesBasis: 'message value bytes',
  async setup() {
    registerKafkaCodecs();
    input = await consumeInput();
  },
  async run() {
    const kafka = new Kafka({ clientId: 'sluice-bench-baseline', brokers: [...KAFKA_BROKERS], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `bench-baseline-${process.pid}-${Date.now()}`, maxBytes: 10 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024 });
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let parsed = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: [KAFKA_CONSUME_TOPIC], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          partitionsConsumedConcurrently: KAFKA_CONSUME.partitions,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) if (message.value !== null && JSON.parse(message.value.toString('utf8')) !== undefined) parsed++;
            if (parsed >= input.lines) resolve();
          },
        })
        .catch(reject);
    });
    const durationMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    await consumer.disconnect();
    expectEvents('baseline_kafka_consume', parsed, input.lines);
    return { events: parsed, bytes: input.bytes, durationMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  },
};
