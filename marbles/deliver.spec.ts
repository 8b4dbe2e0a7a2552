import { EMPTY, firstValueFrom, from, lastValueFrom, NEVER, ReplaySubject, Subject, toArray, VirtualTimeScheduler } from 'rxjs';
import { deliver, type Delivery } from '../operators/deliver';
import { isRetryable } from '../src/core/errors';
import type { Batch } from '../src/core/batch';
import { BatchDeliveryError, DeliveryError } from '../src/core/errors';
import { DELIVERED, type SendOptions, type SendResult, type Sink } from '../src/core/sink';
import { deferred, settle, until, type Deferred } from '../test/helpers/async';
import { AckRecorder, FakeSink, failedAt, messagesOf } from '../test/helpers/batches';

// deliver is promise-driven (sink.send), so these specs run in real async time with a fake
// sink whose answers the test controls, rather than in TestScheduler virtual time.

/** Subscribes to `deliver`'s output, collecting deliveries, completion and error. */
function watch(source: Subject<Batch>, sink: FakeSink, concurrency?: number) {
  const seen = { deliveries: [] as Delivery[], completed: false, error: undefined as unknown };
  const subscription = source.pipe(deliver(sink, { concurrency })).subscribe({
    next: (delivery) => seen.deliveries.push(delivery),
    error: (error: unknown) => (seen.error = error),
    complete: () => (seen.completed = true),
  });
  return { seen, subscription };
}

