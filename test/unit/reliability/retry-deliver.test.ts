import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { deliver } from '../../../operators/deliver';
import { retry, RetryAbandonedError, type RetryOptions } from '../../../operators/reliability/retry';
import type { Batch } from '../../../src/core/batch';
import { BatchDeliveryError, DeliveryError, type FailedEvent } from '../../../src/core/errors';
import { DELIVERED, type SendResult } from '../../../src/core/sink';
import { until } from '../../helpers/async';
import { AckRecorder, FakeSink } from '../../helpers/batches';

// retry → deliver driven by a FakeSink, in real time (asyncScheduler) with delays of 1ms.

const fast: RetryOptions = { initialMs: 1, maxMs: 4, jitter: 0 };

/** A sink answering each event by its message: `bad` fails for good, `down*` always fails retryably, `flaky` fails on its first send. */
function perEventSink(delivered: string[]): FakeSink {
  const seen = new Set<string>();
  return new FakeSink((batch): SendResult => {
    const failures: FailedEvent[] = [];
    batch.events.forEach((event, index) => {
      const message = String(event.message);
      if (message === 'bad') failures.push({ index, error: new DeliveryError('mapping error', false), retryable: false });
      else if (message.startsWith('down')) failures.push({ index, error: new DeliveryError('429', true), retryable: true });
      else if (message === 'flaky' && !seen.has(message)) failures.push({ index, error: new DeliveryError('503', true), retryable: true });
      else delivered.push(message);
      seen.add(message);
    });
    return { failures };
  });
}

/** The failures an upstream ack was rejected with, as `{ index, attempts, retryable }`. */
function failuresOf(acks: AckRecorder, label: string) {
  const reason = acks.reason(label);
  if (!(reason instanceof BatchDeliveryError)) throw new Error(`${label} was not rejected with a BatchDeliveryError`);
  return reason.failures.map(({ index, attempts, retryable }) => ({ index, attempts, retryable }));
}

describe('retry → deliver', () => {
  let acks: AckRecorder;

  beforeEach(() => {
    acks = new AckRecorder();
  });

  it('delivers every event exactly once when the sink fails twice with a retryable DeliveryError and then recovers', async () => {
    const delivered: string[] = [];
    const sink = new FakeSink((batch, call) => {
      if (call < 2) throw new DeliveryError('503 service unavailable', true);
      delivered.push(...batch.events.map((event) => String(event.message)));
      return DELIVERED;
    });
    const inputs = [acks.batch('a', '1', '2'), acks.batch('b', '3')];
    await lastValueFrom(from(inputs).pipe(retry(fast), deliver(sink), toArray()));
    expect(delivered.sort()).toEqual(['1', '2', '3']);
    expect(sink.sent).toHaveLength(4);
    expect(acks.states('a', 'b')).toEqual({ a: 'resolved', b: 'resolved' });
    expect([acks.count('a'), acks.count('b')]).toEqual([1, 1]);
  });

  it('re-sends only the events the sink failed and reports the permanent ones upstream by their upstream index', async () => {
    const delivered: string[] = [];
    const sink = perEventSink(delivered);
    await lastValueFrom(from([acks.batch('a', 'ok1', 'flaky', 'bad', 'ok2')]).pipe(retry(fast), deliver(sink), toArray()));
    expect(sink.sent.map((batch) => batch.events.map((event) => event.message).join(','))).toEqual(['ok1,flaky,bad,ok2', 'flaky']);
    expect(delivered).toEqual(['ok1', 'ok2', 'flaky']);
    expect(failuresOf(acks, 'a')).toEqual([{ index: 2, attempts: 1, retryable: false }]);
  });

  it('gives up after maxRetries and rejects upstream with the remapped indices, the attempts made, and as permanent', async () => {
    const delivered: string[] = [];
    const sink = perEventSink(delivered);
    await lastValueFrom(from([acks.batch('a', 'x', 'down1', 'y', 'down2')]).pipe(retry({ ...fast, maxRetries: 2 }), deliver(sink), toArray()));
    expect(sink.sent.map((batch) => batch.events.length)).toEqual([4, 2, 2]);
    expect(delivered).toEqual(['x', 'y']);
    expect(failuresOf(acks, 'a')).toEqual([
      // Retries used up: permanent from here on, so a dead-letter stage takes them and a buffer does not resend.
      { index: 1, attempts: 3, retryable: false },
      { index: 3, attempts: 3, retryable: false },
    ]);
  });

  it('completes only after every retry pending at the source completion has been delivered', async () => {
    const sink = new FakeSink((_batch, call) => (call < 3 ? Promise.reject(new DeliveryError('timeout', true)) : DELIVERED));
    const settledAtCompletion: string[] = [];
    const deliveries = await lastValueFrom(
      from([acks.batch('a', '1')]).pipe(retry(fast), deliver(sink), toArray()),
    ).finally(() => settledAtCompletion.push(acks.state('a')));
    expect(deliveries).toHaveLength(4);
    expect(settledAtCompletion).toEqual(['resolved']);
  });

  it('rejects the upstream ack and sends nothing more when unsubscribed while a retry waits', async () => {
    const sink = new FakeSink(() => {
      throw new DeliveryError('connection refused', true);
    });
    const source = new Subject<Batch>();
    const subscription = source.pipe(retry({ initialMs: 30, jitter: 0 }), deliver(sink)).subscribe();
    source.next(acks.batch('a', '1'));
    await until(() => sink.inFlight === 0 && sink.sent.length === 1);
    subscription.unsubscribe();
    expect(acks.state('a')).toBe('rejected');
    expect((acks.reason('a') as BatchDeliveryError).failures[0].error).toBeInstanceOf(RetryAbandonedError);
    await new Promise((done) => setTimeout(done, 50));
    expect(sink.sent).toHaveLength(1);
    expect(acks.count('a')).toBe(1);
  });
});
