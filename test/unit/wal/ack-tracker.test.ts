import { AckTracker } from '../../../src/wal/ack-tracker';

describe('AckTracker', () => {
  it('moves the position over records acknowledged in order', () => {
    const tracker = new AckTracker(0);
    tracker.delivered(0, 10);
    tracker.delivered(1, 20);
    expect(tracker.ack(0)).toBe(10);
    expect(tracker.position).toBe(1);
    expect(tracker.ack(1)).toBe(20);
    expect(tracker.position).toBe(2);
  });

  it('advances only over the contiguous prefix when acks come out of order', () => {
    const tracker = new AckTracker(5);
    for (const seq of [5, 6, 7, 8]) tracker.delivered(seq, 1);
    expect(tracker.ack(7)).toBe(0);
    expect(tracker.ack(6)).toBe(0);
    expect(tracker.position).toBe(5);
    expect(tracker.ack(5)).toBe(3);
    expect(tracker.position).toBe(8);
    expect(tracker.outstanding).toBe(1);
  });

  it('steps over sequence numbers that were never delivered (skipped as corrupt)', () => {
    const tracker = new AckTracker(0);
    tracker.delivered(0, 1);
    tracker.delivered(3, 1);
    tracker.ack(3);
    tracker.ack(0);
    expect(tracker.position).toBe(4);
  });

  it('ignores an unknown or repeated ack', () => {
    const tracker = new AckTracker(0);
    tracker.delivered(0, 1);
    expect(tracker.ack(9)).toBe(0);
    expect(tracker.ack(0)).toBe(1);
    expect(tracker.ack(0)).toBe(0);
    expect(tracker.position).toBe(1);
  });
});