describe('deliver', () => {
  let acks: AckRecorder;

  beforeEach(() => {
    acks = new AckRecorder();
  });

  it('completes without sending when the source is empty', async () => {
    const sink = new FakeSink();
    await expect(lastValueFrom(EMPTY.pipe(deliver(sink), toArray()))).resolves.toEqual([]);
    expect(sink.sent).toEqual([]);
  });

  it('sends nothing and stays subscribed when the source never emits', async () => {
    const sink = new FakeSink();
    const subscription = NEVER.pipe(deliver(sink)).subscribe();
    await settle();
    expect(sink.sent).toEqual([]);
    expect(subscription.closed).toBe(false);
    subscription.unsubscribe();
  });

  it('sends a single batch and resolves its ack once the sink delivered it', async () => {
    const sink = new FakeSink();
    const input = acks.batch('a', 'x', 'y');
    const delivery = await firstValueFrom(from([input]).pipe(deliver(sink)));
    expect(delivery).toEqual({ batch: input, delivered: 2, failures: [] });
    expect(sink.sent).toEqual([input]);
    expect(acks.state('a')).toBe('resolved');
  });

  it('sends many batches and emits one delivery per batch', async () => {
    const sink = new FakeSink();
    const inputs = [acks.batch('a', '1'), acks.batch('b', '2', '3'), acks.batch('c', '4')];
    const deliveries = await lastValueFrom(from(inputs).pipe(deliver(sink), toArray()));
    expect(deliveries.map((delivery) => messagesOf(delivery.batch))).toEqual(['1', '2,3', '4']);
    expect(sink.messages).toEqual(['1', '2', '3', '4']);
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'resolved', b: 'resolved', c: 'resolved' });
  });

  it('emits deliveries in completion order, not arrival order', async () => {
    const sink = FakeSink.controlled();
    const source = new Subject<Batch>();
    const { seen } = watch(source, sink, 2);
    source.next(acks.batch('a', 'slow'));
    source.next(acks.batch('b', 'fast'));
    sink.replies[1].resolve(DELIVERED);
    await until(() => seen.deliveries.length === 1);
    sink.replies[0].resolve(DELIVERED);
    await until(() => seen.deliveries.length === 2);
    expect(seen.deliveries.map((delivery) => messagesOf(delivery.batch))).toEqual(['fast', 'slow']);
    expect(acks.order).toEqual(['b', 'a']);
  });

  it('keeps at most `concurrency` sends in flight', async () => {
    const sink = FakeSink.controlled();
    const source = new Subject<Batch>();
    const { seen } = watch(source, sink, 2);
    for (const label of ['a', 'b', 'c', 'd', 'e']) source.next(acks.batch(label, label));
    source.complete();
    await settle();
    expect(sink.inFlight).toBe(2);
    for (let answered = 0; answered < 5; answered++) {
      await until(() => sink.replies.length > answered);
      sink.replies[answered].resolve(DELIVERED);
    }
    await until(() => seen.completed);
    expect(sink.peakInFlight).toBe(2);
    expect(sink.messages).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(acks.pending()).toEqual([]);
  });

  it('sends one batch at a time by default', async () => {
    const sink = new FakeSink(() => settle().then(() => DELIVERED));
    const inputs = [acks.batch('a', '1'), acks.batch('b', '2'), acks.batch('c', '3')];
    await lastValueFrom(from(inputs).pipe(deliver(sink), toArray()));
    expect(sink.peakInFlight).toBe(1);
  });

  it('rejects the ack with a BatchDeliveryError caused by the first failure and lists every failure when some events fail', async () => {
    const mapping = new Error('mapping error');
    const result: SendResult = {
      failures: [
        { index: 1, error: mapping, retryable: false },
        { index: 3, error: new Error('too large'), retryable: false },
      ],
    };
    const sink = new FakeSink(() => result);
    const input = acks.batch('a', '0', '1', '2', '3');
    const delivery = await firstValueFrom(from([input]).pipe(deliver(sink)));
    expect(delivery.delivered).toBe(2);
    expect(delivery.failures.map((failure) => failure.index)).toEqual([1, 3]);
    expect(acks.state('a')).toBe('rejected');
    const reason = acks.reason('a');
    expect(reason).toBeInstanceOf(BatchDeliveryError);
    expect(reason?.cause).toBe(mapping);
    expect((reason as BatchDeliveryError).failures.map((failure) => failure.index)).toEqual([1, 3]);
  });

  it('rejects the ack of a batch whose send throws and carries on with the next batch', async () => {
    const failure = new Error('socket closed');
    const sink = new FakeSink((_batch, call) => {
      if (call === 0) throw failure;
      return DELIVERED;
    });
    const deliveries = await lastValueFrom(from([acks.batch('a', 'x', 'y'), acks.batch('b', 'z')]).pipe(deliver(sink), toArray()));
    expect(deliveries[0].delivered).toBe(0);
    expect(deliveries[0].failures).toEqual([
      { index: 0, error: failure, retryable: true },
      { index: 1, error: failure, retryable: true },
    ]);
    expect(deliveries[1]).toMatchObject({ delivered: 1, failures: [] });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'resolved' });
    expect(acks.reason('a')?.cause).toBe(failure);
  });

  it('rejects the ack of a batch whose send rejects, keeping whether the error is retryable', async () => {
    const permanent = new DeliveryError('index does not exist', false);
    const sink = new FakeSink((_batch, call) => (call === 0 ? Promise.reject(permanent) : DELIVERED));
    const deliveries = await lastValueFrom(from([acks.batch('a', 'x'), acks.batch('b', 'y')]).pipe(deliver(sink), toArray()));
    expect(deliveries[0].failures).toEqual([{ index: 0, error: permanent, retryable: false }]);
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'resolved' });
    expect(acks.reason('a')?.cause).toBe(permanent);
    expect((acks.reason('a') as BatchDeliveryError).retryable).toBe(false);
  });

  it('wraps a non-Error thrown by a send into an Error', async () => {
    const sink = new FakeSink(() => Promise.reject('connection refused'));
    await lastValueFrom(from([acks.batch('a', 'x')]).pipe(deliver(sink), toArray()));
    expect(acks.reason('a')?.cause).toEqual(new Error('connection refused'));
  });

  it('tells onDelivery about every settled send with its elapsed time', async () => {
    const sink = new FakeSink((_batch, call) => (call === 1 ? failedAt(new Error('bad'), [0]) : DELIVERED));
    const told: Array<[number, number]> = [];
    const onDelivery = (delivery: Delivery, elapsedMs: number) => told.push([delivery.delivered, elapsedMs]);
    await lastValueFrom(from([acks.batch('a', 'x'), acks.batch('b', 'y')]).pipe(deliver(sink, { onDelivery }), toArray()));
    expect(told.map(([delivered]) => delivered)).toEqual([1, 0]);
    expect(told.every(([, elapsedMs]) => elapsedMs >= 0)).toBe(true);
  });

  it('errors on a source error, rejects the batches still waiting for a send, and lets sends in flight settle', async () => {
    const sink = FakeSink.controlled();
    const source = new Subject<Batch>();
    const { seen } = watch(source, sink, 1);
    source.next(acks.batch('a', 'x'));
    source.next(acks.batch('b', 'y'));
    const failure = new Error('source failed');
    source.error(failure);
    expect(seen.error).toBe(failure);
    expect(acks.states('a', 'b')).toEqual({ a: 'pending', b: 'rejected' });
    expect(acks.reason('b')).toBeInstanceOf(DeliveryError);
    sink.replies[0].resolve(DELIVERED);
    await until(() => acks.state('a') !== 'pending');
    expect(acks.state('a')).toBe('resolved');
    expect(sink.sent).toHaveLength(1);
  });

  // Regression: batches queued behind the concurrency bound were dropped by mergeMap on
  // teardown, so their acks never settled (credit never returned, offsets never committed).
  it('tears down its source when unsubscribed early, rejecting queued batches and settling the one in flight', async () => {
    const sink = FakeSink.controlled();
    const source = new Subject<Batch>();
    const { seen, subscription } = watch(source, sink, 1);
    source.next(acks.batch('a', 'x'));
    source.next(acks.batch('b', 'y'));
    source.next(acks.batch('c', 'z'));
    subscription.unsubscribe();
    expect(source.observed).toBe(false);
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'pending', b: 'rejected', c: 'rejected' });
    sink.replies[0].resolve(DELIVERED);
    await until(() => acks.state('a') !== 'pending');
    expect(acks.state('a')).toBe('resolved');
    expect(sink.sent).toHaveLength(1);
    expect(seen.deliveries).toEqual([]);
    expect(acks.count('b')).toBe(1);
  });

  it('errors the stream, never an unhandled rejection, when onDelivery throws, after settling the ack', async () => {
    const sink = new FakeSink();
    const failure = new Error('metrics broke');
    const result = lastValueFrom(from([acks.batch('a', 'x')]).pipe(deliver(sink, { onDelivery: () => { throw failure; } })));
    await expect(result).rejects.toBe(failure);
    expect(acks.state('a')).toBe('resolved');
  });
});

