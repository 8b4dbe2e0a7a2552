import { Ack, type AckOutcome } from '../../../src/core/ack';
import { BatchDeliveryError, DeliveryError, type FailedEvent } from '../../../src/core/errors';

/** An ack whose settlement is recorded. */
function recorded(): { ack: Ack; outcomes: AckOutcome[] } {
  const outcomes: AckOutcome[] = [];
  return { ack: Ack.create((outcome) => outcomes.push(outcome)), outcomes };
}

const failed = (indices: number[], retryable = true, error = new DeliveryError('nope', retryable)): BatchDeliveryError =>
  new BatchDeliveryError(indices.map((index): FailedEvent => ({ index, error, retryable })), Math.max(0, ...indices) + 1);

/** The failed indices an outcome names (`all` when the rejection names none). */
function failedIndices(outcome: AckOutcome | undefined): number[] | 'ok' | 'all' {
  if (outcome === undefined) throw new Error('not settled');
  if (outcome.ok) return 'ok';
  return outcome.reason instanceof BatchDeliveryError ? outcome.reason.failures.map((f) => f.index) : 'all';
}

describe('Ack failure identity', () => {
  it('tells each part of a combined batch only the failures among its own events, renumbered', () => {
    // Input a (4 events) split: a[0..1] and b (3 events) in one combined batch, a[2..3] in another.
    const a = recorded();
    const b = recorded();
    a.ack.retain(); // two pieces of a
    const first = Ack.all([
      { ack: a.ack, offset: 0, count: 2, at: 0 },
      { ack: b.ack, offset: 2, count: 3, at: 0 },
    ]);
    const second = Ack.all([{ ack: a.ack, offset: 0, count: 2, at: 2 }]);
    first.reject(failed([1, 3])); // a[1] and b[1]
    second.reject(failed([0])); // a[2]
    expect(failedIndices(b.outcomes[0])).toEqual([1]);
    expect(failedIndices(a.outcomes[0])).toEqual([1, 2]);
  });

  it('resolves a part none of whose events failed, even when the combined batch was rejected', () => {
    const a = recorded();
    const b = recorded();
    Ack.all([
      { ack: a.ack, offset: 0, count: 2 },
      { ack: b.ack, offset: 2, count: 2 },
    ]).reject(failed([3]));
    expect(a.outcomes).toEqual([{ ok: true }]);
    expect(failedIndices(b.outcomes[0])).toEqual([1]);
  });

  it('turns a failure that names no events into a failure of exactly the part\'s events', () => {
    const a = recorded();
    a.ack.retain();
    Ack.all([{ ack: a.ack, offset: 0, count: 2, at: 3 }, { ack: Ack.create(), offset: 2, count: 1 }]).reject(new DeliveryError('socket closed', true));
    a.ack.resolve(); // the other piece, a[0..2], was delivered
    expect(failedIndices(a.outcomes[0])).toEqual([3, 4]);
    const reason = (a.outcomes[0] as { reason: Error }).reason as BatchDeliveryError;
    expect(reason.retryable).toBe(true);
  });

  it('maps a slice\'s failures back to the parent batch', () => {
    const parent = recorded();
    const child = parent.ack.slice(5, 3);
    parent.ack.resolve(); // the parent's own reference: the rest of the batch is fine
    child.reject(failed([0, 2]));
    expect(failedIndices(parent.outcomes[0])).toEqual([5, 7]);
  });

  it('maps a pick (a filter\'s survivors) back to the parent batch', () => {
    const parent = recorded();
    const child = parent.ack.pick([1, 4, 6]);
    parent.ack.resolve();
    child.reject(failed([1]));
    expect(failedIndices(parent.outcomes[0])).toEqual([4]);
  });

  it('merges the failures of several holders instead of keeping the first reason', () => {
    const parent = recorded();
    parent.ack.retain(2);
    parent.ack.reject(failed([2]));
    parent.ack.resolve();
    parent.ack.reject(failed([0, 2]));
    expect(failedIndices(parent.outcomes[0])).toEqual([0, 2]);
  });

  it('keeps a permanent failure over a retryable one for the same event', () => {
    const parent = recorded();
    parent.ack.retain();
    parent.ack.reject(failed([1], true));
    parent.ack.reject(failed([1], false));
    const reason = (parent.outcomes[0] as { reason: Error }).reason as BatchDeliveryError;
    expect(reason.failures).toHaveLength(1);
    expect(reason.failures[0].retryable).toBe(false);
  });

  it('fails every event when one holder rejects without naming events', () => {
    const parent = recorded();
    parent.ack.retain();
    parent.ack.reject(failed([1]));
    parent.ack.reject(new Error('branch died'));
    expect(failedIndices(parent.outcomes[0])).toBe('all');
  });
});

describe('Ack urge', () => {
  it('reaches the holder of a combined batch and of a slice, and stops once settled', () => {
    const part = Ack.create();
    const combined = Ack.all([{ ack: part, offset: 0, count: 1 }, { ack: Ack.create(), offset: 1, count: 1 }]);
    const child = part.slice(0, 1);
    let combinedUrges = 0;
    let childUrges = 0;
    combined.onUrge(() => (combinedUrges += 1));
    child.onUrge(() => (childUrges += 1));
    part.urge();
    expect([combinedUrges, childUrges]).toEqual([1, 1]);
    combined.resolve();
    child.resolve();
    part.urge();
    expect([combinedUrges, childUrges]).toEqual([1, 1]);
  });
});
