import { map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { parseGrok } from '../operators/parse/grok/grok';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const eventsOf = (batch: Batch): LogEvent[] => batch.events;
const MATCH = ['^%{WORD:verb} %{INT:status:int}$'];

describe('parseGrok', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  const batch = (label: string, ...messages: string[]): Batch => createBatch(messages.map((message) => ({ message })), acks.ack(label));

  itHandlesEmptyAndNever(() => parseGrok({ match: MATCH }));

  it('sets the captures of a single batch as typed fields, keeping its ack pending', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('a', 'GET 200') });
      const expected = '     -x-|';
      expectObservable(source.pipe(parseGrok({ match: MATCH, dropField: true }), map(eventsOf))).toBe(expected, { x: [{ verb: 'GET', status: 200 }] });
    });
    expect(acks.state('a')).toBe('pending');
  });

  it('parses many batches in order, tagging what no pattern matched', () => {
    const a = batch('a', 'PUT 201');
    const b = batch('b', 'oops', 'GET 404');
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a--b-|', { a, b });
      const expected = '     -x--y-|';
      const parse = parseGrok({ match: MATCH });
      expectObservable(source.pipe(parse, tap((out) => outputs.push(out)), map((out) => out.events.map((event) => event.status ?? event.tags)))).toBe(expected, {
        x: [201],
        y: [['grok_parse_error'], 404],
      });
    });
    expect(outputs.map((out) => out.ack)).toEqual([a.ack, b.ack]);
  });

  it('drops unmatched events with onFailure drop: an all-dropped batch is acked and swallowed', () => {
    const discarded: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a--b-|', { a: batch('a', 'x', 'GET 200'), b: batch('b', 'y') });
      const expected = '     -x----|';
      const parse = parseGrok({ match: MATCH, onFailure: 'drop' }, { onDiscard: (count) => discarded.push(count) });
      expectObservable(source.pipe(parse, map((out) => out.events.map((event) => event.verb)))).toBe(expected, { x: ['GET'] });
    });
    expect(discarded).toEqual([1, 1]);
    expect(acks.state('b')).toBe('resolved');
    expect(acks.state('a')).toBe('pending');
  });

  it('forwards a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-#', { a: batch('a', 'GET 200') }, failure);
      const subs = '         ^--!';
      const expected = '     -x-#';
      expectObservable(source.pipe(parseGrok({ match: MATCH }), map((out) => out.events[0].verb))).toBe(expected, { x: 'GET' }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('tears down its source when unsubscribed early', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b--', { a: batch('a', 'GET 200'), b: batch('b', 'PUT 201') });
      const unsub = '        ^--!';
      const subs = '         ^--!';
      const expected = '     -x--';
      expectObservable(source.pipe(parseGrok({ match: MATCH }), map((out) => out.events[0].verb)), unsub).toBe(expected, { x: 'GET' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.pending()).toEqual(['a', 'b']);
  });

  it('keeps a shared event unchanged and tells hooks.onError when the parse-error hook throws', () => {
    const errors: unknown[] = [];
    const input = batch('a', 'nope', 'GET 200');
    const original = input.events[0];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: { ...input, shared: true } });
      const expected = '     -x-|';
      const parse = parseGrok({ match: MATCH }, {
        onParseError: () => {
          throw new Error('metrics down');
        },
        onError: (error) => errors.push(error),
      });
      expectObservable(source.pipe(parse, map(eventsOf))).toBe(expected, { x: [{ message: 'nope' }, { message: 'GET 200', verb: 'GET', status: 200 }] });
    });
    expect(errors).toEqual([new Error('metrics down')]);
    expect(original).toEqual({ message: 'nope' });
  });
});
