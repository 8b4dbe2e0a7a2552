import type { Kafka, Message, Producer } from 'kafkajs';
import type { Batch } from '../../core/batch';
import { DeliveryError, type FailedEvent } from '../../core/errors';
import type { LogEvent } from '../../core/event';
import { compilePath } from '../../core/field-path';
import { DELIVERED, type SendOptions, type SendResult, type Sink } from '../../core/sink';
import type { ComponentContext } from '../../components/context';
import { ENCODERS } from '../../../operators/encode';
import { COMPRESSION_TYPES, createSinkClient } from './client';
import { registerKafkaCodecs } from '../../kafka/codecs';
import { classifyKafkaError } from './errors';
import { TopicMetadata } from './metadata';
import type { KafkaConfig } from './options';
import { Partitioner } from './partitioner';
import { Router, type PartitionRequest } from './route';

/** Most extra requests one send spends splitting rejected batches to find the messages at fault. */
const SPLIT_BUDGET = 64;

/** The message value of each `encoding:` (the shared encoders, without their line ending). */
const VALUE_ENCODERS: Readonly<Record<KafkaConfig['encoding'], (event: LogEvent) => string>> = {
  json: ENCODERS.json_array.encode, // one bare JSON object
  text: (event) => ENCODERS.text.encode(event).slice(0, -1),
};

/**
 * The Kafka sink, a pipeline per batch: route (topic from a field, bounded, with a fallback)
 * → encode each event as one message (key and headers from fields) → pick its partition →
 * one produce request per partition and `max_request_bytes` → acknowledge what the broker
 * acknowledged. A request that fails fails only its events, classified: a broker's refusal
 * of the messages (too large, invalid) or of this client (authorization) is permanent, with
 * the broker's error; a leader move, a timeout or an outage is retryable. A partition's batch
 * rejected for its content is split in halves and sent again, so one bad message does not
 * take its neighbours to the dead-letter queue.
 *
 * `kafka` is for tests; by default the client is built from `config`.
 */
export function createKafkaSink(config: KafkaConfig, context: ComponentContext, kafka: Pick<Kafka, 'producer' | 'admin'> = createSinkClient(config, context.logger)): Sink {
  registerKafkaCodecs(); // idempotent; here too for sinks built without the component (library use)
  const { metrics } = context;
  const idempotent = config.idempotent;
  const producer: Producer = kafka.producer({
    idempotent,
    // Every message carries the partition the sink chose.
    createPartitioner: () => ({ message }) => message.partition as number,
    retry: idempotent ? { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5000 } : { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 } });
  const metadata = new TopicMetadata(admin, config.metadata_max_age, () => context.scheduler.now());
  const messagesByTopic = metrics.labelledCounter('sluice_kafka_messages_total', 'Messages the Kafka broker acknowledged (with required_acks 0: written to the socket), by topic.', 'topic');
  const rerouted = metrics.labelledCounter('sluice_kafka_rerouted_events_total', 'Events sent to the fallback topic instead of the one their topic_field names, by reason.', 'reason');
  const router = new Router({
    topic: config.topic,
    topicField: config.topic_field,
    maxTopics: config.max_topics,
    keyField: config.key_field,
    headers: config.headers,
    maxRequestBytes: config.max_request_bytes,
    encode: VALUE_ENCODERS[config.encoding],
    partitioner: new Partitioner(config.partition_strategy, config.partition_field === undefined ? undefined : compilePath(config.partition_field)),
    lookup: (topic) => metadata.lookup(topic),
    onReroute: (reason, count) => rerouted(reason).inc(count),
  });
  const compression = COMPRESSION_TYPES[config.compression];

  /** The fallback topic must exist: without it the sink has nowhere to put anything. */
  const checkTopic = async (): Promise<void> => {
    metadata.invalidate(config.topic);
    const info = await metadata.lookup(config.topic);
    if (info.state === 'ok') return;
    throw new DeliveryError(`kafka topic ${config.topic} cannot be written: ${info.state === 'missing' ? info.reason : info.error.message}`, true);
  };

  /** One produce request; what failed, split in halves while the broker refuses a batch's content. */
  const produce = async (request: PartitionRequest, budget: { left: number }): Promise<FailedEvent[]> => {
    const { topic, partition, messages, indices } = request;
    try {
      await producer.send({ topic, messages, acks: config.required_acks, timeout: config.ack_timeout, compression });
      messagesByTopic(topic).inc(messages.length);
      return [];
    } catch (thrown) {
      const failure = classifyKafkaError(thrown, `produce to ${topic}/${partition}`);
      metrics.error(failure.errorType);
      if (failure.staleMetadata) metadata.invalidate(topic);
      if (failure.perMessage && messages.length > 1 && budget.left >= 2) {
        budget.left -= 2;
        const middle = messages.length >> 1;
        // One half after the other: the partition's messages keep their order.
        const first = await produce(half(request, 0, middle), budget);
        return [...first, ...(await produce(half(request, middle, messages.length), budget))];
      }
      const { error } = failure;
      return indices.map((index) => ({ index, error, retryable: error.retryable }));
    }
  };

  return {
    async start(): Promise<void> {
      await Promise.all([producer.connect(), admin.connect()]);
      await checkTopic();
    },

    healthy: checkTopic,

    async send(batch: Batch, options?: SendOptions): Promise<SendResult> {
      if (batch.events.length === 0) return DELIVERED;
      const { partitions, failures } = await router.route(batch.events);
      // Past the deadline deliver has already failed the whole batch: sending now only duplicates.
      options?.signal.throwIfAborted();
      const budget = { left: SPLIT_BUDGET };
      // Partitions in parallel; one partition's requests in order, so its messages keep theirs.
      const inOrder = async (requests: PartitionRequest[]): Promise<FailedEvent[]> => {
        const failed: FailedEvent[] = [];
        for (const request of requests) failed.push(...(await produce(request, budget)));
        return failed;
      };
      const produced = await Promise.all(partitions.map(inOrder));
      for (const failed of produced) failures.push(...failed);
      if (failures.length === 0) return DELIVERED;
      failures.sort((a, b) => a.index - b.index);
      return { failures };
    },

    async close(): Promise<void> {
      // Also after a failed or partial start: a client left half-connected keeps sockets and timers.
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    },
  };
}

/** Messages `from` .. `to` of a request, as a request of their own. */
function half(request: PartitionRequest, from: number, to: number): PartitionRequest {
  const messages: Message[] = request.messages.slice(from, to);
  return { topic: request.topic, partition: request.partition, messages, indices: request.indices.slice(from, to), bytes: 0 };
}
