import { appendFileSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { note } from '../helpers/notes';
import { assertBuilt, eventually, killLeftovers, readEvents, removeTempDirs, startCli, tempDir, writeConfig, type Running } from './cli-harness';

beforeAll(assertBuilt);
afterAll(() => {
  killLeftovers();
  removeTempDirs();
});

/**
 * The crash test of the file source: 10 files appended continuously, with rotations (rename
 * to a new numbered name, then a new file), while sluice is `kill -9`ed at random points.
 * The short form (3 kills, ~15 s) runs in the normal suite; `npm run test:crash` runs it for
 * SLUICE_CRASH_SECONDS (default there: 120 s) with a kill every 1-4 s.
 */
const SECONDS = Number(process.env.SLUICE_CRASH_SECONDS ?? 0);
const FILES = 10;
const MAX_IN_FLIGHT = 5000;

describe('file source under kill -9', () => {
  it('after the last restart every line written is in the output at least once (duplicates counted)', async () => {
    const dir = tempDir('sluice-file-crash-');
    const logs = join(dir, 'logs');
    const out = join(dir, 'out');
    mkdirSync(logs);
    const config = writeConfig(
      dir,
      `data_dir: ${dir}/data
api: { enabled: false }
sources:
  logs:
    type: file
    include: ["${logs}/*.log*"]
    scan_interval: 100ms
    checkpoint_interval: 50ms
    max_in_flight_events: ${MAX_IN_FLIGHT}
sinks:
  files:
    type: file
    inputs: [logs]
    path: ${out}/events.ndjson
    batch:
      timeout: 20ms
`,
    );
    // The writer: a few lines to every file every 5 ms, rotating one file every ~300 lines.
    const written: string[] = [];
    const counters = new Array<number>(FILES).fill(0);
    const generations = new Array<number>(FILES).fill(0);
    let writing = true;
    let rotations = 0;
    const writer = (async () => {
      while (writing) {
        for (let file = 0; file < FILES; file++) {
          const path = join(logs, `f${file}.log`);
          let text = '';
          for (let i = 0; i < 3; i++) {
            const line = `f${file}-${counters[file]++}`;
            written.push(line);
            text += `${line}\n`;
          }
          appendFileSync(path, text);
          if (Math.random() < 3 / 300) {
            renameSync(path, `${path}.${++generations[file]}`);
            rotations++;
          }
        }
        await new Promise((wake) => setTimeout(wake, 5));
      }
    })();

    const kills = SECONDS > 0 ? Number.POSITIVE_INFINITY : 3;
    const endAt = Date.now() + SECONDS * 1000;
    let killed = 0;
    let sluice: Running = startCli(['run', '-c', config]);
    try {
      while (killed < kills && (SECONDS === 0 || Date.now() < endAt)) {
        await new Promise((wake) => setTimeout(wake, 1000 + Math.random() * 3000));
        if (sluice.child.exitCode !== null) throw new Error(`sluice exited by itself: ${sluice.stderr()}`);
        sluice.child.kill('SIGKILL');
        await sluice.exited;
        killed++;
        sluice = startCli(['run', '-c', config]);
      }
      writing = false;
      await writer;
      const expected = new Set(written);
      let seen = new Map<string, number>();
      await eventually(
        () => {
          seen = new Map();
          for (const event of readEvents(out)) seen.set(event.message as string, (seen.get(event.message as string) ?? 0) + 1);
          for (const line of expected) if (!seen.has(line)) return undefined;
          return true;
        },
        60_000,
        'every written line in the output',
      ).catch((error: Error) => {
        const missing = [...expected].filter((line) => !seen.has(line));
        throw new Error(`${error.message}: ${missing.length} of ${expected.size} missing, e.g. ${missing.slice(0, 5).join(', ')}`);
      });
      let duplicates = 0;
      for (const count of seen.values()) duplicates += count - 1;
      note(`file source crash test: ${killed} kill -9, ${rotations} rotations, ${written.length} lines written, all delivered, ${duplicates} duplicates (${((100 * duplicates) / written.length).toFixed(2)} %)`);
      expect([...expected].every((line) => seen.has(line))).toBe(true);
      // A kill repeats at most what was read but not yet saved: the in-flight bound, plus what was acknowledged within one checkpoint interval.
      expect(duplicates).toBeLessThanOrEqual(killed * 2 * MAX_IN_FLIGHT);
    } finally {
      writing = false;
      sluice.child.kill('SIGTERM');
      await sluice.exited;
    }
  }, Math.max(90_000, SECONDS * 1000 + 90_000));
});
