import { map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { mapEvents } from '../operators/map-events';
import { createBatch, type Batch } from '../src/core/batch';
import { eventMeta, setEventMeta, type LogEvent } from '../src/core/event';
import { AckRecorder, eventsOf, messagesOf } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const upper = (event: LogEvent): LogEvent => ({ ...event, message: String(event.message).toUpperCase() });

describe('mapEvents', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  itHandlesEmptyAndNever(() => mapEvents(upper));

  it('projects every event of a single batch and keeps its ack and bytes', () => {
    const input = createBatch(eventsOf('a', 'b'), acks.ack('a'), 77);
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: input });
      const expected = '     -x-|';
      expectObservable(source.pipe(mapEvents(upper), tap((out) => outputs.push(out)), map(messagesOf))).toBe(expected, { x: 'A,B' });
    });
    expect(outputs[0].ack).toBe(input.ack);
    expect(outputs[0].bytes).toBe(77);
    expect(acks.state('a')).toBe('pending');
  });

  it('projects many batches in order', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b--c|', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y', 'z'), c: acks.batch('c') });
      const expected = '     -x-y--z|';
      expectObservable(source.pipe(mapEvents(upper), map(messagesOf))).toBe(expected, { x: 'X', y: 'Y,Z', z: '' });
    });
  });

  it('lets project change events in place on a batch that is not shared', () => {
    const input = acks.batch('a', 'x');
    const original = input.events[0];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: input });
      const expected = '     -x-|';
      const stamp = mapEvents((event) => {
        event.level = 'info';
        return event;
      });
      expectObservable(source.pipe(stamp, map((out) => out.events[0] === original))).toBe(expected, { x: true });
    });
    expect(original.level).toBe('info');
  });

  it('hands project a copy on a shared batch, so sibling branches never see the change', () => {
    const original: LogEvent = { message: 'x' };
    setEventMeta(original, { path: '/var/log/app.log', offset: 12 });
    const input: Batch = { ...createBatch([original], acks.ack('a')), shared: true };
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: input });
      const expected = '     -x-|';
      const stamp = mapEvents((event) => {
        event.level = 'info';
        return event;
      });
      expectObservable(source.pipe(stamp, tap((out) => outputs.push(out)), map(messagesOf))).toBe(expected, { x: 'x' });
    });
    expect(original.level).toBeUndefined();
    expect(input.events[0]).toBe(original);
    expect(outputs[0].events[0]).not.toBe(original);
    expect(outputs[0].events[0]).toMatchObject({ message: 'x', level: 'info' });
    expect(eventMeta(outputs[0].events[0])).toEqual({ path: '/var/log/app.log', offset: 12 });
  });

  it('keeps an event unchanged and tells hooks.onError when project throws, projecting the rest', () => {
    const failure = new Error('bad event');
    const errors: Array<[unknown, LogEvent]> = [];
    const input = acks.batch('a', 'ok', 'bad', 'fine');
    const badEvent = input.events[1];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b-|', { a: input, b: acks.batch('b', 'next') });
      const expected = '     -x-y-|';
      const project = (event: LogEvent): LogEvent => {
        if (event.message === 'bad') throw failure;
        return upper(event);
      };
      const hooks = { onError: (error: unknown, event: LogEvent) => errors.push([error, event]) };
      expectObservable(source.pipe(mapEvents(project, hooks), map(messagesOf))).toBe(expected, { x: 'OK,bad,FINE', y: 'NEXT' });
    });
    expect(errors).toEqual([[failure, badEvent]]);
    expect(errors[0][1]).toBe(badEvent);
  });

  it('keeps the original shared event, not a half-changed copy, when project throws on a shared batch', () => {
    const original: LogEvent = { message: 'x' };
    const input: Batch = { ...createBatch([original], acks.ack('a')), shared: true };
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: input });
      const expected = '     -x-|';
      const halfway = mapEvents((event) => {
        event.level = 'half';
        throw new Error('gave up');
      });
      expectObservable(source.pipe(halfway, tap((out) => outputs.push(out)), map(messagesOf))).toBe(expected, { x: 'x' });
    });
    expect(outputs[0].events[0]).toBe(original);
    expect(original).toEqual({ message: 'x' });
  });

  it('forwards a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-#', { a: acks.batch('a', 'x') }, failure);
      const subs = '         ^--!';
      const expected = '     -x-#';
      expectObservable(source.pipe(mapEvents(upper), map(messagesOf))).toBe(expected, { x: 'X' }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('tears down its source when unsubscribed early, holding no ack of its own', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b--', { a: acks.batch('a', 'x'), b: acks.batch('b', 'y') });
      const unsub = '        ^--!';
      const subs = '         ^--!';
      const expected = '     -x--';
      expectObservable(source.pipe(mapEvents(upper), map(messagesOf)), unsub).toBe(expected, { x: 'X' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    // 'a' went downstream (its holder settles it); 'b' was never received.
    expect(acks.pending()).toEqual(['a', 'b']);
  });

  // Regression (issue 7, defect 4): the copy kept `shared: true`, so every later map copied again.
  it('marks its output unshared once it copied every event of a shared batch', () => {
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: { ...acks.batch('a', '1'), shared: true } });
      expectObservable(source.pipe(mapEvents((event) => event), tap((out) => outputs.push(out)), map(messagesOf))).toBe('-x-|', { x: '1' });
    });
    expect(outputs[0].shared).toBe(false);
  });
});
