import type { Consumer } from 'kafkajs';
import { interval, type Subscription } from 'rxjs';
import type { SourceContext } from '../../components/context';
import { PartitionOffsets } from './partition-offsets';

/**
 * Commits a consumer's acknowledged prefixes ({@link PartitionOffsets}) to the group: every
 * `intervalMs` (time from the scheduler) and whenever asked (a rebalance, the stop), one
 * commit at a time. A failed commit is counted (`commit_failed`), logged and retried at the
 * next one: the offsets it carried are still pending.
 */
export class OffsetCommits {
  readonly offsets: PartitionOffsets;
  private timer: Subscription | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly consumer: Pick<Consumer, 'commitOffsets'>,
    private readonly ctx: Pick<SourceContext, 'scheduler' | 'metrics' | 'logger'>,
    graceMs: number,
  ) {
    this.offsets = new PartitionOffsets(graceMs, () => ctx.scheduler.now());
  }

  /** Commits every `intervalMs` from now on (once the consumer runs: kafkajs refuses commits before). */
  start(intervalMs: number): void {
    if (!this.closed) this.timer ??= interval(intervalMs, this.ctx.scheduler).subscribe(() => void this.commit());
  }

  /** Commits what moved since the last commit; resolves when done (never rejects). */
  commit(): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.closed || this.timer === undefined) return;
      const pending = this.offsets.pending(this.ctx.scheduler.now());
      if (pending.length === 0) return;
      try {
        await this.consumer.commitOffsets(pending.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })));
        this.offsets.markCommitted(pending);
      } catch (error) {
        this.ctx.metrics.error('commit_failed');
        this.ctx.logger.warn({ err: error, offsets: pending }, 'kafka: committing offsets failed; retried at the next commit');
      }
    });
    return this.chain;
  }

  /** No more commits (the consumer is leaving the group). */
  close(): void {
    this.closed = true;
    this.timer?.unsubscribe();
  }
}
