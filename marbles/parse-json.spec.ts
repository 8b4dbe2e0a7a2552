import { map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { parseJson } from '../operators/parse/json';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { AckRecorder } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

const eventsOf = (batch: Batch): LogEvent[] => batch.events;

describe('parseJson', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  const batch = (label: string, ...messages: string[]): Batch => createBatch(messages.map((message) => ({ message })), acks.ack(label));

  itHandlesEmptyAndNever(() => parseJson());

  it('merges the parsed object of a single batch into each event, replacing the raw message when it has one', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('a', '{"level":"info","n":1}', '{"message":"hi","user":"bob"}') });
      const expected = '     -x-|';
      expectObservable(source.pipe(parseJson(), map(eventsOf))).toBe(expected, {
        x: [{ level: 'info', n: 1 }, { message: 'hi', user: 'bob' }],
      });
    });
    expect(acks.state('a')).toBe('pending');
  });

  it('parses many batches in order, keeping each batch and its ack', () => {
    const a = batch('a', '{"k":1}');
    const b = batch('b', '{"k":2}', 'plain');
    const outputs: Batch[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a--b-|', { a, b });
      const expected = '     -x--y-|';
      expectObservable(source.pipe(parseJson(), tap((out) => outputs.push(out)), map((out) => out.events.map((event) => event.k ?? event.tags)))).toBe(expected, {
        x: [1],
        y: [2, ['json_parse_error']],
      });
    });
    expect(outputs.map((out) => out.ack)).toEqual([a.ack, b.ack]);
  });

  it('tags and reports malformed JSON and non-objects, keeping the raw line and the rest of the batch', () => {
    const reasons: string[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: batch('a', '{"broken":', '42', '{"ok":true}') });
      const expected = '     -x-|';
      const parse = parseJson({}, { onParseError: (_event, reason) => reasons.push(reason) });
      expectObservable(source.pipe(parse, map(eventsOf))).toBe(expected, {
        x: [
          { message: '{"broken":', tags: ['json_parse_error'] },
          { message: '42', tags: ['json_parse_error'] },
          { ok: true },
        ],
      });
    });
    expect(reasons).toHaveLength(2);
    expect(reasons[1]).toBe('not a JSON object');
  });

  it('forwards a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-#', { a: batch('a', '{"x":1}') }, failure);
      const subs = '         ^--!';
      const expected = '     -x-#';
      expectObservable(source.pipe(parseJson(), map((out) => out.events[0].x))).toBe(expected, { x: 1 }, failure);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('tears down its source when unsubscribed early', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a--b--', { a: batch('a', '{"x":1}'), b: batch('b', '{"x":2}') });
      const unsub = '        ^--!';
      const subs = '         ^--!';
      const expected = '     -x--';
      expectObservable(source.pipe(parseJson(), map((out) => out.events[0].x)), unsub).toBe(expected, { x: 1 });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.pending()).toEqual(['a', 'b']);
  });

  it('keeps the event unchanged and tells hooks.onError when the parse-error hook throws', () => {
    const errors: unknown[] = [];
    const input = batch('a', 'not json', '{"y":2}');
    const original = input.events[0];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-|', { a: { ...input, shared: true } });
      const expected = '     -x-|';
      const parse = parseJson({}, {
        onParseError: () => {
          throw new Error('metrics down');
        },
        onError: (error) => errors.push(error),
      });
      expectObservable(source.pipe(parse, map(eventsOf))).toBe(expected, { x: [{ message: 'not json' }, { y: 2 }] });
    });
    expect(errors).toEqual([new Error('metrics down')]);
    expect(original).toEqual({ message: 'not json' });
  });
});
