import { closeSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { RECORD_HEADER_SIZE, SEGMENT_HEADER_SIZE, segmentHeader } from '../../../src/wal/record';
import { listSegments, segmentName } from '../../../src/wal/segments';
import { appendAll, closeOpened, openWal, readAll, tempDir, texts } from './helpers';

const SIZE = 100; // payload bytes of every record written here
const recordAt = (index: number): number => SEGMENT_HEADER_SIZE + index * (RECORD_HEADER_SIZE + SIZE);

/** A closed log of `count` 100-byte records in one segment; returns its directory and file. */
async function logOf(count: number): Promise<{ dir: string; file: string; written: string[] }> {
  const dir = tempDir();
  const written = texts('t', count, SIZE);
  const { wal } = openWal(dir);
  appendAll(wal, written);
  await wal.close();
  return { dir, file: listSegments(dir)[0].path, written };
}

/** Overwrites bytes of `file` at `offset`. */
function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}


// Real disk I/O: fsyncs and renames can be slow on a loaded machine.
jest.setTimeout(30_000);

describe('Wal damage', () => {
  afterEach(closeOpened);

  it('replays every complete record before a torn tail, skips and counts the tail, and reads what is appended after the restart', async () => {
    const { dir, file, written } = await logOf(5);
    truncateSync(file, recordAt(4) + 30); // the crash cut the last record mid-payload

    const first = openWal(dir);
    expect(readAll(first.wal).map(([, text]) => text)).toEqual(written.slice(0, 4));
    expect(first.reports.corrupt).toBe(1);
    expect(appendAll(first.wal, ['after-1', 'after-2'])).toEqual([4, 5]);
    expect(readAll(first.wal)).toEqual([[4, 'after-1'], [5, 'after-2']]);
    await first.wal.close();

    const second = openWal(dir);
    expect(readAll(second.wal).map(([, text]) => text)).toEqual([...written.slice(0, 4), 'after-1', 'after-2']);
    expect(second.reports).toMatchObject({ corrupt: 1, missing: 0 });
  });

  it('skips a record whose CRC does not match and reads the ones after it', async () => {
    const { dir, file, written } = await logOf(5);
    overwrite(file, recordAt(2) + RECORD_HEADER_SIZE + 7, Buffer.from('#'));

    const { wal, reports } = openWal(dir);
    expect(readAll(wal)).toEqual([0, 1, 3, 4].map((i) => [i, written[i]]));
    expect(reports).toMatchObject({ corrupt: 1, missing: 0 });
  });

  it('skips a record with an impossible length by resyncing on the next record marker', async () => {
    const { dir, file, written } = await logOf(4);
    overwrite(file, recordAt(1) + 8, Buffer.from([0xff, 0xff, 0xff, 0xff]));

    const { wal, reports } = openWal(dir);
    expect(readAll(wal)).toEqual([0, 2, 3].map((i) => [i, written[i]]));
    expect(reports.corrupt).toBe(1);
  });

  it('reads the records of a segment whose file header is damaged, counting the damage', async () => {
    const { dir, file, written } = await logOf(3);
    overwrite(file, 0, Buffer.from('garbage!'));

    const { wal, reports } = openWal(dir);
    expect(readAll(wal).map(([, text]) => text)).toEqual(written);
    expect(reports.corrupt).toBe(1);
  });

  it('skips a missing segment file, counting the gap once, and reads the rest', async () => {
    const dir = tempDir();
    const written = texts('m', 30, SIZE);
    const first = openWal(dir, { maxSegmentBytes: 700 });
    appendAll(first.wal, written);
    await first.wal.close();
    const segments = listSegments(dir);
    expect(segments.length).toBeGreaterThanOrEqual(3);
    rmSync(segments[1].path);

    const { wal, reports } = openWal(dir, { maxSegmentBytes: 700 });
    const lost = new Set(Array.from({ length: segments[2].firstSeq - segments[1].firstSeq }, (_, i) => segments[1].firstSeq + i));
    expect(readAll(wal).map(([seq]) => seq)).toEqual(written.map((_, i) => i).filter((i) => !lost.has(i)));
    expect(reports).toMatchObject({ corrupt: 0, missing: 1 });
  });

  it('replays everything, counting the damage, when the cursor file is unreadable', async () => {
    const { dir, written } = await logOf(3);
    const first = openWal(dir);
    readAll(first.wal);
    first.wal.ack(0);
    await first.wal.close();
    writeFileSync(join(dir, 'cursor'), 'not a cursor');

    const { wal, reports } = openWal(dir);
    expect(readAll(wal).map(([, text]) => text)).toEqual(written);
    expect(reports.corrupt).toBe(1);
  });

  it.each([
    ['only a header', segmentHeader()],
    ['no bytes at all', Buffer.alloc(0)],
  ])('starts cleanly over an empty last segment left by a crash right after creating it (%s)', async (_, content) => {
    const { dir, written } = await logOf(2);
    writeFileSync(join(dir, segmentName(2)), content);

    const { wal, reports } = openWal(dir);
    expect(appendAll(wal, ['new'])).toEqual([2]);
    expect(readAll(wal).map(([, text]) => text)).toEqual([...written, 'new']);
    expect(reports).toMatchObject({ corrupt: 0, missing: 0 });
  });

  it('never stops or loops on arbitrary damage, and still reads every record the damage did not touch', async () => {
    const { dir, file, written } = await logOf(20);
    const pristine = readFileSync(file);
    const size = statSync(file).size;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(size - 1), fc.uint8Array({ minLength: 1, maxLength: 40 })), { minLength: 1, maxLength: 5 }), async (damage) => {
        writeFileSync(file, pristine);
        for (const file of listSegments(dir).slice(1)) rmSync(file.path);
        rmSync(join(dir, 'cursor'), { force: true });
        const touched = new Set<number>();
        for (const [offset, bytes] of damage) {
          overwrite(file, offset, Buffer.from(bytes.subarray(0, size - offset)));
          for (let i = 0; i < written.length; i++) {
            const start = recordAt(i);
            if (offset < start + RECORD_HEADER_SIZE + SIZE && offset + bytes.length > start) touched.add(i);
          }
        }
        const { wal } = openWal(dir);
        const read = readAll(wal);
        await closeOpened();
        const seqs = read.map(([seq]) => seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        for (const [seq, text] of read) expect(text).toBe(written[seq]);
        for (let i = 0; i < written.length; i++) if (!touched.has(i)) expect(seqs).toContain(i);
      }),
      { numRuns: 60 },
    );
  });
});
