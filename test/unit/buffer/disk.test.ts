import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, type Subscription } from 'rxjs';
import { diskBuffer, type DiskBufferOptions } from '../../../operators/buffer/disk';
import { BufferAbandonedError } from '../../../operators/buffer/policy';
import { deliver } from '../../../operators/deliver';
import type { Batch } from '../../../src/core/batch';
import { BatchDeliveryError } from '../../../src/core/errors';
import { DELIVERED } from '../../../src/core/sink';
import { settle } from '../../helpers/async';
import { AckRecorder, FakeSink, failedAt } from '../../helpers/batches';
import { eventually } from '../wal/helpers';

/** One run of a disk buffer in front of `sink`: push batches, end, stop, wait for the log to close. */
function run(path: string, sink: FakeSink, options: Partial<DiskBufferOptions> = {}) {
  const input = new Subject<Batch>();
  const seen = { completed: false, closed: false, failed: 0, dropped: 0, utilisation: [] as number[] };
  const subscription: Subscription = input
    .pipe(
      diskBuffer({
        path,
        maxBytes: 1024 * 1024,
        fsync: 'never',
        onClosed: () => (seen.closed = true),
        hooks: {
          onDeliveryFailed: (count) => (seen.failed += count),
          onDiscard: (_, count) => (seen.dropped += count),
          onUtilisation: (fraction) => seen.utilisation.push(fraction),
        },
        ...options,
      }),
      deliver(sink, { concurrency: 4 }),
    )
    .subscribe({ complete: () => (seen.completed = true) });
  return {
    input,
    seen,
    /** Tears the stage down (a stop that did not drain) and waits for the log to close. */
    async stop(): Promise<void> {
      subscription.unsubscribe();
      await eventually(() => seen.closed);
    },
  };
}


// Real disk I/O: fsyncs and renames can be slow on a loaded machine.
jest.setTimeout(30_000);

