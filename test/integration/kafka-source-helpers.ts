import { randomUUID } from 'node:crypto';
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import type { Subscription } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { CreditLimits } from '../../src/core/credit';
import { eventMeta } from '../../src/core/event';
import { kafkaSource } from '../../src/sources/kafka';
import { createKafkaClient } from '../../src/kafka/client';
import { consumeKafka } from '../../src/sources/kafka/consumer';
import { parseConfig, testSourceContext, type TestSourceContext } from '../helpers/context';
import { KAFKA_BROKERS } from '../services/coordinates';

export { createTopics, testClient } from './kafka-sink-helpers';

/** A fresh topic or group name with a readable prefix. */
export const uniqueName = (prefix: string): string => `kafka-source-${prefix}-${randomUUID().slice(0, 8)}`;

/** One message to produce. */
export interface Outgoing {
  readonly partition: number;
  readonly value: string | Buffer | null;
  readonly key?: string;
  readonly headers?: IHeaders;
}

/** Produces `messages` to `topic` in order, `perSend` per request (acks from every in-sync replica): each request is one record batch per partition. */
export async function produce(kafka: Kafka, topic: string, messages: readonly Outgoing[], perSend = 5000): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += perSend) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + perSend).map((message) => ({ ...message })) });
  } finally {
    await producer.disconnect();
  }
}

/** The group's committed offset of each partition of `topic` (-1: none yet). */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, number>> {
  const [offsets] = await retryRetriable(() => admin.fetchOffsets({ groupId, topics: [topic] }));
  return new Map((offsets?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
}

/** Runs `request` again (up to 20 times) while the broker answers with a retriable error (a coordinator still loading its offsets). */
async function retryRetriable<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= 20 || (error as { retriable?: boolean }).retriable !== true) throw error;
      await new Promise((wake) => setTimeout(wake, 100));
    }
  }
}

/** Polls `check` until it returns true, failing with `describe()` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, describe: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

/** A running Kafka source with what it emitted. */
export interface RunningSource {
  readonly ctx: TestSourceContext;
  readonly batches: Batch[];
  /** Events emitted so far. */
  readonly count: () => number;
  /** `partition:offset` of every event emitted. */
  readonly offsets: () => string[];
  readonly completed: Promise<void>;
  /** Signals stopping and waits for the source to complete, commit and leave the group. */
  stop(): Promise<void>;
  /** Unsubscribes at once (a crash-like end: nothing more is committed). */
  readonly subscription: Subscription;
}

/**
 * Subscribes a kafka source (options through the real config parser) and collects its
 * batches; `onBatch` decides what happens to each ack (default: resolve at once).
 */
export function runSource(options: Record<string, unknown>, limits: Partial<CreditLimits> = {}, onBatch: (batch: Batch) => void = (batch) => batch.ack.resolve()): RunningSource {
  const config = parseConfig(kafkaSource, { brokers: [...KAFKA_BROKERS], commit_interval: '200ms', max_wait: '100ms', ...options });
  const ctx = testSourceContext(limits, { id: 'kin', type: 'kafka' });
  const batches: Batch[] = [];
  let done!: () => void;
  let failed!: (error: unknown) => void;
  const completed = new Promise<void>((resolve, reject) => ((done = resolve), (failed = reject)));
  // The consumer's own DISCONNECT event says when it has left the group (after the final commit).
  const kafka = createKafkaClient(config, ctx.logger, config.request_timeout);
  let left!: () => void;
  const disconnected = new Promise<void>((resolve) => (left = resolve));
  const makeConsumer = kafka.consumer.bind(kafka);
  kafka.consumer = (consumerConfig) => {
    const consumer = makeConsumer(consumerConfig);
    consumer.on(consumer.events.DISCONNECT, () => left());
    return consumer;
  };
  const subscription = consumeKafka(ctx, config, kafka).subscribe({
    next: (batch) => {
      batches.push(batch);
      onBatch(batch);
    },
    complete: () => done(),
    error: (error: unknown) => failed(error),
  });
  const count = (): number => batches.reduce((sum, batch) => sum + batch.events.length, 0);
  const offsets = (): string[] => batches.flatMap((batch) => batch.events.map((event) => `${eventMeta(event)?.partition}:${eventMeta(event)?.offset}`));
  return {
    ctx,
    batches,
    count,
    offsets,
    completed,
    subscription,
    stop: async () => {
      ctx.stop();
      await completed;
      // The source leaves the group once what it emitted has settled and the last offsets are committed.
      await disconnected;
    },
  };
}
