import { map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { parseTimestampField } from '../operators/parse/time/timestamp';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const eventsOf = (batch: Batch): LogEvent[] => batch.events;
const FORMATS = ['%d/%b/%Y:%H:%M:%S %z'];

describe('parseTimestampField', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  const batch = (label: string, ...times: string[]): Batch => createBatch(times.map((time) => ({ time })), acks.ack(label));

  itHandlesEmptyAndNever(() => parseTimestampField({ formats: FORMATS }));

  it('writes the canonical timestamp of a single batch, keeping its ack pending', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('a', '10/Oct/2000:13:55:36 -0700') });
      const expected = '     -x-|';
      expectObservable(source.pipe(parseTimestampField({ field: 'time', formats: FORMATS }), map(eventsOf))).toBe(expected, {
        x: [{ time: '10/Oct/2000:13:55:36 -0700', timestamp: '2000-10-10T20:55:36.000Z' }],
      });
    });
    expect(acks.state('a')).toBe('pending');
  });

  it('parses many batches in order, tagging values no format reads', () => {
    const a = batch('a', '01/Jan/2026:00:00:00 +0000');
    const b = batch('b', 'later', '02/Jan/2026:00:00:00 +0100');
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a--b-|', { a, b });
      const expected = '     -x--y-|';
      const parse = parseTimestampField({ field: 'time', formats: FORMATS, dropField: true });
      expectObservable(source.pipe(parse, tap((out) => outputs.push(out)), map((out) => out.events.map((event) => event.timestamp ?? event.tags)))).toBe(expected, {
        x: ['2026-01-01T00:00:00.000Z'],
        y: [['timestamp_parse_error'], '2026-01-01T23:00:00.000Z'],
      });
    });
    expect(outputs.map((out) => out.ack)).toEqual([a.ack, b.ack]);
  });

  it('resolves year-less times against the virtual clock', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // Virtual time starts at 0 (1970-01-01): "Jan  1" is at most a day ahead, so 1970; "Dec 30" would be a year ahead, so 1969.
      const source = cold('  -a-|', { a: batch('a', 'Jan  1 10:00:00', 'Dec 30 10:00:00') });
      const expected = '     -x-|';
      const parse = parseTimestampField({ field: 'time', formats: ['syslog'], scheduler: testScheduler });
      expectObservable(source.pipe(parse, map((out) => out.events.map((event) => event.timestamp)))).toBe(expected, { x: ['1970-01-01T10:00:00.000Z', '1969-12-30T10:00:00.000Z'] });
    });
  });

  it('forwards a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-#', { a: batch('a', '01/Jan/2026:00:00:00 +0000') }, failure);
      const subs = '         ^--!';
      const expected = '     -x-#';
      expectObservable(source.pipe(parseTimestampField({ field: 'time', formats: FORMATS }), map((out) => out.events[0].timestamp))).toBe(expected, { x: '2026-01-01T00:00:00.000Z' }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('tears down its source when unsubscribed early', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b--', { a: batch('a', 'x'), b: batch('b', 'y') });
      const unsub = '        ^--!';
      const subs = '         ^--!';
      const expected = '     -x--';
      expectObservable(source.pipe(parseTimestampField({ field: 'time', formats: FORMATS }), map((out) => out.events.length)), unsub).toBe(expected, { x: 1 });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.pending()).toEqual(['a', 'b']);
  });

  it('keeps a shared event unchanged and tells hooks.onError when the parse-error hook throws', () => {
    const errors: unknown[] = [];
    const input = batch('a', 'never');
    const original = input.events[0];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: { ...input, shared: true } });
      const expected = '     -x-|';
      const parse = parseTimestampField({ field: 'time', formats: FORMATS }, {
        onParseError: () => {
          throw new Error('metrics down');
        },
        onError: (error) => errors.push(error),
      });
      expectObservable(source.pipe(parse, map(eventsOf))).toBe(expected, { x: [{ time: 'never' }] });
    });
    expect(errors).toEqual([new Error('metrics down')]);
    expect(original).toEqual({ time: 'never' });
  });
});
