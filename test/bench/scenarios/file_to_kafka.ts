import { createReadStream } from 'node:fs';
import { pipeline } from '../../../src/index';
import { fromReadable } from '../../../src/sources/readable';
import { KAFKA_BROKERS } from '../../services/coordinates';
import { READ_CHUNK_BYTES } from '../baseline';
import { componentCount, runPipeline } from '../sluice';
import { expectEvents, type Scenario } from '../scenario';
import { countAndDrop, KAFKA_BENCH, prepareInput, setupRun, type KafkaBenchInput } from './kafka_load';

const topic = `bench-file-to-kafka-${process.pid}`;
let input: KafkaBenchInput = { path: '', bytes: 0, lines: 0 };

/**
 * The NDJSON fixture's head (page cache, 1 MiB reads) → json → the kafka sink into the shared
 * broker: one JSON message per event, `required_acks: -1`, batches and sends in flight as
 * `baseline_kafka_produce` (the bare kafkajs producer) uses. The ratio of the two is the
 * framework's cost: parse, route, partition per event, one request per partition.
 */
export const scenario: Scenario = {
  name: 'file_to_kafka',
  description: `NDJSON file (${KAFKA_BENCH.lines} lines, page cache) → json → kafka (${KAFKA_BENCH.batchEvents}-event batches, concurrency ${KAFKA_BENCH.concurrency}, acks -1, ${KAFKA_BENCH.partitions} partitions), shared broker`,
  bytesBasis: 'file bytes',
  prepare: prepareInput,
  async setup() {
    input = await setupRun(topic);
  },
  async run() {
    const { durationMs, cpuMs, metrics } = await runPipeline(
      pipeline({
        sources: { file: { source: (ctx) => fromReadable(createReadStream(input.path, { highWaterMark: READ_CHUNK_BYTES }), ctx, { maxLineBytes: 1 << 20 }) } },
        transforms: { parsed: { type: 'json', inputs: ['file'] } },
        sinks: {
          stream: {
            type: 'kafka',
            inputs: ['parsed'],
            brokers: [...KAFKA_BROKERS],
            topic,
            required_acks: -1,
            concurrency: KAFKA_BENCH.concurrency,
            batch: { max_events: KAFKA_BENCH.batchEvents, max_bytes: 16 * 1024 * 1024 },
          },
        },
      }),
    );
    const delivered = await componentCount(metrics.sentEvents, 'stream');
    expectEvents('file_to_kafka', delivered, input.lines);
    expectEvents('file_to_kafka (messages in the topic)', await countAndDrop(topic), input.lines);
    return { events: delivered, bytes: input.bytes, durationMs, cpuMs };
  },
};
