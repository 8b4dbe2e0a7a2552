import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { parseSyslogField } from '../operators/parse/syslog';
import type { Batch } from '../src/core/batch';
import { AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const hosts = (batch: Batch): unknown[] => batch.events.map((event) => event.hostname ?? event.tags);
const rfc5424 = (host: string) => `<14>1 2026-11-30T00:00:00Z ${host} app - - - hi`;

describe('parseSyslogField', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  itHandlesEmptyAndNever(() => parseSyslogField({ scheduler: testScheduler }));

  it('parses a single batch, keeping its ack for downstream', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: acks.batch('a', rfc5424('h1')) });
      expectObservable(source.pipe(parseSyslogField({ scheduler: testScheduler }), map(hosts))).toBe('-x-|', { x: ['h1'] });
    });
    expect(acks.state('a')).toBe('pending');
  });

  it('resolves year-less BSD timestamps against the scheduler\'s clock', () => {
    const stamps: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      // Virtual time starts at 0: 1970-01-01, so "Jan  1" is 1970's and "Dec 31" the year before.
      const source = cold('  -a-|', { a: acks.batch('a', '<13>Jan  1 00:00:01 h x: y', '<13>Dec 31 23:00:00 h x: y') });
      const parse = parseSyslogField({ scheduler: testScheduler, timeZone: 'UTC' });
      expectObservable(source.pipe(parse, map((batch) => stamps.push(...batch.events.map((event) => event.timestamp))))).toBe('-x-|', { x: 2 });
    });
    expect(stamps).toEqual(['1970-01-01T00:00:01.000Z', '1969-12-31T23:00:00.000Z']);
  });

  it('parses many batches in order, tagging lines that are not syslog', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a--b-|', { a: acks.batch('a', rfc5424('h1')), b: acks.batch('b', 'nope', rfc5424('h2')) });
      expectObservable(source.pipe(parseSyslogField({ scheduler: testScheduler }), map(hosts))).toBe('-x--y-|', { x: ['h1'], y: [['syslog_parse_error'], 'h2'] });
    });
  });

  it('forwards a source error after the batches before it', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-#', { a: acks.batch('a', rfc5424('h1')) }, failure);
      expectObservable(source.pipe(parseSyslogField({ scheduler: testScheduler }), map(hosts))).toBe('-x-#', { x: ['h1'] }, failure);
    });
  });

  it('tears down its source when unsubscribed early', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b-', { a: acks.batch('a', rfc5424('h1')), b: acks.batch('b', rfc5424('h2')) });
      expectObservable(source.pipe(parseSyslogField({ scheduler: testScheduler }), map(hosts)), '^--!').toBe('-x--', { x: ['h1'] });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('keeps the event and tells onError when the parse-error callback throws', () => {
    const errors: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const onParseError = () => {
        throw new Error('metrics broke');
      };
      const source = cold('  -a-|', { a: acks.batch('a', 'nope') });
      const parse = parseSyslogField({ scheduler: testScheduler }, { onParseError, onError: (error) => errors.push(error) });
      expectObservable(source.pipe(parse, map((batch) => batch.events.map((event) => event.message)))).toBe('-x-|', { x: ['nope'] });
    });
    expect(errors).toHaveLength(1);
  });
});
