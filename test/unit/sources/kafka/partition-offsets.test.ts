import { PartitionOffsets } from '../../../../src/sources/kafka/partition-offsets';

const OK = { ok: true } as const;
const FAIL = { ok: false, reason: new Error('sink refused') } as const;

describe('PartitionOffsets', () => {
  let now = 0;
  const offsets = (): PartitionOffsets => new PartitionOffsets(5000, () => now);
  beforeEach(() => (now = 0));

  it('commits per partition only the contiguous acknowledged prefix, whatever order acks settle in', () => {
    const tracker = offsets();
    const a = tracker.track('logs', 0, 0, 10);
    const b = tracker.track('logs', 0, 10, 20);
    const c = tracker.track('logs', 1, 5, 8);
    b(OK);
    c(OK);
    expect(tracker.pending(now)).toEqual([{ topic: 'logs', partition: 1, offset: 8 }]);
    a(OK);
    expect(tracker.pending(now)).toEqual([
      { topic: 'logs', partition: 0, offset: 20 },
      { topic: 'logs', partition: 1, offset: 8 },
    ]);
    expect(tracker.outstanding).toBe(0);
  });

  it('holds a partition at a rejected range (read again after a restart) and offers each commit once', () => {
    const tracker = offsets();
    tracker.track('logs', 0, 0, 10)(OK);
    tracker.track('logs', 0, 10, 20)(FAIL);
    tracker.track('logs', 0, 20, 30)(OK);
    expect(tracker.pending(now)).toEqual([{ topic: 'logs', partition: 0, offset: 10 }]);
    tracker.markCommitted(tracker.pending(now));
    expect(tracker.pending(now)).toEqual([]);
  });

  it('starts each range where the previous one ended, so gaps in the offsets (compaction, transaction markers) never stall it', () => {
    const tracker = offsets();
    tracker.track('logs', 0, 0, 10)(OK);
    tracker.track('logs', 0, 15, 20)(OK);
    expect(tracker.pending(now)).toEqual([{ topic: 'logs', partition: 0, offset: 20 }]);
  });

  it('gives a rebalanced generation a grace period: late acks still commit, then they no longer count', () => {
    const tracker = offsets();
    const late = tracker.track('logs', 0, 0, 10);
    const tooLate = tracker.track('logs', 1, 0, 10);
    tracker.retireAll(now, new Set());
    now = 4000;
    late(OK);
    expect(tracker.pending(now)).toEqual([{ topic: 'logs', partition: 0, offset: 10 }]);
    now = 6000;
    tooLate(OK);
    expect(tracker.pending(now)).toEqual([]);
  });

  it('keeps the epoch of a partition the member keeps across a rebalance, and says where its reading goes on', () => {
    const tracker = offsets();
    const first = tracker.track('logs', 0, 0, 10);
    tracker.track('logs', 1, 0, 10);
    expect(tracker.retireAll(now, new Set(['logs/0']))).toEqual([{ topic: 'logs', partition: 0, offset: 10 }]);
    tracker.track('logs', 0, 10, 20)(OK);
    expect(tracker.pending(now)).toEqual([]);
    first(OK);
    expect(tracker.pending(now)).toEqual([{ topic: 'logs', partition: 0, offset: 20 }]);
  });

  it('opens a new epoch when a partition is read again from an earlier offset, and never commits below what it committed', () => {
    const tracker = offsets();
    tracker.track('logs', 0, 0, 10)(OK);
    tracker.markCommitted(tracker.pending(now));
    const inFlight = tracker.track('logs', 0, 10, 20);
    // kafkajs restarts the generation from the committed offset 10: the same offsets again.
    const again = tracker.track('logs', 0, 10, 15);
    again(OK);
    expect(tracker.pending(now)).toEqual([{ topic: 'logs', partition: 0, offset: 15 }]);
    inFlight(OK);
    expect(tracker.pending(now)).toEqual([{ topic: 'logs', partition: 0, offset: 20 }]);
    tracker.markCommitted(tracker.pending(now));
    tracker.track('logs', 0, 15, 18)(OK);
    expect(tracker.pending(now)).toEqual([]);
  });
});
