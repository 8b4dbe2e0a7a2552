import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import type { Batch } from '../../../src/core/batch';
import { eventMeta } from '../../../src/core/event';
import { replayDeadLetters, type ReplayOptions } from '../../../src/dlq/replay';
import { DeadLetterStore } from '../../../src/dlq/store';
import { settle, until } from '../../helpers/async';
import { messagesOf } from '../../helpers/batches';
import { testSourceContext, type TestSourceContext } from '../../helpers/context';
import { entries, entry, queueDir, queuedMessages, segmentFiles } from './fixtures';

/** Every replay a test started: unsubscribed after each test, so a failed one leaves no poller behind. */
const running: Subscription[] = [];
afterEach(() => running.splice(0).forEach((subscription) => subscription.unsubscribe()));

/** Subscribes a replay of `store`, collecting batches and completion. */
function replay(store: DeadLetterStore, options: Partial<ReplayOptions> = {}, ctx: TestSourceContext = testSourceContext()) {
  const seen = { batches: [] as Batch[], completed: false, error: undefined as unknown, subscription: undefined as Subscription | undefined };
  seen.subscription = replayDeadLetters(store, ctx, { batchSize: 2, follow: false, pollIntervalMs: 10, ...options }).subscribe({
    next: (batch) => seen.batches.push(batch),
    error: (error: unknown) => (seen.error = error),
    complete: () => (seen.completed = true),
  });
  running.push(seen.subscription);
  return seen;
}

/** Waits until the queue holds no unconsumed entry (cursor saves are asynchronous). */
async function drained(store: DeadLetterStore): Promise<void> {
  for (let turn = 0; turn < 1000 && (await queuedMessages(store)).length > 0; turn++) await settle();
  expect(await queuedMessages(store)).toEqual([]);
}

async function filledStore(count: number): Promise<DeadLetterStore> {
  const store = new DeadLetterStore({ dir: queueDir() });
  await store.append(entries(count));
  return store;
}

describe('replayDeadLetters', () => {
  it('emits the entries\' events in order, batch_size at a time, with the failure kept as metadata, not in the event', async () => {
    const store = await filledStore(5);
    const seen = replay(store);
    await until(() => seen.batches.length === 3);
    expect(seen.batches.map(messagesOf)).toEqual(['e0,e1', 'e2,e3', 'e4']);
    const [first] = seen.batches[0].events;
    expect(Object.keys(first)).toEqual(['message']);
    expect(eventMeta(first)).toEqual({ dlq_error: 'writing /x failed: ENOTDIR', dlq_attempts: 1, dlq_time: entry('e0').time, dlq_component: 'archive' });
    expect(JSON.stringify(first)).toBe('{"message":"e0"}');
  });

  it('completes once the queue is drained and every batch acknowledged, leaving the queue empty', async () => {
    const store = await filledStore(3);
    const seen = replay(store);
    await until(() => seen.batches.length === 2);
    await settle();
    expect(seen.completed).toBe(false);
    for (const batch of seen.batches) batch.ack.resolve();
    await until(() => seen.completed);
    expect(await queuedMessages(store)).toEqual([]);
    expect(await queuedMessages(new DeadLetterStore({ dir: store.dir }))).toEqual([]);
  });

  it('completes at once on an empty queue', async () => {
    const seen = replay(new DeadLetterStore({ dir: queueDir() }));
    await until(() => seen.completed);
    expect(seen.batches).toEqual([]);
  });

  it('consumes only the contiguous prefix of acknowledged batches when acks arrive out of order', async () => {
    const store = await filledStore(6);
    const seen = replay(store);
    await until(() => seen.batches.length === 3);
    seen.batches[1].ack.resolve();
    seen.batches[2].ack.resolve();
    await settle();
    expect(await queuedMessages(store)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    seen.batches[0].ack.resolve();
    await until(() => seen.completed);
    expect(await queuedMessages(store)).toEqual([]);
  });

  it('stops at the first failed batch in a one-shot replay; entries from it on stay queued', async () => {
    const store = await filledStore(6);
    const settled: Array<[number, boolean]> = [];
    const seen = replay(store, { onSettled: (events, outcome) => settled.push([events, outcome.ok]) }, testSourceContext({ maxEvents: 4 }));
    await until(() => seen.batches.length === 2);
    seen.batches[0].ack.resolve();
    seen.batches[1].ack.reject(new Error('still failing'));
    await until(() => seen.completed);
    expect(seen.batches).toHaveLength(2);
    expect(settled).toEqual([[2, true], [2, false]]);
    expect(await queuedMessages(store)).toEqual(['e2', 'e3', 'e4', 'e5']);
  });

  it('honours credit: reads no further until acks return it', async () => {
    const store = await filledStore(6);
    const seen = replay(store, {}, testSourceContext({ maxEvents: 4 }));
    await until(() => seen.batches.length === 2);
    await settle();
    expect(seen.batches).toHaveLength(2);
    seen.batches[0].ack.resolve();
    await until(() => seen.batches.length === 3);
    for (const batch of seen.batches.slice(1)) batch.ack.resolve();
    await until(() => seen.completed);
  });

  it('replays a snapshot: entries appended during a one-shot replay are left for the next one', async () => {
    const store = await filledStore(2);
    const seen = replay(store);
    await until(() => seen.batches.length === 1);
    await new DeadLetterStore({ dir: store.dir }).append([entry('late')]);
    seen.batches[0].ack.resolve();
    await until(() => seen.completed);
    expect(seen.batches.map(messagesOf)).toEqual(['e0,e1']);
    expect(await queuedMessages(store)).toEqual(['late']);
  });

  it('follows the queue: entries appended after it drained are replayed too', async () => {
    const store = await filledStore(1);
    const seen = replay(store, { follow: true });
    await until(() => seen.batches.length === 1);
    await new DeadLetterStore({ dir: store.dir }).append([entry('later')]);
    await until(() => seen.batches.length === 2, 10_000);
    expect(seen.batches.map(messagesOf)).toEqual(['e0', 'later']);
    seen.subscription?.unsubscribe();
  });

  it('re-reads from the consumed cursor after a failure when following', async () => {
    const store = await filledStore(2);
    const seen = replay(store, { follow: true, batchSize: 1 });
    await until(() => seen.batches.length === 2);
    seen.batches[0].ack.resolve();
    seen.batches[1].ack.reject(new Error('try again'));
    await until(() => seen.batches.length === 3, 10_000);
    expect(messagesOf(seen.batches[2])).toBe('e1');
    seen.batches[2].ack.resolve();
    await drained(store);
    expect(seen.completed).toBe(false);
    seen.subscription?.unsubscribe();
  });

  it('completes when the pipeline stops, and still consumes what is acknowledged later', async () => {
    const store = await filledStore(2);
    const ctx = testSourceContext();
    const seen = replay(store, { follow: true }, ctx);
    await until(() => seen.batches.length === 1);
    ctx.stop();
    await until(() => seen.completed);
    seen.batches[0].ack.resolve();
    await drained(store);
  });

  it('skips malformed lines, counting them, and consumes past them', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir });
    await store.append([entry('a')]);
    appendFileSync(join(dir, segmentFiles(dir)[0]), 'garbage\n');
    await store.append([entry('b')]);
    const ctx = testSourceContext();
    const seen = replay(store, { batchSize: 10 }, ctx);
    await until(() => seen.batches.length === 1);
    expect(messagesOf(seen.batches[0])).toBe('a,b');
    seen.batches[0].ack.resolve();
    await until(() => seen.completed);
    expect((await store.stats()).malformed).toBe(0);
  });
});
