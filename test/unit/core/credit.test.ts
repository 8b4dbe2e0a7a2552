import { lastValueFrom, Observable, toArray } from 'rxjs';
import { batch } from '../../../operators/batch';
import { deliver } from '../../../operators/deliver';
import { Ack } from '../../../src/core/ack';
import { createBatch, type Batch } from '../../../src/core/batch';
import { Credit } from '../../../src/core/credit';
import { DELIVERED } from '../../../src/core/sink';
import { settle } from '../../helpers/async';
import { FakeSink } from '../../helpers/batches';

describe('Credit', () => {
  const limits = { maxEvents: 10, maxBytes: 1_000 };

  it('refuses limits that are not positive numbers', () => {
    expect(() => new Credit({ maxEvents: 0, maxBytes: 1 })).toThrow(RangeError);
    expect(() => new Credit({ maxEvents: 1, maxBytes: -1 })).toThrow(RangeError);
    expect(() => new Credit({ maxEvents: Number.NaN, maxBytes: 1 })).toThrow(RangeError);
  });

  it('counts the events and bytes in flight as they are acquired and released', () => {
    const credit = new Credit(limits);
    credit.acquire(3, 300);
    credit.acquire(2, 100);
    expect([credit.inFlightEvents, credit.inFlightBytes]).toEqual([5, 400]);
    credit.release(3, 300);
    expect([credit.inFlightEvents, credit.inFlightBytes]).toEqual([2, 100]);
  });

  it('is exhausted once the event bound is reached', () => {
    const credit = new Credit(limits);
    credit.acquire(9, 10);
    expect(credit.exhausted).toBe(false);
    credit.acquire(1, 10);
    expect(credit.exhausted).toBe(true);
  });

  it('is exhausted once the byte bound is reached, whatever the event count', () => {
    const credit = new Credit(limits);
    credit.acquire(1, 999);
    expect(credit.exhausted).toBe(false);
    credit.acquire(1, 1);
    expect(credit.exhausted).toBe(true);
  });

  it('lets an acquire overshoot the bound: the source already holds the chunk it read', () => {
    const credit = new Credit(limits);
    credit.acquire(25, 10);
    expect(credit.inFlightEvents).toBe(25);
    expect(credit.exhausted).toBe(true);
  });

  it('remembers the most events ever in flight at once', () => {
    const credit = new Credit(limits);
    credit.acquire(4, 1);
    credit.acquire(4, 1);
    credit.release(6, 2);
    credit.acquire(3, 1);
    expect(credit.peakEvents).toBe(8);
  });

  it('calls a waiter at once when credit is available', () => {
    const credit = new Credit(limits);
    const wake = jest.fn();
    credit.whenAvailable(wake);
    expect(wake).toHaveBeenCalledTimes(1);
  });

  it('wakes every waiter once when a release makes room, and not before', () => {
    const credit = new Credit(limits);
    credit.acquire(12, 10);
    const first = jest.fn();
    const second = jest.fn();
    credit.whenAvailable(first);
    credit.whenAvailable(second);
    expect(first).not.toHaveBeenCalled();
    credit.release(2, 0);
    expect(first).not.toHaveBeenCalled();
    credit.release(1, 0);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    credit.acquire(5, 0);
    credit.release(5, 0);
    expect(first).toHaveBeenCalledTimes(1);
  });

  it('keeps a waiter that re-registers while being woken for the next time credit returns', () => {
    const credit = new Credit(limits);
    credit.acquire(10, 0);
    let wakes = 0;
    const wake = (): void => {
      wakes += 1;
      credit.acquire(10, 0);
      credit.whenAvailable(wake);
    };
    credit.whenAvailable(wake);
    credit.release(10, 0);
    expect(wakes).toBe(1);
    credit.release(10, 0);
    expect(wakes).toBe(2);
  });

  it('forgets a waiter cancelled with cancelWait', () => {
    const credit = new Credit(limits);
    credit.acquire(10, 0);
    const cancelled = jest.fn();
    const kept = jest.fn();
    credit.whenAvailable(cancelled);
    credit.whenAvailable(kept);
    credit.cancelWait(cancelled);
    credit.cancelWait(() => undefined);
    credit.release(10, 0);
    expect(cancelled).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });

  describe('end to end through batch and deliver', () => {
    /**
     * A source as fast as it can be: it emits batches synchronously for as long as credit
     * allows, takes credit per batch, returns it when the batch's ack settles, and resumes
     * through whenAvailable.
     */
    function fastSource(credit: Credit, total: number, perBatch: number, stats: { pauses: number }): Observable<Batch> {
      return new Observable<Batch>((subscriber) => {
        let next = 0;
        const pump = (): void => {
          while (next < total && !credit.exhausted && !subscriber.closed) {
            const count = Math.min(perBatch, total - next);
            const events = Array.from({ length: count }, (_, i) => ({ message: `e${next + i}` }));
            next += count;
            const input = createBatch(events);
            credit.acquire(count, input.bytes);
            input.ack.onSettled(() => credit.release(count, input.bytes));
            subscriber.next(input);
          }
          if (next >= total) subscriber.complete();
          else if (!subscriber.closed) {
            stats.pauses += 1;
            credit.whenAvailable(pump);
          }
        };
        pump();
        return () => credit.cancelWait(pump);
      });
    }

    it('a slow sink keeps in-flight events under the bound while a fast source runs: measure peak in-flight, not time', async () => {
      const total = 50_000;
      const perBatch = 64;
      const credit = new Credit({ maxEvents: 1_000, maxBytes: 64 * 1024 * 1024 });
      const stats = { pauses: 0 };
      // Slow: every send answers only after the event loop has turned.
      const sink = new FakeSink(() => settle().then(() => DELIVERED));

      const deliveries = await lastValueFrom(
        fastSource(credit, total, perBatch, stats).pipe(batch({ maxEvents: 300, maxWaitMs: 2 }), deliver(sink, { concurrency: 2 }), toArray()),
      );

      expect(credit.peakEvents).toBeLessThanOrEqual(credit.limits.maxEvents + perBatch);
      expect(credit.peakEvents).toBeGreaterThan(credit.limits.maxEvents / 2);
      expect(stats.pauses).toBeGreaterThan(0);
      expect(sink.peakInFlight).toBeLessThanOrEqual(2);
      const messages = sink.messages;
      expect(messages).toHaveLength(total);
      expect(new Set(messages).size).toBe(total);
      expect(deliveries.every((delivery) => delivery.failures.length === 0)).toBe(true);
      expect([credit.inFlightEvents, credit.inFlightBytes]).toEqual([0, 0]);
    });

    it('pauses a source at the bound, resumes it by what acks return, and stops waking it after teardown', async () => {
      const credit = new Credit({ maxEvents: 100, maxBytes: 1024 * 1024 });
      const stats = { pauses: 0 };
      const held: Ack[] = [];
      const subscription = fastSource(credit, 10_000, 10, stats).subscribe((input) => held.push(input.ack));
      await settle();
      expect(credit.inFlightEvents).toBe(100);
      expect(held).toHaveLength(10);
      held.splice(0, 5).forEach((ack) => ack.resolve());
      expect(held).toHaveLength(10);
      expect(credit.peakEvents).toBe(100);
      subscription.unsubscribe();
      held.forEach((ack) => ack.resolve());
      expect(held).toHaveLength(10);
    });
  });
});
