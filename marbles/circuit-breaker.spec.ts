import { map, tap, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { circuitBreaker, CircuitOpenError, isSinkFailure, type CircuitBreakerOptions, type CircuitState } from '../operators/reliability/circuit-breaker';
import type { Batch } from '../src/core/batch';
import { BatchDeliveryError, DeliveryError } from '../src/core/errors';
import { AckRecorder, messagesOf, scripted, type Verdict } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

/** Fails the batches whose messages are listed, delivers the others. */
const failingMessages =
  (error: Error, ...messages: string[]) =>
  (batch: Batch): Verdict =>
    messages.includes(messagesOf(batch)) ? error : 'deliver';

/** A BatchDeliveryError failing `indices` of a batch of `size` events. */
const partial = (size: number, indices: number[], retryable: boolean): BatchDeliveryError =>
  new BatchDeliveryError(indices.map((index) => ({ index, error: new DeliveryError('refused', retryable), retryable })), size);

describe('circuitBreaker', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;
  let transitions: string[];

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
    transitions = [];
  });

  const options = (extra: CircuitBreakerOptions = {}): CircuitBreakerOptions => ({
    failureThreshold: 2,
    resetTimeoutMs: 5,
    scheduler: testScheduler,
    onStateChange: (from: CircuitState, to: CircuitState) => transitions.push(`${testScheduler.now()}:${from}→${to}`),
    ...extra,
  });
  const down = new DeliveryError('sink down', true);

  itHandlesEmptyAndNever(() => circuitBreaker(options()));

  it('forwards a single batch under its own ack, with the same events, and passes its success upstream', () => {
    const input = acks.batch('a', '1', '2');
    const emitted: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: input });
      const result = source.pipe(circuitBreaker(options()), tap((batch) => emitted.push(batch)), scripted(() => 'deliver'), map(messagesOf));
      expectObservable(result).toBe('-x|', { x: '1,2' });
    });
    expect(emitted[0].ack).not.toBe(input.ack);
    expect(emitted[0].events).toBe(input.events);
    expect(acks.state('a')).toBe('resolved');
  });

  it('forwards many batches while closed, and a failure below the threshold does not open it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-c|', { a: acks.batch('a', '1'), b: acks.batch('b', '2'), c: acks.batch('c', '3') });
      const expected = '     -x-y-z|';
      expectObservable(source.pipe(circuitBreaker(options()), scripted(failingMessages(down, '1', '3')), map(messagesOf))).toBe(expected, { x: '1', y: '2', z: '3' });
    });
    expect(transitions).toEqual([]);
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'rejected', b: 'resolved', c: 'rejected' });
  });

  it('opens after failureThreshold consecutive failures, holds batches in order, and closes when the trial after resetTimeout succeeds', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: acks.batch('a', '1'), b: acks.batch('b', '2'), c: acks.batch('c', '3'), d: acks.batch('d', '4') };
      const source = cold('  -a-b-c-d----|', values);
      const expected = '     -a-b 4ms (cd)|';
      const result = source.pipe(circuitBreaker(options()), scripted(failingMessages(down, '1', '2')), map(messagesOf));
      expectObservable(result).toBe(expected, { a: '1', b: '2', c: '3', d: '4' });
    });
    expect(transitions).toEqual(['3:closed→open', '8:open→half-open', '8:half-open→closed']);
    expect(acks.states('a', 'b', 'c', 'd')).toEqual({ a: 'rejected', b: 'rejected', c: 'resolved', d: 'resolved' });
    expect(acks.reason('a')).toBe(down);
  });

  it('rejects batches arriving while open with a non-retryable CircuitOpenError when whenOpen is reject', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: acks.batch('a', '1'), b: acks.batch('b', '2'), c: acks.batch('c', '3'), d: acks.batch('d', '4'), e: acks.batch('e', '5') };
      const source = cold('  -a-b-c-d-e--|', values);
      const expected = '     -a-b-----e--|';
      const result = source.pipe(circuitBreaker(options({ whenOpen: 'reject' })), scripted(failingMessages(down, '1', '2')), map(messagesOf));
      expectObservable(result).toBe(expected, { a: '1', b: '2', e: '5' });
    });
    expect(acks.states('c', 'd', 'e')).toEqual({ c: 'rejected', d: 'rejected', e: 'resolved' });
    expect(acks.reason('c')).toBeInstanceOf(CircuitOpenError);
    expect((acks.reason('c') as CircuitOpenError).retryable).toBe(false);
    expect(transitions).toEqual(['3:closed→open', '8:open→half-open', '9:half-open→closed']);
  });

  it('re-opens for another resetTimeout when the trial fails, with one timer per opening and none while holding', () => {
    const timers: number[] = [];
    const counting: SchedulerLike = {
      now: () => testScheduler.now(),
      schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
        timers.push(delay ?? 0);
        return testScheduler.schedule(work, delay, state);
      },
    };
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: acks.batch('a', '1'), b: acks.batch('b', '2'), c: acks.batch('c', '3'), d: acks.batch('d', '4') };
      const source = cold('  -a-b-c---d------|', values);
      const expected = '     -a-b 4ms c 4ms d--|';
      const result = source.pipe(circuitBreaker(options({ scheduler: counting })), scripted(failingMessages(down, '1', '2', '3')), map(messagesOf));
      expectObservable(result).toBe(expected, { a: '1', b: '2', c: '3', d: '4' });
    });
    expect(transitions).toEqual(['3:closed→open', '8:open→half-open', '8:half-open→open', '13:open→half-open', '13:half-open→closed']);
    expect(timers).toEqual([5, 5]);
    expect(acks.states('c', 'd')).toEqual({ c: 'rejected', d: 'resolved' });
  });

  it('opens when the error rate over the window reaches errorRateThreshold once minimumRequests outcomes are in', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: acks.batch('a', '1'), b: acks.batch('b', '2'), c: acks.batch('c', '3'), d: acks.batch('d', '4'), e: acks.batch('e', '5') };
      const source = cold('  -a-b-c-d-e-|', values);
      const expected = '     -a-b-c-d 4ms (e|)';
      const breaker = circuitBreaker(options({ failureThreshold: 100, errorRateThreshold: 0.5, windowMs: 100, minimumRequests: 4 }));
      expectObservable(source.pipe(breaker, scripted(failingMessages(down, '2', '4')), map(messagesOf))).toBe(expected, { a: '1', b: '2', c: '3', d: '4', e: '5' });
    });
    expect(transitions).toEqual(['7:closed→open', '12:open→half-open', '12:half-open→closed']);
  });

  it('does not count a per-event failure of some events that cannot be retried, but counts retryable ones', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: acks.batch('a', '1', '2'), b: acks.batch('b', '3', '4'), c: acks.batch('c', '5') };
      const source = cold('  -a-b-c-|', values);
      const expected = '     -a-b 4ms (c|)';
      const script = (_batch: Batch, call: number): Verdict => (call === 0 ? partial(2, [1], false) : call === 1 ? partial(2, [0], true) : 'deliver');
      const result = source.pipe(circuitBreaker(options({ failureThreshold: 1 })), scripted(script), map(messagesOf));
      expectObservable(result).toBe(expected, { a: '1,2', b: '3,4', c: '5' });
    });
    expect(transitions).toEqual(['3:closed→open', '8:open→half-open', '8:half-open→closed']);
  });

  it('ignores outcomes of batches sent before the circuit last changed state', () => {
    const held: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-c--|', { a: acks.batch('a', '1'), b: acks.batch('b', '2'), c: acks.batch('c', '3') });
      const expected = '     -a-b 4ms c-|';
      testScheduler.schedule(() => held[0].ack.resolve(), 9); // a, sent while closed, succeeds during c's trial
      testScheduler.schedule(() => held[1].ack.resolve(), 10); // c's trial succeeds
      const script = (batch: Batch): Verdict => (messagesOf(batch) === '2' ? down : 'hold');
      const result = source.pipe(circuitBreaker(options({ failureThreshold: 1 })), scripted(script, held), map(messagesOf));
      expectObservable(result).toBe(expected, { a: '1', b: '2', c: '3' });
    });
    expect(transitions).toEqual(['3:closed→open', '8:open→half-open', '10:half-open→closed']);
  });

  it('lets halfOpenMax trial batches through at once while half-open and holds the rest', () => {
    const held: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: acks.batch('a', '1'), c: acks.batch('c', '3'), d: acks.batch('d', '4'), e: acks.batch('e', '5') };
      const source = cold('  -a-cde---|', values);
      const expected = '     -a---- (cd) e';
      testScheduler.schedule(() => held[1].ack.resolve(), 10);
      const script = (batch: Batch): Verdict => (messagesOf(batch) === '1' ? down : messagesOf(batch) === '5' ? 'deliver' : 'hold');
      const result = source.pipe(circuitBreaker(options({ failureThreshold: 1, halfOpenMax: 2 })), scripted(script, held), map(messagesOf));
      expectObservable(result).toBe(expected, { a: '1', c: '3', d: '4', e: '5' });
    });
    expect(acks.states('c', 'd', 'e')).toEqual({ c: 'pending', d: 'resolved', e: 'resolved' });
    expect(transitions).toEqual(['1:closed→open', '6:open→half-open', '10:half-open→closed']);
  });

  it('completes only once the batches it forwarded have settled', () => {
    const held: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a|', { a: acks.batch('a', '1') });
      testScheduler.schedule(() => held[0].ack.resolve(), 5);
      expectObservable(source.pipe(circuitBreaker(options()), scripted(() => 'hold', held), map(messagesOf))).toBe('-x---|', { x: '1' });
    });
  });

  it('forwards a source error and rejects the batches it held', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-#', { a: acks.batch('a', '1'), b: acks.batch('b', '2') }, failure);
      const result = source.pipe(circuitBreaker(options({ failureThreshold: 1 })), scripted(failingMessages(down, '1')), map(messagesOf));
      expectObservable(result).toBe('-a---#', { a: '1' }, failure);
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
    expect(acks.reason('b')).toBeInstanceOf(DeliveryError);
    expect(transitions).toEqual(['1:closed→open']);
  });

  it('rejects the batches it held and cancels its reset timer when unsubscribed early, tearing down its source', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a-b-------', { a: acks.batch('a', '1'), b: acks.batch('b', '2') });
      const unsub = '        ^---!';
      const subs = '         ^---!';
      const result = source.pipe(circuitBreaker(options({ failureThreshold: 1 })), scripted(failingMessages(down, '1')), map(messagesOf));
      expectObservable(result, unsub).toBe('-a---', { a: '1' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.state('b')).toBe('rejected');
    expect(acks.count('b')).toBe(1);
    expect(transitions).toEqual(['1:closed→open']);
  });

  it('errors when onStateChange throws', () => {
    const thrown = new Error('gauge broke');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b|', { a: acks.batch('a', '1'), b: acks.batch('b', '2') });
      const onStateChange = () => {
        throw thrown;
      };
      const result = source.pipe(circuitBreaker(options({ failureThreshold: 1, onStateChange })), scripted(failingMessages(down, '1')), map(messagesOf));
      expectObservable(result).toBe('-(a#)', { a: '1' }, thrown);
    });
    expect(acks.state('a')).toBe('rejected');
  });

  it('judges sink health: any whole-batch error counts, a partial failure only when every event failed or one is retryable', () => {
    expect(isSinkFailure(new Error('socket closed'), 2)).toBe(true);
    expect(isSinkFailure(new DeliveryError('bad auth', false), 2)).toBe(true);
    expect(isSinkFailure(partial(2, [0], false), 2)).toBe(false);
    expect(isSinkFailure(partial(2, [0, 1], false), 2)).toBe(true);
    expect(isSinkFailure(partial(2, [1], true), 2)).toBe(true);
  });

  it('refuses a failureThreshold or halfOpenMax below 1', () => {
    expect(() => circuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => circuitBreaker({ halfOpenMax: 0 })).toThrow(RangeError);
  });
});
