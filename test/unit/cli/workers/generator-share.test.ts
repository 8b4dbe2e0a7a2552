import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../../../../src/components/builtins';
import { Pipeline } from '../../../../src/graph/pipeline';
import { collected, collectSink } from '../../graph/fixtures';

/** The sequences generator worker `index` of `count` emits for `total` events (count 0: unbounded, stopped after a while). */
async function sequencesOf(total: number, index: number, count: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-share-'));
  try {
    const pipeline = Pipeline.create(
      { data_dir: dir, sources: { gen: { type: 'generator', count: total, batch_size: 3 } }, sinks: { [`out${index}`]: { type: 'collect', inputs: ['gen'] } } },
      { registry: builtinRegistry().register(collectSink), shard: { index, count } },
    );
    const running = pipeline.run();
    if (total === 0) setTimeout(() => void pipeline.stop(), 50);
    await running;
    expect(pipeline.dataDir).toBe(count > 1 ? join(dir, `worker-${index}`) : dir);
    return (collected.get(`out${index}`) ?? []).map((event) => event.sequence as number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('generator under workers', () => {
  it('emits each sequence number of a bounded count in exactly one worker', async () => {
    const all = [...(await sequencesOf(10, 0, 3)), ...(await sequencesOf(10, 1, 3)), ...(await sequencesOf(10, 2, 3))];
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(await sequencesOf(10, 1, 3)).toEqual([4, 5, 6]);
  });

  it('completes at once in a worker whose share is empty', async () => {
    expect(await sequencesOf(1, 1, 2)).toEqual([]);
  });

  it('stays unbounded in every worker for count 0', async () => {
    expect((await sequencesOf(0, 1, 2)).length).toBeGreaterThan(0);
  });
});
