import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { listSegments } from '../../../src/wal/segments';
import { appendAll, closeOpened, eventually, openWal, readAll, tempDir, texts } from './helpers';


// Real disk I/O: fsyncs and renames can be slow on a loaded machine.
jest.setTimeout(30_000);

describe('Wal', () => {
  afterEach(closeOpened);

  it('replays every record in order after reopening, across segment rolls', async () => {
    const dir = tempDir();
    const written = texts('r', 50);
    const first = openWal(dir, { maxSegmentBytes: 1000 });
    expect(appendAll(first.wal, written)).toEqual(written.map((_, i) => i));
    await first.wal.close();
    expect(listSegments(dir).length).toBeGreaterThan(5);

    const second = openWal(dir, { maxSegmentBytes: 1000 });
    expect(readAll(second.wal)).toEqual(written.map((text, i) => [i, text]));
    expect(second.reports).toEqual({ corrupt: 0, missing: 0, ioErrors: [] });
    await second.wal.close();
  });

  it('serves records appended while the reader keeps up from memory, without reading the disk', async () => {
    const { wal } = openWal(tempDir());
    wal.append(Buffer.from('"a"'), 'a', () => undefined);
    const entry = wal.next();
    expect(entry).toMatchObject({ seq: 0, value: 'a' });
    expect(entry?.payload).toBeUndefined();
    expect(wal.next()).toBeUndefined();
    await wal.close();
  });

  it('reads records the memory cache evicted back from disk, in order', async () => {
    const { wal } = openWal(tempDir(), { cacheMaxRecords: 2 });
    for (const text of ['a', 'b', 'c', 'd', 'e']) wal.append(Buffer.from(text), text, () => undefined);
    const entries = [wal.next(), wal.next(), wal.next(), wal.next(), wal.next()];
    expect(entries.map((entry) => entry?.value ?? entry?.payload?.toString())).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(entries.map((entry) => (entry?.value === undefined ? 'disk' : 'memory'))).toEqual(['disk', 'disk', 'disk', 'memory', 'memory']);
    expect(wal.next()).toBeUndefined();
    await wal.close();
  });

  it('keeps reading after catching up: new appends, cache overflows and segment rolls interleaved', async () => {
    const { wal } = openWal(tempDir(), { cacheMaxRecords: 3, maxSegmentBytes: 600 });
    const seen: string[] = [];
    const all = texts('i', 40, 50);
    for (let i = 0; i < all.length; i += 1) {
      wal.append(Buffer.from(all[i]), i % 2 === 0 ? all[i] : undefined, () => undefined);
      if (i % 7 === 0) for (const [, text] of readAll(wal)) seen.push(text);
    }
    for (const [, text] of readAll(wal)) seen.push(text);
    expect(seen).toEqual(all);
    await wal.close();
  });

  it('continues numbering after a restart', async () => {
    const dir = tempDir();
    const first = openWal(dir);
    appendAll(first.wal, ['a', 'b', 'c']);
    await first.wal.close();
    const second = openWal(dir);
    expect(appendAll(second.wal, ['d'])).toEqual([3]);
    expect(readAll(second.wal)).toEqual([[0, 'a'], [1, 'b'], [2, 'c'], [3, 'd']]);
    await second.wal.close();
  });

  it('persists the cursor: after acknowledging some records and reopening, only the rest is replayed', async () => {
    const dir = tempDir();
    const first = openWal(dir);
    appendAll(first.wal, texts('c', 10));
    readAll(first.wal);
    for (let seq = 0; seq < 6; seq++) first.wal.ack(seq);
    expect(first.wal.position).toBe(6);
    await first.wal.close();

    const second = openWal(dir);
    expect(readAll(second.wal).map(([seq]) => seq)).toEqual([6, 7, 8, 9]);
    await second.wal.close();
  });

  it('moves the cursor only over the contiguous acknowledged prefix when acks come out of order', async () => {
    const dir = tempDir();
    const first = openWal(dir);
    appendAll(first.wal, texts('o', 6));
    readAll(first.wal);
    for (const seq of [0, 1, 3, 4]) first.wal.ack(seq);
    expect(first.wal.position).toBe(2);
    await first.wal.close();

    const second = openWal(dir);
    expect(readAll(second.wal).map(([seq]) => seq)).toEqual([2, 3, 4, 5]);
    await second.wal.close();
  });

  it('deletes a segment once every record in it is acknowledged, keeping the one being written', async () => {
    const dir = tempDir();
    const { wal } = openWal(dir, { maxSegmentBytes: 1000 });
    appendAll(wal, texts('d', 40));
    const delivered = readAll(wal);
    const before = listSegments(dir).length;
    expect(before).toBeGreaterThan(3);
    for (const [seq] of delivered.slice(0, 20)) wal.ack(seq);
    await eventually(() => listSegments(dir).length < before);
    expect(listSegments(dir)[0].firstSeq).toBeLessThanOrEqual(20);
    for (const [seq] of delivered.slice(20)) wal.ack(seq);
    await eventually(() => listSegments(dir).length === 1);
    expect(wal.usedBytes).toBe(0);
    await wal.close();
  });

  it('on start, deletes segments left entirely below the cursor by a crash before their deletion', async () => {
    const dir = tempDir();
    const snapshot = `${dir}-snapshot`;
    const first = openWal(dir, { maxSegmentBytes: 1000 });
    appendAll(first.wal, texts('s', 30));
    await first.wal.close();
    cpSync(dir, snapshot, { recursive: true });

    const second = openWal(dir, { maxSegmentBytes: 1000 });
    for (const [seq] of readAll(second.wal)) second.wal.ack(seq);
    await second.wal.close();
    // The crash: the cursor was saved but the old segments are still there.
    for (const name of readdirSync(snapshot)) if (name.endsWith('.wal')) cpSync(join(snapshot, name), join(dir, name));
    rmSync(snapshot, { recursive: true });

    const third = openWal(dir, { maxSegmentBytes: 1000 });
    expect(readAll(third.wal)).toEqual([]);
    expect(listSegments(dir).length).toBeLessThanOrEqual(2);
    await third.wal.close();
  });

  it('counts the bytes of unacknowledged records and frees them as acks advance', async () => {
    const { wal } = openWal(tempDir());
    appendAll(wal, ['12345', '67890']);
    expect(wal.usedBytes).toBe(2 * (20 + 5));
    readAll(wal);
    wal.ack(1);
    expect(wal.usedBytes).toBe(50);
    wal.ack(0);
    expect(wal.usedBytes).toBe(0);
    await wal.close();
  });
});
