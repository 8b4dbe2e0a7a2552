import fs from 'node:fs';
import { settle } from '../../helpers/async';
import { closeOpened, eventually, ManualScheduler, openWal, readAll, tempDir } from './helpers';

/** Appends `text` and records when (and how) its durability callback ran. */
function track(wal: ReturnType<typeof openWal>['wal'], text: string): { done: boolean; error?: Error } {
  const state: { done: boolean; error?: Error } = { done: false };
  wal.append(Buffer.from(text), undefined, (error) => {
    state.done = true;
    state.error = error;
  });
  return state;
}


// Real disk I/O: fsyncs and renames can be slow on a loaded machine.
jest.setTimeout(30_000);

describe('Wal durability', () => {
  afterEach(async () => {
    jest.restoreAllMocks();
    await closeOpened();
  });

  it('fsync never: runs the callback once the record is written, at the end of the turn, without syncing', async () => {
    const { wal } = openWal(tempDir(), { fsync: 'never' });
    const datasync = jest.spyOn(fs, 'fdatasync');
    const record = track(wal, 'a');
    expect(record.done).toBe(false);
    await settle();
    expect(record).toEqual({ done: true, error: undefined });
    expect(datasync).not.toHaveBeenCalled();
  });

  it('fsync always: writes the records of one turn with one writev, and runs their callbacks after one fdatasync', async () => {
    const { wal } = openWal(tempDir(), { fsync: 'always' });
    const writev = jest.spyOn(fs, 'writevSync');
    const datasync = jest.spyOn(fs, 'fdatasync');
    const records = ['a', 'b', 'c'].map((text) => track(wal, text));
    expect(writev).not.toHaveBeenCalled();
    await eventually(() => records.every((record) => record.done));
    expect(writev).toHaveBeenCalledTimes(1);
    expect(datasync).toHaveBeenCalledTimes(1);
    expect(records.map((record) => record.error)).toEqual([undefined, undefined, undefined]);
  });

  it('fsync interval: runs the callback only after the next interval sync on the scheduler', async () => {
    const scheduler = new ManualScheduler();
    const { wal } = openWal(tempDir(), { fsync: 'interval', fsyncIntervalMs: 1000, scheduler });
    const datasync = jest.spyOn(fs, 'fdatasync');
    const record = track(wal, 'a');
    await settle();
    scheduler.advance(999);
    await settle();
    expect(record.done).toBe(false);
    expect(datasync).not.toHaveBeenCalled();
    scheduler.advance(1);
    await eventually(() => record.done);
    expect(record.error).toBeUndefined();
    expect(datasync).toHaveBeenCalled();
  });

  it('fsync interval: syncs before the interval once 1 MiB of written records wait, so a source with less credit than one interval of data is not held for the timer', async () => {
    const scheduler = new ManualScheduler();
    const { wal } = openWal(tempDir(), { fsync: 'interval', fsyncIntervalMs: 1000, scheduler });
    const datasync = jest.spyOn(fs, 'fdatasync');
    const small = track(wal, 'a');
    await settle();
    expect(small.done).toBe(false);
    const large = track(wal, 'x'.repeat(1024 * 1024));
    await eventually(() => large.done);
    expect([small.done, small.error, large.error]).toEqual([true, undefined, undefined]);
    expect(datasync).toHaveBeenCalled();
  });

  it('fails the callbacks of a failed write, reports it, and appends later records to a fresh segment', async () => {
    const dir = tempDir();
    const first = openWal(dir, { fsync: 'never' });
    const failure = new Error('ENOSPC: no space left on device');
    jest.spyOn(fs, 'writevSync').mockImplementationOnce(() => {
      throw failure;
    });
    const lost = track(first.wal, 'lost');
    await settle();
    expect(lost).toEqual({ done: true, error: failure });
    expect(first.reports.ioErrors).toEqual([failure]);
    const kept = track(first.wal, 'kept');
    await eventually(() => kept.done);
    expect(kept.error).toBeUndefined();
    await first.wal.close();

    const second = openWal(dir);
    expect(readAll(second.wal)).toEqual([[1, 'kept']]);
    expect(second.reports.missing).toBe(1);
  });

  it('fails the callbacks waiting on a sync that fails, and reports it', async () => {
    const { wal, reports } = openWal(tempDir(), { fsync: 'always' });
    const failure = new Error('EIO: i/o error');
    jest.spyOn(fs, 'fdatasync').mockImplementation((_fd, callback) => callback(failure));
    const record = track(wal, 'a');
    await eventually(() => record.done);
    expect(record.error).toBe(failure);
    expect(reports.ioErrors).toContain(failure);
  });
});
