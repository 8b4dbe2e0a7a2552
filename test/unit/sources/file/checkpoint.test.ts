import { appendFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { numbered, numberedLines, savedPositions, sleep, Tail, tmpDir } from './tail-harness';
import { until } from '../../../helpers/async';

// Real files and real timers on a shared machine: generous bounds, the tests wait for conditions, not for time.
jest.setTimeout(60_000);

describe('file source: checkpoints', () => {
  afterEach(() => Tail.closeAll());
  it('resumes exactly at the checkpoint after a restart: lines appended while stopped arrive once', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('a', 0, 100));
    const first = new Tail({ include: [log] });
    await first.waitFor(100);
    await first.stop();
    expect(Object.values(savedPositions(first.dataDir))).toEqual([numbered('a', 0, 100).length]);
    appendFileSync(log, numbered('a', 100, 130));
    const second = new Tail({ include: [log] }, { dataDir: first.dataDir });
    expect(await second.waitFor(30)).toEqual(numberedLines('a', 100, 130));
    await sleep(150);
    expect(second.lines).toHaveLength(30);
    await second.stop();
  });

  it('commits only the contiguous acknowledged prefix: an unacknowledged batch is read again after a restart', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('a', 0, 30));
    const first = new Tail({ include: [log], read_buffer: 1024 }, { ack: false });
    await first.waitFor(30);
    appendFileSync(log, numbered('a', 30, 300));
    await first.waitFor(300);
    expect(first.batches.length).toBeGreaterThan(2);
    // Acknowledge every batch but the second: the checkpoint stops at the end of the first.
    first.batches.forEach((batch, index) => index !== 1 && batch.ack.resolve());
    await first.stop();
    const firstEnd = first.lines.filter((line) => first.batches[0].events.some((event) => event.message === line.message)).length;
    const second = new Tail({ include: [log] }, { dataDir: first.dataDir });
    const again = await second.waitFor(300 - firstEnd);
    expect(again).toEqual(numberedLines('a', firstEnd, 300));
    await second.stop();
  });

  it('does not emit a partial last line at stop; the restart reads it whole once completed', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, 'one\ntw');
    const first = new Tail({ include: [log], eof_timeout: 60_000 });
    await first.waitFor(1);
    await first.stop();
    appendFileSync(log, 'o\nthree\n');
    const second = new Tail({ include: [log] }, { dataDir: first.dataDir });
    expect(await second.waitFor(2)).toEqual(['two', 'three']);
    await second.stop();
  });

  it('follows a rename made while stopped when include matches the new name, resuming at its checkpoint', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('a', 0, 10));
    const first = new Tail({ include: [`${dir}/app.log*`] });
    await first.waitFor(10);
    await first.stop();
    appendFileSync(log, numbered('a', 10, 15));
    renameSync(log, `${log}.1`);
    writeFileSync(log, numbered('b', 0, 2));
    const second = new Tail({ include: [`${dir}/app.log*`] }, { dataDir: first.dataDir });
    await second.waitFor(7);
    await sleep(150);
    expect([...second.messages()].sort()).toEqual([...numberedLines('a', 10, 15), ...numberedLines('b', 0, 2)].sort());
    await second.stop();
  });

  it('starts files found at the first start at their end with read_from: end, but later files at 0', async () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'old.log'), numbered('old', 0, 10));
    const tail = new Tail({ include: [`${dir}/*.log`], read_from: 'end' });
    await tail.ready();
    appendFileSync(join(dir, 'old.log'), 'old-new\n');
    writeFileSync(join(dir, 'new.log'), 'new-0\n');
    await tail.waitFor(2);
    await sleep(100);
    expect([...tail.messages()].sort()).toEqual(['new-0', 'old-new']);
    await tail.stop();
  });

  it('skips files not modified within ignore_older_than', async () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'stale.log'), 'stale\n');
    const longAgo = new Date(Date.now() - 3 * 86_400_000);
    utimesSync(join(dir, 'stale.log'), longAgo, longAgo);
    writeFileSync(join(dir, 'fresh.log'), 'fresh\n');
    const tail = new Tail({ include: [`${dir}/*.log`], ignore_older_than: '1d' });
    await tail.waitFor(1);
    await sleep(200);
    expect(tail.messages()).toEqual(['fresh']);
    await tail.stop();
  });

  it('forgets saved positions of files gone while stopped, and saves positions atomically as JSON', async () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'a.log'), 'a\n');
    writeFileSync(join(dir, 'b.log'), 'b\n');
    const first = new Tail({ include: [`${dir}/*.log`] });
    await first.waitFor(2);
    await first.stop();
    expect(Object.keys(savedPositions(first.dataDir))).toHaveLength(2);
    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(dir, 'b.log'));
    const second = new Tail({ include: [`${dir}/*.log`] }, { dataDir: first.dataDir });
    await sleep(200);
    await second.stop();
    await until(() => Object.keys(savedPositions(first.dataDir)).length === 1, 20_000);
    expect(second.lines).toHaveLength(0);
  });
});
