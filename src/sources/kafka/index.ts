import { defineSource } from '../../components/define';
import { lazyModule } from '../../components/lazy';
import type * as ConsumerModule from './consumer';
import { checkKafkaSourceOptions, kafkaSourceOptions } from './options';

/** kafkajs loads only when a pipeline has a kafka source (`create` is synchronous, hence `require`). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const consumer = lazyModule(() => require('./consumer') as typeof ConsumerModule);

/**
 * `type: kafka` as a source: a consumer-group member (kafkajs) whose offsets are committed
 * per partition only over the contiguous acknowledged prefix. Options in ./options, the
 * consumer in ./consumer, commit tracking in ./partition-offsets, poison messages in ./poison.
 */
export const kafkaSource = defineSource({
  type: 'kafka',
  summary: 'Consumes topics as a consumer-group member: offsets committed over the acknowledged prefix only, credit pauses partitions, poison messages to a dead-letter queue.',
  options: kafkaSourceOptions,
  example: { brokers: ['127.0.0.1:9092'], topics: ['logs'], group_id: 'sluice' },
  check: checkKafkaSourceOptions,
  create: (config, ctx) => consumer().consumeKafka(ctx, config),
});
