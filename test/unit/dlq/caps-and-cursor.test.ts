import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DlqDiscardReason } from '../../../src/dlq/caps';
import { DeadLetterStore } from '../../../src/dlq/store';
import { entries, entry, queueDir, queuedMessages, segmentFiles } from './fixtures';

const DAY = 24 * 3600 * 1000;
const LINE = Buffer.byteLength(JSON.stringify(entry('e0'))) + 1;

/** Records what a store's caps discarded, by reason. */
function discards(): { onDiscard: (reason: DlqDiscardReason, count: number) => void; counted: Record<string, number> } {
  const counted: Record<string, number> = {};
  return { counted, onDiscard: (reason, count) => void (counted[reason] = (counted[reason] ?? 0) + count) };
}

describe('DeadLetterStore caps', () => {
  it('drops the oldest segments beyond max_bytes and counts their entries as dlq_max_bytes', async () => {
    const dir = queueDir();
    const { counted, onDiscard } = discards();
    const store = new DeadLetterStore({ dir, maxBytes: LINE * 4, maxSegmentBytes: LINE * 2, onDiscard });
    await store.append(entries(6));
    expect(await queuedMessages(store)).toEqual(['e2', 'e3', 'e4', 'e5']);
    expect(counted).toEqual({ dlq_max_bytes: 2 });
    expect((await store.stats()).diskBytes).toBeLessThanOrEqual(LINE * 4);
  });

  it('caps a segment at half of max_bytes so the cap can always drop something', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir, maxBytes: LINE * 4, maxSegmentBytes: 1024 * 1024 });
    await store.append(entries(8));
    expect(await queuedMessages(store)).toEqual(['e4', 'e5', 'e6', 'e7']);
  });

  it('drops segments whose newest entry is older than max_age and counts them as dlq_max_age', async () => {
    const dir = queueDir();
    let now = Date.UTC(2024, 0, 1);
    const { counted, onDiscard } = discards();
    await new DeadLetterStore({ dir, now: () => now }).append(entries(3, 'old', now));
    const store = new DeadLetterStore({ dir, maxAgeMs: 7 * DAY, now: () => now, onDiscard });
    now += 8 * DAY;
    await store.append(entries(2, 'new', now));
    expect(await queuedMessages(store)).toEqual(['new0', 'new1']);
    expect(counted).toEqual({ dlq_max_age: 3 });
  });

  it('ages out an idle queue on prune, newest segment included', async () => {
    const dir = queueDir();
    let now = Date.UTC(2024, 0, 1);
    const { counted, onDiscard } = discards();
    const store = new DeadLetterStore({ dir, maxAgeMs: DAY, now: () => now, onDiscard });
    await store.append(entries(2, 'e', now));
    now += 2 * DAY;
    await store.prune();
    expect(await queuedMessages(store)).toEqual([]);
    expect(counted).toEqual({ dlq_max_age: 2 });
    await store.append([entry('fresh', now)]);
    expect(await queuedMessages(store)).toEqual(['fresh']);
  });

  it('does not count entries already consumed when a cap drops their segment', async () => {
    const dir = queueDir();
    const { counted, onDiscard } = discards();
    const store = new DeadLetterStore({ dir, maxBytes: LINE * 4, maxSegmentBytes: LINE * 2, onDiscard });
    await store.append(entries(4));
    await store.commit((await store.read())[1].position); // e0 consumed; e1 not
    await store.append(entries(2, 'n'));
    expect(counted).toEqual({ dlq_max_bytes: 1 });
    expect(await queuedMessages(store)).toEqual(['e2', 'e3', 'n0', 'n1']);
  });
});

describe('DeadLetterStore consumed cursor', () => {
  it('keeps consumed entries out of reads, and the cursor survives reopening the queue', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir });
    await store.append(entries(4));
    await store.commit((await store.read())[2].position);
    expect(await queuedMessages(store)).toEqual(['e2', 'e3']);
    const reopened = new DeadLetterStore({ dir });
    expect(await queuedMessages(reopened)).toEqual(['e2', 'e3']);
    expect(JSON.parse(readFileSync(join(dir, 'consumed.json'), 'utf8'))).toEqual(await reopened.cursor());
  });

  it('deletes segments once fully consumed, but keeps the newest (a writer may be appending to it)', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir, maxSegmentBytes: LINE * 2 });
    await store.append(entries(6));
    const all = await store.readFrom(await store.cursor(), 100);
    await store.commit(all.next);
    expect(segmentFiles(dir)).toEqual(['segment-0000000003.ndjson']);
    expect((await store.stats()).entries).toBe(0);
  });

  it('ignores a commit behind the saved cursor', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir });
    await store.append(entries(3));
    const [first, , third] = await store.read();
    await store.commit(third.position);
    await store.commit(first.position);
    expect(await queuedMessages(store)).toEqual(['e2']);
  });

  it('numbers a new writer\'s segment after the cursor, so its entries are never skipped as consumed', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir });
    await store.append(entries(2));
    await store.commit((await store.readFrom(await store.cursor(), 10)).next);
    await new DeadLetterStore({ dir }).append([entry('next')]);
    expect(await queuedMessages(new DeadLetterStore({ dir }))).toEqual(['next']);
  });
});
