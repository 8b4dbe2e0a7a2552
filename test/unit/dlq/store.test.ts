import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEvent } from '../../../src/core/event';
import { DeadLetterStore } from '../../../src/dlq/store';
import { entries, entry, queueDir, queuedMessages, RECENT, segmentFiles } from './fixtures';

const HOUR = 3600 * 1000;

describe('DeadLetterStore', () => {
  it('appends entries as NDJSON lines and reads them back in order with their positions', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir });
    await store.append([entry('a'), entry('b')]);
    await store.append([entry('c')]);
    const read = await store.read();
    expect(read.map((stored) => stored.entry)).toEqual([entry('a'), entry('b'), entry('c')]);
    expect(read.map((stored) => stored.position)).toEqual([
      { segment: 1, offset: 0 },
      { segment: 1, offset: read[0].bytes },
      { segment: 1, offset: read[0].bytes + read[1].bytes },
    ]);
    const [first] = readFileSync(join(dir, segmentFiles(dir)[0]), 'utf8').split('\n');
    expect(first).toBe(JSON.stringify({ time: new Date(RECENT).toISOString(), component: 'archive', error: 'writing /x failed: ENOTDIR', attempts: 1, event: { message: 'a' } }));
  });

  it('reads a missing directory as an empty queue', async () => {
    const store = new DeadLetterStore({ dir: queueDir() });
    expect(await store.read()).toEqual([]);
    expect((await store.stats()).entries).toBe(0);
  });

  it('pages through entries with limit and offset, and iterates them all', async () => {
    const store = new DeadLetterStore({ dir: queueDir() });
    await store.append(entries(10));
    expect((await store.read({ limit: 3, offset: 4 })).map((s) => s.entry.event.message)).toEqual(['e4', 'e5', 'e6']);
    const all: string[] = [];
    for await (const stored of store.entries()) all.push(String(stored.entry.event.message));
    expect(all).toHaveLength(10);
  });

  it('reports entries, bytes, oldest and newest time, components and errors by frequency', async () => {
    const store = new DeadLetterStore({ dir: queueDir() });
    await store.append([entry('a', RECENT - HOUR, 'timeout'), entry('b', RECENT - 2 * HOUR, 'ENOTDIR'), entry('c', RECENT, 'ENOTDIR')]);
    const stats = await store.stats();
    expect(stats).toMatchObject({
      entries: 3,
      segments: 1,
      oldest: new Date(RECENT - 2 * HOUR).toISOString(),
      newest: new Date(RECENT).toISOString(),
      byError: [{ error: 'ENOTDIR', count: 2 }, { error: 'timeout', count: 1 }],
      byComponent: { archive: 3 },
      malformed: 0,
      torn: 0,
    });
    expect(stats.bytes).toBe(stats.diskBytes);
  });

  it('purges every entry and the cursor, reporting how many entries it removed', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir });
    await store.append(entries(5));
    await store.commit((await store.read())[2].position);
    expect(await store.purge()).toBe(3);
    expect(segmentFiles(dir)).toEqual([]);
    await store.append([entry('after')]);
    expect(await queuedMessages(store)).toEqual(['after']);
  });

  it('rolls to a new segment once a segment holds max_segment_bytes', async () => {
    const dir = queueDir();
    const line = Buffer.byteLength(JSON.stringify(entry('e0'))) + 1;
    const store = new DeadLetterStore({ dir, maxSegmentBytes: line * 2 });
    await store.append(entries(5));
    expect(segmentFiles(dir)).toHaveLength(3);
    expect(await queuedMessages(store)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it('starts a fresh segment for every writer, so a line torn by a crash is never appended to', async () => {
    const dir = queueDir();
    await new DeadLetterStore({ dir }).append([entry('a')]);
    await new DeadLetterStore({ dir }).append([entry('b')]);
    expect(segmentFiles(dir)).toEqual(['segment-0000000001.ndjson', 'segment-0000000002.ndjson']);
  });

  it('rejects an append when the queue directory cannot be created', async () => {
    const dir = queueDir();
    mkdirSync(join(dir, '..'), { recursive: true });
    writeFileSync(dir, 'a regular file where the directory should be');
    await expect(new DeadLetterStore({ dir }).append([entry('a')])).rejects.toThrow(/EEXIST|ENOTDIR/);
  });

  it('keeps an event that cannot be encoded in its safe form rather than refusing the append', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir });
    const hostile = { message: 'x', size: BigInt(1) } as unknown as LogEvent;
    await store.append([{ ...entry('x'), event: hostile }]);
    const [kept] = await store.read();
    expect(kept.entry.event).toMatchObject({ message: 'x', keys: 'message,size', unencodable: expect.stringMatching(/BigInt/) });
  });

  it('skips malformed lines and counts them, never throwing', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir });
    await store.append([entry('a')]);
    appendFileSync(join(dir, segmentFiles(dir)[0]), 'not json\n{"time":"yesterday","event":{}}\n[1,2]\n');
    await store.append([entry('b')]);
    expect(await queuedMessages(store)).toEqual(['a', 'b']);
    expect((await store.stats()).malformed).toBe(3);
  });

  it('stops before an unterminated last line of the newest segment (it may still be being written)', async () => {
    const dir = queueDir();
    const store = new DeadLetterStore({ dir });
    await store.append([entry('a'), entry('b')]);
    appendFileSync(join(dir, segmentFiles(dir)[0]), '{"time":"2024-01-01T00:00:00.000Z","comp');
    const result = await store.readFrom(await store.cursor(), 10);
    expect(result.entries.map((s) => s.entry.event.message)).toEqual(['a', 'b']);
    expect(result).toMatchObject({ torn: 0, drained: true });
  });

  it('skips and counts a torn last line once its segment is sealed by a restarted writer', async () => {
    const dir = queueDir();
    await new DeadLetterStore({ dir }).append([entry('a'), entry('b')]);
    appendFileSync(join(dir, segmentFiles(dir)[0]), '{"time":"2024-01-01T00:00:00.000Z","comp');
    const restarted = new DeadLetterStore({ dir });
    await restarted.append([entry('c')]);
    expect(await queuedMessages(restarted)).toEqual(['a', 'b', 'c']);
    expect((await restarted.stats()).torn).toBe(1);
  });

  it('ignores segments after untilSegment when reading a snapshot', async () => {
    const dir = queueDir();
    await new DeadLetterStore({ dir }).append([entry('a')]);
    const store = new DeadLetterStore({ dir });
    const until = await store.newestSegment();
    await store.append([entry('later')]);
    const result = await store.readFrom(await store.cursor(), 10, until);
    expect(result.entries.map((s) => s.entry.event.message)).toEqual(['a']);
    expect(result.drained).toBe(true);
  });
});
