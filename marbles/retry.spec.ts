import { map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { CircuitOpenError } from '../operators/reliability/circuit-breaker';
import { retry, RetryAbandonedError, type RetryOptions } from '../operators/reliability/retry';
import { createBatch, type Batch } from '../src/core/batch';
import { BatchDeliveryError, DeliveryError } from '../src/core/errors';
import { AckRecorder, eventsOf, messagesOf, scripted } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

/** A BatchDeliveryError failing the events of `batch` whose message is one of `messages`. */
function failing(batch: Batch, messages: readonly string[], retryable = true): Error | 'deliver' {
  const error = new DeliveryError('sink refused', retryable);
  const failures = batch.events.flatMap((event, index) => (messages.includes(String(event.message)) ? [{ index, error, retryable }] : []));
  return failures.length === 0 ? 'deliver' : new BatchDeliveryError(failures, batch.events.length);
}

/** The BatchDeliveryError an upstream ack was rejected with, as `[index, attempts]` pairs. */
function failuresOf(acks: AckRecorder, label: string): Array<[number, number | undefined]> {
  const reason = acks.reason(label);
  if (!(reason instanceof BatchDeliveryError)) throw new Error(`ack ${label} was not rejected with a BatchDeliveryError: ${String(reason)}`);
  return reason.failures.map((failure) => [failure.index, failure.attempts]);
}

describe('retry', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  const options = (extra: RetryOptions = {}): RetryOptions => ({ initialMs: 4, maxMs: 100, multiplier: 2, jitter: 0, scheduler: testScheduler, ...extra });

  itHandlesEmptyAndNever(() => retry(options()));

  it('forwards a single delivered batch under its own ack and resolves the upstream ack once', () => {
    const emitted: Batch[] = [];
    const input = acks.batch('a', '1', '2');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: input });
      const expected = '     -x|';
      const result = source.pipe(retry(options()), tap((batch) => emitted.push(batch)), scripted(() => 'deliver'), map(messagesOf));
      expectObservable(result).toBe(expected, { x: '1,2' });
    });
    expect(emitted[0].ack).not.toBe(input.ack);
    expect(emitted[0].events).toBe(input.events);
    expect(emitted[0].bytes).toBe(input.bytes);
    expect(acks.state('a')).toBe('resolved');
    expect(acks.count('a')).toBe(1);
  });

  it('forwards many delivered batches in order', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-c|', { a: acks.batch('a', '1'), b: acks.batch('b', '2'), c: acks.batch('c', '3') });
      const expected = '     -x-y-z|';
      expectObservable(source.pipe(retry(options()), scripted(() => 'deliver'), map(messagesOf))).toBe(expected, { x: '1', y: '2', z: '3' });
    });
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'resolved', b: 'resolved', c: 'resolved' });
  });

  it('re-emits only the failed events, after exact jittered backoff delays drawn from the injected random', () => {
    const draws = [0.75, 0.25];
    const told: Array<[string, number, number]> = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: acks.batch('a', '1', '2', '3') });
      // delay 1 = 4 · (1 + 0.5·0.5) = 5; delay 2 = 8 · (1 − 0.5·0.5) = 6
      const expected = '     -x 4ms y 5ms (z|)';
      const random = () => draws.shift() ?? 0.5;
      const onRetry = (events: readonly { message?: unknown }[], attempt: number, delayMs: number) =>
        told.push([events.map((event) => event.message).join(','), attempt, delayMs]);
      const downstream = scripted((batch, call) => (call < 2 ? failing(batch, ['2']) : 'deliver'));
      const result = source.pipe(retry(options({ jitter: 0.5, random, onRetry })), downstream, map(messagesOf));
      expectObservable(result).toBe(expected, { x: '1,2,3', y: '2', z: '2' });
    });
    expect(told).toEqual([
      ['2', 1, 5],
      ['2', 2, 6],
    ]);
    expect(acks.state('a')).toBe('resolved');
    expect(acks.count('a')).toBe(1);
  });

  it('scales the bytes of a re-emitted batch to the events it carries', () => {
    const sizes: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: createBatch(eventsOf('1', '2', '3'), acks.ack('a'), 300) });
      const expected = '     -x 3ms (y|)';
      const downstream = scripted((batch, call) => (call === 0 ? failing(batch, ['3']) : 'deliver'));
      const result = source.pipe(retry(options()), tap((batch) => sizes.push(batch.bytes)), downstream, map(messagesOf));
      expectObservable(result).toBe(expected, { x: '1,2,3', y: '3' });
    });
    expect(sizes).toEqual([300, 100]);
  });

  it('rejects the upstream ack with the exhausted events, remapped to upstream indices, with their attempts', () => {
    const exhausted: string[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-----------------|', { a: acks.batch('a', '0', '1', '2', '3') });
      const expected = '     -w 3ms x 7ms y-----|';
      const downstream = scripted((batch) => failing(batch, ['1', '3']));
      const onExhausted = (events: readonly { message?: unknown }[]) => exhausted.push(...events.map((event) => String(event.message)));
      const result = source.pipe(retry(options({ maxRetries: 2, onExhausted })), downstream, map(messagesOf));
      expectObservable(result).toBe(expected, { w: '0,1,2,3', x: '1,3', y: '1,3' });
    });
    expect(acks.state('a')).toBe('rejected');
    expect(failuresOf(acks, 'a')).toEqual([
      [1, 3],
      [3, 3],
    ]);
    expect((acks.reason('a') as BatchDeliveryError).batchSize).toBe(4);
    expect(exhausted).toEqual(['1', '3']);
  });

  it('remaps the failure of a retried piece to the event it stands for upstream', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: acks.batch('a', 'p', 'q', 'r') });
      const expected = '     -x 3ms (y|)';
      // First try: p and r fail (retryable). Retry [p, r]: r (index 1 of the piece) fails for good.
      const downstream = scripted((batch, call) => (call === 0 ? failing(batch, ['p', 'r']) : failing(batch, ['r'], false)));
      expectObservable(source.pipe(retry(options()), downstream, map(messagesOf))).toBe(expected, { x: 'p,q,r', y: 'p,r' });
    });
    expect(failuresOf(acks, 'a')).toEqual([[2, 2]]);
  });

  it('fails non-retryable events at once without retrying them, and retries the retryable rest', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: acks.batch('a', 'bad', 'flaky', 'ok') });
      const expected = '     -x 3ms (y|)';
      const downstream = scripted((_batch, call) => {
        if (call > 0) return 'deliver';
        const error = new DeliveryError('refused', true);
        return new BatchDeliveryError([{ index: 0, error: new DeliveryError('mapping', false), retryable: false }, { index: 1, error, retryable: true }], 3);
      });
      expectObservable(source.pipe(retry(options()), downstream, map(messagesOf))).toBe(expected, { x: 'bad,flaky,ok', y: 'flaky' });
    });
    expect(failuresOf(acks, 'a')).toEqual([[0, 1]]);
  });

  it('retries the whole batch when its ack is rejected with a plain error', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: acks.batch('a', '1', '2') });
      const expected = '     -x 3ms (y|)';
      const downstream = scripted((_batch, call) => (call === 0 ? new Error('socket closed') : 'deliver'));
      expectObservable(source.pipe(retry(options()), downstream, map(messagesOf))).toBe(expected, { x: '1,2', y: '1,2' });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('does not retry a batch rejected with a non-retryable DeliveryError or a CircuitOpenError', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: acks.batch('a', '1'), b: acks.batch('b', '2', '3') });
      const expected = '     -x-y-|';
      const downstream = scripted((_batch, call) => (call === 0 ? new DeliveryError('index missing', false) : new CircuitOpenError()));
      expectObservable(source.pipe(retry(options()), downstream, map(messagesOf))).toBe(expected, { x: '1', y: '2,3' });
    });
    expect(failuresOf(acks, 'a')).toEqual([[0, 1]]);
    expect(failuresOf(acks, 'b')).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect((acks.reason('b') as BatchDeliveryError).failures[0].error).toBeInstanceOf(CircuitOpenError);
  });

  it('never retries with maxRetries 0: a retryable failure is permanent at once, with 1 attempt', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', '1') });
      const expected = '     -x-|';
      expectObservable(source.pipe(retry(options({ maxRetries: 0 })), scripted(() => new Error('down')), map(messagesOf))).toBe(expected, { x: '1' });
    });
    expect(failuresOf(acks, 'a')).toEqual([[0, 1]]);
  });

  it('stops retrying when the next retry would start after maxElapsedMs, even with retries left', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: acks.batch('a', '1') });
      // retry 1 at +4 (elapsed 4); retry 2 would start at +12 > 10: exhausted after 2 attempts
      const expected = '     -x 3ms (y|)';
      const result = source.pipe(retry(options({ maxRetries: Infinity, maxElapsedMs: 10 })), scripted(() => new Error('down')), map(messagesOf));
      expectObservable(result).toBe(expected, { x: '1', y: '1' });
    });
    expect(failuresOf(acks, 'a')).toEqual([[0, 2]]);
  });

  it('completes only after the retries pending when the source completed are done', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: acks.batch('a', '1') });
      const expected = '     -x 3ms (y|)';
      const downstream = scripted((_batch, call) => (call === 0 ? new Error('down') : 'deliver'));
      expectObservable(source.pipe(retry(options()), downstream, map(messagesOf))).toBe(expected, { x: '1', y: '1' });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('completes only after the batches it forwarded have settled downstream', () => {
    const held: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: acks.batch('a', '1') });
      const expected = '     -x----|';
      testScheduler.schedule(() => held[0].ack.resolve(), 6);
      expectObservable(source.pipe(retry(options()), scripted(() => 'hold', held), map(messagesOf))).toBe(expected, { x: '1' });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('passes an empty batch through with its own ack', () => {
    const input = acks.batch('e');
    const emitted: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -e|', { e: input });
      expectObservable(source.pipe(retry(options()), tap((batch) => emitted.push(batch)), scripted(() => 'deliver'), map(messagesOf))).toBe('-x|', { x: '' });
    });
    expect(emitted).toEqual([input]);
    expect(acks.state('e')).toBe('resolved');
  });

  it('forwards a source error and rejects the upstream ack of a retry still waiting', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-#', { a: acks.batch('a', '1', '2') }, failure);
      const expected = '     -x-#';
      const downstream = scripted((batch) => failing(batch, ['2']));
      expectObservable(source.pipe(retry(options()), downstream, map(messagesOf)), '^-------').toBe(expected, { x: '1,2' }, failure);
    });
    expect(acks.state('a')).toBe('rejected');
    expect(failuresOf(acks, 'a')).toEqual([[1, 1]]);
    expect((acks.reason('a') as BatchDeliveryError).failures[0].error).toBeInstanceOf(RetryAbandonedError);
  });

  it('cancels waiting retries and rejects their upstream acks when unsubscribed early, tearing down its source', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a-b------', { a: acks.batch('a', '1'), b: acks.batch('b', '2') });
      const unsub = '        ^---!';
      const subs = '         ^---!';
      const expected = '     -x-y-';
      const downstream = scripted((batch) => (messagesOf(batch) === '1' ? new Error('down') : 'deliver'));
      expectObservable(source.pipe(retry(options()), downstream, map(messagesOf)), unsub).toBe(expected, { x: '1', y: '2' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'resolved' });
    expect(acks.count('a')).toBe(1);
    expect((acks.reason('a') as BatchDeliveryError).failures[0]).toMatchObject({ index: 0, retryable: true, attempts: 1 });
    expect((acks.reason('a') as BatchDeliveryError).failures[0].error).toBeInstanceOf(RetryAbandonedError);
  });

  it('settles the upstream ack of a piece still downstream at teardown as its holder settles it, without retrying', () => {
    const held: Batch[] = [];
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('   -a----', { a: acks.batch('a', '1') });
      expectObservable(source.pipe(retry(options()), scripted(() => 'hold', held), map(messagesOf)), '^--!').toBe('-x--', { x: '1' });
    });
    expect(acks.state('a')).toBe('pending');
    held[0].ack.reject(new Error('down'));
    expect(failuresOf(acks, 'a')).toEqual([[0, 1]]);
  });

  it('errors when onRetry throws, still settling the upstream ack', () => {
    const thrown = new Error('metrics broke');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', '1') });
      const onRetry = () => {
        throw thrown;
      };
      const result = source.pipe(retry(options({ onRetry })), scripted(() => new Error('down')), map(messagesOf));
      expectObservable(result).toBe('-(x#)', { x: '1' }, thrown);
    });
    expect(acks.state('a')).toBe('rejected');
    expect(acks.count('a')).toBe(1);
  });

  it('refuses a negative maxRetries and a jitter outside 0..1', () => {
    expect(() => retry({ maxRetries: -1 })).toThrow(RangeError);
    expect(() => retry({ jitter: 1.5 })).toThrow(RangeError);
  });
});
