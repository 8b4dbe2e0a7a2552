import type { Admin, PartitionMetadata } from 'kafkajs';
import type { DeliveryError } from '../../core/errors';
import { classifyKafkaError } from './errors';

/**
 * What the cluster said of one topic: its partitions; that it does not exist (events routed
 * there go to the fallback topic); or that it refused this client (they fail permanently).
 */
export type TopicInfo =
  | { readonly state: 'ok'; readonly partitions: readonly PartitionMetadata[] }
  | { readonly state: 'missing'; readonly reason: string }
  | { readonly state: 'refused'; readonly error: DeliveryError; readonly errorType: string };

interface Entry {
  readonly info: Promise<TopicInfo>;
  readonly fetchedAt: number;
}

/**
 * The partitions of each topic the sink writes to, which the sink needs before it sends: it
 * picks every event's partition itself, so that each produce request carries one partition
 * and a failure names exactly the events of that partition. Entries expire after `maxAgeMs`
 * (new partitions are used after that) or when a send says they are stale. A topic the
 * cluster does not know is remembered as such for the same time, so events routed to it do
 * not cost a metadata request each. A lookup that fails for another reason (the cluster is
 * out of reach) rejects and is not cached.
 */
export class TopicMetadata {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly admin: Admin,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {}

  /** The partitions of `topic`, from the cache while fresh. */
  lookup(topic: string): Promise<TopicInfo> {
    const entry = this.entries.get(topic);
    const now = this.now();
    if (entry && now - entry.fetchedAt < this.maxAgeMs) return entry.info;
    const info = this.fetch(topic);
    this.entries.set(topic, { info, fetchedAt: now });
    info.catch(() => {
      if (this.entries.get(topic)?.info === info) this.entries.delete(topic);
    });
    return info;
  }

  /** Forgets `topic` (a send found its metadata stale); the next lookup asks the cluster. */
  invalidate(topic: string): void {
    this.entries.delete(topic);
  }

  /** Topics currently known, existing or not. */
  get size(): number {
    return this.entries.size;
  }

  private async fetch(topic: string): Promise<TopicInfo> {
    try {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics.find((found) => found.name === topic)?.partitions ?? [];
      if (partitions.length === 0) return { state: 'missing', reason: 'the cluster reports no partitions' };
      return { state: 'ok', partitions: [...partitions].sort((a, b) => a.partitionId - b.partitionId) };
    } catch (error) {
      const { errorType, error: failure } = classifyKafkaError(error, `metadata of topic ${topic}`);
      if (errorType === 'unknown_topic_or_partition' || errorType === 'invalid_topic_exception') return { state: 'missing', reason: failure.message };
      if (!failure.retryable) return { state: 'refused', error: failure, errorType };
      throw failure;
    }
  }
}
