import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, tap, toArray, VirtualTimeScheduler, type Observable } from 'rxjs';
import type { Batch } from '../../../src/core/batch';
import { silentLogger } from '../../../src/observability/logger';
import { Checkpoint, CheckpointError, ContiguousRanges, SINGLE_KEY } from '../../../src/sources/checkpoint';
import { generate, generatorSource, type GenerateOptions } from '../../../src/sources/generator';
import { settle, until } from '../../helpers/async';
import { parseConfig, testSourceContext } from '../../helpers/context';

const options: GenerateOptions = { count: 5000, rate: 0, batchSize: 1000, format: 'text', checkpointIntervalMs: 10 };
const OK = { ok: true } as const;
const REJECTED = { ok: false, reason: new Error('sink refused') } as const;

/** The checkpoint file's content, parsed (undefined while absent or not JSON). */
function savedCheckpoint(dir: string): { version?: number; positions?: Record<string, number> } | undefined {
  const file = join(dir, 'checkpoint.json');
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: number; positions?: Record<string, number> }) : undefined;
  } catch {
    return undefined;
  }
}
const savedPosition = (dir: string): number | undefined => savedCheckpoint(dir)?.positions?.[SINGLE_KEY];
const sequencesOf = (batches: readonly Batch[]): number[] => batches.flatMap((batch) => batch.events.map((event) => event.sequence as number));

/** Runs to completion, acknowledging every batch as it arrives. */
function drain(source: Observable<Batch>): Promise<Batch[]> {
  return lastValueFrom(source.pipe(tap((batch) => batch.ack.resolve()), toArray()), { defaultValue: [] });
}

function checkpointIn(dir: string, scheduler = new VirtualTimeScheduler()): Checkpoint {
  return new Checkpoint({ dir, intervalMs: 100, scheduler, logger: silentLogger() });
}

describe('ContiguousRanges', () => {
  it('advances only over the contiguous prefix when ranges resolve out of order', () => {
    const ranges = new ContiguousRanges(0);
    expect(ranges.resolve(20, 30)).toBe(false);
    expect(ranges.resolve(10, 20)).toBe(false);
    expect(ranges.committed).toBe(0);
    expect(ranges.waiting).toBe(1); // [10, 30) merged into one
    expect(ranges.resolve(0, 10)).toBe(true);
    expect(ranges.committed).toBe(30);
    expect(ranges.waiting).toBe(0);
  });

  it('never advances past a range that was not resolved (a rejected ack), however many later ranges resolve', () => {
    const ranges = new ContiguousRanges(100);
    ranges.resolve(100, 110);
    for (let start = 120; start < 1000; start += 10) ranges.resolve(start, start + 10);
    expect(ranges.committed).toBe(110);
    expect(ranges.waiting).toBe(1);
    expect(ranges.resolve(110, 120)).toBe(true);
    expect(ranges.committed).toBe(1000);
  });

  it('ignores ranges already below the committed position', () => {
    const ranges = new ContiguousRanges(50);
    expect(ranges.resolve(0, 50)).toBe(false);
    expect(ranges.resolve(40, 60)).toBe(true);
    expect(ranges.committed).toBe(60);
  });
});

describe('Checkpoint', () => {
  it('saves the committed position atomically as one key of a version-2 file and a new instance loads it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-cp-')), 'nested', 'gen');
    const first = checkpointIn(dir);
    expect(await first.load()).toBeUndefined();
    first.track(0, 10)(OK);
    first.track(10, 25)(OK);
    await first.save();
    expect(savedCheckpoint(dir)).toEqual({ version: 2, positions: { [SINGLE_KEY]: 25 } });
    expect(readdirSync(dir)).toEqual(['checkpoint.json']); // no tmp file left behind

    const second = checkpointIn(dir);
    expect(await second.load()).toBe(25);
    expect(second.committed).toBe(25);
  });

  it('saves at most once per interval of scheduler time while ranges resolve, then once more when finished', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cp-'));
    const scheduler = new VirtualTimeScheduler();
    const checkpoint = checkpointIn(dir, scheduler);
    const third = checkpoint.track(20, 30);
    const second = checkpoint.track(10, 20);
    checkpoint.track(0, 10)(OK);
    expect(scheduler.actions).toHaveLength(1); // one save due after the interval
    await settle();
    expect(savedCheckpoint(dir)).toBeUndefined();
    scheduler.flush();
    await until(() => savedPosition(dir) === 10);
    second(OK);
    expect(scheduler.actions).toHaveLength(1);
    checkpoint.finish(); // one range still out: nothing more to do yet
    third(OK); // the last range settled: saved now, not after the interval
    await until(() => savedPosition(dir) === 30);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('refuses a checkpoint file that holds no position with an error naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cp-'));
    writeFileSync(join(dir, 'checkpoint.json'), '{"version":1,"pos');
    await expect(checkpointIn(dir).load()).rejects.toThrow(CheckpointError);
    await expect(checkpointIn(dir).load()).rejects.toThrow(join(dir, 'checkpoint.json'));
  });
});

describe('generator with checkpoint', () => {
  it('resumes after a restart at the first batch not acknowledged, regenerating a rejected batch and everything after it', async () => {
    const ctx = testSourceContext();
    const batches: Batch[] = [];
    let completed = false;
    generate(ctx, options).subscribe({ next: (batch) => batches.push(batch), complete: () => (completed = true) });
    await until(() => completed);
    expect(batches).toHaveLength(5);
    // Acks settle out of order; batch 2 (sequences 2000..2999) is rejected.
    for (const index of [1, 0, 3]) batches[index].ack.resolve();
    batches[2].ack.reject(REJECTED.reason);
    batches[4].ack.resolve();
    await until(() => savedPosition(ctx.dataDir) === 2000);

    const restarted = testSourceContext({}, { dataDir: ctx.dataDir });
    const again = await drain(generate(restarted, options));
    expect(sequencesOf(again)).toEqual(Array.from({ length: 3000 }, (_, i) => 2000 + i));
    await until(() => savedPosition(ctx.dataDir) === 5000);
  });

  it('counts across restarts from a version-1 checkpoint: once it reaches count it completes at once with no events', async () => {
    const ctx = testSourceContext();
    writeFileSync(join(ctx.dataDir, 'checkpoint.json'), JSON.stringify({ version: 1, position: 5000 }));
    expect(await drain(generate(ctx, options))).toEqual([]);
  });

  it('starts from sequence 0 when the checkpoint file is corrupt (events repeat, none are skipped)', async () => {
    const ctx = testSourceContext();
    writeFileSync(join(ctx.dataDir, 'checkpoint.json'), 'garbage');
    const batches = await drain(generate(ctx, { ...options, count: 2000 }));
    expect(sequencesOf(batches)[0]).toBe(0);
    await until(() => savedPosition(ctx.dataDir) === 2000);
  });

  it('declares checkpoint (default false) and checkpoint_interval (default 1s) in its schema', () => {
    expect(parseConfig(generatorSource, {})).toEqual(expect.objectContaining({ checkpoint: false, checkpoint_interval: 1000 }));
    expect(parseConfig(generatorSource, { checkpoint: true, checkpoint_interval: '200ms' })).toEqual(expect.objectContaining({ checkpoint: true, checkpoint_interval: 200 }));
  });

  it('writes no checkpoint file without the checkpoint option', async () => {
    const ctx = testSourceContext();
    await drain(generate(ctx, { ...options, checkpointIntervalMs: undefined }));
    expect(readdirSync(ctx.dataDir)).toEqual([]);
  });
});
