import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { redact } from '../operators/transform/redact';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { itFollowsTheTransformChecklist } from '../test/unit/transforms/operator-checklist';

const eventsOf = (batch: Batch): LogEvent[] => batch.events;

describe('redact', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => (testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected))));

  itFollowsTheTransformChecklist(() => redact());

  it('masks every built-in kind of secret in the string fields of a single batch, nested ones included', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([{ message: 'login bob@example.com from 10.1.2.3', user: { card: '4111 1111 1111 1111', n: 4 } }]) });
      expectObservable(source.pipe(redact(), map(eventsOf))).toBe('-x-|', {
        x: [{ message: 'login [REDACTED] from [REDACTED]', user: { card: '[REDACTED]', n: 4 } }],
      });
    });
  });

  it('redacts only the chosen fields across many batches', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: createBatch([{ message: 'a@b.co', keep: 'a@b.co' }]), b: createBatch([{ lines: ['c@d.io', 'x'], message: 'e@f.io' }]) });
      expectObservable(source.pipe(redact({ fields: ['message', 'lines'], mask: '***' }), map(eventsOf))).toBe('-x-y-|', {
        x: [{ message: '***', keep: 'a@b.co' }],
        y: [{ lines: ['***', 'x'], message: '***' }],
      });
    });
  });

  it('never changes the events or nested objects of a shared batch', () => {
    const user = { email: 'bob@example.com' };
    const original: LogEvent = { user, tags: ['bob@example.com'] };
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: { ...createBatch([original]), shared: true } });
      expectObservable(source.pipe(redact(), map(eventsOf))).toBe('-x-|', { x: [{ user: { email: '[REDACTED]' }, tags: ['[REDACTED]'] }] });
    });
    expect(original).toEqual({ user: { email: 'bob@example.com' }, tags: ['bob@example.com'] });
    expect(user).toEqual({ email: 'bob@example.com' });
  });

  it('keeps an event it cannot write (frozen) unchanged and tells hooks.onError', () => {
    const errors: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: createBatch([Object.freeze({ message: 'a@b.co' }), { message: 'c@d.io' }]) });
      expectObservable(source.pipe(redact({}, { onError: (error) => errors.push(error) }), map(eventsOf))).toBe('-x-|', { x: [{ message: 'a@b.co' }, { message: '[REDACTED]' }] });
    });
    expect(errors).toHaveLength(1);
  });
});
