import { defineSink } from '../../components/define';
import { lazyModule } from '../../components/lazy';
import type * as Codecs from '../../kafka/codecs';
import type * as ClientModule from './client';
import { checkKafkaOptions, kafkaOptions } from './options';
import type * as SinkModule from './sink';

/**
 * `type: kafka`: produces each event as one message with kafkajs. Options and their
 * constraints are in ./options, the client in ./client, routing and partitioning in
 * ./route and ./partitioner, the send pipeline and its failure handling in ./sink.
 */
/**
 * kafkajs loads only when a pipeline has a kafka sink (`check` and `create` are synchronous,
 * hence `require`); its snappy, lz4 and zstd codecs are registered before any config is
 * checked against them.
 */
const kafka = lazyModule(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../../kafka/codecs') as typeof Codecs).registerKafkaCodecs();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { client: require('./client') as typeof ClientModule, sink: require('./sink') as typeof SinkModule };
});

export const kafkaSink = defineSink({
  type: 'kafka',
  summary: 'Produces each event as one Kafka message (kafkajs): topic routing by field, keys, partitioners, compression, SASL and TLS.',
  options: kafkaOptions,
  // Small, frequent batches: Kafka producers batch per partition, and a 1 MiB produce request is the broker's default limit.
  batchDefaults: { maxEvents: 5000, maxBytes: 4 * 1024 * 1024, timeoutMs: 100 },
  example: { brokers: ['127.0.0.1:9092'], topic: 'logs' },
  check(config) {
    const issues = checkKafkaOptions(config);
    if (!kafka().client.codecAvailable(config.compression)) issues.push({ path: ['compression'], message: `compression ${config.compression} is not available in this build (no kafkajs codec registered)` });
    return issues;
  },
  create: (config, context) => kafka().sink.createKafkaSink(config, context),
});