/** A sink that records each send's signal and answers only when the test says so. */
class SignalSink implements Sink {
  readonly signals: AbortSignal[] = [];
  readonly replies: Array<Deferred<SendResult>> = [];
  send(_batch: Batch, options: SendOptions): Promise<SendResult> {
    this.signals.push(options.signal);
    const reply = deferred<SendResult>();
    this.replies.push(reply);
    return reply.promise;
  }
  close = (): Promise<void> => Promise.resolve();
}

describe('deliver deadline (request_timeout)', () => {
  let acks: AckRecorder;
  let clock: VirtualTimeScheduler;

  beforeEach(() => {
    acks = new AckRecorder();
    clock = new VirtualTimeScheduler();
  });

  it('rejects the whole batch as retryable and aborts the signal when the send outlives its deadline', async () => {
    const sink = new SignalSink();
    const deliveries: Delivery[] = [];
    from([acks.batch('a', 'x', 'y')]).pipe(deliver(sink, { timeoutMs: 5000, scheduler: clock })).subscribe((delivery) => deliveries.push(delivery));
    expect(sink.signals[0].aborted).toBe(false);
    clock.flush();
    expect(sink.signals[0].aborted).toBe(true);
    expect(acks.state('a')).toBe('rejected');
    const reason = acks.reason('a') as BatchDeliveryError;
    expect(reason.retryable).toBe(true);
    expect(reason.failures.map((failure) => failure.index)).toEqual([0, 1]);
    expect(reason.failures[0].error.message).toBe('send did not finish within 5000 ms');
    // The Delivery (what failed, at the deadline) is emitted once the sink's slot frees: when
    // it answers. A late answer settles nothing twice.
    sink.replies[0].resolve(DELIVERED);
    await settle();
    expect(acks.count('a')).toBe(1);
    expect(deliveries.map((delivery) => delivery.delivered)).toEqual([0]);
  });

  it('keeps the slot of a timed-out send until the sink answers, so concurrency bounds real I/O', async () => {
    const sink = new SignalSink();
    const source = new Subject<Batch>();
    source.pipe(deliver(sink, { timeoutMs: 1000, scheduler: clock, concurrency: 1 })).subscribe();
    source.next(acks.batch('a', 'x'));
    source.next(acks.batch('b', 'y'));
    clock.flush();
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'pending' });
    expect(sink.signals).toHaveLength(1);
    sink.replies[0].reject(new Error('aborted'));
    await until(() => sink.signals.length === 2);
    sink.replies[1].resolve(DELIVERED);
    await until(() => acks.state('b') !== 'pending');
    expect(acks.state('b')).toBe('resolved');
  });

  it('cancels the deadline of a send that answered in time', async () => {
    const sink = new SignalSink();
    from([acks.batch('a', 'x')]).pipe(deliver(sink, { timeoutMs: 1000, scheduler: clock })).subscribe();
    sink.replies[0].resolve(DELIVERED);
    await until(() => acks.state('a') !== 'pending');
    clock.flush();
    expect(sink.signals[0].aborted).toBe(false);
    expect(acks.state('a')).toBe('resolved');
  });
});

