import type { AckListener } from '../../core/ack';
import { ContiguousRanges } from '../checkpoint/contiguous-ranges';

/** One offset to commit: the next offset the group reads in that partition. */
export interface PartitionCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * What this member read of one partition during one group generation. kafkajs starts every
 * generation (each rebalance, even for a partition the member keeps) from the committed
 * offset, so ranges of two generations overlap: each gets its own epoch.
 */
interface Epoch {
  readonly topic: string;
  readonly partition: number;
  ranges: ContiguousRanges | undefined;
  /** Where the epoch's first range started. */
  start: number;
  /** The end of the last range tracked: the next range starts there, so gaps in the offsets (compaction, transaction markers) never stall the prefix. */
  next: number | undefined;
  outstanding: number;
  /** Set when the generation ended: the epoch's late acks still count until then. */
  retiredUntil?: number;
}

const keyOf = (topic: string, partition: number): string => `${topic}/${partition}`;

/**
 * The committed offsets of a Kafka consumer: per partition, the end of the contiguous
 * acknowledged prefix of the offset ranges emitted, so no commit ever passes an event that
 * was not acknowledged (a rejected range holds its partition's commit until a restart or a
 * rebalance reads it again).
 *
 * Any epoch's prefix is a valid commit (every offset below it was acknowledged), so a
 * partition's commit is the highest prefix of its live epochs, sent only when it moved past
 * what this member last committed. When a rebalance ends a generation ({@link retireAll}),
 * a partition the member keeps goes on in the same epoch, and the epochs of partitions it
 * lost are given `graceMs` for their in-flight ranges to settle: what settles in that time
 * is still committed, the rest is read again by whoever owns the partition now (duplicates
 * within the unacknowledged window, never a loss).
 */
export class PartitionOffsets {
  private readonly current = new Map<string, Epoch>();
  private readonly retired = new Set<Epoch>();
  private readonly committed = new Map<string, number>();
  /** The partitions of the latest assignment (`topic/partition`); undefined before the first. */
  private owned: ReadonlySet<string> | undefined;
  private outstandingRanges = 0;

  /**
   * @param graceMs how long a retired epoch's acknowledgements still count
   * @param now the clock of the grace periods
   */
  constructor(
    private readonly graceMs: number,
    private readonly now: () => number,
  ) {}

  /** Ranges emitted and not settled yet, over every epoch. */
  get outstanding(): number {
    return this.outstandingRanges;
  }

  /**
   * Tracks `[first, end)` of a partition as emitted in the current generation and returns
   * the listener its ack settles. `first` is the first offset of the fetched batch; the range
   * starts where the epoch's previous one ended, when there was one.
   */
  track(topic: string, partition: number, first: number, end: number): AckListener {
    const key = keyOf(topic, partition);
    let epoch = this.current.get(key);
    // Read again from before where the epoch is (a batch fetched before a seek took effect,
    // or a restart from the committed offset): a new epoch, or its ranges would overlap.
    if (epoch !== undefined && epoch.next !== undefined && first < epoch.next) {
      this.retire(epoch, this.now());
      epoch = undefined;
    }
    if (epoch === undefined) {
      epoch = { topic, partition, ranges: undefined, start: first, next: undefined, outstanding: 0 };
      this.current.set(key, epoch);
    }
    const start = Math.min(epoch.next ?? first, end);
    if (epoch.ranges === undefined) {
      epoch.ranges = new ContiguousRanges(start);
      epoch.start = start;
    }
    epoch.next = end;
    epoch.outstanding++;
    this.outstandingRanges++;
    const tracked = epoch;
    return (outcome) => {
      tracked.outstanding--;
      this.outstandingRanges--;
      if (outcome.ok) tracked.ranges?.resolve(start, end);
    };
  }

  /** The offsets to commit now: each partition whose acknowledged prefix moved past its last commit. */
  pending(nowMs: number): PartitionCommit[] {
    this.expire(nowMs);
    const best = new Map<string, PartitionCommit>();
    const consider = (epoch: Epoch): void => {
      // Nothing acknowledged yet: there is nothing to say (its start is where the group already is).
      if (epoch.ranges === undefined || epoch.ranges.committed === epoch.start) return;
      const key = keyOf(epoch.topic, epoch.partition);
      const offset = epoch.ranges.committed;
      if (offset <= (best.get(key)?.offset ?? this.committed.get(key) ?? -1)) return;
      best.set(key, { topic: epoch.topic, partition: epoch.partition, offset });
    };
    for (const epoch of this.current.values()) consider(epoch);
    for (const epoch of this.retired) consider(epoch);
    return [...best.values()];
  }

  /** `commits` reached the broker. */
  markCommitted(commits: readonly PartitionCommit[]): void {
    for (const { topic, partition, offset } of commits) {
      const key = keyOf(topic, partition);
      if (offset > (this.committed.get(key) ?? -1)) this.committed.set(key, offset);
    }
  }

  /**
   * A generation ended (the group rebalanced). `owned` are the partitions of the new
   * assignment (`topic/partition`). A partition this member keeps keeps its epoch: the
   * returned positions are where its reading must go on (kafkajs would restart it from the
   * committed offset, reading again everything still in flight). The epochs of the other
   * partitions are retired with `graceMs` left to settle; what this member remembers of
   * them is forgotten once their last epoch expired.
   */
  retireAll(nowMs: number, owned: ReadonlySet<string>): PartitionCommit[] {
    const kept: PartitionCommit[] = [];
    for (const [key, epoch] of [...this.current]) {
      if (owned.has(key) && epoch.next !== undefined) kept.push({ topic: epoch.topic, partition: epoch.partition, offset: epoch.next });
      else this.retire(epoch, nowMs);
    }
    this.owned = owned;
    this.expire(nowMs);
    return kept;
  }

  private retire(epoch: Epoch, nowMs: number): void {
    this.current.delete(keyOf(epoch.topic, epoch.partition));
    epoch.retiredUntil = nowMs + this.graceMs;
    if (epoch.ranges !== undefined) this.retired.add(epoch);
  }

  private expire(nowMs: number): void {
    for (const epoch of this.retired) if ((epoch.retiredUntil ?? Infinity) <= nowMs) this.retired.delete(epoch);
    if (this.owned === undefined) return;
    const live = new Set<string>(this.owned);
    for (const epoch of this.retired) live.add(keyOf(epoch.topic, epoch.partition));
    for (const key of this.committed.keys()) if (!live.has(key)) this.committed.delete(key);
  }
}
