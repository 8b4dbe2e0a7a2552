import { map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { parseKeyValue } from '../operators/parse/kv';
import type { Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const eventsOf = (batch: Batch): LogEvent[] => batch.events;

describe('parseKeyValue', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  itHandlesEmptyAndNever(() => parseKeyValue());

  it('parses the events of a single batch, keeping its ack for downstream', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', 'level=info msg="user created" id=42') });
      expectObservable(source.pipe(parseKeyValue(), map(eventsOf))).toBe('-x-|', { x: [{ level: 'info', msg: 'user created', id: '42' }] });
    });
    expect(acks.state('a')).toBe('pending');
  });

  it('parses many batches in order, each under its own ack, tagging events without pairs', () => {
    const a = acks.batch('a', 'a=1');
    const b = acks.batch('b', 'plain text?', 'b=2');
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a--b-|', { a, b });
      const result = source.pipe(parseKeyValue(), tap((out) => outputs.push(out)), map(eventsOf));
      expectObservable(result).toBe('-x--y-|', { x: [{ a: '1' }], y: [{ plain: true, 'text?': true }, { b: '2' }] });
    });
    expect(outputs.map((out) => out.ack)).toEqual([a.ack, b.ack]);
  });

  it('forwards a source error after the batches before it', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-#', { a: acks.batch('a', 'k=v') }, failure);
      expectObservable(source.pipe(parseKeyValue(), map(eventsOf))).toBe('-x-#', { x: [{ k: 'v' }] }, failure);
    });
  });

  it('tears down its source when unsubscribed early', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b-', { a: acks.batch('a', 'k=1'), b: acks.batch('b', 'k=2') });
      expectObservable(source.pipe(parseKeyValue(), map(eventsOf)), '^--!').toBe('-x--', { x: [{ k: '1' }] });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('keeps the event and tells onError when the parse-error callback throws', () => {
    const errors: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const onParseError = () => {
        throw new Error('metrics broke');
      };
      const source = cold('  -a-|', { a: acks.batch('a', '', 'k=v') });
      const parse = parseKeyValue({}, { onParseError, onError: (error) => errors.push(error) });
      expectObservable(source.pipe(parse, map((batch) => batch.events.length))).toBe('-x-|', { x: 2 });
    });
    expect(errors).toHaveLength(1);
  });
});