describe('deliver readiness gate', () => {
  it('holds every send until `ready` emits, then sends in arrival order', async () => {
    const acks = new AckRecorder();
    const sink = new FakeSink();
    const ready = new ReplaySubject<void>(1);
    const source = new Subject<Batch>();
    source.pipe(deliver(sink, { ready, concurrency: 2 })).subscribe();
    for (const label of ['a', 'b', 'c']) source.next(acks.batch(label, label));
    await settle();
    expect(sink.sent).toEqual([]);
    ready.next();
    await until(() => acks.pending().length === 0);
    expect(sink.messages).toEqual(['a', 'b', 'c']);
  });

  it('rejects the acks of batches still waiting for `ready` when torn down', () => {
    const acks = new AckRecorder();
    const source = new Subject<Batch>();
    const subscription = source.pipe(deliver(new FakeSink(), { ready: NEVER })).subscribe();
    source.next(acks.batch('a', 'x'));
    source.next(acks.batch('b', 'y'));
    subscription.unsubscribe();
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
  });
});

describe('deliver failure classification', () => {
  const classify = async (thrown: unknown) => {
    const acks = new AckRecorder();
    await lastValueFrom(from([acks.batch('a', 'x')]).pipe(deliver(new FakeSink(() => Promise.reject(thrown)))));
    return acks.reason('a') as BatchDeliveryError;
  };

  // Regression (issue 7, defect 5): a sink's JSON.stringify stack overflow was a retryable
  // failure of the whole batch, retried forever and never dead-lettered.
  it('treats a RangeError or TypeError thrown by a send as permanent: a bug or bad data, not an outage', async () => {
    expect((await classify(new RangeError('Maximum call stack size exceeded'))).retryable).toBe(false);
    expect((await classify(new TypeError('Do not know how to serialize a BigInt'))).retryable).toBe(false);
  });

  it('keeps errors with an OS code retryable, also when wrapped in a TypeError (fetch failed)', async () => {
    expect((await classify(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).retryable).toBe(true);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect((await classify(new TypeError('fetch failed', { cause: refused }))).retryable).toBe(true);
    expect(isRetryable(Object.assign(new TypeError('bad arg'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
    expect(isRetryable(new Error('anything else'))).toBe(true);
  });

  it("copies a DeliveryError's retry-after hint onto every failed event", async () => {
    const reason = await classify(new DeliveryError('429 Too Many Requests', true, { retryAfterMs: 2000 }));
    expect(reason.failures).toEqual([expect.objectContaining({ index: 0, retryable: true, retryAfterMs: 2000 })]);
  });
});
