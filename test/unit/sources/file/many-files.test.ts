import { appendFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { note } from '../../../helpers/notes';
import { Tail, tmpDir } from './tail-harness';

const FILES = 1000;
const MAX_OPEN = 64;

/** Descriptors this process holds on files in `dir`. */
function descriptorsUnder(dir: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${dir}/`)) count++; // files in it, not the directory a scan lists
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

describe('file source: many files', () => {
  afterEach(() => Tail.closeAll());

  it(`tails ${FILES} files at once with at most max_open_files descriptors, every line exactly once`, async () => {
    const dir = tmpDir();
    for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `f${i}.log`), `f${i} line 0\nf${i} line 1\n`);
    const tail = new Tail({ include: [`${dir}/*.log`], max_open_files: MAX_OPEN, scan_interval: 200 });
    let peakDescriptors = 0;
    const sample = setInterval(() => (peakDescriptors = Math.max(peakDescriptors, descriptorsUnder(dir))), 10);
    const heapBefore = process.memoryUsage().heapUsed;
    try {
      // Generous bounds: under CI the integration suites and their servers share the two cores.
      await tail.waitFor(2 * FILES, 60_000);
      for (let i = 0; i < FILES; i++) appendFileSync(join(dir, `f${i}.log`), `f${i} line 2\n`);
      await tail.waitFor(3 * FILES, 60_000);
    } finally {
      clearInterval(sample);
    }
    const expected = Array.from({ length: FILES }, (_, i) => [0, 1, 2].map((line) => `f${i} line ${line}`)).flat().sort();
    expect([...tail.messages()].sort()).toEqual(expected);
    expect(peakDescriptors).toBeLessThanOrEqual(MAX_OPEN);
    note(`file source, ${FILES} files, max_open_files ${MAX_OPEN}: peak descriptors ${peakDescriptors}, heap growth ${((process.memoryUsage().heapUsed - heapBefore) / 1048576).toFixed(1)} MiB`);
    await tail.stop();
  }, 150_000);

  it('reads files in turns (round-robin): a large file does not hold back a small one', async () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'big.log'), `${'b'.repeat(99)}\n`.repeat(50_000));
    writeFileSync(join(dir, 'small.log'), 'small\n');
    const tail = new Tail({ include: [`${dir}/*.log`], read_buffer: 4096 });
    await tail.waitFor(50_001, 20_000);
    const smallAt = tail.messages().indexOf('small');
    expect(smallAt).toBeGreaterThanOrEqual(0);
    expect(smallAt).toBeLessThan(200); // within the first turns, not after 5 MB of the big file
  }, 30_000);
});
