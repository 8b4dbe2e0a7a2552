import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { Checkpoint, CheckpointError, KeyedCheckpoint } from '../../../src/sources/checkpoint';
import { silentLogger, type Logger } from '../../../src/observability/logger';

const OK = { ok: true } as const;
const REJECTED = { ok: false, reason: new Error('sink refused') } as const;
const FILE_A = '2049:131077:9f86d081';
const FILE_B = '2049:131078:60303ae2';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'sluice-keyed-'));
const saved = (dir: string): unknown => JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
const keyedIn = (dir: string, logger: Logger = silentLogger(), scheduler = new VirtualTimeScheduler()): KeyedCheckpoint => new KeyedCheckpoint({ dir, intervalMs: 100, scheduler, logger });

describe('KeyedCheckpoint', () => {
  it('commits each key only over its contiguous acknowledged prefix when acks settle out of order', () => {
    const checkpoint = keyedIn(tempDir());
    const first = checkpoint.track(FILE_A, 0, 100);
    const second = checkpoint.track(FILE_A, 100, 250);
    const third = checkpoint.track(FILE_A, 250, 300);
    third(OK);
    second(OK);
    expect(checkpoint.committed(FILE_A)).toBe(0);
    first(OK);
    expect(checkpoint.committed(FILE_A)).toBe(300);
  });

  it('holds a key at a rejected range however many later ranges of it are acknowledged', () => {
    const checkpoint = keyedIn(tempDir());
    checkpoint.track('logs/0', 0, 10)(OK);
    const rejected = checkpoint.track('logs/0', 10, 20);
    for (let start = 20; start < 200; start += 10) checkpoint.track('logs/0', start, start + 10)(OK);
    rejected(REJECTED);
    expect(checkpoint.committed('logs/0')).toBe(10);
  });

  it('keeps keys independent: a gap in one key does not hold another', () => {
    const checkpoint = keyedIn(tempDir());
    checkpoint.track(FILE_A, 0, 10);
    checkpoint.track(FILE_A, 10, 20)(OK);
    checkpoint.track(FILE_B, 500, 600)(OK);
    expect(checkpoint.committed(FILE_A)).toBe(0);
    expect(checkpoint.committed(FILE_B)).toBe(600); // a new key starts where its first range starts
    expect(checkpoint.keys()).toEqual([FILE_A, FILE_B]);
  });

  it('saves every key in one versioned file that a new instance loads, and forgotten keys disappear from it', async () => {
    const dir = tempDir();
    const first = keyedIn(dir);
    first.track(FILE_A, 0, 40)(OK);
    first.track('logs/3', 1000, 1005)(OK);
    first.track(FILE_B, 0, 7)(OK);
    first.forget(FILE_B);
    await first.flush();
    expect(saved(dir)).toEqual({ version: 2, positions: { [FILE_A]: 40, 'logs/3': 1005 } });
    expect(readdirSync(dir)).toEqual(['checkpoint.json']);

    const second = keyedIn(dir);
    expect([...(await second.load())]).toEqual([
      [FILE_A, 40],
      ['logs/3', 1005],
    ]);
    expect(second.committed(FILE_A)).toBe(40);
    expect(second.committed(FILE_B)).toBeUndefined();
  });

  it('starts a key where begin() says, so a first range beyond it holds the mark', () => {
    const checkpoint = keyedIn(tempDir());
    checkpoint.begin(FILE_A, 100);
    checkpoint.begin(FILE_A, 0); // known keys are left alone
    checkpoint.track(FILE_A, 150, 200)(OK);
    expect(checkpoint.committed(FILE_A)).toBe(100);
  });

  it('ignores late settles of a key forgotten since, so a restarted key is not advanced by the old one', () => {
    const checkpoint = keyedIn(tempDir());
    const old = checkpoint.track(FILE_A, 0, 100);
    checkpoint.forget(FILE_A); // truncated: read again from 0
    const fresh = checkpoint.track(FILE_A, 0, 10);
    old(OK);
    expect(checkpoint.committed(FILE_A)).toBe(0);
    fresh(OK);
    expect(checkpoint.committed(FILE_A)).toBe(10);
  });

  it('saves at most once per interval of scheduler time, and once more when finished and every range settled', async () => {
    const dir = tempDir();
    const scheduler = new VirtualTimeScheduler();
    const checkpoint = keyedIn(dir, silentLogger(), scheduler);
    const last = checkpoint.track(FILE_A, 10, 20);
    checkpoint.track(FILE_A, 0, 10)(OK);
    checkpoint.track(FILE_B, 0, 5)(OK);
    expect(scheduler.actions).toHaveLength(1);
    scheduler.flush();
    await checkpoint.flush();
    expect(saved(dir)).toEqual({ version: 2, positions: { [FILE_A]: 10, [FILE_B]: 5 } });
    checkpoint.finish();
    last(OK);
    await checkpoint.flush();
    expect(saved(dir)).toEqual({ version: 2, positions: { [FILE_A]: 20, [FILE_B]: 5 } });
    expect(scheduler.actions).toHaveLength(0);
  });

  it('leaves the previous file whole when a save fails, logs it, and writes at the next save', async () => {
    const dir = tempDir();
    const errors: string[] = [];
    const logger = { ...silentLogger(), error: (_: unknown, message: string) => errors.push(message) } as unknown as Logger;
    const checkpoint = keyedIn(dir, logger);
    checkpoint.track(FILE_A, 0, 10)(OK);
    await checkpoint.flush();
    mkdirSync(join(dir, 'checkpoint.json.tmp')); // the temporary file cannot be created
    checkpoint.track(FILE_A, 10, 20)(OK);
    await checkpoint.flush();
    expect(saved(dir)).toEqual({ version: 2, positions: { [FILE_A]: 10 } });
    expect(errors).toEqual(['checkpoint: saving failed; retried at the next save']);
    rmdirSync(join(dir, 'checkpoint.json.tmp'));
    await checkpoint.flush();
    expect(saved(dir)).toEqual({ version: 2, positions: { [FILE_A]: 20 } });
  });

  it.each([
    ['not JSON', '{"version":2,"posi', /is not JSON/],
    ['an unknown version', '{"version":9,"positions":{}}', /unknown version 9/],
    ['a negative position', '{"version":2,"positions":{"a":-1}}', /invalid position for "a": -1/],
    ['no positions', '{"version":2}', /no "positions" object/],
    ['a version 1 file without a position', '{"version":1}', /version 1 without a valid "position"/],
  ])('refuses a file holding %s with a CheckpointError naming the file', async (_, text, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'checkpoint.json'), text);
    const load = keyedIn(dir).load();
    await expect(load).rejects.toThrow(CheckpointError);
    await expect(keyedIn(dir).load()).rejects.toThrow(message);
    await expect(keyedIn(dir).load()).rejects.toThrow(join(dir, 'checkpoint.json'));
  });

  it('reads a version-1 single-position file as the single key and rewrites it as version 2 at the next save', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'checkpoint.json'), '{"version":1,"position":42}\n');
    const checkpoint = new Checkpoint({ dir, intervalMs: 100, scheduler: new VirtualTimeScheduler(), logger: silentLogger() });
    expect(await checkpoint.load()).toBe(42);
    checkpoint.track(42, 50)(OK);
    await checkpoint.save();
    expect(saved(dir)).toEqual({ version: 2, positions: { default: 50 } });
  });
});
