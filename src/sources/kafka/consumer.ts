import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import type { SourceContext } from '../../components/context';
import type { AckListener, AckOutcome } from '../../core/ack';
import type { Batch } from '../../core/batch';
import { createKafkaClient } from '../../kafka/client';
import { registerKafkaCodecs } from '../../kafka/codecs';
import { startSource } from '../startup';
import { decodeBatch } from './decode';
import { topicMatcher, type KafkaSourceConfig } from './options';
import { OffsetCommits } from './offset-commits';
import { PartitionViews } from './partition-views';
import { PoisonQueue } from './poison';

const OK: AckOutcome = Object.freeze({ ok: true });
/** How often a stopping source checks whether everything it emitted has settled. */
const DRAIN_POLL_MS = 20;

/**
 * `type: kafka` as a source: a kafkajs consumer in `group_id`, one batch per fetched batch of
 * one partition. See {@link KafkaConsumerSource}.
 */
export function consumeKafka(ctx: SourceContext, config: KafkaSourceConfig, kafka?: Kafka): Observable<Batch> {
  // Compressed record batches (snappy, lz4, zstd) need the codecs; idempotent.
  registerKafkaCodecs();
  return new Observable<Batch>((subscriber) => {
    const source = new KafkaConsumerSource(ctx, config, kafka ?? createKafkaClient(config, ctx.logger, config.request_timeout), subscriber);
    source.start();
    return () => source.close();
  });
}

/** A listener that reports to `listener` once all `parts` reported: the first failure, or success. */
function joinParts(parts: number, listener: AckListener): AckListener {
  if (parts === 0) {
    listener(OK);
    return () => undefined;
  }
  let remaining = parts;
  let failure: AckOutcome | undefined;
  return (outcome) => {
    if (!outcome.ok) failure ??= outcome;
    if (--remaining === 0) listener(failure ?? OK);
  };
}

/**
 * The consumer of one subscription. Offsets are never committed by kafkajs: each fetched
 * batch's offset range goes to {@link OffsetCommits}, which commits per partition only
 * the contiguous acknowledged prefix (every `commit_interval`, at each rebalance, and once
 * more when stopping after everything emitted has settled). Credit pauses the assigned
 * topics (`consumer.pause`) instead of buffering, and resumes them when acks return it.
 * Undecodable messages go to the {@link PoisonQueue}; their offsets count once written.
 */
class KafkaConsumerSource {
  private readonly consumer: Consumer;
  private readonly commits: OffsetCommits;
  private readonly poison: PoisonQueue;
  private readonly partitions: PartitionViews;
  private readonly removeListeners: Array<() => void> = [];
  private assignment: Record<string, number[]> = {};
  private waitingForCredit = false;
  /** `consumer.run` resolved: pausing and committing are possible (kafkajs throws before). */
  private running = false;
  private stopping = false;
  private disconnected = false;
  private stopSubscription: Subscription | undefined;

  constructor(
    private readonly ctx: SourceContext,
    private readonly config: KafkaSourceConfig,
    kafka: Kafka,
    private readonly subscriber: Subscriber<Batch>,
  ) {
    this.consumer = kafka.consumer({
      groupId: config.group_id,
      sessionTimeout: config.session_timeout,
      heartbeatInterval: config.heartbeat_interval,
      rebalanceTimeout: config.rebalance_timeout,
      maxBytesPerPartition: config.max_bytes_per_partition,
      maxBytes: config.max_bytes,
      maxWaitTimeInMs: config.max_wait,
      allowAutoTopicCreation: false,
    });
    this.commits = new OffsetCommits(this.consumer, ctx, config.revoke_grace);
    this.poison = new PoisonQueue(config.dead_letter, ctx);
    this.partitions = new PartitionViews(ctx.id, ctx.metrics);
  }

