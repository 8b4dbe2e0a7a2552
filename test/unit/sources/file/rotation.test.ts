import { appendFileSync, copyFileSync, renameSync, symlinkSync, truncateSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { numbered, numberedLines, sleep, Tail, tmpDir } from './tail-harness';

/** Resolves once the async `condition` holds, polling every 50 ms; rejects after `timeoutMs`. */
async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Sorted copy, for cases where two files are read in turns. */
const sorted = (lines: readonly string[]): string[] => [...lines].sort();

// Real files and real timers on a shared machine: generous bounds, the tests wait for conditions, not for time.
jest.setTimeout(60_000);

describe('file source: rotation and file lifecycle, on real files', () => {
  let tail: Tail | undefined;
  afterEach(async () => {
    await tail?.stop();
    tail = undefined;
    Tail.closeAll();
  });

  it('follows rename + create: reads the renamed file to its end, then the new file, nothing missing or doubled', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('a', 0, 100));
    tail = new Tail({ include: [log] });
    await tail.waitFor(100);
    appendFileSync(log, numbered('a', 100, 150)); // written just before the rotation, maybe not read yet
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, numbered('a', 150, 160)); // the writer still holds the old file for a moment
    writeFileSync(log, numbered('b', 0, 50));
    const lines = await tail.waitFor(210);
    await sleep(200);
    expect(sorted(tail.messages())).toEqual(sorted([...numberedLines('a', 0, 160), ...numberedLines('b', 0, 50)]));
    expect(lines.filter((line) => line.startsWith('a-')).slice(100)).toEqual(numberedLines('a', 100, 160)); // in file order
  });

  it('releases the renamed file once it was read to its end and stayed quiet for eof_timeout', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('a', 0, 10));
    tail = new Tail({ include: [log] });
    await tail.waitFor(10);
    renameSync(log, `${log}.1`);
    writeFileSync(log, numbered('b', 0, 5));
    await tail.waitFor(15);
    await until(async () => (await openDescriptorsTo(`${log}.1`)) === 0, 20_000); // released after eof_timeout of quiet
    appendFileSync(`${log}.1`, 'written after release\n');
    await sleep(300);
    expect(tail.messages()).not.toContain('written after release');
  });

  it('follows the rename when include also matches the rotated name (one reader, its path updated)', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('a', 0, 10));
    tail = new Tail({ include: [`${dir}/app.log*`] });
    await tail.waitFor(10);
    renameSync(log, `${log}.1`);
    writeFileSync(log, numbered('b', 0, 3));
    await sleep(150);
    appendFileSync(`${log}.1`, 'late line\n');
    await tail.waitFor(14);
    await sleep(150);
    expect(sorted(tail.messages())).toEqual(sorted([...numberedLines('a', 0, 10), ...numberedLines('b', 0, 3), 'late line']));
    expect(tail.lines.find((line) => line.message === 'late line')?.path).toBe(`${log}.1`);
  });

  it('handles copytruncate: the truncated file is read again from 0, the copy is not read', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('a', 0, 100));
    tail = new Tail({ include: [log] });
    await tail.waitFor(100);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    await sleep(100);
    appendFileSync(log, numbered('b', 0, 20));
    await tail.waitFor(120);
    await sleep(200);
    expect(tail.messages()).toEqual([...numberedLines('a', 0, 100), ...numberedLines('b', 0, 20)]);
  });

  it('reads a truncated file from 0 (size below the offset)', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('a', 0, 50));
    tail = new Tail({ include: [log] });
    await tail.waitFor(50);
    truncateSync(log, 0);
    await sleep(150);
    appendFileSync(log, numbered('b', 0, 5));
    await tail.waitFor(55);
    await sleep(150);
    expect(tail.messages().slice(50)).toEqual(numberedLines('b', 0, 5));
    expect(tail.lines[50].offset).toBe(0);
  });

  it('notices a truncate-then-rewrite to a larger size by the fingerprint, and reads the new content from 0', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('old', 0, 10));
    tail = new Tail({ include: [log] });
    await tail.waitFor(10);
    // Same inode, rewritten larger than the old offset before the tail looks again.
    writeFileSync(log, numbered('new', 0, 40));
    await tail.waitFor(50);
    await sleep(150);
    expect(tail.messages()).toEqual([...numberedLines('old', 0, 10), ...numberedLines('new', 0, 40)]);
  });

  it('keeps reading a file deleted while being read, then releases its descriptor', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('a', 0, 20_000)); // larger than one read, so it is deleted mid-read
    tail = new Tail({ include: [log], read_buffer: 4096 });
    await tail.waitFor(1);
    unlinkSync(log);
    await tail.waitFor(20_000);
    await until(async () => (await openDescriptorsTo(log)) === 0, 20_000);
    expect(tail.messages()).toEqual(numberedLines('a', 0, 20_000));
  });

  it('tails symlinked paths (Kubernetes /var/log/containers style), reporting the symlink path, and follows the target across its rotation', async () => {
    const dir = tmpDir();
    const pods = join(dir, 'pods', 'ns_pod_uid', 'app');
    const containers = join(dir, 'containers');
    mkdirSync(pods, { recursive: true });
    mkdirSync(containers);
    writeFileSync(join(pods, '0.log'), numbered('c', 0, 5));
    symlinkSync(join(pods, '0.log'), join(containers, 'pod_ns_app-abc.log'));
    tail = new Tail({ include: [`${containers}/*.log`] });
    await tail.waitFor(5);
    expect(tail.lines[0].path).toBe(join(containers, 'pod_ns_app-abc.log'));
    appendFileSync(join(pods, '0.log'), numbered('c', 5, 8));
    await tail.waitFor(8);
    expect(tail.messages()).toEqual(numberedLines('c', 0, 8));
  });

  it('picks up a file that appears after start, from its beginning', async () => {
    const dir = tmpDir();
    tail = new Tail({ include: [`${dir}/*.log`], read_from: 'end' });
    await tail.ready();
    writeFileSync(join(dir, 'late.log'), numbered('late', 0, 3));
    expect(await tail.waitFor(3)).toEqual(numberedLines('late', 0, 3));
  });

  it('reads a .gz file once, decompressed, with its last line even without a newline', async () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'app.log.1.gz'), gzipSync(`${numbered('z', 0, 999)}z-999`));
    tail = new Tail({ include: [`${dir}/*.gz`] });
    await tail.waitFor(1000);
    await sleep(300);
    expect(tail.messages()).toEqual(numberedLines('z', 0, 1000));
    const dataDir = tail.dataDir;
    await tail.stop();
    tail = new Tail({ include: [`${dir}/*.gz`] }, { dataDir });
    await sleep(400);
    expect(tail.lines).toHaveLength(0);
  });

  it('detects a reused inode: a new file at a saved place with another fingerprint starts at 0', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('first', 0, 10));
    const first = new Tail({ include: [log] });
    await first.waitFor(10);
    await first.stop();
    // Rewritten in place while sluice is down: same inode, other content, longer than the old offset.
    writeFileSync(log, numbered('second', 0, 30));
    tail = new Tail({ include: [log] }, { dataDir: first.dataDir });
    expect(await tail.waitFor(30)).toEqual(numberedLines('second', 0, 30));
  });
});

/** How many descriptors this process holds open on `path` (a deleted file shows as `path (deleted)`). */
async function openDescriptorsTo(path: string): Promise<number> {
  const { readdir, readlink } = await import('node:fs/promises');
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(path)) count++;
  }
  return count;
}
