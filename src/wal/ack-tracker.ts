import { Ring } from '../core/ring';

interface Delivered {
  readonly seq: number;
  readonly size: number;
  acked: boolean;
}

/**
 * Turns downstream acknowledgements, which may come in any order, into the contiguous
 * acknowledged prefix of the log. Records are registered in delivery order (ascending
 * sequence numbers, with gaps where corrupt records were skipped); the position moves
 * over a record only once it and every record delivered before it are acknowledged.
 */
export class AckTracker {
  private readonly order = new Ring<Delivered>();
  private readonly bySeq = new Map<number, Delivered>();
  private next: number;

  /** `position`: every record below it is already acknowledged (the loaded cursor). */
  constructor(position: number) {
    this.next = position;
  }

  /** Every record below this is acknowledged: the cursor to persist. */
  get position(): number {
    return this.next;
  }

  /** Records delivered and not yet part of the acknowledged prefix. */
  get outstanding(): number {
    return this.order.length;
  }

  /** Registers record `seq` (taking `size` bytes on disk) as handed downstream. */
  delivered(seq: number, size: number): void {
    const entry = { seq, size, acked: false };
    this.order.push(entry);
    this.bySeq.set(seq, entry);
  }

  /**
   * Marks `seq` acknowledged; returns the bytes the prefix moved over (0 when `seq` waits
   * behind an earlier unacknowledged record, or was unknown or already acknowledged).
   */
  ack(seq: number): number {
    const entry = this.bySeq.get(seq);
    if (entry === undefined) return 0;
    this.bySeq.delete(seq);
    entry.acked = true;
    let freed = 0;
    for (let head = this.order.peek(); head?.acked; head = this.order.peek()) {
      this.order.shift();
      freed += head.size;
      this.next = head.seq + 1;
    }
    return freed;
  }
}