  start(): void {
    this.stopSubscription = this.ctx.stopping.subscribe(() => void this.stop());
    const { events } = this.consumer;
    this.removeListeners.push(
      this.consumer.on(events.GROUP_JOIN, ({ payload }) => this.joined(payload.memberAssignment, payload.duration)),
      // Before the member rejoins: commit what is acknowledged, so the next owner starts there.
      this.consumer.on(events.REBALANCING, () => void this.commits.commit()),
      this.consumer.on(events.CRASH, ({ payload }) => this.crashed(payload.error, payload.restart)),
    );
    const group = `join consumer group "${this.config.group_id}" on ${this.config.brokers.join(',')}`;
    startSource(this.ctx, group, async () => {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: this.config.topics.map(topicMatcher), fromBeginning: this.config.from_beginning });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.config.partitions_concurrently,
        eachBatch: async (payload) => this.onBatch(payload),
      });
    }).then(
      () => {
        if (this.disconnected) return;
        this.running = true;
        if (this.stopping) this.pause();
        this.commits.start(this.config.commit_interval);
      },
      (error: unknown) => {
        void this.disconnect();
        this.subscriber.error(error);
      },
    );
  }

  /** Unsubscribed: a stop in progress finishes its drain; otherwise leave the group at once. */
  close(): void {
    if (!this.stopping) void this.disconnect();
  }

  private onBatch({ batch, resolveOffset }: EachBatchPayload): void {
    if (this.stopping || batch.messages.length === 0) return;
    const at = { topic: batch.topic, partition: batch.partition };
    const { events, poison, bytes } = decodeBatch(batch.messages, at, this.config.decoding, this.config.metadata_field);
    const lastOffset = batch.lastOffset();
    const settled = this.commits.offsets.track(at.topic, at.partition, Number(batch.messages[0]?.offset), Number(lastOffset) + 1);
    const part = joinParts((events.length > 0 ? 1 : 0) + (poison.length > 0 ? 1 : 0), settled);
    if (events.length > 0) this.subscriber.next({ events, ack: this.ctx.track(events.length, bytes, part), bytes, meta: this.partitions.meta(at.topic, at.partition) });
    if (poison.length > 0) this.poison.write(poison, at).then(() => part(OK), (reason: Error) => part({ ok: false, reason }));
    resolveOffset(lastOffset);
    this.partitions.setLag(at.topic, at.partition, Number(batch.offsetLag()));
    if (this.ctx.credit.exhausted) this.pauseForCredit();
  }

  /** Stops fetching every assigned topic (batches already fetched still arrive). */
  private pause(): void {
    if (this.running) this.consumer.pause(Object.keys(this.assignment).map((topic) => ({ topic })));
  }

  private pauseForCredit(): void {
    this.pause();
    if (this.waitingForCredit) return;
    this.waitingForCredit = true;
    this.ctx.credit.whenAvailable(() => {
      this.waitingForCredit = false;
      if (this.running && !this.stopping) this.consumer.resume(Object.keys(this.assignment).map((topic) => ({ topic })));
    });
  }

  /** A generation began: what was read before it is retired, and revoked partitions' lag series go. */
  private joined(assignment: Record<string, number[]>, durationMs: number): void {
    this.assignment = assignment;
    const owned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) for (const partition of partitions) owned.add(`${topic}/${partition}`);
    // Kept partitions go on where this member was, not from the committed offset (what lies
    // between is still in flight here, and its commit waits for its acks as before).
    for (const { topic, partition, offset } of this.commits.offsets.retireAll(this.ctx.scheduler.now(), owned)) this.consumer.seek({ topic, partition, offset: String(offset) });
    this.partitions.keepOnly(owned);
    this.ctx.health.ready();
    this.ctx.logger.info({ group: this.config.group_id, partitions: [...owned], join_ms: durationMs }, 'kafka: joined the consumer group');
    // A credit pause may not survive the new assignment: take it again.
    if (this.waitingForCredit || this.stopping) this.pause();
    void this.commits.commit();
  }

  private crashed(error: Error, restart: boolean): void {
    this.ctx.metrics.error('consumer_crash');
    // Not ready until it has joined the group again (`joined` says ready).
    this.ctx.health.down(error);
    if (restart) {
      this.ctx.logger.warn({ err: error }, 'kafka: the consumer failed; kafkajs restarts it');
      return;
    }
    this.ctx.logger.error({ err: error }, 'kafka: the consumer failed and cannot restart; the source stops');
    void this.disconnect();
    this.subscriber.error(error);
  }

  /**
   * Asked to stop: fetching stops (every assigned topic paused), the source completes so the
   * graph drains, and once everything emitted has settled the final offsets are committed
   * and the member leaves the group (its partitions move to the others at once).
   */
  private async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopSubscription?.unsubscribe();
    this.pause();
    this.subscriber.complete();
    while (this.commits.offsets.outstanding > 0 && !this.disconnected) await new Promise((wake) => setTimeout(wake, DRAIN_POLL_MS));
    await this.commits.commit();
    await this.disconnect();
  }

  private async disconnect(): Promise<void> {
    if (this.disconnected) return;
    this.disconnected = true;
    this.commits.close();
    this.stopSubscription?.unsubscribe();
    for (const remove of this.removeListeners) remove();
    await this.consumer.disconnect().catch((error: unknown) => this.ctx.logger.warn({ err: error }, 'kafka: leaving the consumer group failed'));
  }
}
