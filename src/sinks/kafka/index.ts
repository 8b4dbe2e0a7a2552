import { defineSink } from '../../components/define';
import { codecAvailable } from './client';
import { registerKafkaCodecs } from '../../kafka/codecs';
import { checkKafkaOptions, kafkaOptions } from './options';
import { createKafkaSink } from './sink';

/**
 * `type: kafka`: produces each event as one message with kafkajs. Options and their
 * constraints are in ./options, the client in ./client, routing and partitioning in
 * ./route and ./partitioner, the send pipeline and its failure handling in ./sink.
 */
// Before any config is checked: `compression:` snappy, lz4 and zstd need kafkajs's codecs registered.
registerKafkaCodecs();

export const kafkaSink = defineSink({
  type: 'kafka',
  summary: 'Produces each event as one Kafka message (kafkajs): topic routing by field, keys, partitioners, compression, SASL and TLS.',
  options: kafkaOptions,
  // Small, frequent batches: Kafka producers batch per partition, and a 1 MiB produce request is the broker's default limit.
  batchDefaults: { maxEvents: 5000, maxBytes: 4 * 1024 * 1024, timeoutMs: 100 },
  example: { brokers: ['127.0.0.1:9092'], topic: 'logs' },
  check(config) {
    const issues = checkKafkaOptions(config);
    if (!codecAvailable(config.compression)) issues.push({ path: ['compression'], message: `compression ${config.compression} is not available in this build (no kafkajs codec registered)` });
    return issues;
  },
  create: (config, context) => createKafkaSink(config, context),
});
