import { Partitioners, type PartitionMetadata } from 'kafkajs';
import type { LogEvent } from '../../core/event';
import { getField, type FieldPath } from '../../core/field-path';
import type { PartitionStrategy } from './options';

/** A partition number, or why the event has none (a `manual` event without a valid one). */
export type PartitionChoice = number | { readonly problem: string };

/**
 * Picks each event's partition, so the sink knows it before sending (one request per
 * partition is what lets a partition's failure fail only its events).
 *
 * - `hash`: kafkajs's default partitioner, the Java client's murmur2 of the key, so a key
 *   lands where Java, librdkafka-with-murmur2 and Kafka Streams producers put it; keyless
 *   events go round-robin over the partitions that have a leader.
 * - `round_robin`: event by event over the partitions that have a leader (all, if none has).
 * - `random`: uniformly over the partitions that have a leader.
 * - `manual`: the integer in `partition_field`, which must be a partition of the topic.
 */
export class Partitioner {
  private readonly murmur = Partitioners.DefaultPartitioner();
  private readonly rotating = Partitioners.DefaultPartitioner();

  constructor(
    private readonly strategy: PartitionStrategy,
    private readonly partitionField?: FieldPath,
    private readonly random: () => number = Math.random,
  ) {}

  choose(topic: string, partitions: readonly PartitionMetadata[], key: string | null, event: LogEvent): PartitionChoice {
    const partitionMetadata = partitions as PartitionMetadata[];
    switch (this.strategy) {
      case 'hash':
        return this.murmur({ topic, partitionMetadata, message: { key, value: null } });
      case 'round_robin':
        return this.rotating({ topic, partitionMetadata, message: { key: null, value: null } });
      case 'random': {
        const available = partitions.filter((partition) => partition.leader >= 0);
        const from = available.length > 0 ? available : partitions;
        return from[Math.floor(this.random() * from.length)].partitionId;
      }
      case 'manual':
        return this.manual(topic, partitions, event);
    }
  }

  private manual(topic: string, partitions: readonly PartitionMetadata[], event: LogEvent): PartitionChoice {
    const path = this.partitionField as FieldPath;
    const value = getField(event, path);
    const field = path.join('.');
    if (value === undefined || value === null) return { problem: `partition_field ${field} is missing` };
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number)) return { problem: `partition_field ${field} is not a partition number: ${JSON.stringify(value)}` };
    if (!partitions.some((partition) => partition.partitionId === number)) {
      return { problem: `partition ${number} (from ${field}) does not exist: topic ${topic} has ${partitions.length} partition(s)` };
    }
    return number;
  }
}
