import { map, take, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { groupLines, type GroupLinesOptions } from '../operators/parse/multiline/group-lines';
import { GroupAbandonedError } from '../operators/parse/multiline/merge-groups';
import { createBatch, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { acknowledge, AckRecorder, eventsOf, messagesOf } from '../test/helpers/batches';
import { itHandlesEmptyAndNever } from './checklist';

/** Messages of a batch with their line breaks shown as `/`, so marble values stay on one line. */
const shown = (batch: Batch): string => messagesOf(batch).replace(/\n/g, '/');

describe('groupLines (the multiline stage)', () => {
  let testScheduler: TestScheduler;
  let acks: AckRecorder;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    acks = new AckRecorder();
  });

  // Lines starting with "S" start an event; a held event leaves 5 frames after its last line.
  const byStart = (options: Partial<GroupLinesOptions> = {}) =>
    groupLines({ rule: { startPattern: /^S/ }, maxLines: 100, maxBytes: 1000, flushAfterMs: 5, scheduler: testScheduler, ...options });

  itHandlesEmptyAndNever(() => byStart());

  it('emits a single held event flushAfterMs after its line arrived', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a 9ms |', { a: acks.batch('a', 'S1') });
      const expected = '     - 5ms x 4ms |';
      expectObservable(source.pipe(byStart(), acknowledge(), map(shown))).toBe(expected, { x: 'S1' });
    });
    expect(acks.states('a')).toEqual({ a: 'resolved' });
  });

  it('merges the lines of many batches, emitting each event when the next one starts', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const values = { a: acks.batch('a', 'S1', ' x'), b: acks.batch('b', ' y', 'S2'), c: acks.batch('c', 'S3', ' z') };
      const source = cold('  -a-b-c-------|', values);
      const expected = '     ---x-y----z--|';
      expectObservable(source.pipe(byStart(), acknowledge(), map(shown))).toBe(expected, { x: 'S1/ x/ y', y: 'S2', z: 'S3/ z' });
    });
    expect(acks.states('a', 'b', 'c')).toEqual({ a: 'resolved', b: 'resolved', c: 'resolved' });
  });

  it('waits flushAfterMs after the last line joined, not after the first', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  a--b--c-------|', { a: acks.batch('a', 'S1'), b: acks.batch('b', ' 2'), c: acks.batch('c', ' 3') });
      const expected = '     -----------x--|';
      expectObservable(source.pipe(byStart(), acknowledge(), map(shown))).toBe(expected, { x: 'S1/ 2/ 3' });
    });
  });

  it('flushes what it holds when the source completes, so nothing held is lost', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-b|', { a: acks.batch('a', 'S1'), b: acks.batch('b', ' 2', 'S3') });
      const expected = '     ---x(y|)';
      expectObservable(source.pipe(byStart(), acknowledge(), map(shown))).toBe(expected, { x: 'S1/ 2', y: 'S3' });
    });
    expect(acks.pending()).toEqual([]);
  });

  it('flushes what it holds before forwarding a source error', () => {
    const failure = new Error('source failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a-#', { a: acks.batch('a', 'S1', ' 2') }, failure);
      const expected = '     ---(x#)';
      expectObservable(source.pipe(byStart(), acknowledge(), map(shown))).toBe(expected, { x: 'S1/ 2' }, failure);
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('rejects the lines it holds when unsubscribed early, cancels its timer, and tears down its source', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('   -a-b------', { a: acks.batch('a', 'S1'), b: acks.batch('b', ' 2') });
      const unsub = '        ^---!';
      const subs = '         ^---!';
      expectObservable(source.pipe(byStart(), map(shown)), unsub).toBe('-----');
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
    expect(acks.cause('a')).toBeInstanceOf(GroupAbandonedError);
  });

  it('leaves emitted events to their holder and rejects only what it still held when the consumer stops', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a--', { a: acks.batch('a', 'S1', ' 2', 'S3', ' 4') });
      const expected = '     -(x|)';
      expectObservable(source.pipe(byStart(), acknowledge(), take(1), map(shown))).toBe(expected, { x: 'S1/ 2' });
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
    // Lines 0-1 were delivered; lines 2-3 were held and are rejected by their own indices.
    expect(acks.failedIndices('a')).toEqual([2, 3]);
  });

  it('errors the output when a callback throws, failing the lines it held and the unplaced rest of the batch', () => {
    const bug = new Error('group_by threw');
    testScheduler.run(({ cold, expectObservable }) => {
      const groupBy = (event: { message?: string }) => {
        if (event.message === 'boom') throw bug;
        return '';
      };
      const source = cold('  -a-b-|', { a: acks.batch('a', 'S1'), b: acks.batch('b', ' 2', 'boom', ' 4') });
      expectObservable(source.pipe(byStart({ groupBy }), map(shown))).toBe('---#', undefined, bug);
    });
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'rejected' });
    expect(acks.failedIndices('b')).toEqual([0, 1, 2]);
    expect(acks.count('b')).toBe(1);
  });

  it('emits at once when the producer of a held line urges its ack (out of credit)', () => {
    const a = acks.batch('a', 'S1', ' 2');
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -a------|', { a });
      const urge = cold('    ---u----', { u: 0 }).pipe(tap(() => a.ack.urge()));
      urge.subscribe();
      const expected = '     ---x----|';
      expectObservable(source.pipe(byStart(), acknowledge(), map(shown))).toBe(expected, { x: 'S1/ 2' });
    });
    expect(acks.state('a')).toBe('resolved');
  });

  it('keeps streams apart and times each out on its own', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const a = createBatch([{ message: 'S1', pod: 'p' }], acks.ack('a'));
      const b = createBatch([{ message: 'S2', pod: 'q' }, { message: ' p-line', pod: 'p' }], acks.ack('b'));
      const source = cold('  a-b----------|', { a, b });
      // Both fall quiet at frame 2 (p's line joined then): both leave at frame 7, the q event (timer set first) first.
      const expected = '     -------(yx)--|';
      const groupBy = (event: LogEvent) => String(event.pod);
      expectObservable(source.pipe(byStart({ groupBy }), acknowledge(), map(shown))).toBe(expected, { x: 'S1/ p-line', y: 'S2' });
    });
  });

  it('passes an empty batch\'s ack straight to resolved, emitting nothing', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('  -e-|', { e: createBatch(eventsOf(), acks.ack('e')) });
      expectObservable(source.pipe(byStart(), map(shown))).toBe('---|');
    });
    expect(acks.state('e')).toBe('resolved');
  });
});