describe('diskBuffer', () => {
  let acks: AckRecorder;
  let path: string;

  beforeEach(() => {
    acks = new AckRecorder();
    path = join(mkdtempSync(join(tmpdir(), 'sluice-disk-buffer-')), 'buffer');
  });

  it('acks upstream once the record is written, before the sink has answered', async () => {
    const sink = FakeSink.controlled();
    const stage = run(path, sink);
    stage.input.next(acks.batch('a', '1', '2'));
    await eventually(() => acks.state('a') === 'resolved' && sink.sent.length === 1);
    expect(sink.messages).toEqual(['1', '2']);
    sink.replies[0].resolve(DELIVERED);
    await stage.stop();
  });

  it('delivers every batch at least once across a restart, losing none', async () => {
    const messages = Array.from({ length: 60 }, (_, i) => `m${i}`);
    const slow = new FakeSink((_batch, call) => new Promise((done) => setTimeout(() => done(DELIVERED), call % 3)));
    const first = run(path, slow, { maxInFlight: 2, emitMaxEvents: 3 });
    messages.slice(0, 40).forEach((message, i) => first.input.next(acks.batch(`b${i}`, message)));
    await eventually(() => slow.sent.length >= 5);
    await first.stop(); // the restart: most of the first 40 are still in the log, unacknowledged

    const sink = new FakeSink();
    const second = run(path, sink);
    messages.slice(40).forEach((message, i) => second.input.next(acks.batch(`c${i}`, message)));
    second.input.complete();
    await eventually(() => second.seen.completed);
    expect(new Set([...slow.messages, ...sink.messages])).toEqual(new Set(messages));
    expect(sink.messages.length).toBeGreaterThan(20); // some of the first 40 came back from the log
    expect(sink.messages.slice(-20)).toEqual(messages.slice(40)); // new input after the replay, in order
    expect(acks.pending()).toEqual([]);
    expect(second.seen.closed).toBe(true);
  });

  it('replays what the log holds before any new input', async () => {
    const never = FakeSink.controlled();
    const first = run(path, never, { maxInFlight: 1 });
    first.input.next(acks.batch('old', 'old'));
    await eventually(() => acks.state('old') === 'resolved');
    await first.stop();

    const sink = new FakeSink();
    const second = run(path, sink);
    second.input.next(acks.batch('new', 'new'));
    second.input.complete();
    await eventually(() => second.seen.completed);
    expect(sink.messages).toEqual(['old', 'new']);
  });

  it('completes after draining and closing the log, so that a restart replays nothing', async () => {
    const first = run(path, new FakeSink());
    for (const label of ['a', 'b', 'c']) first.input.next(acks.batch(label, label));
    first.input.complete();
    await eventually(() => first.seen.completed);

    const sink = new FakeSink();
    const second = run(path, sink);
    second.input.complete();
    await eventually(() => second.seen.completed);
    expect(sink.sent).toEqual([]);
  });

  it('advances past acknowledged records only over the contiguous prefix when the sink answers out of order', async () => {
    const sink = FakeSink.controlled();
    const first = run(path, sink, { emitMaxEvents: 1 });
    for (const label of ['a', 'b', 'c']) first.input.next(acks.batch(label, label));
    await eventually(() => sink.replies.length === 3);
    sink.replies[1].resolve(DELIVERED);
    sink.replies[2].resolve(DELIVERED);
    await settle();
    await first.stop();

    const replay = new FakeSink();
    const second = run(path, replay);
    second.input.complete();
    await eventually(() => second.seen.completed);
    expect(replay.messages).toEqual(['a', 'b', 'c']);
  });

  it('counts a downstream rejection as failed events and does not replay them', async () => {
    const failing = new FakeSink((batch) => failedAt(new Error('refused'), batch.events.map((_, i) => i)));
    const first = run(path, failing);
    first.input.next(acks.batch('a', '1', '2'));
    first.input.complete();
    await eventually(() => first.seen.completed);
    expect(first.seen.failed).toBe(2);
    expect(acks.state('a')).toBe('resolved');

    const replay = new FakeSink();
    const second = run(path, replay);
    second.input.complete();
    await eventually(() => second.seen.completed);
    expect(replay.sent).toEqual([]);
  });

  it('when full with block, holds the upstream ack until acknowledged records free room', async () => {
    const sink = FakeSink.controlled();
    const stage = run(path, sink, { maxBytes: 100, maxInFlight: 1 });
    stage.input.next(acks.batch('a', 'x'.repeat(40)));
    stage.input.next(acks.batch('b', 'y'.repeat(40)));
    await eventually(() => acks.state('a') === 'resolved' && sink.replies.length === 1);
    await settle();
    expect(acks.state('b')).toBe('pending');
    sink.replies[0].resolve(DELIVERED);
    await eventually(() => acks.state('b') === 'resolved');
    await eventually(() => sink.replies.length === 2);
    sink.replies[1].resolve(DELIVERED);
    await stage.stop();
    expect(stage.seen.dropped).toBe(0);
  });

  it('when full with drop_newest, acks and counts the batch that does not fit', async () => {
    const sink = FakeSink.controlled();
    const stage = run(path, sink, { maxBytes: 100, whenFull: 'drop_newest' });
    stage.input.next(acks.batch('a', 'x'.repeat(40)));
    stage.input.next(acks.batch('b', 'y'.repeat(40), 'z'));
    await eventually(() => acks.state('a') === 'resolved' && acks.state('b') === 'resolved');
    expect(stage.seen.dropped).toBe(2);
    expect(stage.seen.utilisation.at(-1)).toBeGreaterThan(0.5);
    await stage.stop();
  });

  it('rejects the upstream acks still waiting for room when torn down', async () => {
    const sink = FakeSink.controlled();
    const stage = run(path, sink, { maxBytes: 100, maxInFlight: 1 });
    stage.input.next(acks.batch('a', 'x'.repeat(40)));
    stage.input.next(acks.batch('b', 'y'.repeat(40)));
    await eventually(() => acks.state('a') === 'resolved');
    await stage.stop();
    expect(acks.state('b')).toBe('rejected');
    expect(acks.reason('b')).toBeInstanceOf(BufferAbandonedError);
  });

  it('with fsync always, resolves the upstream ack once the record is synced', async () => {
    const stage = run(path, new FakeSink(), { fsync: 'always' });
    stage.input.next(acks.batch('a', '1'));
    expect(acks.state('a')).toBe('pending');
    await eventually(() => acks.state('a') === 'resolved');
    stage.input.complete();
    await eventually(() => stage.seen.completed);
  });

  it('errors, rather than throwing, when the log directory cannot be opened', async () => {
    const file = join(path, '..', 'a-file');
    writeFileSync(file, 'not a directory');
    const errors: unknown[] = [];
    new Subject<Batch>().pipe(diskBuffer({ path: file, maxBytes: 1000 })).subscribe({ error: (error: unknown) => errors.push(error) });
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/EEXIST|ENOTDIR/);
  });

  it('rejects the upstream ack of a batch that cannot be encoded as JSON, and carries on', async () => {
    const sink = new FakeSink();
    const stage = run(path, sink);
    const bad = acks.batch('bad', 'x');
    (bad.events[0] as Record<string, unknown>).big = BigInt(1) as unknown;
    stage.input.next(bad);
    stage.input.next(acks.batch('good', 'y'));
    stage.input.complete();
    await eventually(() => stage.seen.completed);
    expect(acks.states('bad', 'good')).toEqual({ bad: 'rejected', good: 'resolved' });
    expect(sink.messages).toEqual(['y']);
  });

  // Regression (issue 7, defect 5 in the disk buffer): one event that is not JSON rejected its
  // whole batch, so the good events beside it were never buffered.
  it('stores the rest of a batch when one event cannot be encoded, failing only that one, permanently', async () => {
    const sink = new FakeSink();
    const stage = run(path, sink);
    const mixed = acks.batch('mixed', 'a', 'poison', 'b');
    (mixed.events[1] as Record<string, unknown>).big = BigInt(1) as unknown;
    stage.input.next(mixed);
    stage.input.complete();
    await eventually(() => stage.seen.completed);
    expect(sink.messages).toEqual(['a', 'b']);
    expect(acks.failedIndices('mixed')).toEqual([1]);
    const reason = acks.reason('mixed') as BatchDeliveryError;
    expect(reason.failures[0].retryable).toBe(false);
  });

  // Regression (issue 7, defect 6): with fsync: interval a source out of credit waited the
  // whole interval for every ack, capping throughput at credit ÷ interval.
  it('syncs at once, instead of at the next interval, when the producer urges an unsynced batch', async () => {
    const stage = run(path, new FakeSink(), { fsync: 'interval', fsyncIntervalMs: 60_000 });
    const held = acks.batch('held', 'x');
    stage.input.next(held);
    await settle();
    expect(acks.state('held')).toBe('pending');
    held.ack.urge();
    await eventually(() => acks.state('held') === 'resolved');
    stage.input.complete();
    await eventually(() => stage.seen.completed);
  });
});
